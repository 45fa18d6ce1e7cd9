"""The in-memory vector index: from COARSE_FROM vectors on, a projected scan shortlists the rows
that get the exact cosine; the answer is the exact scan's."""

import pytest

np = pytest.importorskip("numpy")

from bot.services.requests.sentence_vectors import DIMENSIONS  # noqa: E402
from bot.services.requests.vector_index import COARSE_FROM, _Workspace  # noqa: E402
from storage.search.vectors import StoredVector  # noqa: E402


def _unit_rows(rng, count: int) -> "np.ndarray":
    # Like sentence vectors, most of the spread lies along a few dozen directions.
    spread = rng.standard_normal((count, 48)) @ rng.standard_normal((48, DIMENSIONS))
    rows = (spread + 0.3 * rng.standard_normal((count, DIMENSIONS))).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def _workspace(rows: "np.ndarray", first_id: int = 1) -> _Workspace:
    workspace = _Workspace()
    workspace.add(
        [StoredVector(first_id + at, 10_000 + at, row.astype("<f4").tobytes()) for at, row in enumerate(rows)]
    )
    return workspace


def test_the_projected_scan_finds_the_exact_nearest() -> None:
    rng = np.random.default_rng(7)
    rows = _unit_rows(rng, COARSE_FROM + 500)
    exact = _workspace(rows)
    coarse = _workspace(rows)
    coarse.use(*coarse.fit())
    assert coarse.axes is not None and exact.axes is None
    queries = rows[rng.choice(len(rows), 20)] + 0.05 * rng.standard_normal((20, DIMENSIONS)).astype(
        np.float32
    )

    for query in queries / np.linalg.norm(queries, axis=1, keepdims=True):
        assert [at for at, _ in coarse.nearest(query, 30)] == [at for at, _ in exact.nearest(query, 30)]


def test_vectors_added_after_the_fit_are_projected_too() -> None:
    rng = np.random.default_rng(8)
    rows = _unit_rows(rng, COARSE_FROM + 2)
    workspace = _workspace(rows[:-2])
    axes, projected, fitted = workspace.fit()
    workspace.add([StoredVector(COARSE_FROM + 1, 99_001, rows[-2].tobytes())])  # while fitting
    workspace.use(axes, projected, fitted)
    workspace.add([StoredVector(COARSE_FROM + 2, 99_002, rows[-1].tobytes())])  # after

    assert workspace.nearest(rows[-2], 1)[0][0] == 99_001
    assert workspace.nearest(rows[-1], 1)[0][0] == 99_002
