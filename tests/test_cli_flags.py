"""Every command-line flag does what its help says (issue 36).

A flag that argparse accepts and the stage never sees is worse than a missing one, so this walks
every stage's parser and, for every optional flag, runs the stage twice with two values of it
(or with and without a switch) against fakes of the pipeline functions: what the stage receives
(its resolved parameters and its call) must differ. A flag added later without wiring fails here.
"""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any, get_args

import pytest

from retclip.cli import FLAG_PARAMS, STAGES, WITHOUT_PARAMS, build_parser, main
from retclip.config import Params, PretrainParams, params_to_dict
from tests.conftest import REPO

# Options every stage shares, which tests/test_config.py and tests/test_cli.py cover.
COMMON = {"-h", "--help", "--params", "--set"}
# Flags whose effect is on what the command prints rather than on what the stage receives.
OUTPUT_FLAGS = {("lineage", "--json")}
# Two values for flags whose text has a format; other flags get values by their type.
SAMPLES: dict[str, tuple[str, str]] = {
    "--image-size": ("200x150", "300x200"),
    "--size": ("300", "512"),
}


def _stage_parsers() -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def _optional_flags() -> list[tuple[str, argparse.Action]]:
    """Every optional flag of every stage: not the shared options, not the required paths."""
    return [
        (stage, action)
        for stage, parser in _stage_parsers().items()
        for action in parser._actions
        if action.option_strings and not action.required and not COMMON & set(action.option_strings)
    ]


def _required_args(stage: str, tmp_path: Path) -> list[str]:
    """A value for every required option and positional, and the repository's params.yaml."""
    args: list[str] = []
    for action in _stage_parsers()[stage]._actions:
        value = str(tmp_path / action.dest) if action.type is Path else "x"
        if not action.option_strings:
            args.append(value)
        elif action.required:
            args += [action.option_strings[0], value]
    if stage not in WITHOUT_PARAMS:
        args += ["--params", str(REPO / "params.yaml")]
    return args


def _values(action: argparse.Action, tmp_path: Path) -> list[str]:
    flag = action.option_strings[0]
    if action.choices:
        return [str(choice) for choice in action.choices]
    if flag in SAMPLES:
        return list(SAMPLES[flag])
    if action.type is int:
        return ["2", "3"]
    if action.type is float:
        return ["0.25", "0.5"]
    if action.type is Path:
        return [str(tmp_path / "a"), str(tmp_path / "b")]
    return ["a", "b"]


def _plain(value: Any) -> Any:
    """A comparable form of what a stage function received."""
    if isinstance(value, Params):
        return params_to_dict(value)
    if isinstance(value, Path):
        return str(value)
    if callable(value):  # e.g. pretrain's progress-line writer, a fresh closure each run
        return "<callable>"
    return value


