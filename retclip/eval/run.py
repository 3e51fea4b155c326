"""One task, every protocol, every model: the body of ``retclip evaluate``.

Models compared on the same splits and test patients: the pre-trained RET-CLIP, the same
architecture with random weights (what pre-training adds), the patient-level-only ablation when
given (the paper's claim for the tripartite loss), and a supervised model trained from scratch on
the task (what the labels alone achieve).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from retclip.config import Params, TaskParams
from retclip.eval.dataset import TaskDataset
from retclip.eval.embed import image_features
from retclip.eval.finetune import FineTuneSettings, finetune
from retclip.eval.images import TaskImages
from retclip.eval.linear_probe import linear_probe
from retclip.eval.metrics import score
from retclip.eval.retrieval import clean_texts, retrieval
from retclip.eval.splits import Split, make_split
from retclip.eval.zero_shot import zero_shot
from retclip.model.retclip import RetClip

RANDOM_INIT_SEED = 0


@dataclass
class Run:
    """One (model, protocol, seed) result on the test rows."""

    model: str
    protocol: str
    seed: int
    probs: np.ndarray
    metrics: dict[str, float]
    selection: dict[str, float] = field(default_factory=dict)


@dataclass
class TaskResult:
    runs: list[Run]
    test_rows: np.ndarray  # indices into the kept images (same for every seed)
    labels: np.ndarray  # of the kept images
    split_sizes: dict[str, int]
    retrieval: dict[str, dict[str, dict[str, float]]]


def evaluate_task(
    task: TaskParams,
    dataset: TaskDataset,
    images: TaskImages,
    models: dict[str, RetClip],
    tokenizer_dir: Path,
    params: Params,
    progress: bool = True,
) -> TaskResult:
    """Run the task's protocols for ``models`` (``retclip`` first) plus the configured baselines."""
    settings = params.evaluate
    models = dict(models)
    if "random_init" in settings.baselines:
        models["random_init"] = random_init(models["retclip"])
    labels = dataset.labels[images.rows]
    patients = dataset.samples["patient_id"].to_numpy()[images.rows]
    splits = dataset.samples["split"].to_numpy()[images.rows]
    encoded = {name: image_features(model, images) for name, model in models.items()}
    features = {name: getattr(f, settings.features) for name, f in encoded.items()}
    runs: list[Run] = []
    split_sizes: dict[str, int] = {}
    for seed in settings.seeds:
        split = make_split(splits, patients, labels, seed, settings.test_share, settings.val_share)
        split_sizes = {k: len(getattr(split, k)) for k in ("train", "val", "test")}
        runs += _seeded_runs(
            task, dataset, images, models, features, labels, split, seed, params, progress
        )
    test = split.test
    if "zero_shot" in task.protocols:
        for name, model in models.items():
            embeddings = encoded[name].embedding
            probs = zero_shot(model, tokenizer_dir, images, embeddings, dataset.classes, task.type)
            runs.append(
                Run(name, "zero_shot", 0, probs[test], score(task.type, labels[test], probs[test]))
            )
    found = {}
    if "retrieval" in task.protocols:
        if dataset.level != "patient" or dataset.reports is None:
            raise ValueError(f"task {task.name}: retrieval needs patient rows with reports")
        texts = clean_texts(dataset.reports.iloc[images.rows].tolist(), params.clean_reports)
        for name, model in models.items():
            levels = {"patient": encoded[name].embedding, **encoded[name].eyes}
            found[name] = retrieval(model, tokenizer_dir, levels, texts)
    return TaskResult(runs, test, labels, split_sizes, found)


def _seeded_runs(
    task: TaskParams,
    dataset: TaskDataset,
    images: TaskImages,
    models: dict[str, RetClip],
    features: dict[str, np.ndarray],
    labels: np.ndarray,
    split: Split,
    seed: int,
    params: Params,
    progress: bool,
) -> list[Run]:
    settings = params.evaluate
    classes = len(dataset.classes)
    test_labels = labels[split.test]
    runs = []
    if "linear_probe" in task.protocols:
        for name in models:
            probs, chosen = linear_probe(features[name], labels, split, task.type, classes)
            runs.append(
                Run(name, "linear_probe", seed, probs, score(task.type, test_labels, probs), chosen)
            )
    if "finetune" in task.protocols:
        tuned = FineTuneSettings(
            settings.finetune_epochs, settings.finetune_lr_backbone, settings.finetune_lr_head
        )
        probs, chosen = finetune(
            models["retclip"], images, labels, split, task.type, classes, tuned, seed, progress
        )
        runs.append(
            Run("retclip", "finetune", seed, probs, score(task.type, test_labels, probs), chosen)
        )
    if "supervised" in settings.baselines:
        scratch = FineTuneSettings(
            settings.supervised_epochs, settings.supervised_lr, settings.supervised_lr
        )
        torch.manual_seed(seed)
        fresh = RetClip(models["retclip"].config)
        probs, chosen = finetune(
            fresh, images, labels, split, task.type, classes, scratch, seed, progress
        )
        runs.append(
            Run(
                "supervised",
                "from_scratch",
                seed,
                probs,
                score(task.type, test_labels, probs),
                chosen,
            )
        )
    return runs


def random_init(model: RetClip) -> RetClip:
    """The same architecture with fresh weights (a fixed seed): the baseline of pre-training."""
    with torch.random.fork_rng():
        torch.manual_seed(RANDOM_INIT_SEED)
        fresh = RetClip(model.config)
    return fresh.eval()
