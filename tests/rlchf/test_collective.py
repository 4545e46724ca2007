"""collective_scores: every rule's and welfare function's definition, weights, errors."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

import socialchoice as sc
from rlchf import RLCHFError, collective_scores
from rlchf._collective import scores_from_rewards

RESPONSES = ["x", "y", "z"]


class Table:
    """A stand-in conditioned model: member ``kind`` k has the rewards ``REWARDS[k]``."""

    features = ("kind",)
    REWARDS: ClassVar[dict] = {
        "left": [3.0, 2.0, 0.0], "right": [0.0, 1.0, 3.0], "mid": [1.0, 3.0, 2.0]}

    def _member_rewards(self, prompts, responses, population):
        rows = np.array([self.REWARDS[k] for k in population["kind"]])
        return np.broadcast_to(rows, (len(prompts), *rows.shape)).copy()


class Pooled:
    """A pooled model: only ``reward(prompts, responses)``."""

    def reward(self, prompts, responses):
        return np.array([{"x": 0.5, "y": 2.0, "z": -1.0}[r] for r in responses])


POP = pd.DataFrame({"kind": ["left", "right", "mid"], "weight": [0.45, 0.35, 0.2]})


def _scores(rule, population=POP):
    return collective_scores(Table(), "Q", RESPONSES, population, rule).to_numpy()


def _margins():
    R = np.array([Table.REWARDS[k] for k in POP["kind"]])
    S = np.sign(R[:, :, None] - R[:, None, :])
    return np.einsum("nab,n->ab", S, POP["weight"].to_numpy())


def test_returns_a_series_indexed_by_response():
    s = collective_scores(Table(), "Q", RESPONSES, POP, "borda")
    assert isinstance(s, pd.Series) and list(s.index) == RESPONSES and s.name == "borda"


def test_borda_is_the_weighted_borda_count():
    # left ranks x>y>z, right z>y>x, mid y>z>x: points 2, 1, 0
    expected = [0.45 * 2, 0.45 * 1 + 0.35 * 1 + 0.2 * 2, 0.35 * 2 + 0.2 * 1]
    np.testing.assert_allclose(_scores("borda"), expected)


def test_margin_rules_match_socialchoice():
    M = _margins()
    from socialchoice.rules.condorcet import copeland_scores, minimax_scores

    np.testing.assert_allclose(_scores("copeland"), copeland_scores(np.round(M, 10)))
    np.testing.assert_allclose(_scores("minimax"), -minimax_scores(np.round(M, 10)))
    np.testing.assert_allclose(_scores("maximal_lottery"), sc.maximal_lottery(M), atol=1e-9)
    assert _scores("condorcet").tolist() == sc.winner_mask(M, "condorcet").astype(float).tolist()


def test_profile_rules_use_the_members_ballots():
    # plurality: left (x) 0.45, right (z) 0.35, mid (y) 0.2
    assert _scores("plurality").tolist() == [1.0, 0.0, 0.0]
    # instant runoff: mid (0.2) is out, its vote goes to z (mid ranks y > z > x): z wins
    assert _scores("instant_runoff").tolist() == [0.0, 0.0, 1.0]


def test_weights_decide():
    flipped = POP.assign(weight=[0.2, 0.45, 0.35])
    assert _scores("plurality", flipped).tolist() == [0.0, 0.0, 1.0]
    zero = POP.assign(weight=[1.0, 0.0, 0.0])
    assert np.argmax(_scores("copeland", zero)) == 0


def test_welfare_definitions():
    R = np.array([Table.REWARDS[k] for k in POP["kind"]])
    w = POP["weight"].to_numpy()
    centred = R - R.mean(axis=1, keepdims=True)
    np.testing.assert_allclose(_scores("utilitarian"), w @ centred / w.sum())
    u = np.array([[np.mean([expit(r[a] - r[b]) for b in range(3) if b != a]) for a in range(3)]
                  for r in R])
    np.testing.assert_allclose(_scores("egalitarian"), u.min(axis=0))
    np.testing.assert_allclose(_scores("nash"), w @ np.log(u) / w.sum())
    # a member of weight 0 does not count as the worst-off
    only_two = POP.assign(weight=[0.5, 0.5, 0.0])
    np.testing.assert_allclose(_scores("egalitarian", only_two), u[:2].min(axis=0))


def test_pooled_model_needs_no_population():
    s = collective_scores(Pooled(), "Q", RESPONSES, None, "copeland")
    assert s.idxmax() == "y" and s.tolist() == [0.0, 2.0, -2.0]
    u = collective_scores(Pooled(), "Q", RESPONSES, pd.DataFrame({"weight": [1, 3]}),
                          "utilitarian")
    np.testing.assert_allclose(u.to_numpy(), [0.5, 2.0, -1.0] - np.mean([0.5, 2.0, -1.0]))


def test_float_weights_do_not_create_fake_margins():
    # 0.1 + 0.2 against 0.3 is a tie, not a win by 5e-17
    R = np.array([[[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]])
    s = scores_from_rewards(R, np.array([0.1, 0.2, 0.3]), "copeland")
    assert s.tolist() == [[0.0, 0.0]]


def test_bad_input():
    with pytest.raises(RLCHFError, match="'rule' parameter of collective_scores"):
        _scores("dictatorship")
    with pytest.raises(RLCHFError, match="needs at least one row and a 'weight' column"):
        _scores("borda", POP.drop(columns="weight"))
    with pytest.raises(RLCHFError, match=r"Row 1 of the population, column 'weight'"):
        _scores("borda", POP.assign(weight=[1.0, -1.0, 1.0]))
    with pytest.raises(RLCHFError, match="weights sum to 0"):
        _scores("borda", POP.assign(weight=0.0))
    with pytest.raises(RLCHFError, match="at least two distinct responses"):
        collective_scores(Table(), "Q", ["x", "x"], POP)
    with pytest.raises(RLCHFError, match="must be a list of strings"):
        collective_scores(Table(), "Q", "xyz", POP)
    with pytest.raises(RLCHFError, match="needs a population"):
        collective_scores(Table(), "Q", RESPONSES, None)
    with pytest.raises(RLCHFError, match="reward model with reward"):
        collective_scores(object(), "Q", RESPONSES, None)


def test_expected_vote_uses_the_predicted_probabilities():
    R = np.array([Table.REWARDS[k] for k in POP["kind"]])
    w = POP["weight"].to_numpy()
    M = np.einsum("nab,n->ab", 2 * expit(R[:, :, None] - R[:, None, :]) - 1, w)
    got = collective_scores(Table(), "Q", RESPONSES, POP, "borda", vote="expected")
    np.testing.assert_allclose(got.to_numpy(), (M.sum(axis=1) + w.sum() * 2) / 2)
    from socialchoice.rules.condorcet import copeland_scores

    np.testing.assert_allclose(
        collective_scores(Table(), "Q", RESPONSES, POP, "copeland", vote="expected"),
        copeland_scores(np.round(M, 10)))
    with pytest.raises(RLCHFError, match="'plurality' needs ballots"):
        collective_scores(Table(), "Q", RESPONSES, POP, "plurality", vote="expected")
    with pytest.raises(RLCHFError, match="'vote' parameter of collective_scores"):
        collective_scores(Table(), "Q", RESPONSES, POP, "borda", vote="mean")
