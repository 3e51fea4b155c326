"""Pre-training end to end on a small synthetic clinic: learning, resuming, failing clearly."""

from __future__ import annotations

import json
import os
import re
import socket
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
import torch
import torch.multiprocessing as mp
from safetensors.torch import load_file

from retclip.data.shards import iter_samples
from retclip.model import RetClip
from retclip.model.loss import TripartiteLoss
from retclip.model.preprocessing import decode_to_model_input
from retclip.model.weights import WeightsMismatchError
from retclip.train import NonFiniteLossError, train
from retclip.train.checkpoint import CheckpointError
from tests.train.conftest import Clinic, tiny_params


def run(
    clinic: Clinic,
    out,
    resume: bool = False,
    mask_token_id: int | None = None,
    log: Callable[[str], None] | None = None,
    **overrides,
):
    return train(
        clinic.images,
        clinic.train_reports,
        clinic.encoder,
        clinic.encoder.vocab_size,
        out,
        tiny_params(**overrides),
        resume=resume,
        progress=False,
        device="cpu",
        mask_token_id=mask_token_id,
        log=log,
    )


def held_out_retrieval(model: RetClip, clinic: Clinic) -> tuple[float, float]:
    """Patient images -> patient reports R@1 on unseen patients, and its chance level.

    A hit is a top-ranked report with the patient's own text (patients may share a text);
    chance is the expected hit rate of a random ranking.
    """
    reports = clinic.held_out_reports
    wanted, members = set(reports["patient_id"]), {}
    for shard in sorted((clinic.images / "shards").glob("*.tar")):
        with open(shard, "rb") as stream:
            members.update((k, m) for k, m in iter_samples(stream) if k in wanted)
    size = model.config.image.image_size
    eyes: dict[str, list] = {"left": [], "right": []}
    for pid in reports["patient_id"]:
        for side, images in eyes.items():
            data = members[pid].get(f"{side}.jpg")
            images.append(torch.from_numpy(decode_to_model_input(data, size)) if data else None)
    present = {s: torch.tensor([x is not None for x in v]) for s, v in eyes.items()}
    stacked = {
        s: torch.stack([x if x is not None else torch.zeros(3, size, size) for x in v])
        for s, v in eyes.items()
    }
    ids, mask = clinic.encoder(list(reports["patient_text"]))
    with torch.no_grad():
        images = model.encode_patient(
            stacked["left"], stacked["right"], present["left"], present["right"]
        )
        texts = model.encode_text(torch.as_tensor(ids), torch.as_tensor(mask), "patient")
    own = reports["patient_text"].to_numpy()
    retrieved = own[(images @ texts.T).argmax(dim=1).numpy()]
    shares = reports["patient_text"].map(reports["patient_text"].value_counts(normalize=True))
    return float((retrieved == own).mean()), float(shares.mean())


