"""Where the glaucoma signal is lost: in the input, in the image tower or in pre-training.

Issue #6 asks the pre-trained probe to beat random init on glaucoma; the demo does not. This
separates the causes, with referable DR (which pre-training does learn) as the baseline of
every row, in the same run. Image rows train on the demo clinic's eyes (``data/raw``) and score
on the evaluation clinic's (``outputs/eval_clinic``); the text row is a 5-fold probe on the demo
clinic's cleaned eye texts. Task: glaucoma = suspect or worse (C/D >= 0.55), AUROC.

1. Supervised from scratch on the pre-training input (96 px, local contrast): the image towers of
   the ``tiny`` preset (a ViT) and of ``tiny-cnn`` (timm ``resnet10t`` at half width with
   GroupNorm). Is the signal in the input, and can each tower learn it?
2. Linear probes on the pre-trained model's eye and text embeddings and on a random-init
   model's eye embeddings: what pre-training kept.

    .venv/bin/python benchmarks/glaucoma_signal.py [--model outputs/pretrain] [--steps 300]
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import cross_val_predict
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from tqdm import tqdm

from retclip.config import Params, load_params
from retclip.model.config import PRESETS
from retclip.model.encoders import build_image_tower
from retclip.model.preprocessing import photo_to_model_input
from retclip.model.retclip import RetClip
from retclip.text.tokenizer import encode

TASKS = {
    "glaucoma": lambda eyes: eyes["glaucoma"] >= 1,
    "referable DR": lambda eyes: eyes["dr_grade"] >= 2,
}


def load_eyes(clinic: Path, model: RetClip, params: Params) -> tuple[pd.DataFrame, torch.Tensor]:
    """The clinic's usable eyes (no injected defect) as the model's training input."""
    eyes = pd.read_csv(clinic / "truth" / "eyes.csv", dtype={"patient_id": str, "image": str})
    eyes = eyes[eyes["defect"].isna()].reset_index(drop=True)
    pixels = [
        photo_to_model_input(
            clinic / image,
            params.preprocess.size,
            params.preprocess.jpeg_quality,
            model.config.image.image_size,
            params.validate_.max_image_pixels,
            model.config.local_contrast,
        )
        for image in tqdm(eyes["image"], desc=clinic.name, unit="eye")
    ]
    return eyes, torch.from_numpy(np.stack(pixels))


def supervised(
    net: torch.nn.Module, x: torch.Tensor, y: np.ndarray, x_test: torch.Tensor, steps: int
) -> np.ndarray:
    """Train a one-logit classifier from scratch (AdamW, batch 32); scores of the test eyes."""
    optimiser = torch.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=0.01)
    target = torch.as_tensor(y, dtype=torch.float32)
    rng = np.random.default_rng(0)
    net.train()
    for _ in tqdm(range(steps), desc=type(net).__name__, unit="step", leave=False):
        rows = torch.as_tensor(rng.choice(len(x), 32, replace=False))
        logits = net(x[rows]).squeeze(1)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, target[rows])
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    net.eval()
    with torch.no_grad():
        return torch.cat([net(batch).squeeze(1) for batch in x_test.split(100)]).numpy()


@torch.no_grad()
def eye_embeddings(model: RetClip, eyes: pd.DataFrame, x: torch.Tensor) -> np.ndarray:
    """Each eye through the mapping of its own side, as the evaluation's probe sees it."""
    model.eval()
    right = torch.as_tensor((eyes["side"] == "right").to_numpy(copy=True))[:, None]
    left_map = torch.cat([model.encode_eye(b, "left") for b in x.split(100)])
    right_map = torch.cat([model.encode_eye(b, "right") for b in x.split(100)])
    return torch.where(right, right_map, left_map).numpy()


