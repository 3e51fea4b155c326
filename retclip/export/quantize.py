"""Optional int8 copies of the graphs: dynamic quantisation of the matrix products' weights.

Smaller files and faster CPU inference at a loss of precision, so their parity figures are
reported, never enforced. The quantised graphs are small enough to keep their weights inline.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from onnxruntime.quantization import QuantType, quantize_dynamic

from retclip.export.layout import GRAPHS, INT8_GRAPHS

_ADVICE = "Please consider to run pre-processing before quantization"


def quantize_graphs(folder: Path) -> dict[str, Path]:
    """Write ``image.int8.onnx`` and ``text.int8.onnx`` beside the fp32 graphs."""
    folder = Path(folder)
    with _without_advice():
        for name, graph in GRAPHS.items():
            quantize_dynamic(
                folder / graph, folder / INT8_GRAPHS[name], weight_type=QuantType.QInt8
            )
    return {name: folder / graph for name, graph in INT8_GRAPHS.items()}


@contextmanager
def _without_advice() -> Iterator[None]:
    """``quantize_dynamic`` logs advice through the root logger, which installs a handler on the
    caller's process when it has none; a passing handler and a filter keep the process as it was."""
    root = logging.getLogger()
    guard = logging.NullHandler()

    def advice(record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(_ADVICE)

    root.addHandler(guard)
    root.addFilter(advice)
    try:
        yield
    finally:
        root.removeFilter(advice)
        root.removeHandler(guard)
