"""The tokenizer: trained WordPiece, the paper's BERT-Chinese vocabulary, and reference parity."""

# ruff: noqa: RUF001 (full-width characters are what these tests are about)

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from tokenizers import Tokenizer
from transformers import AutoTokenizer

from retclip.config import TokenizerParams
from retclip.text.placeholders import PLACEHOLDERS
from retclip.text.tokenizer import (
    PLACEHOLDER_TOKENS,
    SPECIAL_TOKENS,
    TokenizerError,
    build_tokenizer,
    encode,
    from_vocab,
    read_vocab,
    train_wordpiece,
)
from tests.conftest import REPO

REFERENCE_VOCAB = REPO.parent / "shared" / "reference" / "bert_chinese_vocab.txt"
needs_reference = pytest.mark.skipif(
    not REFERENCE_VOCAB.is_file(), reason="the reference vocabulary (../shared) is not here"
)

# --- an independent implementation of the reference's text preparation ---------------------
# Written from the rules (lower-case, curly double quotes to '"', BERT basic tokenisation,
# greedy longest-match-first WordPiece); it shares no code with retclip.


def _is_whitespace(char: str) -> bool:
    return char in " \t\n\r" or unicodedata.category(char) == "Zs"


def _is_control(char: str) -> bool:
    return char not in "\t\n\r" and unicodedata.category(char).startswith("C")


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(code: int) -> bool:
    ranges = [
        (0x4E00, 0x9FFF),
        (0x3400, 0x4DBF),
        (0x20000, 0x2A6DF),
        (0x2A700, 0x2B73F),
        (0x2B740, 0x2B81F),
        (0x2B820, 0x2CEAF),
        (0xF900, 0xFAFF),
        (0x2F800, 0x2FA1F),
    ]
    return any(low <= code <= high for low, high in ranges)


def _basic_tokens(text: str) -> list[str]:
    text = text.lower().replace("\u201c", '"').replace("\u201d", '"')
    text = "".join(
        " " if _is_whitespace(c) else c
        for c in text
        if not (ord(c) in (0, 0xFFFD) or _is_control(c))
    )
    text = "".join(f" {c} " if _is_cjk(ord(c)) else c for c in text)
    tokens = []
    for word in text.split():
        word = "".join(
            c for c in unicodedata.normalize("NFD", word.lower()) if unicodedata.category(c) != "Mn"
        )
        current = ""
        for char in word:
            if _is_punctuation(char):
                tokens += [current, char] if current else [char]
                current = ""
            else:
                current += char
        if current:
            tokens.append(current)
    return tokens


def _wordpiece(token: str, vocab: dict[str, int]) -> list[str]:
    if len(token) > 100:
        return ["[UNK]"]
    pieces, start = [], 0
    while start < len(token):
        end, piece = len(token), None
        while start < end:
            candidate = token[start:end] if start == 0 else "##" + token[start:end]
            if candidate in vocab:
                piece = candidate
                break
            end -= 1
        if piece is None:
            return ["[UNK]"]
        pieces.append(piece)
        start = end
    return pieces


def reference_ids(text: str, vocab: dict[str, int], length: int) -> list[int]:
    tokens = [piece for token in _basic_tokens(text) for piece in _wordpiece(token, vocab)]
    ids = [*[vocab["[CLS]"], *(vocab[t] for t in tokens)][: length - 1], vocab["[SEP]"]]
    return ids + [0] * (length - len(ids))


PARITY_TEXTS = [
    "右眼：视盘边界清，杯盘比0.7，眼压 18mmHg。",
    "诊断：双眼糖尿病视网膜病变（中度非增殖期），建议3个月后复查。",
    "OD: C/D 0.6, IOP 21 mmHg; VA 20/40. Impression: Glaucoma suspect OU.",
    "Mixed 中英文 text with 数字 123 and 2023年4月5日, R2M1, -6.00D, 0.5mg.",
    "\u201c引号\u201d和\u2018单引号\u2019 \u201cquoted\u201d text",
    "Café naïve résumé Ünïcödé ÀÉÎÕÜ",
    "ALL CAPS REPORT: PDR OU!!! microaneurysms hemorrhages",
    "punctuation: (a)[b]{c}<d>e/f\\g|h~i`j^k_l$m%n&o*p+q=r@s#t",
    "full width：ＡＢＣ１２３，。！？「」《》",
    "emoji 😎 and symbols ©®™ ° ± × µm mm² ½",
    "a" * 120 + " b",
    "supercalifragilisticexpialidocious pneumonoultramicroscopic",
    "tabs\tand\nnewlines\r\nand\u3000ideographic space\u00a0nbsp",
    "zero\u200bwidth, control\x07 chars and \ufffd replacement",
    "カタカナ ひらがな 한국어 ελληνικά русский",
    "",
    "the quick brown fox " * 40,
    "视网膜" * 60,
]


