"""``model_card.md``: its sections, and the facts it takes from the lineage and evaluations."""

from __future__ import annotations

import json

import pytest

from retclip.export.layout import ExportError, read_info
from retclip.export.model_card import model_card, read_evaluations, read_model_record
from retclip.model.config import TINY
from tests.export.conftest import EVALUATION_TABLE, RAW_MD5

SECTIONS = (
    "## Intended use",
    "## Limits",
    "## Training data",
    "## Parameters",
    "## Evaluation",
    "## ONNX export and parity",
    "## Lineage",
)


def test_the_card_has_every_section_and_the_model_facts(export_dir, pretrain_dir):
    card = (export_dir / "model_card.md").read_text("utf-8")
    positions = [card.index(section) for section in SECTIONS]
    assert positions == sorted(positions)
    lineage = json.loads((pretrain_dir / "lineage.json").read_text("utf-8"))
    assert f"`{RAW_MD5}`" in card and "data.dvc" in card
    assert f"`{lineage['lineage_id']}`" in card and f"`{lineage['params_sha256']}`" in card
    assert "### dr_grading\n\n" + EVALUATION_TABLE in card  # verbatim, under the task's name
    assert "within 0.0001 of PyTorch" in card and "batch sizes 1, 2, 7" in card
    assert "int8 graphs" in card and "parameters, total" in card


def test_the_card_holds_nothing_that_depends_on_the_machine_or_the_commit(export_dir, pretrain_dir):
    """The card is versioned: no git commit (a run fact) and no onnxruntime figure (a CPU fact)."""
    card = (export_dir / "model_card.md").read_text("utf-8")
    run = json.loads((pretrain_dir / "run.json").read_text("utf-8"))
    parity = json.loads((export_dir / "parity.json").read_text("utf-8"))
    figures = parity["fp32"]["figures"]["image"]["1"]
    assert run["git"]["commit"] not in card and "`parity.json`" in card
    assert all(f"{v:.3g}" not in card for v in figures.values() if v > 0)


def test_without_evaluations_or_lineage_the_card_says_so(export_dir, tmp_path):
    parity = json.loads((export_dir / "parity.json").read_text("utf-8"))
    del parity["int8"]
    counts = {"total": 10}
    card = model_card(TINY, counts, read_info(export_dir), parity, read_model_record(tmp_path), [])
    assert "Not evaluated" in card and "No lineage record" in card
    assert "Data version: unknown" in card and "int8" not in card.split("## ONNX")[1]


def test_an_evaluation_folder_without_its_table_is_named(tmp_path):
    with pytest.raises(ExportError, match=r"table\.md: evaluation table not found"):
        read_evaluations([tmp_path])
