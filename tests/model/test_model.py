"""The RET-CLIP module: architecture of the presets, the encoders, missing eyes, save and load."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors.torch import save_file

from retclip.model import RetClip, preset
from retclip.model.config import CLIP_MEAN, CLIP_STD, ModelConfig
from retclip.model.preprocessing import to_model_input
from retclip.model.weights import WeightsMismatchError
from tests.model.conftest import TINY_PRESETS, random_batch, tiny_model

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference"
REFERENCE_KEYS = REFERENCE / "retclip_reference_keys.json"


@pytest.mark.skipif(not REFERENCE_KEYS.is_file(), reason="reference key list not present")
def test_paper_preset_matches_the_released_checkpoint():
    reference = json.loads(REFERENCE_KEYS.read_text())
    shapes = {e["key"].removeprefix("module."): e["shape"] for e in reference["keys"]}
    model = RetClip(preset("paper"))
    ours = {k: list(v.shape) for k, v in model.state_dict().items()}
    # the same number of parameters, apart from the missing-eye embedding the reference lacks
    assert sum(p.numel() for p in model.parameters()) == reference["num_params"] + 2 * 512
    assert len(ours) == reference["num_tensors"] + 1
    # the text tower, heads, maps and scales have the reference's very names and shapes
    for key, shape in shapes.items():
        if not key.startswith("visual."):
            assert ours[key] == shape, key
    # the image tower is timm's layout of the same tensors; proj is the bias-free head
    assert ours["visual.head.weight"] == shapes["visual.proj"][::-1]
    assert ours["visual.cls_token"] == [1, 1, 768] and ours["visual.pos_embed"] == [1, 197, 768]
    assert "visual.patch_embed.proj.bias" not in ours and "visual.head.bias" not in ours
    assert model.visual.blocks[0].mlp.act.__class__.__name__ == "QuickGELU"
    assert model.bert.config.vocab_size == 21128 and model.bert.config.num_hidden_layers == 12


def test_embeddings_are_unit_vectors_and_forward_matches_the_encoders(model):
    model.eval()
    batch = random_batch(4, seed=1, missing_right=(2,))
    with torch.no_grad():
        out = model(**batch)
        left = model.encode_eye(batch["left"], "left")
        patient = model.encode_patient(
            batch["left"], batch["right"], batch["has_left"], batch["has_right"]
        )
        texts = {
            level: model.encode_text(batch["text_ids"][:, i], batch["text_mask"][:, i], level)
            for i, level in enumerate(("patient", "left", "right"))
        }
    for emb in [*out.images.values(), *out.texts.values()]:
        torch.testing.assert_close(emb.norm(dim=-1), torch.ones(4))
    torch.testing.assert_close(out.images["left"], left)
    torch.testing.assert_close(out.images["patient"], patient)
    for level, emb in texts.items():
        torch.testing.assert_close(out.texts[level], emb)


def test_a_missing_eye_uses_the_learned_embedding(model):
    model.eval()
    batch = random_batch(3, seed=2)
    left = batch["left"]
    with torch.no_grad():
        alone = model.encode_patient(left, None)
        masked = model.encode_patient(left, batch["right"], has_right=torch.zeros(3).bool())
        noise = model.encode_patient(left, torch.randn_like(left), has_right=torch.zeros(3).bool())
        both = model.encode_patient(left, batch["right"])
        features = model.visual(left)
        expected = model.global_feature_mapping(
            torch.cat([features, model.missing_eye[1].expand(3, -1)], dim=1)
        )
        model.missing_eye[1].add_(1.0)
        moved = model.encode_patient(left, None)
    torch.testing.assert_close(alone, masked)
    torch.testing.assert_close(alone, noise)  # the absent image's pixels are never looked at
    torch.testing.assert_close(alone, torch.nn.functional.normalize(expected, dim=-1))
    assert not torch.allclose(alone, both)
    assert not torch.allclose(alone, moved)
    with pytest.raises(ValueError, match="at least one eye"):
        model.encode_patient(None, None)


def test_the_missing_eye_embedding_learns_from_one_eye_patients(model):
    out = model(**random_batch(4, seed=3, missing_left=(1,)))
    out.images["patient"].sum().backward()
    assert model.missing_eye.grad[0].abs().sum() > 0
    assert model.missing_eye.grad[1].abs().sum() == 0


@pytest.mark.parametrize("name", TINY_PRESETS)
def test_gradient_checkpointing_gives_the_same_gradients(name):
    grads = []
    for enable in (False, True):
        model = tiny_model(name=name)
        model.set_grad_checkpointing(enable)
        out = model(**random_batch(3, seed=4))
        (out.images["patient"] * out.texts["patient"]).sum().backward()
        grads.append(
            torch.cat([p.grad.flatten() for p in model.parameters() if p.grad is not None])
        )
    torch.testing.assert_close(grads[0], grads[1])


@pytest.mark.parametrize("name", TINY_PRESETS)
def test_compiled_blocks_give_the_same_outputs_and_gradients(name):
    outputs, grads = [], []
    for compiled in (False, True):
        model = tiny_model(name=name)
        if compiled:
            model.set_grad_checkpointing(True)
            model.compile_blocks()
        out = model(**random_batch(3, seed=4))
        (out.images["patient"] * out.texts["patient"]).sum().backward()
        outputs.append(torch.cat([*out.images.values(), *out.texts.values()]))
        grads.append(
            torch.cat([p.grad.flatten() for p in model.parameters() if p.grad is not None])
        )
    assert list(model.state_dict()) == list(tiny_model(name=name).state_dict())
    torch.testing.assert_close(outputs[0], outputs[1])
    torch.testing.assert_close(grads[0], grads[1])


def test_save_and_load_give_identical_outputs(model, tmp_path):
    tokenizer = tmp_path / "tokenizer"
    tokenizer.mkdir()
    (tokenizer / "tokenizer.json").write_text("{}")
    (tokenizer / "lineage.json").write_text("{}")
    (tokenizer / "run.json").write_text("{}")
    model.save_pretrained(tmp_path / "model", tokenizer_dir=tokenizer)
    files = {p.name for p in (tmp_path / "model").iterdir()}
    assert files == {"config.json", "model.safetensors", "tokenizer.json"}
    loaded = RetClip.from_pretrained(tmp_path / "model")
    assert loaded.config == model.config
    model.eval()
    batch = random_batch(3, seed=5, missing_left=(0,))
    with torch.no_grad():
        a, b = model(**batch), loaded(**batch)
    for level in ("patient", "left", "right"):
        assert torch.equal(a.images[level], b.images[level])
        assert torch.equal(a.texts[level], b.texts[level])


def test_weights_of_another_configuration_name_the_mismatched_keys(model, tmp_path):
    model.save_pretrained(tmp_path / "model")
    config = json.loads((tmp_path / "model" / "config.json").read_text())
    config["embed_dim"] = 48
    config["text"]["layers"] = 3
    (tmp_path / "model" / "config.json").write_text(json.dumps(config))
    with pytest.raises(WeightsMismatchError) as error:
        RetClip.from_pretrained(tmp_path / "model")
    message = str(error.value)
    assert "missing keys: " in message and "bert.encoder.layer.2.output.dense.weight" in message
    assert "shape keys: " in message
    assert "left_feature_mapping.weight: saved [32, 32], model [48, 48]" in message


def test_tower_weights_load_from_local_files(model, tmp_path):
    other = tiny_model(seed=9, name=model.config.preset)
    image = {f"visual.{k}": v for k, v in other.visual.state_dict().items()}
    save_file(image, tmp_path / "image.safetensors")
    other.bert.save_pretrained(tmp_path / "bert")
    model.load_tower_weights(image=tmp_path / "image.safetensors", text=tmp_path / "bert")
    for mine, theirs in ((model.visual, other.visual), (model.bert, other.bert)):
        for (key, a), b in zip(
            mine.state_dict().items(), theirs.state_dict().values(), strict=True
        ):
            assert torch.equal(a, b), key
    assert not torch.equal(model.text_projection[0].weight, other.text_projection[0].weight)


def test_image_weights_with_a_head_bias_are_refused(model, tmp_path):
    state = {f"visual.{k}": v for k, v in model.visual.state_dict().items()}
    head = "head" if model.config.image.architecture == "vit" else "fc"
    state[f"visual.{head}.bias"] = torch.ones(32)
    save_file(state, tmp_path / "image.safetensors")
    with pytest.raises(ValueError, match="non-zero bias"):
        model.load_tower_weights(image=tmp_path / "image.safetensors")


def test_the_cnn_preset_has_a_resnet_image_tower_with_group_norm():
    model = tiny_model(name="tiny-cnn")
    assert type(model.visual).__name__ == "ResNet"
    norms = [type(m).__name__ for m in model.visual.modules() if "Norm" in type(m).__name__]
    assert norms and set(norms) == {"GroupNorm"}  # no batch statistics: ranks stay exact
    assert model.visual.fc.bias is None and model.visual.fc.in_features == 256
    with pytest.raises(ValueError, match="multiple of 16"):
        ModelConfig.from_dict(
            {**model.config.to_dict(), "image": {"architecture": "resnet", "width": 100}}
        )


def test_config_round_trips_through_json():
    config = preset("tiny", vocab_size=321, context_length=40, image_size=64)
    assert ModelConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    with pytest.raises(ValueError, match="multiple of patch_size"):
        preset("tiny", image_size=70)
    with pytest.raises(ValueError, match="unknown model preset"):
        preset("huge")


def test_image_preprocessing_is_bicubic_and_clip_normalised():
    white = Image.new("RGB", (50, 80), (255, 255, 255))
    pixels = to_model_input(white, 32)
    assert pixels.shape == (3, 32, 32) and pixels.dtype == np.float32
    expected = (1 - np.array(CLIP_MEAN)) / np.array(CLIP_STD)
    np.testing.assert_allclose(pixels[:, 10, 10], expected, rtol=1e-5)
    grey = to_model_input(Image.new("L", (32, 32), 0), 32)
    np.testing.assert_allclose(grey[:, 0, 0], -np.array(CLIP_MEAN) / np.array(CLIP_STD), rtol=1e-5)