@pytest.fixture
def received(monkeypatch) -> list[tuple[str, list[Any], dict[str, Any]]]:
    """Replace every stage function the CLI calls by one that records its call and returns
    just enough for the handler's summary lines."""
    calls: list[tuple[str, list[Any], dict[str, Any]]] = []
    monkeypatch.delenv("DAGSTER_PIPES_CONTEXT", raising=False)
    monkeypatch.setattr("sys.stderr.isatty", lambda: False)

    def fake(name: str, result: Any, write: dict[str, str] | None = None, out_index: int = -1):
        def stage(*args: Any, **kwargs: Any) -> Any:
            calls.append(
                (name, [_plain(a) for a in args], {k: _plain(v) for k, v in kwargs.items()})
            )
            if write:
                out = Path([a for a in args if isinstance(a, Path)][out_index])
                out.mkdir(parents=True, exist_ok=True)
                for file, text in write.items():
                    (out / file).write_text(text, encoding="utf-8")
            return result

        return stage

    clinic = SimpleNamespace(out=Path("o"), patients=1, languages={}, images=2, bytes=0, defects={})
    validation = {
        "source": "patients.csv",
        "encoding": "utf-8",
        "rows_in": 1,
        "valid_patients": 1,
        "one_eye_patients": 0,
        "quarantined_patients": 0,
        "quarantined_eyes": 0,
        "reasons": {},
    }
    audit = {
        "rows_in": 1,
        "reports": 1,
        "languages": {},
        "quarantined": 0,
        "quarantine_reasons": {},
        "phi_total": 0,
        "phi_counts": {},
        "leak_scan": {"leaks": 0},
    }
    trained = SimpleNamespace(
        model_dir=Path("m"), steps=1, total_steps=1, patients=2, first_loss=1.0, last_loss=1.0
    )
    imported = SimpleNamespace(tensors=1, parameters=1, initialised={})
    fakes = {
        "retclip.pipeline.synth": fake("synth", clinic),
        "retclip.pipeline.validate": fake("validate", SimpleNamespace(summary=validation)),
        "retclip.pipeline.preprocess": fake(
            "preprocess", {"shards": [], "patients": 1, "images": 2, "size": 1}
        ),
        "retclip.pipeline.clean_reports": fake("clean_reports", SimpleNamespace(audit=audit)),
        "retclip.pipeline.tokenizer": fake("tokenizer", Path("t")),
        "retclip.text.tokenizer.load_backend": lambda folder: SimpleNamespace(
            get_vocab_size=lambda: 1
        ),
        "retclip.pipeline.pretrain": fake(
            "pretrain", trained, write={"train_summary.json": "{}"}, out_index=3
        ),
        "retclip.pipeline.eval_clinic": fake("eval_clinic", clinic),
        "retclip.pipeline.evaluate": fake("evaluate", {}, write={"table.md": ""}, out_index=1),
        "retclip.pipeline.export": fake("export", {"parity": {"fp32": 0.0}}),
        "retclip.pipeline.import_reference": fake("import_reference", imported),
        "retclip.export.predict.predict": fake("predict", {}),
        "retclip.lineage.trace": fake("trace", []),
    }
    for target, replacement in fakes.items():
        monkeypatch.setattr(target, replacement)
    return calls


def _run(stage: str, extra: list[str], tmp_path: Path, calls: list, capsys) -> tuple[Any, str]:
    """Run one stage against the fakes; what its stage function received, and what it printed."""
    calls.clear()
    code = main([stage, *_required_args(stage, tmp_path), *extra])
    printed = capsys.readouterr()
    assert code == 0, f"retclip {stage} {' '.join(extra)} failed: {printed.err}"
    assert len(calls) == 1, f"retclip {stage} called {calls}"
    return calls[0], printed.out


def test_the_walk_sees_the_flags_of_the_issue():
    walked = {(stage, action.option_strings[0]) for stage, action in _optional_flags()}
    assert {
        ("validate", "--workers"),
        ("preprocess", "--size"),
        ("preprocess", "--workers"),
        ("pretrain", "--preset"),
    } <= walked
    assert set(_stage_parsers()) == set(STAGES)


@pytest.mark.parametrize(
    ("stage", "action"),
    _optional_flags(),
    ids=[f"{stage} {action.option_strings[0]}" for stage, action in _optional_flags()],
)
def test_every_optional_flag_reaches_its_stage(stage, action, tmp_path, received, capsys):
    flag = action.option_strings[0]
    if action.nargs == 0:  # a switch: given against not given
        variants = [[], [flag]]
    else:
        variants = [[flag, value] for value in _values(action, tmp_path)]
    seen = [_run(stage, variant, tmp_path, received, capsys) for variant in variants]
    effect = [printed if (stage, flag) in OUTPUT_FLAGS else call for call, printed in seen]
    for i, first in enumerate(effect):
        for second, variant in zip(effect[i + 1 :], variants[i + 1 :], strict=True):
            assert first != second, (
                f"retclip {stage}: {variants[i]} and {variant} reach the stage alike; wire {flag} "
                "to a parameter (cli.FLAG_PARAMS) or to the stage's call, or remove it"
            )


@pytest.mark.parametrize(
    ("stage", "dest", "key"),
    [(stage, dest, key) for stage, flags in FLAG_PARAMS.items() for dest, key in flags.items()],
)
def test_a_parameter_flag_sets_its_key_in_the_section_lineage_records(
    stage, dest, key, tmp_path, received, capsys
):
    """lineage.json records the stage's own section, so the flag's key must live there."""
    section, name = key.split(".")
    assert section == stage.replace("-", "_")
    action = next(a for a in _stage_parsers()[stage]._actions if a.dest == dest)
    value = _values(action, tmp_path)[-1]
    (call, _) = _run(stage, [action.option_strings[0], value], tmp_path, received, capsys)
    params = next(a for a in call[1] if isinstance(a, dict) and section in a)
    expected = params_to_dict(
        Params.model_validate({section: {name: action.type(value) if action.type else value}})
    )
    assert params[section][name] == expected[section][name]
    assert f"(sets {key})" in action.help


