"""Importing the released RET-CLIP checkpoint: layout, parity with an independent forward pass,
the model folder it writes, and every way a wrong file is refused without writing anything."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from safetensors.torch import load_file

from retclip.lineage import read_lineage, sha256_file
from retclip.model import RetClip, preset
from retclip.model.reference import (
    REPORT_FILE,
    ImportReport,
    ReferenceImportError,
    ReferenceMismatchError,
    import_reference,
)
from retclip.model.reference_layout import derive_config, reference_layout
from retclip.text.tokenizer import TokenizerError, encode, read_vocab
from tests.model import reference_forward
from tests.model.reference_checkpoint import (
    KEYS_FILE,
    SMALL_IMAGE,
    VOCAB_FILE,
    random_state,
    reference_entries,
    save,
    shrink,
)

pytestmark = pytest.mark.skipif(
    not (KEYS_FILE.is_file() and VOCAB_FILE.is_file()),
    reason="the reference key list and vocabulary (../shared/reference) are not here",
)

TEXTS = [
    "左眼视网膜散在出血点，右眼未见明显异常。",
    "双眼糖尿病视网膜病变（中度）",
    "OD: mild NPDR",
]
SMALL_CONTEXT = 24
TEXT_LEVELS = ("patient", "left", "right")


def unprefixed(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return {k.removeprefix("module."): v for k, v in state.items()}


@pytest.fixture(scope="module")
def small_state() -> dict[str, torch.Tensor]:
    return random_state(shrink(reference_entries()), seed=1)


@pytest.fixture(scope="module")
def small_import(tmp_path_factory, small_state) -> tuple[Path, Path, ImportReport]:
    root = tmp_path_factory.mktemp("small")
    checkpoint = save(small_state, root / "retclip_small.pt")
    out = root / "model"
    report = import_reference(checkpoint, VOCAB_FILE, out, context_length=SMALL_CONTEXT)
    return checkpoint, out, report


def assert_reference_parity(
    folder: Path, state: dict[str, torch.Tensor], size: int, context: int, batch: int
) -> RetClip:
    """The six embeddings of the model imported to ``folder`` (read with its own tokenizer)
    equal the independent reference forward pass; returns the model."""
    model = RetClip.from_pretrained(folder)
    g = torch.Generator().manual_seed(7)
    left, right = (torch.randn(batch, 3, size, size, generator=g) for _ in range(2))
    ids, mask = (torch.from_numpy(a) for a in encode(folder, TEXTS, context))
    expected = reference_forward.embeddings(unprefixed(state), left, right, ids, mask)
    with torch.no_grad():
        got = {
            "image_patient": model.encode_patient(left, right),
            "image_left": model.encode_eye(left, "left"),
            "image_right": model.encode_eye(right, "right"),
            **{f"text_{lv}": model.encode_text(ids, mask, lv) for lv in TEXT_LEVELS},
        }
    for name, value in expected.items():
        torch.testing.assert_close(got[name], value, atol=1e-4, rtol=0, msg=name)
    assert not torch.allclose(got["image_left"], got["image_right"], atol=1e-3)
    return model


def test_the_layout_of_the_paper_architecture_is_the_published_key_list():
    shapes = {k.removeprefix("module."): tuple(s) for k, s, _ in reference_entries()}
    meta = {k: torch.empty(s, device="meta") for k, s in shapes.items()}
    config = derive_config(meta, 100, "released")
    assert config == preset("paper")
    assert reference_layout(config) == shapes


def test_imported_embeddings_equal_the_reference_forward_pass(small_import, small_state):
    _, out, report = small_import
    assert report.config.preset == "reference"
    assert report.config.image.image_size == SMALL_IMAGE and report.config.text.layers == 2
    assert_reference_parity(out, small_state, SMALL_IMAGE, SMALL_CONTEXT, batch=3)


def test_a_one_eye_patient_is_the_present_eyes_half_of_the_patient_map(small_import, small_state):
    _, out, _ = small_import
    model = RetClip.from_pretrained(out)
    state = unprefixed(small_state)
    left = torch.randn(2, 3, SMALL_IMAGE, SMALL_IMAGE, generator=torch.Generator().manual_seed(3))
    embed = model.config.embed_dim
    half = state["global_feature_mapping.weight"][:, :embed]
    expected = F.normalize(reference_forward.image_features(state, left) @ half.T, dim=-1)
    with torch.no_grad():
        got = model.encode_patient(left, None)
    torch.testing.assert_close(got, expected, atol=1e-4, rtol=0)


def test_the_import_writes_a_model_folder_with_tokenizer_report_and_lineage(
    small_import, small_state
):
    checkpoint, out, report = small_import
    assert {p.name for p in out.iterdir()} == {
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "tokenizer_config.json",
        "vocab.txt",
        REPORT_FILE,
        "lineage.json",
        "run.json",
    }
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".")] == []
    written = json.loads((out / REPORT_FILE).read_text(encoding="utf-8"))
    assert written == json.loads(json.dumps(report.to_dict()))
    assert written["sha256"] == sha256_file(checkpoint)
    assert written["tensors"] == len(small_state) and written["key_prefix"] == "module."
    assert written["parameters"] == sum(v.numel() for v in small_state.values())
    assert written["unwrapped_from"] is None and written["dtypes"] == ["float32"]
    assert list(written["initialised"]) == ["missing_eye"]
    assert torch.equal(load_file(out / "model.safetensors")["missing_eye"], torch.zeros(2, 32))
    lineage = read_lineage(out)
    assert lineage["stage"] == "import_reference"
    assert lineage["input_files"][checkpoint.name] == report.sha256
    # the tokenizer's ids are the vocabulary's line numbers
    line = {token: i for i, token in enumerate(read_vocab(VOCAB_FILE))}
    ids, mask = encode(out, ["左眼视盘"], 8)
    expected = [line["[CLS]"], line["左"], line["眼"], line["视"], line["盘"], line["[SEP]"], 0, 0]
    assert ids[0].tolist() == expected and mask[0].tolist() == [1] * 6 + [0, 0]


@pytest.mark.parametrize("form", ["no prefix", "wrapped"])
def test_unprefixed_and_wrapped_checkpoints_import_alike(form, small_import, small_state, tmp_path):
    _, reference_out, _ = small_import
    state = unprefixed(small_state) if form == "no prefix" else small_state
    content = state if form == "no prefix" else {"state_dict": state, "epoch": 3, "step": 10}
    checkpoint = save(content, tmp_path / "checkpoint.pt")
    report = import_reference(checkpoint, VOCAB_FILE, tmp_path / "model", context_length=24)
    assert report.key_prefix == ("" if form == "no prefix" else "module.")
    assert report.unwrapped_from == (None if form == "no prefix" else "state_dict")
    assert report.ignored_entries == ([] if form == "no prefix" else ["epoch", "step"])
    ours = load_file(tmp_path / "model" / "model.safetensors")
    theirs = load_file(reference_out / "model.safetensors")
    assert ours.keys() == theirs.keys()
    assert all(torch.equal(ours[k], theirs[k]) for k in ours)


def test_the_full_size_checkpoint_imports_every_tensor_and_round_trips(tmp_path):
    entries = reference_entries()
    listed = json.loads(KEYS_FILE.read_text(encoding="utf-8"))
    state = random_state(entries, seed=2)
    checkpoint = save(state, tmp_path / "retclip.pt")
    report = import_reference(checkpoint, VOCAB_FILE, tmp_path / "model", context_length=16)
    assert report.config == preset("paper", context_length=16)
    assert report.tensors == listed["num_tensors"] and report.parameters == listed["num_params"]
    model = assert_reference_parity(tmp_path / "model", state, 224, 16, batch=1)
    # every value arrived: the image tensors are renamed, reshaped or transposed, never changed
    ours = {k: v for k, v in model.state_dict().items() if k != "missing_eye"}
    assert len(ours) == len(state)
    for stat in (
        lambda t: float(t.sum(dtype=torch.float64)),
        lambda t: float(torch.linalg.vector_norm(t, dtype=torch.float64)) ** 2,
    ):
        total = sum(stat(v) for v in state.values())
        assert math.isclose(sum(stat(v) for v in ours.values()), total, rel_tol=1e-9)
    s = unprefixed(state)
    block = "visual.transformer.resblocks.11."
    assert torch.equal(model.visual.head.weight, s["visual.proj"].T)
    assert torch.equal(model.visual.blocks[11].attn.qkv.weight, s[block + "attn.in_proj_weight"])
    assert torch.equal(model.visual.blocks[11].norm2.bias, s[block + "ln_2.bias"])
    assert torch.equal(model.visual.pos_embed[0], s["visual.positional_embedding"])
    assert torch.equal(model.logit_scale_left, s["logit_scale_left"])


# --- wrong files: a clear error naming the file and the problem, and nothing written ---------

Case = Callable[[dict[str, torch.Tensor], Path], tuple[Path, Path]]


def _mutated(change: Callable[[dict[str, torch.Tensor]], object]) -> Case:
    def build(state: dict[str, torch.Tensor], folder: Path) -> tuple[Path, Path]:
        state = dict(state)
        change(state)
        return save(state, folder / "checkpoint.pt"), VOCAB_FILE

    return build


def _saved(content: object) -> Case:
    return lambda _, folder: (save(content, folder / "checkpoint.pt"), VOCAB_FILE)


def _truncated(state: dict[str, torch.Tensor], folder: Path) -> tuple[Path, Path]:
    path = save(state, folder / "checkpoint.pt")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return path, VOCAB_FILE


def _resnet(_: dict[str, torch.Tensor], folder: Path) -> tuple[Path, Path]:
    from torchvision.models import resnet18

    return save(resnet18().state_dict(), folder / "checkpoint.pt"), VOCAB_FILE


def _short_vocab(state: dict[str, torch.Tensor], folder: Path) -> tuple[Path, Path]:
    vocab = folder / "vocab.txt"
    vocab.write_text("".join(f"{t}\n" for t in read_vocab(VOCAB_FILE)[:8000]), encoding="utf-8")
    return save(state, folder / "checkpoint.pt"), vocab


def _set(key: str, value: Callable[[torch.Tensor], torch.Tensor]):
    return lambda s: s.__setitem__(key, value(s[key]))


MISSING = "module.bert.encoder.layer.1.output.dense.bias"
HEAD = "module.text_projection_left.2.weight"
CASES: dict[str, tuple[Case, type[Exception], list[str]]] = {
    "missing key": (
        _mutated(lambda s: s.pop(MISSING)),
        ReferenceMismatchError,
        ["missing keys: 1", MISSING],
    ),
    "extra key": (
        _mutated(lambda s: s.__setitem__("module.visual.extra", torch.zeros(3))),
        ReferenceMismatchError,
        ["unexpected keys: 1", "module.visual.extra"],
    ),
    "wrong shape": (
        _mutated(_set(HEAD, lambda v: v[:-1])),
        ReferenceMismatchError,
        ["wrong shapes: 1", f"{HEAD}: file [31, 128], expected [32, 128]"],
    ),
    "grid not square": (
        _mutated(_set("module.visual.positional_embedding", lambda v: v[:-1])),
        ReferenceMismatchError,
        ["visual.positional_embedding has 16 rows"],
    ),
    "integer tensor": (
        _mutated(_set(HEAD, lambda v: v.long())),
        ReferenceMismatchError,
        ["not floating point: 1", f"{HEAD}: torch.int64"],
    ),
    "not finite": (
        _mutated(_set(HEAD, lambda v: v.clone().fill_(float("nan")))),
        ReferenceMismatchError,
        ["non-finite values: 1", HEAD],
    ),
    "mixed prefixes": (
        _mutated(lambda s: s.__setitem__("logit_scale", s.pop("module.logit_scale"))),
        ReferenceImportError,
        ["some keys start with 'module.'", "logit_scale"],
    ),
    "another model": (_resnet, ReferenceImportError, ["not a RET-CLIP checkpoint", "conv1"]),
    "truncated file": (_truncated, ReferenceImportError, ["weights_only=True", "zip archive"]),
    "None": (_saved(None), ReferenceImportError, ["holds a NoneType, not a state dict"]),
    "a list": (_saved([1, 2, 3]), ReferenceImportError, ["holds a list, not a state dict"]),
    "a string": (_saved("weights"), ReferenceImportError, ["holds a str, not a state dict"]),
    "not weights only": (
        _saved({"a": Path("x")}),
        ReferenceImportError,
        ["weights_only=True", "Unsupported global: GLOBAL pathlib.PosixPath"],
    ),
    "not tensors": (_saved({"a": 1}), ReferenceImportError, ["not name -> tensor", "'a'"]),
    "wrong vocabulary": (_short_vocab, ReferenceImportError, ["8000 token ids", "21128 word"]),
    "absent vocabulary": (
        lambda state, folder: (save(state, folder / "checkpoint.pt"), folder / "vocab.txt"),
        TokenizerError,
        ["cannot be read"],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_wrong_file_is_refused_by_name_and_nothing_is_written(name, small_state, tmp_path):
    build, error, fragments = CASES[name]
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    checkpoint, vocab = build(small_state, inputs)
    out = tmp_path / "out" / "model"
    with pytest.raises(error) as raised:
        import_reference(checkpoint, vocab, out, context_length=SMALL_CONTEXT)
    message = str(raised.value)
    assert isinstance(raised.value, ValueError)
    assert str(vocab if name.endswith("vocabulary") else checkpoint) in message
    for fragment in fragments:
        assert fragment in message
    assert {p.name for p in tmp_path.iterdir()} == {"inputs"}  # no output, no staging folder


def test_a_file_truncated_to_nothing_or_absent_is_refused(tmp_path):
    empty = tmp_path / "empty.pt"
    empty.write_bytes(b"")
    for path in (empty, tmp_path / "absent.pt"):
        with pytest.raises(ReferenceImportError, match=re.escape(str(path))):
            import_reference(path, VOCAB_FILE, tmp_path / "out")
    assert not (tmp_path / "out").exists()
