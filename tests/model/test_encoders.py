"""The image tower's shortcuts: the fused QuickGELU, the class-token-only last block."""

from __future__ import annotations

import pytest
import torch

from retclip.model.encoders import QuickGELU, silu_quick_gelu
from tests.model.conftest import TINY_PRESETS, random_batch, tiny_model


@pytest.mark.parametrize("form", ["module", "gpu"])
def test_quick_gelu_is_clips_function_and_gradient(form):
    """On CPU the module runs the hand-written backward; the GPU's silu form is checked here too."""
    x = torch.linspace(-8, 8, 10_001, dtype=torch.float64).requires_grad_()
    plain = x * torch.sigmoid(1.702 * x)
    (grad,) = torch.autograd.grad(plain.sum(), x, retain_graph=True)
    weights = torch.randn(x.shape, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    (weighted,) = torch.autograd.grad((plain * weights).sum(), x)
    act = QuickGELU() if form == "module" else silu_quick_gelu
    fused = act(x)
    (fused_grad,) = torch.autograd.grad(fused.sum(), x)
    (fused_weighted,) = torch.autograd.grad((act(x) * weights).sum(), x)
    torch.testing.assert_close(fused, plain, rtol=1e-14, atol=1e-15)
    torch.testing.assert_close(fused_grad, grad, rtol=1e-14, atol=1e-15)
    torch.testing.assert_close(fused_weighted, weighted, rtol=1e-14, atol=1e-15)


def test_the_clip_image_tower_uses_it_in_every_block():
    model = tiny_model()  # the paper's timm architecture, smaller
    assert all(type(block.mlp.act) is QuickGELU for block in model.visual.blocks)


@pytest.mark.parametrize("checkpointing", [False, True])
@pytest.mark.parametrize("name", TINY_PRESETS)
def test_image_features_equal_the_whole_tower_with_its_gradients(name, checkpointing):
    """A ViT's last block computes the class token alone; values and gradients are those of
    the tower run on every token."""
    model = tiny_model(name=name).train()
    model.set_grad_checkpointing(checkpointing)
    images = random_batch(3, seed=5)["left"]
    weights = torch.randn(3, model.config.embed_dim, generator=torch.Generator().manual_seed(1))
    results = []
    for features in (model.visual, model.image_features):
        model.zero_grad(set_to_none=True)
        out = features(images)
        (out * weights).sum().backward()
        grads = {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}
        results.append((out.detach(), grads))
    (whole, expected), (ours, actual) = results
    torch.testing.assert_close(ours, whole, rtol=1e-5, atol=1e-6)
    assert actual.keys() == expected.keys()
    for key, grad in expected.items():
        scale = max(grad.abs().max().item(), 0.01)
        assert (actual[key] - grad).abs().max().item() <= 1e-5 * scale, key