def test_a_flag_wins_over_set_and_a_bad_value_names_where_it_came_from(tmp_path, received, capsys):
    (call, _) = _run(
        "preprocess", ["--set", "preprocess.size=300", "--size", "512"], tmp_path, received, capsys
    )
    assert call[1][3]["preprocess"]["size"] == 512
    base = ["preprocess", *_required_args("preprocess", tmp_path)]
    assert main([*base, "--size", "5000"]) == 2
    err = capsys.readouterr().err
    assert "preprocess.size" in err and "from --size 5000" in err and "params.yaml" not in err
    assert main([*base, "--set", "preprocess.size=huge"]) == 2
    assert "from --set preprocess.size=huge" in capsys.readouterr().err
    assert main([*base, "--set", "preprocess.sise=3"]) == 2
    err = capsys.readouterr().err
    assert "preprocess.sise: unknown key, from --set preprocess.sise=3" in err
    assert len(received) == 1  # only the first run reached the stage


def test_a_bad_value_in_the_file_still_names_the_file(tmp_path, received, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("preprocess:\n  size: 5000\n")
    args = ["--raw", "r", "--manifest", "m", "--out", str(tmp_path / "o"), "--params", str(bad)]
    assert main(["preprocess", *args]) == 2
    assert f"invalid parameters in {bad}:" in capsys.readouterr().err


def test_preset_flag_builds_the_paper_model(tmp_path, received, capsys):
    """``--preset paper`` over the demo's params.yaml resolves to the paper's architecture."""
    from retclip.model.config import PAPER, preset

    assert get_args(PretrainParams.model_fields["preset"].annotation) == tuple(
        next(a for a in _stage_parsers()["pretrain"]._actions if a.dest == "preset").choices
    )
    (call, _) = _run("pretrain", ["--preset", "paper"], tmp_path, received, capsys)
    resolved = PretrainParams.model_validate(call[1][4]["pretrain"])
    assert resolved.preset == "paper"
    # the arguments retclip.train.loop gives the preset
    config = preset(resolved.preset, image_size=resolved.image_size, embed_dim=resolved.embed_dim)
    assert (config.image, config.embed_dim) == (PAPER.image, 512)
    assert (config.image.timm_name, config.image.image_size) == (
        "vit_base_patch16_clip_quickgelu_224",
        224,
    )
    assert (config.text.hidden_size, config.text.layers) == (768, 12)


def test_preprocess_size_writes_shards_of_that_size(tmp_path, capsys):
    """End to end, as the issue's user ran it: --size 512 writes 512-pixel images."""
    from PIL import Image

    from retclip.data.shards import iter_samples

    params = ["--params", str(REPO / "params.yaml")]
    raw, checked, out = tmp_path / "raw", tmp_path / "validate", tmp_path / "preprocess"
    synth = ["--patients", "2", "--image-size", "320x240", "--dirty-rate", "0", "--workers", "1"]
    assert main(["synth", "--out", str(raw), *synth, *params]) == 0
    checks = ["--set", "validate.min_short_side=128", "--workers", "1"]
    assert main(["validate", "--raw", str(raw), "--out", str(checked), *checks, *params]) == 0
    args = ["--raw", str(raw), "--manifest", str(checked), "--out", str(out)]
    assert main(["preprocess", *args, "--size", "512", "--workers", "1", *params]) == 0
    assert "at 512x512" in capsys.readouterr().out
    assert json.loads((out / "shards.json").read_text())["size"] == 512
    lineage = json.loads((out / "lineage.json").read_text())
    assert lineage["params"]["preprocess"]["size"] == 512
    assert lineage["params"]["preprocess"]["workers"] == 1
    assert json.loads((checked / "lineage.json").read_text())["params"]["validate"]["workers"] == 1
    sizes = set()
    for shard in (out / "shards").glob("*.tar"):
        with open(shard, "rb") as fh:
            for _, members in iter_samples(fh):
                for name in ("left.jpg", "right.jpg"):
                    if name in members:
                        sizes.add(Image.open(io.BytesIO(members[name])).size)
    assert sizes == {(512, 512)}