@pytest.fixture(scope="module")
def reference_folder(tmp_path_factory) -> Path:
    params = TokenizerParams(kind="bert-chinese", vocab_file=str(REFERENCE_VOCAB))
    return build_tokenizer([], params, tmp_path_factory.mktemp("bert_chinese"))


@needs_reference
@pytest.mark.parametrize("length", [100, 16])
def test_ids_equal_the_reference_preparation_with_the_paper_vocabulary(reference_folder, length):
    vocab = {token: index for index, token in enumerate(read_vocab(REFERENCE_VOCAB))}
    ids, mask = encode(reference_folder, PARITY_TEXTS, length)
    expected = np.array([reference_ids(t, vocab, length) for t in PARITY_TEXTS])
    np.testing.assert_array_equal(ids, expected)
    np.testing.assert_array_equal(mask, (expected != 0).astype(np.int64))
    assert ids.dtype == mask.dtype == np.int64 and ids.shape == (len(PARITY_TEXTS), length)


@needs_reference
def test_placeholders_take_the_unused_slots_and_no_other_id_moves(reference_folder):
    tokens = read_vocab(REFERENCE_VOCAB)
    assert len(tokens) == 21128
    saved = (reference_folder / "vocab.txt").read_text(encoding="utf-8").split("\n")[:-1]
    slots = 1 + len(PLACEHOLDER_TOKENS)
    assert saved[1:slots] == list(PLACEHOLDER_TOKENS)
    assert saved[:1] + saved[slots:] == tokens[:1] + tokens[slots:]
    vocab = {token: index for index, token in enumerate(tokens)}
    ids, _ = encode(reference_folder, ["患者[NAME]于[DATE]就诊"], 10)
    chars = [vocab[c] for c in "患者于就诊"]
    assert list(ids[0]) == [101, *chars[:2], 1, chars[2], 5, *chars[3:], 102, 0]


@needs_reference
def test_the_paper_vocabulary_folder_loads_with_auto_tokenizer(reference_folder):
    tokenizer = AutoTokenizer.from_pretrained(str(reference_folder))
    assert len(tokenizer) == 21128 and tokenizer.model_max_length == 100
    text = "右眼：视盘“边界”清，C/D 0.6。"
    expected, _ = encode(reference_folder, [text], 100)
    got = tokenizer(text, padding="max_length", truncation=True, max_length=100)["input_ids"]
    assert got == list(expected[0])


def test_a_small_vocabulary_matches_the_reference_too(tmp_path):
    tokens = [*SPECIAL_TOKENS, "[unused1]", "视", "盘", "清", "边", "界", "c", "/", "d", "0"]
    tokens += [".", "6", "disc", "##s", "di", "##sc", "pink", "cafe", "un", "##affable", ":", ","]
    vocab_file = tmp_path / "vocab.txt"
    vocab_file.write_text("\r\n".join(tokens) + "\r\n", encoding="utf-8")
    folder = from_vocab(vocab_file, TokenizerParams(kind="bert-chinese"), tmp_path / "tok")
    vocab = {token: index for index, token in enumerate(tokens)}
    vocab["[NAME]"] = vocab.pop("[unused1]")
    texts = ["视盘边界清，C/D 0.6", "Discs: PINK, Café unaffable, unknown", "[NAME] 视"]
    ids, _ = encode(folder, texts, 12)
    assert [list(row) for row in ids[:2]] == [reference_ids(t, vocab, 12) for t in texts[:2]]
    assert list(ids[2][:4]) == [vocab["[CLS]"], vocab["[NAME]"], vocab["视"], vocab["[SEP]"]]


def test_a_vocabulary_without_unused_slots_gets_placeholders_after_its_last_id(tmp_path):
    vocab_file = tmp_path / "vocab.txt"
    vocab_file.write_text("\n".join([*SPECIAL_TOKENS, "a"]) + "\n", encoding="utf-8")
    folder = from_vocab(vocab_file, TokenizerParams(), tmp_path / "tok")
    ids, _ = encode(folder, ["a [AGE]"], 5)
    assert list(ids[0]) == [2, 5, 6 + list(PLACEHOLDERS).index("AGE"), 3, 0]


def test_bad_vocabularies_are_named(tmp_path):
    missing = tmp_path / "none.txt"
    with pytest.raises(TokenizerError, match=r"none\.txt"):
        from_vocab(missing, TokenizerParams(), tmp_path / "tok")
    partial = tmp_path / "partial.txt"
    partial.write_text("[PAD]\n[UNK]\n", encoding="utf-8")
    with pytest.raises(TokenizerError, match=r"partial.txt lacks .*\[CLS\]"):
        from_vocab(partial, TokenizerParams(), tmp_path / "tok")
    with pytest.raises(TokenizerError, match="vocab_file"):
        build_tokenizer([], TokenizerParams(kind="bert-chinese"), tmp_path / "tok")


