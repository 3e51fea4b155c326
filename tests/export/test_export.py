"""The export stage: folder contents, graph checks, parity (and its failure), determinism."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch
from onnx import shape_inference

from retclip.config import ExportParams
from retclip.export import bundle
from retclip.export.bundle import check_prompts, export_model, find_model
from retclip.export.layout import GRAPHS, INT8_GRAPHS, ExportError, ExportFolderError, read_info
from retclip.export.parity import ParityError, enforce, image_inputs, measure
from retclip.export.runtime import TextRunner, pack_eyes
from retclip.model import RetClip
from retclip.storage import staged_output
from tests.conftest import tree_digest
from tests.export.conftest import (
    CONTEXT,
    IMAGE,
    PREPROCESS,
    PROMPTS,
    QUALITY,
    make_model,
    run_export,
)

INT8_MAX_ABS_DIFF = 0.2  # see the parity test


def test_the_folder_holds_graphs_weights_tokenizer_prompts_parity_and_card(exported):
    folder, summary = exported
    assert summary["files"] == sorted(
        [
            "export.json",
            "image.onnx",
            "image.onnx.data",
            "image.int8.onnx",
            "model_card.md",
            "parity.json",
            "prompts.json",
            "text.onnx",
            "text.onnx.data",
            "text.int8.onnx",
            "tokenizer.json",
            "tokenizer_config.json",
            "vocab.txt",
        ]
    )
    info = read_info(folder)
    assert (info.image_size, info.context_length) == (IMAGE, CONTEXT)
    assert (info.preprocess_size, info.jpeg_quality, info.int8) == (PREPROCESS, QUALITY, True)
    assert info.logit_scales == pytest.approx({"patient": 90, "left": 90, "right": 90})
    assert json.loads((folder / "prompts.json").read_text("utf-8")) == PROMPTS
    listed = json.loads((folder / "export.json").read_text("utf-8"))
    assert listed["graphs"] == GRAPHS and listed["int8_graphs"] == INT8_GRAPHS
    assert summary["parameters"] > 0 and set(summary["parity"]) == {"fp32", "int8"}


@pytest.mark.parametrize("graph", sorted(GRAPHS))
def test_graphs_pass_the_full_checker_keep_weights_beside_and_batch_only_is_dynamic(
    export_dir, graph
):
    path = export_dir / GRAPHS[graph]
    onnx.checker.check_model(str(path), full_check=True)
    proto = onnx.load(str(path), load_external_data=False)
    locations = {
        entry.value
        for tensor in proto.graph.initializer
        for entry in tensor.external_data
        if entry.key == "location"
    }
    assert locations == {f"{path.name}.data"}  # relative: the folder can move
    for value in proto.graph.input:
        dims = value.type.tensor_type.shape.dim
        assert dims[0].dim_param and all(d.dim_value > 0 for d in dims[1:])
    sizes = {
        v.name: [d.dim_value for d in v.type.tensor_type.shape.dim[1:]] for v in proto.graph.input
    }
    expected = {"image": {"images": [3, IMAGE, IMAGE], "left_index": [], "right_index": []}}
    expected["text"] = {"input_ids": [CONTEXT], "attention_mask": [CONTEXT]}
    assert sizes == expected[graph]


def test_parity_is_recorded_per_batch_size_and_output_and_within_tolerance(export_dir):
    parity = json.loads((export_dir / "parity.json").read_text("utf-8"))
    assert parity["batch_sizes"] == [1, 2, 7] and parity["fp32"]["enforced"] is True
    for precision in ("fp32", "int8"):
        figures = parity[precision]["figures"]
        assert set(figures) == {"image", "text"}
        for batches in figures.values():
            assert set(batches) == {"1", "2", "7"}
            for outputs in batches.values():
                assert set(outputs) == {"patient", "left", "right"}
    fp32 = [v for b in parity["fp32"]["figures"].values() for o in b.values() for v in o.values()]
    assert max(fp32) == parity["fp32"]["max_abs_diff"] <= parity["atol"]
    assert parity["int8"]["enforced"] is False
    # quantised, yet the same model: the outputs are unit vectors, and how far int8 lands from
    # fp32 depends on the CPU's integer kernels (u8s8 products can saturate without VNNI: 0.104
    # on an AVX2-only AMD EPYC, under 0.1 on CPUs with VNNI)
    assert 0 < parity["int8"]["max_abs_diff"] < INT8_MAX_ABS_DIFF


def test_a_cnn_image_tower_exports_within_tolerance(tmp_path):
    info = run_export(make_model(tmp_path, seed=2, name="tiny-cnn"), tmp_path / "export")
    parity = json.loads((tmp_path / "export" / "parity.json").read_text("utf-8"))
    assert parity["fp32"]["enforced"] and parity["fp32"]["max_abs_diff"] <= parity["atol"]
    graph = onnx.load(tmp_path / "export" / GRAPHS["image"], load_external_data=False)
    convolutions = [node for node in graph.graph.node if node.op_type == "Conv"]
    assert len(convolutions) >= 10  # the ResNet itself (a ViT has one: its patch embedding)
    assert "image.onnx" in info["files"]
    card = (tmp_path / "export" / "model_card.md").read_text("utf-8")
    assert "`resnet10t` (ResNet, GroupNorm), 32 px, last stage 256 channels" in card


def positions_through_matmul(graph: Path, weight_shape: list[int]) -> list[int]:
    """The sequence length of the input of each ``MatMul`` by a weight of ``weight_shape`` (a
    feed-forward's first product), in graph order."""
    proto = shape_inference.infer_shapes(onnx.load(str(graph), load_external_data=False))
    shapes = {
        value.name: [d.dim_value or d.dim_param for d in value.type.tensor_type.shape.dim]
        for value in (*proto.graph.input, *proto.graph.value_info)
    }
    weights = {tensor.name: list(tensor.dims) for tensor in proto.graph.initializer}
    return [
        shapes[node.input[0]][1]
        for node in proto.graph.node
        if node.op_type == "MatMul" and weights.get(node.input[1]) == weight_shape
    ]


def test_the_image_graph_computes_the_last_block_for_the_class_token_only(pretrain_dir, export_dir):
    model = RetClip.from_pretrained(pretrain_dir / "model")
    tower = model.visual
    width, tokens = tower.embed_dim, tower.patch_embed.num_patches + tower.num_prefix_tokens
    hidden = tower.blocks[0].mlp.fc1.out_features
    positions = positions_through_matmul(export_dir / GRAPHS["image"], [width, hidden])
    assert positions == [tokens] * (len(tower.blocks) - 1) + [1]


def test_the_text_graph_computes_the_last_layer_for_cls_only(pretrain_dir, export_dir):
    """The feed-forward of every layer but the last runs on all ``CONTEXT`` positions, the last
    layer's on ``[CLS]`` alone; and the graph, which keeps the padding columns, matches the
    tower that cuts them off (no text here reaches the context length)."""
    model = RetClip.from_pretrained(pretrain_dir / "model")
    text = model.config.text
    path = export_dir / GRAPHS["text"]
    feed_forward = positions_through_matmul(path, [text.hidden_size, text.intermediate_size])
    assert feed_forward == [CONTEXT] * (text.layers - 1) + [1]

    lengths = np.array([2, 5, CONTEXT - 3])
    mask = (np.arange(CONTEXT)[None, :] < lengths[:, None]).astype(np.int64)
    ids = np.random.default_rng(0).integers(1, text.vocab_size, mask.shape) * mask
    ours = TextRunner(path)(ids, mask)
    with torch.no_grad():
        for level, embeddings in ours.items():
            expected = model.encode_text(torch.from_numpy(ids), torch.from_numpy(mask), level)
            np.testing.assert_allclose(
                embeddings, expected.numpy(), rtol=0, atol=ExportParams().parity_atol
            )


def test_parity_figures_are_reproducible_on_any_thread_count(pretrain_dir, export_dir):
    model = RetClip.from_pretrained(pretrain_dir / "model")
    graphs = {name: export_dir / graph for name, graph in GRAPHS.items()}
    recorded = json.loads((export_dir / "parity.json").read_text("utf-8"))["fp32"]["figures"]
    threads = torch.get_num_threads()
    try:
        for count in (1, 2):
            torch.set_num_threads(count)
            figures = measure(model, graphs, [2])
            assert figures == {graph: {"2": batches["2"]} for graph, batches in recorded.items()}
    finally:
        torch.set_num_threads(threads)


def test_parity_batches_hold_one_eye_patients_and_pack_by_index():
    eyes = image_inputs(7, 8, seed=0)
    assert (~eyes["has_left"]).sum() == 2 and (~eyes["has_right"]).sum() == 2
    images, left, right = pack_eyes(**eyes)
    assert len(images) == eyes["has_left"].sum() + eyes["has_right"].sum()
    assert left.tolist() == [0, 1, -1, 2, 3, -1, 4]
    assert right.tolist() == [5, -1, 6, 7, -1, 8, 9]
    np.testing.assert_array_equal(images[6], eyes["right"][2])  # patient 2's right eye
    with pytest.raises(ValueError, match="at least one eye"):
        pack_eyes(eyes["left"][:1], eyes["right"][:1], np.array([False]), np.array([False]))


def test_graphs_that_differ_from_the_model_fail_the_stage_and_leave_nothing(
    export_dir, tmp_path, monkeypatch
):
    """The graphs of another model (another seed) stand in for a broken export."""
    other = make_model(tmp_path / "other", seed=1)

    def stale_graphs(model, folder, opset):
        for name in (*GRAPHS.values(), *(f"{g}.data" for g in GRAPHS.values())):
            shutil.copyfile(export_dir / name, folder / name)
        return {k: folder / v for k, v in GRAPHS.items()}

    monkeypatch.setattr(bundle, "export_graphs", stale_graphs)
    out = tmp_path / "export"
    failure = pytest.raises(ParityError, match=r"image graph, batch 1, output (left|right|patient)")
    with failure, staged_output(out) as folder:
        export_model(
            other, folder, ExportParams(), preprocess_size=64, jpeg_quality=95, max_pixels=10**8
        )
    assert not out.exists() and list(tmp_path.glob(".export*")) == []


def test_a_nan_or_a_difference_above_tolerance_fails():
    figures = {
        "image": {"1": {"left": 1e-6, "patient": float("nan")}},
        "text": {"1": {"left": 0.0}},
    }
    with pytest.raises(ParityError) as error:
        enforce(figures, 1e-5, "m")
    assert "output patient: nan" in str(error.value) and "output left" not in str(error.value)
    enforce({"text": {"2": {"left": 1e-5}}}, 1e-5, "m")


def test_two_exports_of_one_model_give_the_same_bytes(
    pretrain_dir, evaluation_dir, exported, tmp_path
):
    first, _ = exported
    run_export(pretrain_dir, tmp_path / "again", (evaluation_dir,))
    assert tree_digest(tmp_path / "again") == tree_digest(first)


def test_the_model_folder_is_found_in_the_pretrain_output_or_given_directly(pretrain_dir, tmp_path):
    assert find_model(pretrain_dir) == find_model(pretrain_dir / "model") == pretrain_dir / "model"
    with pytest.raises(ExportError, match=str(tmp_path)):
        find_model(tmp_path)
    with pytest.raises(ExportFolderError, match="not an export folder"):
        read_info(tmp_path)


@pytest.mark.parametrize(
    ("prompts", "message"),
    [
        ({"t": {"only": ["x"]}}, "at least two classes"),
        ({"t": {"a": ["x"], "b": []}}, "class 'b'"),
        ({"t": {"a": ["x"], "b": "y"}}, "class 'b'"),
        ({"t": {"a": ["x"], "b": [" "]}}, "class 'b'"),
    ],
)
def test_prompts_need_two_classes_each_with_texts(prompts, message):
    with pytest.raises(ExportError, match=message):
        check_prompts(prompts)