@torch.no_grad()
def text_embeddings(
    model: RetClip, eyes: pd.DataFrame, reports: Path, tokenizer: Path
) -> tuple[np.ndarray, pd.DataFrame]:
    """Cleaned eye texts (the eye's own section) through the head of that eye's side."""
    texts = pd.read_parquet(reports)
    rows = eyes.merge(texts, on="patient_id")
    rows["text"] = np.where(rows["side"] == "right", rows["right_text"], rows["left_text"])
    rows = rows[rows["text"].fillna("") != ""].reset_index(drop=True)
    ids, mask = encode(tokenizer, rows["text"].tolist(), model.config.context_length)
    ids, mask = torch.as_tensor(np.asarray(ids)), torch.as_tensor(np.asarray(mask))
    model.eval()
    by_side = {
        side: torch.cat(
            [
                model.encode_text(i, m, side)
                for i, m in zip(ids.split(200), mask.split(200), strict=True)
            ]
        )
        for side in ("left", "right")
    }
    right = torch.as_tensor((rows["side"] == "right").to_numpy(copy=True))[:, None]
    return torch.where(right, by_side["right"], by_side["left"]).numpy(), rows


def probe() -> Pipeline:
    return make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=3000))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=Path("outputs/pretrain"))
    parser.add_argument("--train-clinic", type=Path, default=Path("data/raw"))
    parser.add_argument("--test-clinic", type=Path, default=Path("outputs/eval_clinic"))
    parser.add_argument(
        "--reports", type=Path, default=Path("outputs/clean_reports/reports.parquet")
    )
    parser.add_argument("--tokenizer", type=Path, default=Path("outputs/tokenizer"))
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args()
    torch.manual_seed(0)
    model = RetClip.from_pretrained(args.model / "model")
    random_init = RetClip(model.config)
    params = load_params(Path("params.yaml"))
    train, x_train = load_eyes(args.train_clinic, model, params)
    test, x_test = load_eyes(args.test_clinic, model, params)
    texts, text_rows = text_embeddings(model, train, args.reports, args.tokenizer)
    features = {
        "pre-trained": (eye_embeddings(model, train, x_train), eye_embeddings(model, test, x_test)),
        "random init": (
            eye_embeddings(random_init, train, x_train),
            eye_embeddings(random_init, test, x_test),
        ),
    }
    size = model.config.image.image_size
    towers = {
        f"{name} ({PRESETS[name].image.timm_name})": partial(
            build_image_tower, replace(PRESETS[name].image, image_size=size), 1
        )
        for name in ("tiny", "tiny-cnn")
    }
    rows: dict[str, dict[str, float]] = {}
    for task, label in TASKS.items():
        y_train, y_test = label(train).to_numpy(), label(test).to_numpy()
        for name, build in towers.items():
            torch.manual_seed(0)
            scores = supervised(build(), x_train, y_train, x_test, args.steps)
            rows.setdefault(f"supervised from scratch: {name}", {})[task] = roc_auc_score(
                y_test, scores
            )
        for name, (f_train, f_test) in features.items():
            scores = probe().fit(f_train, y_train).predict_proba(f_test)[:, 1]
            rows.setdefault(f"probe on {name} eye embeddings", {})[task] = roc_auc_score(
                y_test, scores
            )
        y_text = label(text_rows).to_numpy()
        scores = cross_val_predict(probe(), texts, y_text, cv=5, method="predict_proba")[:, 1]
        rows.setdefault("probe on pre-trained text embeddings (5-fold)", {})[task] = roc_auc_score(
            y_text, scores
        )
    glaucoma = TASKS["glaucoma"]
    print(
        f"train {len(train)} eyes ({int(glaucoma(train).sum())} glaucoma), test {len(test)} "
        f"eyes ({int(glaucoma(test).sum())} glaucoma); {args.steps} supervised steps"
    )
    width = max(map(len, rows))
    print(f"{'features':<{width}} {'glaucoma':>9} {'referable DR':>13}")
    for name, auroc in rows.items():
        print(f"{name:<{width}} {auroc['glaucoma']:>9.3f} {auroc['referable DR']:>13.3f}")


if __name__ == "__main__":
    main()