# --- the tokenizer trained on the reports ----------------------------------------------------


@pytest.fixture(scope="module")
def corpus(phi_cleaned) -> list[str]:
    return list(phi_cleaned.reports["patient_text"])


@pytest.fixture(scope="module")
def trained(corpus, tmp_path_factory) -> Path:
    params = TokenizerParams(vocab_size=1500, context_length=32)
    return train_wordpiece(corpus, params, tmp_path_factory.mktemp("wordpiece"))


def test_the_trained_folder_loads_offline_as_a_fast_tokenizer(trained):
    assert {p.name for p in trained.iterdir()} >= {"tokenizer.json", "tokenizer_config.json"}
    tokenizer = AutoTokenizer.from_pretrained(str(trained))
    assert tokenizer.is_fast and tokenizer.model_max_length == 32
    vocab = tokenizer.get_vocab()
    reserved = SPECIAL_TOKENS + PLACEHOLDER_TOKENS
    assert [vocab[t] for t in reserved] == list(range(len(reserved)))
    assert 200 < len(tokenizer) <= 1500
    lines = (trained / "vocab.txt").read_text(encoding="utf-8").split("\n")[:-1]
    assert lines == sorted(vocab, key=vocab.get)


def test_placeholders_are_single_tokens_cjk_is_split_and_english_lower_cased(trained):
    tokenizer = AutoTokenizer.from_pretrained(str(trained))
    tokens = tokenizer.tokenize("[NAME] 右眼 [DATE] 诊断：视盘 DISC Pink")
    assert tokens[:4] == ["[NAME]", "右", "眼", "[DATE]"]
    assert "视" in tokens and "盘" in tokens and "视盘" not in tokens
    assert "disc" in tokens and "pink" in tokens
    for placeholder in PLACEHOLDER_TOKENS:
        assert tokenizer.tokenize(f"x{placeholder}y")[1] == placeholder


def test_encode_builds_cls_tokens_sep_and_padding_like_the_reference(trained, corpus):
    tokenizer = AutoTokenizer.from_pretrained(str(trained))
    texts = [corpus[0], "", "视盘", corpus[1] * 5]
    ids, mask = encode(trained, texts, 32)
    assert ids.shape == mask.shape == (4, 32) and ids.dtype == np.int64
    assert list(ids[1][:3]) == [2, 3, 0] and list(mask[1][:3]) == [1, 1, 0]
    assert ids[3][-1] == 3 and mask[3].all()
    expected = tokenizer(texts, padding="max_length", truncation=True, max_length=32)
    np.testing.assert_array_equal(ids, np.array(expected["input_ids"]))
    np.testing.assert_array_equal(mask, np.array(expected["attention_mask"]))


def test_encode_takes_a_folder_a_file_or_a_tokenizer_and_changes_none(trained):
    backend = Tokenizer.from_file(str(trained / "tokenizer.json"))
    backend.enable_truncation(max_length=5)
    backend.enable_padding(length=7)
    expected, _ = encode(trained, ["视盘边界清 disc"], 16)
    for tokenizer in (
        trained,
        str(trained / "tokenizer.json"),
        backend,
        AutoTokenizer.from_pretrained(str(trained)),
    ):
        ids, _ = encode(tokenizer, ["视盘边界清 disc"], 16)
        np.testing.assert_array_equal(ids, expected)
    assert backend.truncation["max_length"] == 5 and backend.padding["length"] == 7
    with pytest.raises(TypeError):
        encode(object(), ["x"], 8)


def test_training_gives_the_same_bytes_in_every_process(corpus, tmp_path):
    corpus_file = tmp_path / "corpus.txt"
    corpus_file.write_text("\n\x1e\n".join(corpus[:120]), encoding="utf-8")
    script = (
        "import sys; from pathlib import Path;"
        "from retclip.config import TokenizerParams;"
        "from retclip.text.tokenizer import train_wordpiece;"
        "texts = Path(sys.argv[1]).read_text(encoding='utf-8').split('\\n\\x1e\\n');"
        "train_wordpiece(texts, TokenizerParams(vocab_size=600), Path(sys.argv[2]))"
    )
    outputs = []
    for seed in ("0", "1"):
        out = tmp_path / f"run{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed, "HF_HUB_OFFLINE": "1"}
        subprocess.run(
            [sys.executable, "-c", script, str(corpus_file), str(out)], check=True, env=env
        )
        outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert {"tokenizer.json", "vocab.txt"} <= set(outputs[0])
    assert outputs[0] == outputs[1]
