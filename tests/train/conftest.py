"""A small synthetic clinic, validated and preprocessed into shards, with stand-in texts.

The texts are written from the clinic's ground-truth labels (the report cleaner is another
stage), and a word-level vocabulary stands in for the tokenizer: training code takes any callable
``texts -> (ids, mask)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from retclip import pipeline
from retclip.config import PretrainParams, params_from_dict
from retclip.data.synth.clinic import generate_clinic

HELD_OUT = 30  # patients in the shards that training never sees


class WordEncoder:
    """``[CLS] words [SEP]``, zero-padded; ids from a vocabulary of the training texts."""

    specials = ("[PAD]", "[CLS]", "[SEP]", "[UNK]")

    def __init__(self, texts: list[str], context_length: int):
        words = sorted({w for text in texts for w in text.split()})
        self.vocab = {w: i for i, w in enumerate([*self.specials, *words])}
        self.context_length = context_length

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    def __call__(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        length = self.context_length
        ids = np.zeros((len(texts), length), dtype=np.int64)
        for row, text in enumerate(texts):
            tokens = [self.vocab.get(w, 3) for w in text.split()][: length - 2]
            ids[row, : len(tokens) + 2] = [1, *tokens, 2]
        return ids, (ids != 0).astype(np.int64)


def lens_text(eyes: pd.DataFrame, patient_id: str, side: str) -> str:
    if (patient_id, side) not in eyes.index:
        return "not imaged"
    return "lens opacity" if eyes.loc[(patient_id, side), "cataract"] else "clear lens"


@dataclass(frozen=True)
class Clinic:
    raw: Path
    images: Path  # the preprocess output folder
    train_reports: pd.DataFrame  # balanced: patients with and without a cataract
    held_out_reports: pd.DataFrame  # balanced too; their eyes are in the shards
    encoder: WordEncoder


@pytest.fixture(scope="session")
def clinic(tmp_path_factory) -> Clinic:
    """600 synthetic patients; the reports say, per eye, whether the lens is clouded.

    Of the clinic's findings only cataract haze is learnt by a tiny ViT from a few hundred
    64-pixel eyes within a minute of CPU, and a report that is mostly "normal" gives InfoNCE
    almost no signal; so the texts describe the lens only, and both sets are balanced. Which
    eye is clouded still has to be learnt: the texts are laterality-specific.
    """
    root = tmp_path_factory.mktemp("pretrain")
    params = params_from_dict(
        {
            "synth": {"patients": 600, "seed": 5, "image_size": [160, 128], "dirty_rate": 0.05},
            "validate": {"min_short_side": 128},
            "preprocess": {"size": 64, "shard_size": 32},
        }
    )
    generate_clinic(root / "raw", params.synth, progress=False)
    pipeline.validate(root / "raw", root / "validate", params, progress=False)
    pipeline.preprocess(root / "raw", root / "validate", root / "images", params, progress=False)
    eyes = pd.read_csv(root / "raw" / "truth" / "eyes.csv")
    eyes = eyes.drop_duplicates(["patient_id", "side"]).set_index(["patient_id", "side"])
    rows = []
    for pid in pd.read_parquet(root / "validate" / "manifest.parquet")["patient_id"]:
        left, right = lens_text(eyes, pid, "left"), lens_text(eyes, pid, "right")
        rows.append(
            {
                "patient_id": pid,
                "left_text": left,
                "right_text": right,
                "patient_text": f"left eye {left} right eye {right}",
            }
        )
    reports = pd.DataFrame(rows)
    clouded = reports["patient_text"].str.contains("opacity")
    cataract, clear = reports[clouded], reports[~clouded]
    held_out = pd.concat([cataract.tail(HELD_OUT // 2), clear.tail(HELD_OUT // 2)])
    trained = cataract.iloc[: -(HELD_OUT // 2)]
    spread = np.linspace(0, len(clear) - HELD_OUT // 2 - 1, len(trained)).round().astype(int)
    trained = pd.concat([trained, clear.iloc[spread]]).sort_index()  # mixed in every shard
    texts = [t for c in ("patient_text", "left_text", "right_text") for t in reports[c]]
    return Clinic(
        raw=root / "raw",
        images=root / "images",
        train_reports=trained.reset_index(drop=True),
        held_out_reports=held_out.reset_index(drop=True),
        encoder=WordEncoder(texts, context_length=12),
    )


def tiny_params(**overrides) -> PretrainParams:
    """Small and quick: 64-pixel eyes, a few steps."""
    values = {
        "preset": "tiny",
        "image_size": 64,
        "embed_dim": 64,
        "epochs": 2,
        "batch_size": 16,
        "lr": 5e-4,
        "warmup_steps": 2,
        "checkpoint_every": 100,
        "workers": 0,
        "seed": 0,
    }
    return PretrainParams(**{**values, **overrides})
