"""A labelled contact sheet of synthetic eyes, so a person can judge them at a glance.

Usage: ``python -m retclip.data.synth.contact_sheet data/raw docs/contact_sheet.png``
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

# (caption, predicate on a truth row): one example of each sign first, then the rest
SHOWCASE = (
    ("normal", lambda r: r["any_disease"] == "0"),
    ("DR 1 mild", lambda r: r["dr_grade"] == "1"),
    ("DR 2 moderate", lambda r: r["dr_grade"] == "2"),
    ("DR 3 severe", lambda r: r["dr_grade"] == "3"),
    ("DR 4 proliferative", lambda r: r["dr_grade"] == "4"),
    ("glaucoma", lambda r: r["glaucoma"] == "2"),
    ("AMD drusen", lambda r: r["amd"] == "1"),
    ("AMD late", lambda r: r["amd"] == "2"),
    ("cataract", lambda r: r["cataract"] == "1"),
    ("myopia", lambda r: r["myopia"] == "1"),
    ("hypertensive", lambda r: r["hypertensive"] == "1"),
)


def _caption(row: dict) -> str:
    signs = []
    if row["dr_grade"] != "0":
        signs.append(f"DR{row['dr_grade']}")
    signs.append(f"C/D {float(row['cdr']):.2f}")
    for key, short in (
        ("amd", "AMD"),
        ("cataract", "cataract"),
        ("myopia", "myopia"),
        ("hypertensive", "HTN"),
    ):
        if row[key] != "0":
            signs.append(short if row[key] == "1" else f"{short}{row[key]}")
    side = "OS" if row["side"] == "left" else "OD"
    return f"{side}  " + ", ".join(signs)


def pick_examples(rows: list[dict], count: int) -> list[dict]:
    """One eye per showcase category, then further eyes from other patients."""
    usable = [r for r in rows if not r["defect"]]
    chosen: list[dict] = []
    for _, wanted in SHOWCASE:
        match = next((r for r in usable if wanted(r) and r not in chosen), None)
        if match is not None:
            chosen.append(match)
    seen = {r["patient_id"] for r in chosen}
    side = "right"
    for r in usable:
        if len(chosen) >= count:
            break
        if r["patient_id"] not in seen and r["side"] == side:
            chosen.append(r)
            seen.add(r["patient_id"])
            side = "left" if side == "right" else "right"
    return chosen[:count]


def make_contact_sheet(raw: Path, out: Path, count: int = 16, tile: int = 256) -> Path:
    """Write a 4-column PNG of ``count`` eyes from a synthetic clinic, captioned with labels."""
    with open(raw / "truth" / "eyes.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    examples = pick_examples(rows, count)
    columns = 4
    caption_h = 22
    sheet_rows = (len(examples) + columns - 1) // columns
    sheet = Image.new("RGB", (columns * tile, sheet_rows * (tile * 3 // 4 + caption_h)), "white")
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=14)
    for i, row in enumerate(examples):
        with Image.open(raw / row["image"]) as im:
            thumb = im.convert("RGB").resize((tile, tile * 3 // 4), Image.Resampling.LANCZOS)
        x, y = (i % columns) * tile, (i // columns) * (tile * 3 // 4 + caption_h)
        sheet.paste(thumb, (x, y))
        draw.text((x + 4, y + tile * 3 // 4 + 3), _caption(row), fill="black", font=font)
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out, optimize=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw", type=Path, help="a folder written by `retclip synth`")
    parser.add_argument("out", type=Path, help="PNG to write")
    parser.add_argument("--count", type=int, default=16)
    args = parser.parse_args()
    print(make_contact_sheet(args.raw, args.out, args.count))


if __name__ == "__main__":
    main()
