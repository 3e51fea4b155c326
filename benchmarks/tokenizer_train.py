"""Tokenizer training time on cleaned synthetic-clinic reports, extrapolated to 200,000.

retclip learns its WordPiece vocabulary with its own deterministic trainer (the ``tokenizers``
library's ``WordPieceTrainer`` gives a different vocabulary in every process). Baseline,
measured in the same run on the same texts: the library's trainer. Each is timed on half the
corpus and on all of it; the difference gives the cost per report, which extrapolates to
200,000 reports (the fixed part is the vocabulary's merges and the saving).

    .venv/bin/python benchmarks/tokenizer_train.py [--reports 20000]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from report_corpus import synthetic_reports
from tokenizers import Tokenizer, normalizers, pre_tokenizers, trainers
from tokenizers.models import WordPiece

from retclip.config import CleanReportsParams, TokenizerParams
from retclip.text.clean import clean_batch
from retclip.text.tokenizer import PLACEHOLDER_TOKENS, SPECIAL_TOKENS, encode, train_wordpiece

TARGET_REPORTS = 200_000


def library_trainer(texts: list[str], params: TokenizerParams, out: Path) -> None:
    """The tokenizers library's WordPiece trainer with the same normaliser and pre-tokeniser."""
    tokenizer = Tokenizer(WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=params.lowercase)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.WordPieceTrainer(
        vocab_size=params.vocab_size,
        min_frequency=params.min_frequency,
        special_tokens=list(SPECIAL_TOKENS + PLACEHOLDER_TOKENS),
        show_progress=False,
    )
    tokenizer.train_from_iterator(texts, trainer, length=len(texts))
    tokenizer.save(str(out / "tokenizer.json"))


def seconds(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    clean = CleanReportsParams()
    texts = [c.patient_text for c in clean_batch(synthetic_reports(args.reports, args.seed), clean)]
    texts = [t for t in texts if t]
    params = TokenizerParams()
    half = texts[: len(texts) // 2]
    print(
        f"{len(texts)} cleaned reports, vocab_size {params.vocab_size}; "
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
    )
    print(
        f"{'run':<38} {'tokens':>7} {'half s':>7} {'all s':>7} {'ms/1k reports':>14} "
        f"{'200k est. s':>12} {'vs baseline':>12}"
    )
    baseline = None
    with tempfile.TemporaryDirectory() as tmp:
        runs = [
            ("baseline: tokenizers WordPieceTrainer", library_trainer),
            ("retclip train_wordpiece", train_wordpiece),
        ]
        for index, (name, train) in enumerate(runs):
            folders = [Path(tmp) / f"{index}-{n}" for n in ("half", "all")]
            for folder in folders:
                folder.mkdir()
            small = seconds(lambda t=train, f=folders[0]: t(half, params, f))
            large = seconds(lambda t=train, f=folders[1]: t(texts, params, f))
            per_report = max(large - small, 0.0) / (len(texts) - len(half))
            estimate = large + per_report * (TARGET_REPORTS - len(texts))
            baseline = baseline or estimate
            tokens = Tokenizer.from_file(str(folders[1] / "tokenizer.json")).get_vocab_size()
            print(
                f"{name:<38} {tokens:>7} {small:>7.2f} {large:>7.2f} {per_report * 1e6:>14.1f} "
                f"{estimate:>12.1f} {estimate / baseline:>11.2f}x"
            )
        folder = Path(tmp) / "1-all"
        encoded = seconds(lambda: encode(folder, texts, params.context_length))
        print(f"encode {len(texts)} reports to {params.context_length} ids: {encoded:.2f} s")


if __name__ == "__main__":
    main()
