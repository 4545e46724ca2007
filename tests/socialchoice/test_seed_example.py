"""The slides' preference function (docs/reference.md §1), as a matrix and as a real profile."""

from __future__ import annotations

import numpy as np
import pytest

import socialchoice as sc

# F(x, y) over (a, b, c, d): row beats column = +1
F = np.array([[0, 1, 1, -1], [-1, 0, 1, -1], [-1, -1, 0, 1], [1, 1, -1, 0]])
# three voters whose majority relation is exactly F (every margin is ±1)
SEED_PROFILE = sc.Profile([["a", "b", "c", "d"], ["d", "a", "b", "c"], ["c", "d", "b", "a"]])


def test_the_profile_realises_the_preference_function():
    assert (SEED_PROFILE.margin_matrix() == F).all()


@pytest.mark.parametrize("data", [F, SEED_PROFILE], ids=["matrix", "profile"])
def test_copeland_is_a_and_d(data):
    expected = [0, 3] if data is F else ["a", "d"]
    assert sc.winners(data, "copeland") == expected


@pytest.mark.parametrize("data", [F, SEED_PROFILE], ids=["matrix", "profile"])
def test_minimax_is_all_four(data):
    expected = [0, 1, 2, 3] if data is F else ["a", "b", "c", "d"]
    assert sc.winners(data, "minimax") == expected


def test_no_condorcet_winner():
    assert SEED_PROFILE.condorcet_winner() is None
    assert sc.winners(F, "condorcet") == [0, 1, 2, 3]


def test_copeland_scores_win_one_tie_half():
    # win 1, tie 1/2, loss 0: a 2, b 1, c 1, d 2
    wins = (F > 0).sum(1) + 0.5 * ((F == 0).sum(1) - 1)
    assert wins.tolist() == [2, 1, 1, 2]
    assert sc.ranking(F, "copeland") == [[0, 3], [1, 2]]
