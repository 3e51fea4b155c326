"""A tiny random RET-CLIP in a pretrain-style folder (with lineage), exported once per session."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from tokenizers import Tokenizer

from retclip.config import ExportParams, TokenizerParams
from retclip.export.bundle import export_model
from retclip.lineage import write_lineage
from retclip.model import RetClip, preset
from retclip.text.tokenizer import train_wordpiece
from tests.data.fundus_files import fundus, save

CONTEXT, IMAGE, PREPROCESS, QUALITY, MAX_PIXELS = 16, 32, 64, 95, 50_000_000
RAW_MD5 = "0123456789abcdef0123456789abcdef.dir"
PROMPTS = {
    "cataract": {
        "cataract": ["lens opacity", "白内障"],
        "clear lens": ["clear lens", "晶状体透明"],
    }
}
CORPUS = [
    "left eye clear lens",
    "right eye lens opacity cataract",
    "diabetic retinopathy with haemorrhage",
    "normal fundus",
    "左眼 白内障",
    "右眼 晶状体透明 正常 眼底",
    "视网膜 出血 糖尿病",
] * 3
EVALUATION_TABLE = "| metric | value |\n|---|---|\n| AUROC | 0.91 ± 0.02 |"


def make_model(root: Path, seed: int, name: str = "tiny") -> Path:
    """``root/pretrain/model`` (weights, config, tokenizer) and the pretrain stage's records."""
    tokenizer = train_wordpiece(
        CORPUS, TokenizerParams(vocab_size=100, min_frequency=1), root / "tokenizer"
    )
    vocab = Tokenizer.from_file(str(tokenizer / "tokenizer.json")).get_vocab_size()
    torch.manual_seed(seed)
    config = preset(name, vocab_size=vocab, context_length=CONTEXT, image_size=IMAGE, embed_dim=32)
    stage = root / "pretrain"
    RetClip(config).save_pretrained(stage / "model", tokenizer)
    raw = {"dvc_file": "data.dvc", "md5": RAW_MD5}
    write_lineage(
        stage, "pretrain", [{"role": "images", "path": "x", "raw_data": raw}], {"seed": seed}
    )
    return stage


def run_export(model: Path, out: Path, evaluations: tuple[Path, ...] = ()) -> dict:
    out.mkdir(parents=True)
    return export_model(
        model,
        out,
        ExportParams(quantize_int8=True),
        preprocess_size=PREPROCESS,
        jpeg_quality=QUALITY,
        max_pixels=MAX_PIXELS,
        prompts=PROMPTS,
        evaluations=evaluations,
    )


@pytest.fixture(scope="session")
def pretrain_dir(tmp_path_factory) -> Path:
    return make_model(tmp_path_factory.mktemp("model"), seed=0)


@pytest.fixture(scope="session")
def evaluation_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("evaluate") / "dr_grading"
    folder.mkdir()
    (folder / "table.md").write_text(EVALUATION_TABLE + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def exported(pretrain_dir, evaluation_dir, tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("export") / "export"
    return out, run_export(pretrain_dir, out, (evaluation_dir,))


@pytest.fixture(scope="session")
def export_dir(exported) -> Path:
    return exported[0]


@pytest.fixture(scope="session")
def eyes(tmp_path_factory) -> dict[str, Path]:
    """Camera-like photographs: a left and a right eye, larger than the preprocess size."""
    folder = tmp_path_factory.mktemp("eyes")
    return {
        side: save(folder / f"{side}.jpg", fundus((320, 240), seed=i, side=side), quality=92)
        for i, side in enumerate(("left", "right"))
    }
