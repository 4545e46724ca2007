"""VoteRater and complete_votes: low-rank completion of agree/disagree votes, side information."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialchoice import GenerativeError, VoteMatrixError, read_polis
from socialchoice.bridging import shipped_conversations
from socialchoice.generative import (
    Rater,
    VoteRater,
    agree_probabilities,
    complete_votes,
    validate_rater,
    vote_utilities,
)

NAN = float("nan")


def _camps(n: int = 60, m: int = 12, hide: float = 0.3, seed: int = 0) -> tuple[np.ndarray, ...]:
    """Two camps with opposite votes on every statement; ``hide`` of the cells unseen."""
    rng = np.random.default_rng(seed)
    camp = np.where(rng.random(n) < 0.5, 1.0, -1.0)
    stance = np.where(rng.random(m) < 0.5, 1.0, -1.0)
    truth = np.outer(camp, stance)
    V = truth.copy()
    V[rng.random((n, m)) < hide] = np.nan
    return truth, V


def test_completion_recovers_two_camps() -> None:
    truth, V = _camps()
    X = complete_votes(V, rank=1)
    unseen = np.isnan(V)
    assert np.mean(np.sign(X[unseen]) == truth[unseen]) > 0.97
    np.testing.assert_array_equal(X[~unseen], V[~unseen])


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 8).flatmap(
        lambda n: st.integers(1, 6).flatmap(
            lambda m: st.lists(
                st.sampled_from([1.0, -1.0, 0.0, NAN]), min_size=n * m, max_size=n * m
            ).map(lambda cells: np.array(cells).reshape(n, m))
        )
    )
)
def test_completion_keeps_votes_and_stays_in_range(V: np.ndarray) -> None:
    X = complete_votes(V, rank=1, max_iter=20)
    seen = ~np.isnan(V)
    assert np.isfinite(X).all() and (np.abs(X) <= 1).all()
    np.testing.assert_array_equal(X[seen], V[seen])


def test_completion_bad_input() -> None:
    with pytest.raises(VoteMatrixError, match=r"'votes' parameter of complete_votes"):
        complete_votes([[1, 2]])
    with pytest.raises(GenerativeError, match=r"'rank' parameter of complete_votes must be"):
        complete_votes([[1, -1], [1, NAN]], rank=0)
    assert complete_votes([[1, -1], [1, NAN]], rank=5).shape == (2, 2)  # rank capped at 2
    with pytest.raises(GenerativeError, match="at least one participant"):
        complete_votes(np.empty((0, 3)))
    with pytest.raises(GenerativeError, match=r"'tol' parameter"):
        complete_votes([[1.0]], tol=0)


def test_probabilities_are_calibrated_on_held_out_votes() -> None:
    truth, V = _camps(n=200, m=20, hide=0.3, seed=2)
    noisy = np.where(np.random.default_rng(3).random(V.shape) < 0.1, -V, V)  # 10% flipped
    P, calibration = agree_probabilities(noisy, rank=1)
    assert calibration is not None and calibration[0] > 0  # a higher completed vote: agree
    seen = ~np.isnan(noisy)
    np.testing.assert_array_equal(P[seen], (noisy[seen] + 1) / 2)
    unseen = P[~seen]
    assert ((unseen > 0) & (unseen < 1)).all()  # calibrated: never certain
    hits = (unseen >= 0.5) == (truth[~seen] > 0)
    assert hits.mean() > 0.95
    P_raw, none = agree_probabilities(noisy, rank=1, calibrate=False)
    assert none is None and np.array_equal(P_raw[seen], P[seen])
    assert VoteRater(noisy, [f"s{j}" for j in range(20)], rank=1).calibration == calibration


class Toy:
    """Two-dimensional embeddings: how often a text says 'spend' and 'tax'."""

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.array([[t.count("spend") + 0.1, t.count("tax") + 0.1] for t in texts])


def test_vote_rater_is_a_rater_and_uses_side_information() -> None:
    truth, V = _camps(m=4, seed=1)
    texts = ["tax less", "spend less", "spend more", "tax more"]
    ids = [f"p{i}" for i in range(60)]
    rater = VoteRater(V, texts, embedder=Toy(), rank=1, neighbours=1, ids=ids)
    assert isinstance(rater, Rater) and rater.scale == (0.0, 6.0)
    R = rater.rate(["p0", "p1"], texts)
    assert R.shape == (2, 4) and ((R >= 0) & (R <= 6)).all()
    assert np.all((R >= 3) == (truth[:2] > 0))
    # a new statement is rated like its nearest voted statement ("tax less")
    new = rater.rate(["p0", "p5"], ["tax cuts"])
    np.testing.assert_allclose(new[:, 0], rater.rate(["p0", "p5"], ["tax less"])[:, 0])
    # a column nobody voted on also goes through the side information
    V[:, 3] = np.nan
    blind = VoteRater(V, texts, embedder=Toy(), rank=1, neighbours=1)
    np.testing.assert_allclose(blind.rate([0], ["tax more"]), blind.rate([0], ["tax less"]))


def test_vote_rater_bad_input() -> None:
    _, V = _camps(m=3)
    rater = VoteRater(V, ["a", "b", "c"])
    with pytest.raises(GenerativeError, match="nobody voted on it and no embedder was given"):
        rater.rate([0], ["d"])
    with pytest.raises(GenerativeError, match="Unknown agent id 99"):
        rater.rate([99], ["a"])
    with pytest.raises(GenerativeError, match="one non-empty text per column"):
        VoteRater(V, ["a", "b"])
    with pytest.raises(GenerativeError, match="60 distinct agent ids"):
        VoteRater(V, ["a", "b", "c"], ids=[0] * 60)
    with pytest.raises(GenerativeError, match="single str"):
        rater.rate([0], "a")


def test_vote_utilities() -> None:
    V = [[1, -1, 0, NAN]] * 2 + [[1, -1, 0, 1]]
    assert vote_utilities(V, fill="neutral").tolist()[0] == [6.0, 0.0, 3.0, 3.0]
    U = vote_utilities(V, rank=1, scale=(1, 7))
    assert U[0, :3].tolist() == [7.0, 1.0, 4.0] and 1 <= U[0, 3] <= 7
    with pytest.raises(GenerativeError, match=r"'fill' parameter of vote_utilities"):
        vote_utilities(V, fill="zero")


@pytest.mark.parametrize("name", sorted(shipped_conversations()))
def test_cf_rater_beats_the_majority_on_real_votes(name: str) -> None:
    conv = read_polis(shipped_conversations()[name])
    res = validate_rater(conv, "cf", rng=0)
    major = res.baselines["majority"]
    assert res.rater == "cf" and res.n_hidden == major.n
    # on the two original conversations by 6-17 accuracy points; on bg2050-volunteers and
    # scoop-hivemind.ubi (read by hand) by about 1 point, with AUC and Brier clearly better
    assert res.accuracy >= major.accuracy - 0.005
    assert res.auc > major.auc + 0.03 and res.brier < major.brier


def test_cf_rater_on_brexit_consensus_matches_the_reference_point() -> None:
    # issue 13: a rank-2 iterative SVD predicts 10% hidden votes (seed 0) at 85.6% against the
    # majority's 81.7%; validate_rater hides a different 10% (its own seed streams)
    conv = read_polis(shipped_conversations()["brexit-consensus"])
    res = validate_rater(conv, "cf", rng=0)
    assert res.accuracy > 0.83 and res.accuracy > res.baselines["majority"].accuracy + 0.04
