"""Sets published as one folder per class: JSIEC, Retina, Glaucoma Fundus, RETFound's splits.

Two layouts: flat ``<root>/<class>/<image>`` (no official split) and RETFound's
``<root>/{train,val,test}/<class>/<image>`` (official splits; ``valid``/``validation`` accepted
for ``val``). Every file inside a class folder is a row: an image is a sample; anything else
(another file type, a sub-folder, a link leading outside the root) is quarantined. Hidden
files and files beside the class folders are not rows. Class folders carry no patient
information, so each image is its own patient.

Class order: named sets use a fixed list (keyword-matched to folder names, so ``1_normal`` and
``normal`` both work); otherwise the folder names in natural order (``2.0.BRVO`` before
``10.0.Possible glaucoma``), which is also the grade order when a task says ``ordinal``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from retclip.config import TaskParams
from retclip.eval.adapters._common import IMAGE_SUFFIXES, Rows, choose_kind, pick_label
from retclip.eval.dataset import DatasetError, TaskDataset, resolve_inside

Layout = Literal["flat", "split", "auto"]
SPLIT_DIRS = {"train": ("train",), "val": ("val", "valid", "validation"), "test": ("test",)}
# class -> keywords of its folder name; the order is the class order
RETINA = {
    "normal": ("normal",),
    "cataract": ("cataract",),
    "glaucoma": ("glaucoma",),
    "retina disease": ("retina",),
}
GLAUCOMA_FUNDUS = {
    "normal": ("normal",),
    "early glaucoma": ("early",),
    "advanced glaucoma": ("advanced",),
}


def load_class_folders(root: Path, task: TaskParams) -> TaskDataset:
    """Any flat ``<class>/<image>`` tree; natural class order; no split."""
    return _load(root, task, layout="flat", named=None, ordered=True)


def load_retfound(root: Path, task: TaskParams) -> TaskDataset:
    """Any RETFound-style ``train/val/test/<class>/`` tree with its official splits."""
    return _load(root, task, layout="split", named=None, ordered=True)


def load_jsiec(root: Path, task: TaskParams) -> TaskDataset:
    """JSIEC 1000 images, 39 folders ``0.0.Normal`` ... ``29.1.Blur fundus with suspected PDR``."""
    return _load(root, task, layout="auto", named=None, ordered=False)


def load_retina(root: Path, task: TaskParams) -> TaskDataset:
    """Kaggle "cataract dataset" (Retina): ``normal, cataract, glaucoma, retina disease``."""
    return _load(root, task, layout="auto", named=RETINA, ordered=False)


def load_glaucoma_fundus(root: Path, task: TaskParams) -> TaskDataset:
    """Glaucoma Fundus (Ahn et al. 2018): ``normal, early glaucoma, advanced glaucoma``, ordered."""
    return _load(root, task, layout="auto", named=GLAUCOMA_FUNDUS, ordered=True)


def _load(
    root: Path,
    task: TaskParams,
    *,
    layout: Layout,
    named: Mapping[str, tuple[str, ...]] | None,
    ordered: bool,
) -> TaskDataset:
    pick_label(task, {"class": None}, "class")
    rows = Rows(task)
    found: list[tuple[tuple[str, ...], str]] = []  # (sample, class name)
    for split, split_dir in _splits(root, layout):
        for class_dir in sorted(p for p in split_dir.iterdir() if _visible_dir(p)):
            name = class_dir.name if named is None else _match(class_dir.name, named)
            for entry in sorted(p for p in class_dir.iterdir() if not p.name.startswith(".")):
                relative = entry.relative_to(root).as_posix()
                image, reason = _image(root, entry, relative, name, named)
                if image is None:
                    rows.reject(class_dir, entry.name, reason)
                else:
                    found.append(((relative, relative, split, str(image), ""), name))
    present = {name for _, name in found}
    classes = list(named) if named else sorted(present, key=_natural)
    missing = [c for c in classes if c not in present]
    if missing and found:
        raise DatasetError(f"{root}: no images of {missing}; class folders must match {named}")
    index = {name: i for i, name in enumerate(classes)}
    for sample, name in found:
        rows.add(sample, index[name])
    return rows.dataset(classes, choose_kind(task, len(classes), ordered=ordered))


def _splits(root: Path, layout: Layout) -> list[tuple[str, Path]]:
    folders = {p.name.casefold(): p for p in root.iterdir() if _visible_dir(p)}
    if layout == "auto":
        layout = "split" if {"train", "test"} <= folders.keys() else "flat"
    if layout == "flat":
        return [("", root)]
    result = []
    for split, names in SPLIT_DIRS.items():
        folder = next((folders[n] for n in names if n in folders), None)
        if folder is None:
            raise DatasetError(f"{root}: no {split}/ folder (expected train/, val/, test/)")
        result.append((split, folder))
    return result


def _image(
    root: Path, entry: Path, relative: str, name: str | None, named: Mapping | None
) -> tuple[Path | None, str]:
    """``(absolute path, "")`` for an image of a known class, else ``(None, reason)``."""
    if name is None:
        return None, f"folder {entry.parent.name!r} matches none of the classes {list(named or {})}"
    if entry.is_dir():
        return None, "a folder inside a class folder"
    if entry.suffix.casefold() not in IMAGE_SUFFIXES:
        return None, f"not an image ({entry.suffix or 'no extension'})"
    image = resolve_inside(root, relative)
    if image is None:
        return None, "links outside the dataset folder"
    return (image, "") if image.is_file() else (None, "a broken link")


def _match(folder: str, named: Mapping[str, tuple[str, ...]]) -> str | None:
    hits = [c for c, words in named.items() if any(w in folder.casefold() for w in words)]
    return hits[0] if len(hits) == 1 else None


def _visible_dir(path: Path) -> bool:
    return path.is_dir() and not path.name.startswith(".")


def _natural(name: str) -> tuple[tuple[int, int | str], ...]:
    """Numbers compare as numbers: ``2.0.BRVO`` < ``10.0.Possible glaucoma``."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part.casefold())
        for part in re.split(r"(\d+)", name)
        if part
    )
