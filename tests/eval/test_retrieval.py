import pytest
import torch
import torch.nn.functional as F

from retclip.eval.retrieval import recall_at_k


def test_recall_is_one_for_matched_pairs_and_low_for_shuffled():
    x = F.normalize(torch.randn(20, 8, generator=torch.Generator().manual_seed(0)), dim=-1)
    assert set(recall_at_k(x, x).values()) == {1.0}
    shuffled = recall_at_k(x, x.roll(1, 0))
    assert shuffled["image_to_text_r@1"] == 0.0
    assert shuffled["text_to_image_r@10"] == pytest.approx(
        recall_at_k(x.roll(1, 0), x)["image_to_text_r@10"]
    )


def test_ties_count_against_the_model():
    same = F.normalize(torch.ones(10, 4), dim=-1)
    result = recall_at_k(same, same)
    assert result["image_to_text_r@1"] == 1.0  # no candidate is strictly better
    assert recall_at_k(same, -same)["image_to_text_r@1"] == 1.0
