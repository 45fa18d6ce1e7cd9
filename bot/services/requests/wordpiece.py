"""BERT's uncased WordPiece tokenizer, in plain Python: the text a sentence encoder reads as ids.

The same steps as the model's tokenizer.json (BertNormalizer, BertPreTokenizer, WordPiece): drop
control characters, space out CJK characters, lower-case and strip accents, split on whitespace and
punctuation, then split each word greedily into the longest pieces of the vocabulary.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

UNKNOWN = "[UNK]"
CLS = "[CLS]"
SEP = "[SEP]"
MAX_WORD_CHARS = 100  # a longer word is one [UNK], as in BERT


class WordPiece:
    """Turns text into the ids of an uncased BERT vocabulary."""

    def __init__(self, vocabulary: dict[str, int]) -> None:
        self._ids = vocabulary
        self._unknown = vocabulary[UNKNOWN]
        self.cls = vocabulary[CLS]
        self.sep = vocabulary[SEP]

    @classmethod
    def from_file(cls, vocab_txt: Path) -> WordPiece:
        """From a vocab.txt: one token a line, its id its line number."""
        lines = vocab_txt.read_text(encoding="utf-8").splitlines()
        return cls({token: index for index, token in enumerate(lines)})

    def ids(self, text: str, max_tokens: int) -> list[int]:
        """[CLS] pieces [SEP], at most `max_tokens` ids in all."""
        pieces: list[int] = []
        for word in words(text):
            pieces.extend(self._pieces(word))
            if len(pieces) >= max_tokens - 2:
                break
        return [self.cls, *pieces[: max_tokens - 2], self.sep]

    def _pieces(self, word: str) -> list[int]:
        if len(word) > MAX_WORD_CHARS:
            return [self._unknown]
        found: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self._ids:
                    found.append(self._ids[piece])
                    break
                end -= 1
            if end == start:
                return [self._unknown]
            start = end
        return found


def words(text: str) -> list[str]:
    """Normalised words and punctuation marks, as BERT's basic tokenizer splits them."""
    spaced = "".join(_normalised(char) for char in text)
    stripped = "".join(
        char for char in unicodedata.normalize("NFD", spaced.lower()) if unicodedata.category(char) != "Mn"
    )
    found: list[str] = []
    for chunk in stripped.split():
        current = ""
        for char in chunk:
            if _is_punctuation(char):
                found += [current, char] if current else [char]
                current = ""
            else:
                current += char
        if current:
            found.append(current)
    return found


def _normalised(char: str) -> str:
    code = ord(char)
    if code in (0, 0xFFFD) or _is_control(char):
        return ""
    if char.isspace() or unicodedata.category(char) == "Zs":
        return " "
    if _is_cjk(code):
        return f" {char} "
    return char


def _is_control(char: str) -> bool:
    if char in "\t\n\r":
        return False
    return unicodedata.category(char) in ("Cc", "Cf")


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(code: int) -> bool:
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0x2A700 <= code <= 0x2B73F
        or 0x2B740 <= code <= 0x2B81F
        or 0x2B820 <= code <= 0x2CEAF
        or 0xF900 <= code <= 0xFAFF
        or 0x2F800 <= code <= 0x2FA1F
    )
