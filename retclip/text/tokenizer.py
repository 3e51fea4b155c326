"""The text tokenizer: BERT-Chinese style WordPiece, trained on the reports or from a vocabulary.

Text is prepared as the reference prepares it: curly double quotes become ``"``, text is
lower-cased (accents stripped), CJK characters stand alone, punctuation is split, then WordPiece
(greedy longest match, "##" continuations, words over 100 characters are ``[UNK]``). Ids are
``[CLS] + tokens[:L-2] + [SEP]``, zero-padded to the context length L. The PHI placeholders
(``[NAME]`` ...) are single tokens.

The folder written here loads with ``transformers.AutoTokenizer.from_pretrained(folder)``; the
prediction path needs only ``tokenizers`` and numpy (:func:`encode`), so this module imports
transformers only to write the folder.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from tokenizers import AddedToken, Tokenizer, decoders, normalizers, pre_tokenizers, processors
from tokenizers.models import WordPiece

from retclip.text.placeholders import PLACEHOLDERS
from retclip.text.wordpiece import learn_vocabulary

if TYPE_CHECKING:  # the prediction path encodes text without pydantic
    from retclip.config import TokenizerParams

PAD, UNK, CLS, SEP, MASK = "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"
SPECIAL_TOKENS = (PAD, UNK, CLS, SEP, MASK)
PLACEHOLDER_TOKENS = tuple(PLACEHOLDERS.values())
MAX_WORD_CHARS = 100
# Always in a trained vocabulary, so that no English letter, digit or ASCII sign is [UNK].
BASE_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
_UNUSED = re.compile(r"\[unused(\d+)\]")
_PLACEHOLDER_TEXT = re.compile("|".join(re.escape(t) for t in PLACEHOLDER_TOKENS))


class TokenizerError(ValueError):
    """The tokenizer cannot be built as asked; the message names the file or parameter."""


def build_tokenizer(texts: Iterable[str], params: TokenizerParams, out: Path) -> Path:
    """The tokenizer that ``params.kind`` asks for: trained on ``texts``, or from a vocabulary."""
    if params.kind == "bert-chinese":
        if not params.vocab_file:
            raise TokenizerError("tokenizer.kind bert-chinese needs tokenizer.vocab_file")
        return from_vocab(Path(params.vocab_file), params, out)
    return train_wordpiece(texts, params, out)


def train_wordpiece(texts: Iterable[str], params: TokenizerParams, out: Path) -> Path:
    """Train a WordPiece vocabulary of ``params.vocab_size`` tokens on cleaned report texts and
    save it as a tokenizer folder. The same texts always give the same folder, byte for byte.

    Ids: ``[PAD]`` 0, ``[UNK]`` 1, ``[CLS]`` 2, ``[SEP]`` 3, ``[MASK]`` 4, the placeholders 5-13.
    """
    splitter = _pipeline(params.lowercase)
    counts: Counter[str] = Counter()
    for text in texts:
        normalized = splitter.normalizer.normalize_str(_PLACEHOLDER_TEXT.sub(" ", text))
        counts.update(word for word, _ in splitter.pre_tokenizer.pre_tokenize_str(normalized))
    tokens = learn_vocabulary(
        counts,
        params.vocab_size,
        params.min_frequency,
        reserved=SPECIAL_TOKENS + PLACEHOLDER_TOKENS,
        alphabet=BASE_ALPHABET,
    )
    return _save(_tokenizer({t: i for i, t in enumerate(tokens)}, params.lowercase), params, out)


def from_vocab(vocab_file: Path, params: TokenizerParams, out: Path) -> Path:
    """A tokenizer folder from a BERT ``vocab.txt`` (one token a line, line number = id).

    Every token keeps its id, so a model trained with the vocabulary (the paper's 21,128-token
    BERT-Chinese) reads the same ids. The placeholders take the first ``[unusedN]`` slots,
    which BERT reserves for new tokens ([NAME] is id 1 in BERT-Chinese); a vocabulary without
    such slots gets them after its last id.
    """
    tokens = read_vocab(vocab_file)
    missing = [t for t in SPECIAL_TOKENS if t not in tokens]
    if missing:
        raise TokenizerError(f"vocabulary {vocab_file} lacks the special tokens {missing}")
    vocab = {token: index for index, token in enumerate(tokens)}
    unused = sorted((int(m.group(1)), token) for token in vocab if (m := _UNUSED.fullmatch(token)))
    for placeholder in PLACEHOLDER_TOKENS:
        if placeholder in vocab:
            continue
        if unused:
            _, slot = unused.pop(0)
            vocab[placeholder] = vocab.pop(slot)
        else:
            vocab[placeholder] = max(vocab.values()) + 1
    return _save(_tokenizer(vocab, params.lowercase), params, out)


def read_vocab(vocab_file: Path) -> list[str]:
    """Tokens of a ``vocab.txt`` in id order. Lines end in LF or CRLF; nothing else splits a
    line (the BERT-Chinese vocabulary has a token that is U+2028, a line separator)."""
    try:
        text = Path(vocab_file).read_bytes().decode("utf-8")
    except OSError as exc:
        raise TokenizerError(f"vocabulary {vocab_file}: cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise TokenizerError(f"vocabulary {vocab_file}: not UTF-8 text") from None
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def encode(
    tokenizer: Tokenizer | Path | str | object, texts: Iterable[str], context_length: int
) -> tuple[np.ndarray, np.ndarray]:
    """Token ids and attention mask, both int64 of shape (len(texts), context_length), exactly
    as the reference builds them: ``[CLS] + tokens[:L-2] + [SEP]``, then ``[PAD]`` (id 0)
    up to L; the mask is 1 where the id is not ``[PAD]``.

    ``tokenizer`` is a tokenizer folder, its ``tokenizer.json``, a ``tokenizers.Tokenizer`` or
    a transformers tokenizer.
    """
    backend = load_backend(tokenizer)
    if backend.truncation or backend.padding:
        backend = Tokenizer.from_str(backend.to_str())
        backend.no_truncation()
        backend.no_padding()
    pad, cls, sep = (backend.token_to_id(t) for t in (PAD, CLS, SEP))
    encodings = backend.encode_batch(list(texts), add_special_tokens=False)
    ids = np.full((len(encodings), context_length), pad, dtype=np.int64)
    for row, encoding in enumerate(encodings):
        pieces = [cls, *encoding.ids[: context_length - 2], sep]
        ids[row, : len(pieces)] = pieces
    return ids, (ids != pad).astype(np.int64)


def load_backend(tokenizer: Tokenizer | Path | str | object) -> Tokenizer:
    """The ``tokenizers.Tokenizer`` behind a folder, a file or a transformers tokenizer."""
    if isinstance(tokenizer, Tokenizer):
        return tokenizer
    if isinstance(tokenizer, str | Path):
        path = Path(tokenizer)
        return Tokenizer.from_file(str(path / "tokenizer.json" if path.is_dir() else path))
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if isinstance(backend, Tokenizer):
        return backend
    raise TypeError(f"not a tokenizer: {type(tokenizer).__name__}")


def _pipeline(lowercase: bool) -> Tokenizer:
    """Normaliser and pre-tokeniser of BERT-Chinese, plus the reference's curly quotes."""
    tokenizer = Tokenizer(WordPiece({UNK: 0}, unk_token=UNK))
    tokenizer.normalizer = normalizers.Sequence(
        [
            normalizers.Replace("\u201c", '"'),
            normalizers.Replace("\u201d", '"'),
            normalizers.BertNormalizer(
                clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=lowercase
            ),
        ]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    return tokenizer


def _tokenizer(vocab: dict[str, int], lowercase: bool) -> Tokenizer:
    tokenizer = _pipeline(lowercase)
    tokenizer.model = WordPiece(
        vocab,
        unk_token=UNK,
        continuing_subword_prefix="##",
        max_input_chars_per_word=MAX_WORD_CHARS,
    )
    tokenizer.decoder = decoders.WordPiece(prefix="##")
    tokenizer.add_special_tokens(
        [AddedToken(t, special=True, normalized=False) for t in SPECIAL_TOKENS + PLACEHOLDER_TOKENS]
    )
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{CLS} $A {SEP}",
        pair=f"{CLS} $A {SEP} $B:1 {SEP}:1",
        special_tokens=[(CLS, vocab[CLS]), (SEP, vocab[SEP])],
    )
    return tokenizer


def _save(tokenizer: Tokenizer, params: TokenizerParams, out: Path) -> Path:
    """Write the Hugging Face folder: tokenizer.json, tokenizer_config.json, vocab.txt."""
    from transformers import PreTrainedTokenizerFast

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    wrapped = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        pad_token=PAD,
        unk_token=UNK,
        cls_token=CLS,
        sep_token=SEP,
        mask_token=MASK,
        model_max_length=params.context_length,
    )
    wrapped.save_pretrained(str(out))
    vocab = tokenizer.get_vocab(with_added_tokens=True)
    by_id = sorted(vocab, key=vocab.__getitem__)
    (out / "vocab.txt").write_text("".join(f"{t}\n" for t in by_id), encoding="utf-8")
    return out
