from pathlib import Path

import pytest

from retclip.config import ConfigError, Params, load_params, params_to_dict
from tests.conftest import REPO


def test_params_yaml_and_paper_config_load():
    demo = load_params(REPO / "params.yaml")
    paper = load_params(REPO / "configs" / "paper.yaml")
    assert demo.synth.image_size == (512, 384)
    assert demo.pretrain.preset == "tiny-cnn"
    assert demo.pretrain.text_mlm_steps > 0 and demo.pretrain.lock_text
    assert paper.pretrain.text_mlm_steps == 0 and not paper.pretrain.lock_text
    assert (paper.pretrain.preset, paper.pretrain.lr, paper.pretrain.batch_size) == (
        "paper",
        3e-5,
        256,
    )
    assert paper.pretrain.betas == (0.9, 0.98) and paper.pretrain.warmup_steps == 50
    assert paper.preprocess.size == 512 and paper.tokenizer.vocab_size == 21128


def test_params_yaml_lists_every_section():
    raw_sections = set(params_to_dict(load_params(REPO / "params.yaml")))
    assert raw_sections == set(params_to_dict(Params()))
    text = (REPO / "params.yaml").read_text()
    for section in raw_sections:
        assert f"\n{section}:" in text


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "params.yaml"
    path.write_text(text)
    return path


def test_unknown_key_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"synth\.patiens: unknown key"):
        load_params(write(tmp_path, "synth:\n  patiens: 3\n"))


def test_unknown_section_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"trian: unknown key"):
        load_params(write(tmp_path, "trian: {}\n"))


def test_wrong_type_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"pretrain\.lr: .*number.*'fast'"):
        load_params(write(tmp_path, "pretrain:\n  lr: fast\n"))


def test_validate_section_keeps_its_name_in_errors(tmp_path):
    with pytest.raises(ConfigError, match=r"validate\.max_quarantine_rate"):
        load_params(write(tmp_path, "validate:\n  max_quarantine_rate: 3\n"))


def test_set_overrides_nested_values_and_list_items(tmp_path):
    path = write(tmp_path, "synth:\n  seed: 1\n")
    params = load_params(
        path, ["synth.seed=7", "synth.image_size=300x200", "pretrain.betas=[0.8, 0.9]"]
    )
    assert params.synth.seed == 7
    assert params.synth.image_size == (300, 200)
    assert params.pretrain.betas == (0.8, 0.9)


def test_set_on_list_index_changes_that_item():
    params = load_params(REPO / "params.yaml", ["evaluate.tasks.1.label=dr_grade"])
    assert params.evaluate.tasks[1].label == "dr_grade"
    assert params.evaluate.tasks[0].label == "dr_grade"


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("synth.seed", "expects key=value"),
        ("synth.nope=1", r"synth\.nope: unknown key"),
        ("synth.patients=-4", r"synth\.patients: .*greater than or equal to 1"),
        ("evaluate.tasks.9.name=x", "not an index"),
        ("synth.seed.deeper=1", "is a value, not a section"),
    ],
)
def test_bad_overrides_are_explained(override, message):
    with pytest.raises(ConfigError, match=message):
        load_params(REPO / "params.yaml", [override])


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_params(tmp_path / "absent.yaml")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_params(write(tmp_path, "synth: [unclosed\n"))
    with pytest.raises(ConfigError, match="mapping of sections"):
        load_params(write(tmp_path, "- a list\n"))


def test_image_size_rejects_nonsense(tmp_path):
    with pytest.raises(ConfigError, match=r"synth\.image_size: .*WIDTHxHEIGHT"):
        load_params(write(tmp_path, "synth:\n  image_size: big\n"))
    with pytest.raises(ConfigError, match=r"outside 64\.\.8192"):
        load_params(write(tmp_path, "synth:\n  image_size: 10x10\n"))