def test_pretraining_lowers_the_loss_and_retrieves_reports_of_unseen_patients(clinic, tmp_path):
    tokenizer = tmp_path / "tokenizer"
    tokenizer.mkdir()
    (tokenizer / "tokenizer.json").write_text("{}")
    result = train(
        clinic.images,
        clinic.train_reports,
        clinic.encoder,
        clinic.encoder.vocab_size,
        tmp_path / "out",
        tiny_params(epochs=60, lr=1e-3, warmup_steps=20, logit_scale_init=2.6593, eye_dropout=0.0),
        tokenizer_dir=tokenizer,
        progress=False,
        device="cpu",
    )
    records = [json.loads(line) for line in (tmp_path / "out" / "metrics.jsonl").open()]
    assert (
        len(records) == result.steps == result.total_steps == 60 * (len(clinic.train_reports) // 16)
    )
    assert result.patients == len(clinic.train_reports) and result.without_report > 400
    first = np.mean([r["loss"] for r in records[:20]])
    last = np.mean([r["loss"] for r in records[-20:]])
    model = RetClip.from_pretrained(result.model_dir)  # the folder is self-contained
    recall, chance = held_out_retrieval(model, clinic)
    print(f"loss {first:.3f} -> {last:.3f}; held-out R@1 {recall:.3f} (chance {chance:.3f})")
    assert last < first - 1.0
    assert recall >= chance + 0.25  # about twice chance
    assert (result.model_dir / "tokenizer.json").is_file()
    assert (tmp_path / "out" / "loss.png").stat().st_size > 0
    assert set(records[-1]) >= {
        "loss_patient",
        "loss_left",
        "loss_right",
        "logit_scale_left",
        "lr",
        "patients_per_s",
    }


def weights(folder) -> dict[str, torch.Tensor]:
    return load_file(folder / "model.safetensors")


def test_an_interrupted_run_resumes_to_the_same_weights(clinic, tmp_path):
    settings = {"accum_freq": 2, "flip_swap_prob": 0.5, "eye_dropout": 0.3, "checkpoint_every": 3}
    whole = run(clinic, tmp_path / "whole", **settings)
    part = run(clinic, tmp_path / "part", max_steps=5, workers=2, **settings)
    assert part.steps == 5 and part.checkpoint.name == "step-00000005"
    assert {p.name for p in (tmp_path / "part" / "checkpoints").iterdir()} == {
        "latest.json",
        "step-00000003",
        "step-00000005",
    }
    resumed = run(clinic, tmp_path / "part", resume=True, workers=1, **settings)
    assert resumed.steps == whole.steps == whole.total_steps
    a, b = weights(whole.model_dir), weights(resumed.model_dir)
    assert all(torch.equal(a[k], b[k]) for k in a)
    metrics = [
        (tmp_path / run_ / "metrics.jsonl").read_text().splitlines() for run_ in ("whole", "part")
    ]
    losses = [[json.loads(line)["loss"] for line in lines] for lines in metrics]
    assert losses[0] == losses[1]


def test_a_compiled_run_trains_like_an_eager_one(clinic, tmp_path):
    eager = run(clinic, tmp_path / "eager", max_steps=3)
    compiled = run(clinic, tmp_path / "compiled", max_steps=3, compile=True)
    losses = [
        [json.loads(line)["loss"] for line in (tmp_path / name / "metrics.jsonl").open()]
        for name in ("eager", "compiled")
    ]
    np.testing.assert_allclose(losses[1], losses[0], rtol=5e-5)  # float reordering only
    a, b = weights(eager.model_dir), weights(compiled.model_dir)
    assert a.keys() == b.keys()
    for key in a:
        torch.testing.assert_close(b[key], a[key], rtol=0, atol=1e-4)


def test_a_warmed_up_and_locked_text_tower_stays_as_warmed_up_and_resumes_exactly(clinic, tmp_path):
    settings = {"text_mlm_steps": 4, "lock_text": True, "checkpoint_every": 2, "mask_token_id": 3}
    whole = run(clinic, tmp_path / "whole", max_steps=4, **settings)
    part = run(clinic, tmp_path / "part", max_steps=2, **settings)
    after_4, after_2 = weights(whole.model_dir), weights(part.model_dir)
    resumed = run(clinic, tmp_path / "part", resume=True, max_steps=4, **settings)
    blank = run(clinic, tmp_path / "blank", max_steps=2, lock_text=True)
    assert whole.text_mlm_loss is not None and part.text_mlm_loss == whole.text_mlm_loss
    assert resumed.text_mlm_loss == whole.text_mlm_loss  # recorded in the checkpoint, not redone
    blank_2 = weights(blank.model_dir)
    tower = [k for k in after_4 if k.startswith("bert.")]
    assert all(torch.equal(after_4[k], after_2[k]) for k in tower)  # locked
    assert not torch.equal(after_4["text_projection.0.weight"], after_2["text_projection.0.weight"])
    assert not all(torch.equal(after_4[k], blank_2[k]) for k in tower)  # the warm-up changed it
    resumed_4 = weights(resumed.model_dir)
    assert all(torch.equal(after_4[k], resumed_4[k]) for k in after_4)
    # "part" reused the tower "whole" warmed (sibling folders share the cache); a run with a
    # cache of its own computes it and ends with the same bytes
    assert len(list((tmp_path / ".cache" / "text_warmup").glob("*.safetensors"))) == 1
    alone = weights(run(clinic, tmp_path / "alone" / "out", max_steps=4, **settings).model_dir)
    assert all(torch.equal(after_4[k], alone[k]) for k in after_4)
    with pytest.raises(ValueError, match=r"\[MASK\]"):
        run(clinic, tmp_path / "no_mask", max_steps=1, text_mlm_steps=1)


def test_progress_lines_name_step_epoch_loss_rate_and_eta(clinic, tmp_path):
    lines: list[str] = []
    run(clinic, tmp_path / "out", max_steps=3, text_mlm_steps=2, mask_token_id=3, log=lines.append)
    warm_up = [line for line in lines if line.startswith("text warm-up (MLM): ")]
    assert re.fullmatch(
        r"text warm-up \(MLM\): step 1/2 \(50%\), loss [\d.]+, [\d.]+ texts/s, ETA .+", warm_up[0]
    )
    assert warm_up[-1].startswith("text warm-up (MLM): step 2/2 (100%)") and warm_up[-1].endswith(
        "done"
    )
    pretrain = lines[len(warm_up) :]
    assert re.fullmatch(
        r"pretrain: 3 steps to go \(2 epochs of \d+ steps, batch 16, \d+ patients\)", pretrain[0]
    )
    step = r"pretrain: step {}/3 \(\d+%\), epoch 1/2, loss [\d.]+, [\d.]+ patients/s, {}"
    assert re.fullmatch(step.format(1, r"ETA (\d+m )?\d+s"), pretrain[1])
    assert re.fullmatch(step.format(3, "done"), pretrain[-1])


def test_a_non_finite_loss_stops_the_run_and_keeps_the_last_good_checkpoint(
    clinic, tmp_path, monkeypatch
):
    calls = {"n": 0}

    class BreaksAtStepFive(TripartiteLoss):
        def forward(self, out):
            calls["n"] += 1
            losses = super().forward(out)
            if calls["n"] == 5:
                losses.total = losses.total * float("nan")
            return losses

    monkeypatch.setattr("retclip.train.loop.TripartiteLoss", BreaksAtStepFive)
    with pytest.raises(NonFiniteLossError, match=r"loss is nan at step 5.*step-00000004"):
        run(clinic, tmp_path / "out", checkpoint_every=2)
    latest = json.loads((tmp_path / "out" / "checkpoints" / "latest.json").read_text())
    assert latest == {"step": 4, "path": "step-00000004"}
    assert len((tmp_path / "out" / "metrics.jsonl").read_text().splitlines()) == 4
    assert not (tmp_path / "out" / "model").exists()


def test_cpu_threads_hold_for_the_run_and_are_restored_after(clinic, tmp_path, monkeypatch):
    seen = []

    class RecordsThreads(TripartiteLoss):
        def forward(self, out):
            seen.append(torch.get_num_threads())
            return super().forward(out)

    monkeypatch.setattr("retclip.train.loop.TripartiteLoss", RecordsThreads)
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        run(clinic, tmp_path / "out", max_steps=2, cpu_threads=1)
        assert seen == [1, 1] and torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_a_cpu_run_keeps_freed_memory_mapped(clinic, tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr("retclip.train.loop.keep_freed_memory", lambda: calls.append(1) or True)
    run(clinic, tmp_path / "out", max_steps=1)
    assert calls == [1]


def test_resuming_another_configuration_names_what_differs(clinic, tmp_path):
    run(clinic, tmp_path / "out", max_steps=1)
    with pytest.raises(WeightsMismatchError, match=r"(?s)shape keys.*missing_eye: saved \[2, 64\]"):
        run(clinic, tmp_path / "out", resume=True, max_steps=2, embed_dim=32)
    with pytest.raises(CheckpointError, match=r"pretrain\.lr: checkpoint 0\.0005, now 0\.001"):
        run(clinic, tmp_path / "out", resume=True, max_steps=2, lr=1e-3)
    with pytest.raises(CheckpointError, match="holds a run already"):
        run(clinic, tmp_path / "out", max_steps=2)


def _rank(rank: int, port: int, clinic: Clinic, out: str) -> None:
    os.environ.update(
        MASTER_ADDR="127.0.0.1",
        MASTER_PORT=str(port),
        RANK=str(rank),
        LOCAL_RANK=str(rank),
        WORLD_SIZE="2",
    )
    run(clinic, out, max_steps=3, eye_dropout=0.3)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_ranks_train_like_one(clinic, tmp_path):
    mp.spawn(_rank, args=(free_port(), clinic, str(tmp_path / "two")), nprocs=2, join=True)
    run(clinic, tmp_path / "one", max_steps=3, eye_dropout=0.3)
    logs = [pd.read_json(tmp_path / name / "metrics.jsonl", lines=True) for name in ("one", "two")]
    for column in ("loss", "loss_patient", "loss_left", "loss_right"):
        np.testing.assert_allclose(logs[1][column], logs[0][column], rtol=1e-4)
    assert (tmp_path / "two" / "model" / "model.safetensors").is_file()
