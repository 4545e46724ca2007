"""The balanced (Monroe) matching every slate is judged by, against a brute-force reference."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialchoice import GenerativeError
from socialchoice.generative import Slate, matched_utilities, rematch, slate_ratings
from socialchoice.generative._matching import _matching_welfare_reference


@st.composite
def _ratings(draw: st.DrawFn) -> np.ndarray:
    n = draw(st.integers(1, 7))
    k = draw(st.integers(1, min(n, 3)))
    cells = draw(st.lists(st.integers(0, 6), min_size=n * k, max_size=n * k))
    return np.array(cells, dtype=float).reshape(n, k)


@settings(max_examples=80, deadline=None)
@given(_ratings())
def test_matching_is_balanced_and_optimal(R: np.ndarray) -> None:
    n, k = R.shape
    assignment, u = matched_utilities(R)
    sizes = np.bincount(assignment, minlength=k)
    assert sizes.min() >= n // k and sizes.max() <= -(-n // k)
    np.testing.assert_array_equal(u, R[np.arange(n), assignment])
    assert u.sum() == pytest.approx(_matching_welfare_reference(R))


def test_reference_on_a_hand_checked_case() -> None:
    # 3 agents, 2 slots: sizes {2, 1}; best puts agents 0, 1 on slot 0 and agent 2 on slot 1.
    R = np.array([[6.0, 0.0], [5.0, 4.0], [5.0, 6.0]])
    assert _matching_welfare_reference(R) == 17.0
    assert matched_utilities(R)[1].sum() == 17.0


def test_rematch_keeps_statements_and_rounds() -> None:
    s = Slate((0, 1, 2, 3), ("a", "b"), [0, 0, 1, 1], [6.0, 5.0, 0.0, 6.0], method="generative")
    R = np.array([[6.0, 0.0], [5.0, 4.0], [5.0, 0.0], [0.0, 6.0]])
    out = rematch(s, R)
    assert out.statements == s.statements and out.method == "generative"
    assert out.assignment.tolist() == [0, 1, 0, 1] and out.utilities.sum() == 21.0
    with pytest.raises(GenerativeError, match=r"finite \(4, 2\) matrix"):
        rematch(s, R[:3])
    with pytest.raises(GenerativeError, match=r"finite \(4, 2\) matrix"):
        rematch(s, np.where(R == 6, np.nan, R))


def test_slate_ratings_lookup() -> None:
    s = Slate((0, 1), ("b", "a"), [0, 1], [2.0, 6.0])
    U = np.array([[1.0, 2.0], [6.0, 0.0]])
    assert slate_ratings(s, U) is None
    assert slate_ratings(s, U, statements=["a", "b"]).tolist() == [[2.0, 1.0], [0.0, 6.0]]
    given_ = np.ones((2, 2))
    assert slate_ratings(s, U, statements=["a", "b"], ratings=given_) is not None
    with pytest.raises(GenerativeError, match="'b', which is not in the pool of 2"):
        slate_ratings(s, U, statements=["a", "c"])
