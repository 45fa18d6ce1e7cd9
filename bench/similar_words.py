"""Would a distilled static word-vector table lift the similar-requests search? An offline replay.

    python -m bench.distil_words       # once: makes bench/.word_vectors/ (needs torch, see there)
    python -m bench.similar_words      # numpy only

Over the evaluation workspace (every pair's original and 5,000 unrelated titles, every title
counted open, no database), for each variant:

- **expansion**: each typed content word (not a generic one) also matches its learned neighbours,
  the vocabulary words whose MiniLM vectors are nearest to its own (at most `k`, at or above a
  cosine threshold); a candidate is a title holding two of the query's words, synonyms or
  neighbours (`relevance.matched_concepts`, as the shipped search asks the database); `reach` is
  how many originals are among the candidates at all;
- **re-scoring**: `share` x cosine(query vector, title vector) + (1 - share) x the shipped lexical
  score (`relevance.score`), a text's vector being the normalised mean of its words' vectors
  (plain, or weighted by log(rank) in the tokenizer's vocabulary, model2vec's Zipf weighting);
- the floor is chosen on the **tuning half** (even pairs; even no-match queries' false alarms at
  most 20%), then recall is printed for the whole set, the tuning and the **held-out** half (odd
  pairs), with the false alarms over every no-match query.

No database rank and no status order: compare the lines with each other, not with bench.similar.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np

from bench.similar_corpus import no_match_queries, pairs, unrelated_titles
from bot.services.requests.relevance import GENERIC, matched_concepts, score
from bot.services.requests.wording import Concept, concepts, stem, words

DATA = Path(__file__).resolve().parent / ".word_vectors"
EVAL_UNRELATED = 5000
MAX_FALSE_ALARMS = 0.20
FLOORS = [round(0.30 + 0.0125 * step, 4) for step in range(45)]


class Table:
    """The distilled word vectors, looked up by word (singular and stem as fallbacks).

    With `pieces`, the table is every vocabulary token's, and a word the vocabulary lacks is the
    mean of its WordPiece pieces (greedy longest match, as the tokenizer splits it).
    """

    def __init__(self, dims: str, zipf: bool, pieces: bool = False) -> None:
        self.pieces = pieces
        if pieces:
            self.words = (DATA / "tokens.txt").read_text(encoding="utf-8").split()
            self.vectors = np.load(DATA / "token_vectors.npy").astype(np.float32)
            whole = np.array([w.isalpha() and len(w) >= 3 for w in self.words])
            self.full = np.where(whole[:, None], self.vectors, 0.0).astype(np.float32)
        else:
            self.words = (DATA / "words.txt").read_text(encoding="utf-8").split()
            self.full = np.load(DATA / "full_vectors.npy").astype(np.float32)
            self.vectors = (
                self.full if dims == "384" else np.load(DATA / "word_vectors.npy").astype(np.float32)
            )
        self.index = {word: row for row, word in enumerate(self.words)}
        ranks = np.arange(1, len(self.words) + 1, dtype=np.float32)
        self.weights = np.log1p(ranks) if zipf else np.ones_like(ranks)

    def row(self, word: str) -> int | None:
        singular = [word[:-1]] if word.endswith("s") else []
        if word.endswith("es"):
            singular.append(word[:-2])
        for form in (word, *singular, stem(word)):
            if form in self.index:
                return self.index[form]
        return None

    def rows(self, word: str) -> list[int]:
        """The word's own row, else (with pieces) its WordPiece pieces' rows."""
        row = self.row(word)
        if row is not None:
            return [row]
        return self._wordpiece(word) if self.pieces else []

    def _wordpiece(self, word: str) -> list[int]:
        found, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.index:
                    found.append(self.index[piece])
                    break
                end -= 1
            if end == start:
                return []
            start = end
        return found

    def word_vector(self, word: str) -> np.ndarray | None:
        rows = self.rows(word)
        if not rows:
            return None
        mean = self.vectors[rows].mean(axis=0)
        return mean / (float(np.linalg.norm(mean)) or 1.0)

    def text_vector(self, text: str) -> np.ndarray:
        found = [(self.word_vector(word), self.rows(word)) for word in words(text)]
        found = [(vector, rows) for vector, rows in found if vector is not None]
        if not found:
            return np.zeros(self.vectors.shape[1], np.float32)
        mean = sum(vector * float(self.weights[rows[0]]) for vector, rows in found)
        norm = float(np.linalg.norm(mean))
        return mean / norm if norm else mean

    def neighbours(self, threshold: float | None, k: int) -> Callable[[str], frozenset[str]]:
        cache: dict[str, frozenset[str]] = {}

        def near(word: str) -> frozenset[str]:
            vector = self.word_vector(word)
            if threshold is None or vector is None:
                return frozenset()
            if word not in cache:
                full = vector if self.pieces else self.full[self.rows(word)[0]]
                similarity = self.full @ full
                best = np.argsort(-similarity)[: k + 1]
                cache[word] = frozenset(
                    stem(self.words[o]) for o in best if similarity[o] >= threshold and self.words[o] != word
                )
            return cache[word]

        return near


def candidates(table: Table, near: Callable[[str], frozenset[str]], titles: list[str], queries: list[str]):
    """Per query: (title index, lexical score, cosine) of every title holding two of its words."""
    title_vectors = np.stack([table.text_vector(title) for title in titles])
    rows = []
    for query in queries:
        expanded = [
            Concept(c.word, c.stem, c.alternatives | (frozenset() if c.stem in GENERIC else near(c.word)))
            for c in concepts(query)
        ]
        if len(expanded) < 2:
            rows.append([])
            continue
        cosines = title_vectors @ table.text_vector(query)
        rows.append(
            [
                (index, score(expanded, title, ""), float(cosines[index]))
                for index, title in enumerate(titles)
                if matched_concepts(expanded, title, "") >= 2
            ]
        )
    return rows


def shown(row, share: float, floor: float) -> list[int]:
    ranked = sorted(((1 - share) * lexical + share * cosine, index) for index, lexical, cosine in row)
    return [index for value, index in reversed(ranked) if value >= floor][:3]


def measure(rows, pair_count: int, share: float, floor: float) -> tuple[list[bool], list[bool]]:
    hits = [index in shown(rows[index], share, floor) for index in range(pair_count)]
    alarms = [bool(shown(row, share, floor)) for row in rows[pair_count:]]
    return hits, alarms


def main() -> None:
    args = argparse.ArgumentParser(prog="python -m bench.similar_words")
    args.add_argument("--neighbours", default="none,0.7:6,0.6:6", help="none or threshold:k, comma-separated")
    args.add_argument("--shares", default="0,0.1,0.2,0.3,0.5,0.7,1")
    args.add_argument("--dims", default="64", help="64 (the reduced table) or 384 (the model's own)")
    args.add_argument("--zipf", action="store_true", help="weight each word by log(rank) when averaging")
    args.add_argument(
        "--pieces", action="store_true", help="the token table: unknown words as WordPiece pieces"
    )
    options = args.parse_args()
    table = Table(options.dims, options.zipf, options.pieces)
    chosen = pairs()
    titles = [pair.original for pair in chosen] + unrelated_titles(EVAL_UNRELATED)
    queries = [pair.paraphrase for pair in chosen] + no_match_queries()
    print(f"dims {options.dims}, zipf {options.zipf}, pieces {options.pieces}, {len(table.words)} rows")
    _print_retrieval(table, titles, queries, len(chosen))
    print(
        "| neighbours | reach | cosine share | recall, no floor | floor "
        "| recall all / tuning / held-out | false alarms |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for spec in options.neighbours.split(","):
        threshold, k = (None, 0) if spec == "none" else (float(spec.split(":")[0]), int(spec.split(":")[1]))
        rows = candidates(table, table.neighbours(threshold, k), titles, queries)
        reach = sum(1 for index in range(len(chosen)) if any(item[0] == index for item in rows[index]))
        for share in (float(value) for value in options.shares.split(",")):
            open_hits, _ = measure(rows, len(chosen), share, -math.inf)
            floor = _tuned_floor(rows, len(chosen), share)
            hits, alarms = measure(rows, len(chosen), share, floor)
            print(
                f"| {spec} | {reach}/{len(chosen)} | {share:.1f} | {_share(open_hits):.1%} | {floor:.3f} "
                f"| {_share(hits):.1%} / {_share(hits[0::2]):.1%} / {_share(hits[1::2]):.1%} "
                f"| {_share(alarms):.0%} |",
                flush=True,
            )


def _print_retrieval(table: Table, titles: list[str], queries: list[str], pair_count: int) -> None:
    """The table alone as a search: cosine against every title, no lexical gate (the ceiling)."""
    title_vectors = np.stack([table.text_vector(title) for title in titles])
    rows = []
    for query in queries:
        cosines = title_vectors @ table.text_vector(query)
        rows.append([(int(index), 0.0, float(cosines[index])) for index in np.argsort(-cosines)[:3]])
    floor = _tuned_floor(rows, pair_count, 1.0)
    open_hits, _ = measure(rows, pair_count, 1.0, -math.inf)
    hits, alarms = measure(rows, pair_count, 1.0, floor)
    print(
        f"cosine alone over every title: recall {_share(open_hits):.1%} with no floor; at floor {floor:.3f} "
        f"{_share(hits):.1%} / {_share(hits[0::2]):.1%} / {_share(hits[1::2]):.1%}, "
        f"false alarms {_share(alarms):.0%}"
    )


def _tuned_floor(rows, pair_count: int, share: float) -> float:
    """The floor giving the best tuning-half recall with even no-match false alarms within the target."""
    best = (-1.0, FLOORS[-1])
    for floor in FLOORS:
        hits, alarms = measure(rows, pair_count, share, floor)
        if _share(alarms[0::2]) <= MAX_FALSE_ALARMS and _share(hits[0::2]) > best[0]:
            best = (_share(hits[0::2]), floor)
    return best[1]


def _share(flags: list[bool]) -> float:
    return sum(flags) / len(flags) if flags else 0.0


if __name__ == "__main__":
    main()
