"""Zero-shot prompts: each class as the diagnosis a report would write, in Chinese and English.

A CLIP text tower only knows the phrasing it was trained on, so a class is described by the words
of cleaned reports (abbreviations already expanded, as ``clean-reports`` writes them), put into
the report templates below. Every prompt of a class is encoded and the embeddings averaged (a
prompt ensemble). Classes not listed here fall back to their own name in the templates.
"""

from __future__ import annotations

import re

EN_TEMPLATES = ("Diagnosis: {}.", "Impression: {}.")
ZH_TEMPLATES = ("诊断：{}。",)

NORMAL = (("眼底未见明显异常",), ("No abnormality detected",))
DR_STAGES = {
    1: (("糖尿病视网膜病变轻度非增殖期",), ("Mild non-proliferative diabetic retinopathy",)),
    2: (("糖尿病视网膜病变中度非增殖期",), ("Moderate non-proliferative diabetic retinopathy",)),
    3: (("糖尿病视网膜病变重度非增殖期",), ("Severe non-proliferative diabetic retinopathy",)),
    4: (("糖尿病视网膜病变增殖期",), ("Proliferative diabetic retinopathy",)),
}
GLAUCOMA = (("青光眼", "青光眼性视神经病变"), ("Glaucoma", "Glaucomatous optic neuropathy"))
AMD = (("年龄相关性黄斑变性",), ("age-related macular degeneration",))
CATARACT = (("白内障",), ("Cataract",))
MYOPIA = (("病理性近视", "高度近视眼底改变"), ("Pathological myopia",))
HYPERTENSIVE = (("高血压性视网膜病变",), ("Hypertensive retinopathy",))
Phrases = tuple[tuple[str, ...], tuple[str, ...]]  # (Chinese, English)


def _merge(*groups: Phrases) -> Phrases:
    return tuple(p for g in groups for p in g[0]), tuple(p for g in groups for p in g[1])


DISEASE = _merge(*DR_STAGES.values(), GLAUCOMA, AMD, CATARACT, MYOPIA, HYPERTENSIVE)

# class name (lower case, any of the spellings adapters use) -> (Chinese phrases, English phrases)
PHRASES: dict[str, Phrases] = {
    "no dr": NORMAL,
    "normal": NORMAL,
    "normal disc": NORMAL,
    "no disease": NORMAL,
    "no referable dr": _merge(NORMAL, DR_STAGES[1]),
    "mild npdr": DR_STAGES[1],
    "moderate npdr": DR_STAGES[2],
    "severe npdr": DR_STAGES[3],
    "pdr": DR_STAGES[4],
    "referable dr": _merge(DR_STAGES[2], DR_STAGES[3], DR_STAGES[4]),
    "diabetic retinopathy": _merge(*DR_STAGES.values()),
    "glaucoma suspect": (("可疑青光眼",), ("Glaucoma suspect",)),
    "glaucoma": GLAUCOMA,
    "early amd": (("年龄相关性黄斑变性（早期）",), ("Early age-related macular degeneration",)),
    "late amd": (("年龄相关性黄斑变性（晚期）",), ("Late age-related macular degeneration",)),
    "age-related macular degeneration": AMD,
    "cataract": CATARACT,
    "pathological myopia": MYOPIA,
    "hypertensive retinopathy": HYPERTENSIVE,
    "disease": DISEASE,
}


def class_prompts(class_name: str) -> list[str]:
    """Every prompt of one class, Chinese then English."""
    key = re.sub(r"\s+", " ", class_name.strip().lower())
    zh, en = PHRASES.get(key, ((class_name,), (class_name,)))
    return [t.format(p) for p in zh for t in ZH_TEMPLATES] + [
        t.format(p) for p in en for t in EN_TEMPLATES
    ]


def negative_prompts() -> list[str]:
    """The "absent" side of a multi-label zero-shot decision: a normal fundus."""
    return class_prompts("normal")


def task_prompts(classes: list[str], multilabel: bool) -> dict[str, list[str]]:
    """Class -> prompts; a multi-label task also gets the shared negative under ``"absent"``."""
    prompts = {name: class_prompts(name) for name in classes}
    if multilabel:
        prompts["absent"] = negative_prompts()
    return prompts
