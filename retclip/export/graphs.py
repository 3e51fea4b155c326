"""The two ONNX graphs, written with the dynamo exporter.

**One image graph, gathered by index.** Its inputs are the present eyes of a batch, stacked
(``images [eyes, 3, S, S]``), and per patient the row of each side (``left_index``,
``right_index``, -1 where the eye is missing); its outputs are the left, right and patient
embeddings. We chose this over

* *left and right images plus a presence mask*: every missing eye would still cost a full pass
  of the image tower on a dummy image, which doubles the work of the commonest request, one eye;
* *an eye graph and a patient graph*: two files, two sessions and a hand-off of raw features
  that nothing outside the model needs, for a patient head of three matrix products.

With indices the tower runs once per photograph that exists, a one-eye patient is one row like
any other (the missing side takes the learned missing-eye feature, as in
:meth:`RetClip.encode_patient`), and one session answers eye-level and patient-level questions.
A ViT's last block computes the class token alone (:meth:`RetClip.image_features`, as in
training), as only the class token is read.
The shapes are data-independent (a gather and a select), which the exporter handles without
guards.

**One text graph** maps ids and attention mask to the patient, left and right text embeddings:
the three heads share one pass of the text tower, whose last layer computes ``[CLS]`` alone
(:meth:`RetClip.class_states`, the training shortcut without its data-dependent trimming of
padding columns), as only ``[CLS]`` is read.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from retclip.export.layout import (
    GRAPHS,
    IMAGE_INPUTS,
    IMAGE_OUTPUTS,
    TEXT_INPUTS,
    TEXT_OUTPUTS,
)
from retclip.model import RetClip

# The exporter's optimiser logs failed constant-folding attempts that change nothing, and the
# exporter warns that two inputs sharing one batch axis share its name.
_QUIET = ("onnxscript.optimizer._constant_folding",)
_SHARED_AXIS = r"# The axis name: .* will not be used"


class ImageGraph(nn.Module):
    """Stacked present eyes and per-patient row indices -> left, right, patient embeddings."""

    def __init__(self, model: RetClip):
        super().__init__()
        self.model = model

    def forward(
        self, images: Tensor, left_index: Tensor, right_index: Tensor
    ) -> tuple[Tensor, Tensor, Tensor]:
        model = self.model
        features = model.image_features(images)
        f_left = self._side(features, left_index, 0)
        f_right = self._side(features, right_index, 1)
        return (
            F.normalize(model.left_feature_mapping(f_left).float(), dim=-1),
            F.normalize(model.right_feature_mapping(f_right).float(), dim=-1),
            F.normalize(
                model.global_feature_mapping(torch.cat([f_left, f_right], dim=1)).float(), dim=-1
            ),
        )

    def _side(self, features: Tensor, index: Tensor, row: int) -> Tensor:
        gathered = features[index.clamp(min=0)]
        missing = self.model.missing_eye[row].to(features.dtype)
        return torch.where((index >= 0)[:, None], gathered, missing)


class TextGraph(nn.Module):
    """Token ids and attention mask -> patient, left and right text embeddings (one tower pass,
    its last layer for ``[CLS]`` only; :meth:`RetClip.encode_text` runs it once per level)."""

    def __init__(self, model: RetClip):
        super().__init__()
        self.model = model

    def forward(self, input_ids: Tensor, attention_mask: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        model = self.model
        cls = model.class_states(input_ids, attention_mask)
        heads = (model.text_projection, model.text_projection_left, model.text_projection_right)
        return tuple(F.normalize(head(cls).float(), dim=-1) for head in heads)


def export_graphs(model: RetClip, folder: Path, opset: int) -> dict[str, Path]:
    """Write ``image.onnx`` and ``text.onnx`` (weights in ``.onnx.data`` beside each)."""
    config = model.config
    size, length = config.image.image_size, config.context_length
    # Example batches above 1 (and unequal), so that no batch axis is specialised to a constant.
    images = torch.zeros(3, 3, size, size)
    ids = torch.ones(2, length, dtype=torch.long)
    eyes, patients, texts = (torch.export.Dim(n, min=1) for n in ("eyes", "patients", "texts"))
    jobs = {
        "image": (
            ImageGraph(model),
            (images, torch.tensor([0, 2]), torch.tensor([1, -1])),
            IMAGE_INPUTS,
            IMAGE_OUTPUTS,
            {"images": {0: eyes}, "left_index": {0: patients}, "right_index": {0: patients}},
        ),
        "text": (
            TextGraph(model),
            (ids, torch.ones_like(ids)),
            TEXT_INPUTS,
            TEXT_OUTPUTS,
            {"input_ids": {0: texts}, "attention_mask": {0: texts}},
        ),
    }
    written = {}
    for name, (graph, args, inputs, outputs, dynamic) in jobs.items():
        path = Path(folder) / GRAPHS[name]
        with _quiet(), torch.no_grad():
            torch.onnx.export(
                graph.eval(),
                args,
                str(path),
                input_names=list(inputs),
                output_names=list(outputs),
                dynamic_shapes=dynamic,
                opset_version=opset,
                dynamo=True,
                external_data=True,
                verbose=False,
            )
        written[name] = path
    return written


@contextmanager
def _quiet() -> Iterator[None]:
    loggers = [logging.getLogger(name) for name in _QUIET]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=_SHARED_AXIS, category=UserWarning)
            yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
