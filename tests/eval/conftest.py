"""A clean held-out clinic and a tiny saved model with its tokenizer, for the protocol tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import torch

from retclip.config import EvaluateParams, Params, SynthParams, TokenizerParams
from retclip.data.synth.clinic import generate_clinic
from retclip.model import RetClip, preset
from retclip.text.tokenizer import build_tokenizer, load_backend

SIZE = 32


@pytest.fixture(scope="session")
def eval_clinic(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("eval") / "clinic"
    params = SynthParams(patients=40, seed=5, image_size=(256, 192), dirty_rate=0.0, workers=1)
    generate_clinic(out, params, progress=False)
    return out


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory, eval_clinic) -> Path:
    """A random tiny RET-CLIP saved with a tokenizer trained on the clinic's reports."""
    root = tmp_path_factory.mktemp("model")
    reports = pd.read_csv(eval_clinic / "patients.csv", dtype=str)["report"].tolist()
    tokenizer = build_tokenizer(
        reports, TokenizerParams(vocab_size=300, context_length=32), root / "tokenizer"
    )
    torch.manual_seed(0)
    config = preset(
        "tiny",
        vocab_size=load_backend(tokenizer).get_vocab_size(),
        context_length=32,
        image_size=SIZE,
        embed_dim=32,
    )
    folder = root / "model"
    RetClip(config).save_pretrained(folder, tokenizer)
    return folder


def eval_params(clinic: Path, **evaluate) -> Params:
    """Small, fast settings: two seeds, short training, few bootstrap resamples."""
    settings = {
        "seeds": [0, 1],
        "bootstrap": 20,
        "finetune_epochs": 1,
        "supervised_epochs": 1,
        "workers": 1,
        "baselines": ["random_init", "supervised"],
        "tasks": [
            {
                "name": "dr",
                "adapter": "synthetic",
                "path": str(clinic),
                "type": "ordinal",
                "label": "dr_grade",
                "protocols": ["linear_probe", "finetune", "zero_shot"],
            },
            {
                "name": "diseases",
                "adapter": "synthetic",
                "path": str(clinic),
                "type": "multilabel",
                "label": "diseases",
            },
            {
                "name": "any",
                "adapter": "synthetic",
                "path": str(clinic),
                "type": "binary",
                "level": "patient",
                "label": "any_disease",
                "protocols": ["linear_probe", "zero_shot", "retrieval"],
            },
        ],
        **evaluate,
    }
    return Params(evaluate=EvaluateParams.model_validate(settings))
