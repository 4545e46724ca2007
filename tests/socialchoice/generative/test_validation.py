"""Rater validation on real Polis votes: hiding, representations, metrics, baselines."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.calibration import calibration_curve
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    brier_score_loss,
    log_loss,
    roc_auc_score,
)

import socialchoice as sc
from socialchoice import GenerativeError, VoteMatrixError
from socialchoice.bridging import shipped_conversations
from socialchoice.generative._calibration import fit_authored_calibration
from socialchoice.generative._hiding import hide_votes
from socialchoice.generative._rater_baselines import majority_baseline
from socialchoice.generative._rater_metrics import binary_metrics, reliability_table
from socialchoice.generative._representations import (
    _opinion_vectors_reference,
    authored_matrix,
    opinion_texts,
    opinion_vectors,
)
from socialchoice.generative._validation import validate_rater


def random_votes(rng: np.random.Generator, n: int, m: int, seen: float = 0.6) -> np.ndarray:
    V = rng.choice([-1.0, 0.0, 1.0], size=(n, m), p=[0.35, 0.15, 0.5])
    V[rng.random((n, m)) > seen] = np.nan
    return V


@pytest.fixture(scope="module")
def brexit():
    return sc.read_polis(shipped_conversations()["brexit-consensus"])


# ------------------------------------------------------------------------------ hide_votes
@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 30),
    m=st.integers(1, 25),
    fraction=st.floats(0.01, 0.99),
    min_votes=st.integers(0, 8),
)
def test_hide_votes_properties(seed, n, m, fraction, min_votes):
    rng = np.random.default_rng(seed)
    V = random_votes(rng, n, m)
    V_train, hidden = hide_votes(V, fraction, rng=seed, min_votes=min_votes)
    votes = np.abs(V) == 1
    count = votes.sum(axis=1)
    assert hidden.shape == V.shape and hidden.dtype == bool
    assert votes[hidden].all()  # only agree/disagree votes are hidden
    assert np.isnan(V_train[hidden]).all()
    np.testing.assert_array_equal(V_train[~hidden], V[~hidden])
    per_row = hidden.sum(axis=1)
    assert (per_row[count <= min_votes] == 0).all()
    assert (count - per_row >= np.minimum(count, min_votes)).all()  # min_votes stay visible
    quota = fraction * count
    free = count > min_votes
    # floor or ceil of the quota, unless capped by min_votes
    expected_lo = np.minimum(np.floor(quota), count - min_votes)[free]
    expected_hi = np.minimum(np.ceil(quota), count - min_votes)[free]
    assert ((per_row[free] >= expected_lo) & (per_row[free] <= expected_hi)).all()


def test_hide_votes_fraction_and_determinism():
    rng = np.random.default_rng(1)
    V = random_votes(rng, 400, 40)
    _, h1 = hide_votes(V, 0.1, rng=7)
    _, h2 = hide_votes(V, 0.1, rng=7)
    _, h3 = hide_votes(V, 0.1, rng=8)
    np.testing.assert_array_equal(h1, h2)
    assert not np.array_equal(h1, h3)
    eligible = ((np.abs(V) == 1).sum(axis=1) > 5)[:, None] & (np.abs(V) == 1)
    assert h1.sum() / eligible.sum() == pytest.approx(0.1, abs=0.01)


def test_hide_votes_accepts_negative_seeds():
    V = random_votes(np.random.default_rng(2), 40, 20)
    _, h1 = hide_votes(V, 0.3, rng=-4)
    _, h2 = hide_votes(V, 0.3, rng=-4)
    np.testing.assert_array_equal(h1, h2)
    assert h1.any()


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"fraction": 0.0}, GenerativeError, "'fraction' parameter of hide_votes"),
        ({"fraction": 1.0}, GenerativeError, "float in \\(0, 1\\)"),
        ({"min_votes": -1}, GenerativeError, "'min_votes' parameter"),
        ({"V": [[1, 2]]}, VoteMatrixError, r"entry \[0, 1\] is 2\.0"),
        ({"V": [1, -1]}, VoteMatrixError, "'V' parameter of hide_votes must be a 2-D matrix"),
        ({"rng": "seed"}, GenerativeError, "'rng' parameter of hide_votes"),
    ],
)
def test_hide_votes_errors(kwargs, error, match):
    args = {"V": [[1.0, -1.0, np.nan]], **kwargs}
    with pytest.raises(error, match=match):
        hide_votes(**args)


# ------------------------------------------------------------------------------ representations
def test_opinion_vectors_match_reference():
    rng = np.random.default_rng(3)
    V = random_votes(rng, 50, 12, seen=0.5)
    E = rng.normal(size=(12, 7))
    E /= np.linalg.norm(E, axis=1, keepdims=True)
    authored = rng.random((50, 12)) < 0.1
    U = opinion_vectors(V, E, authored=authored)
    np.testing.assert_allclose(U, _opinion_vectors_reference(V, E, authored), atol=1e-12)
    norms = np.linalg.norm(U, axis=1)
    assert np.allclose(norms[norms > 0], 1.0)


def test_authored_counts_as_agreed_only_without_a_visible_vote():
    E = np.eye(3)
    V = [[np.nan, 0.0, np.nan]]
    authored = [[True, True, False]]
    # column 0: authored and unseen -> agreed; column 1: authored but passed -> not agreed
    assert opinion_vectors(V, E, authored=authored).tolist() == [[1.0, 0.0, 0.0]]
    assert opinion_texts(V, ["A", "B", "C"], authored=authored) == {0: "I agree: A."}


def test_opinion_texts_limits_and_determinism():
    V = np.array([[1, 1, 1, 1, 1, 1, -1, -1, -1, np.nan]])
    texts = [f"S{j}" for j in range(10)]
    a = opinion_texts(V, texts, n_each=2, rng=5)[0]
    assert a == opinion_texts(V, texts, n_each=2, rng=5)[0]
    assert a.count("I agree:") == 2 and a.count("I disagree:") == 2
    assert "S9" not in a
    with pytest.raises(GenerativeError, match="one text per column"):
        opinion_texts(V, texts[:3])


def test_authored_matrix_on_shipped(brexit):
    conv = brexit.accepted()
    A = authored_matrix(conv)
    assert A.sum() == conv.n_statements  # every statement has one author among participants
    pid = {p: i for i, p in enumerate(conv.participant_ids.tolist())}
    for j, s in enumerate(conv.statements):
        assert A[pid[s.author_id], j]


# ------------------------------------------------------------------------------ metrics
@pytest.mark.parametrize("seed", range(5))
def test_metrics_match_sklearn(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 300))
    y = rng.random(n) < 0.6
    y[:2] = [True, False]
    p = np.clip(0.5 * y + 0.5 * rng.random(n) - 0.1 * (seed % 2), 0.01, 0.99)
    m = binary_metrics(y, p)
    assert m.n == n
    assert m.accuracy == pytest.approx(accuracy_score(y, p >= 0.5))
    assert m.balanced_accuracy == pytest.approx(balanced_accuracy_score(y, p >= 0.5))
    assert m.brier == pytest.approx(brier_score_loss(y, p))
    assert m.log_loss == pytest.approx(log_loss(y, p))
    assert m.auc == pytest.approx(roc_auc_score(y, p))
    table = [b for b in reliability_table(y, p) if b.count]
    observed, predicted = calibration_curve(y, p, n_bins=10, strategy="uniform")
    np.testing.assert_allclose([b.observed for b in table], observed)
    np.testing.assert_allclose([b.mean_predicted for b in table], predicted)
    counts = np.array([b.count for b in table])
    ece = np.sum(counts / n * np.abs(observed - predicted))
    assert m.ece == pytest.approx(ece)


def test_metrics_edge_cases():
    m = binary_metrics([1, 1], [1.0, 0.0])  # one class: AUC undefined, log loss clipped
    assert np.isnan(m.auc) and m.accuracy == 0.5 and m.balanced_accuracy == 0.5
    assert m.log_loss == pytest.approx(log_loss([1, 1], [1.0, 0.0], labels=[0, 1]))
    assert binary_metrics([0, 1], [0.7, 0.7], predicted=[False, True]).accuracy == 1.0
    with pytest.raises(GenerativeError, match="lie in \\[0, 1\\]"):
        binary_metrics([0, 1], [0.2, 1.2])
    with pytest.raises(GenerativeError, match="equal non-zero length"):
        binary_metrics([0, 1], [0.2])


# ------------------------------------------------------------------------------ baselines
def test_majority_baseline_by_hand():
    V = [
        [1, -1, 1, 0, np.nan],
        [1, -1, -1, 0, np.nan],
        [-1, 1, np.nan, 1, 0],
        [1, -1, np.nan, -1, np.nan],
    ]
    p, predicted = majority_baseline(V)
    # agrees/disagrees per column: 3/1, 1/3, 1/1, 1/1, 0/0; overall 6 agrees vs 6 disagrees
    np.testing.assert_allclose(p, [4 / 6, 2 / 6, 2 / 4, 2 / 4, 1 / 2])
    assert predicted.tolist() == [True, False, True, True, True]
    # a tied statement takes the overall majority, here disagreement (1 agree vs 4)
    p, predicted = majority_baseline([[-1, 1], [-1, -1], [-1, np.nan]])
    np.testing.assert_allclose(p, [1 / 5, 2 / 4])
    assert predicted.tolist() == [False, False]


# ------------------------------------------------------------------------------ validation
def test_validate_rater_errors(brexit):
    with pytest.raises(GenerativeError, match=r"one of 'embedding', 'llm', 'cf'\. Got 'bert'"):
        validate_rater(brexit, "bert", rng=0)
    with pytest.raises(GenerativeError, match="needs the 'embedder' parameter"):
        validate_rater(brexit, "embedding", rng=0)
    with pytest.raises(GenerativeError, match="needs the 'chat_model' parameter"):
        validate_rater(brexit, "llm", rng=0)
    with pytest.raises(GenerativeError, match=r"No vote .* could be hidden"):
        validate_rater(brexit, "embedding", rng=0, embedder=object(), min_votes=10_000)
    with pytest.raises(GenerativeError, match=r"'max_hidden' parameter of validate_rater"):
        validate_rater(brexit, "embedding", rng=0, embedder=object(), max_hidden=0)
    with pytest.raises(GenerativeError, match=r"'progress' parameter of validate_rater"):
        validate_rater(brexit, "embedding", rng=0, embedder=object(), progress="bar")


def test_the_old_module_still_offers_the_public_names():
    from socialchoice.generative import _validation

    for name in _validation.__all__:
        assert hasattr(_validation, name), name


def test_embedding_validation_on_polis(brexit, embedder):
    res = validate_rater(brexit, "embedding", fraction=0.1, rng=0, embedder=embedder)
    conv = brexit.accepted()
    V = conv.votes
    assert res.conversation == "brexit-consensus" and res.rater == "embedding"
    assert res.n_hidden == res.n_hidden_total > 100
    assert res.n_votes == int((np.abs(V) == 1).sum()) and res.n_passes == int((V == 0).sum())
    for value in (res.accuracy, res.balanced_accuracy, res.brier, res.ece, res.auc):
        assert 0.0 <= value <= 1.0
    assert set(res.baselines) == {"majority", "overall"}
    assert res.baselines["overall"].balanced_accuracy == 0.5
    assert sum(b.count for b in res.reliability) == res.n_hidden
    a, _ = res.calibration
    assert a > 0  # more similar -> more likely to agree, fitted on training votes only
    # the same seed hides the same votes: the subsample is a subset with the same baselines
    sub = validate_rater(brexit, "embedding", fraction=0.1, rng=0, embedder=embedder, max_hidden=50)
    assert sub.n_hidden == 50 and sub.n_hidden_total == res.n_hidden_total
    assert sub.calibration == res.calibration


def test_fit_authored_calibration(embedder):
    convs = [sc.read_polis(f) for f in shipped_conversations().values()]
    fit = fit_authored_calibration(convs, embedder)
    assert fit.n_pairs > 500  # every author's votes on statements they did not write
    assert np.isfinite(fit.calibration).all() and 0.0 <= fit.auc <= 1.0


def test_rows_list_rater_then_baselines(brexit, embedder):
    res = validate_rater(brexit, "embedding", rng=1, embedder=embedder, max_hidden=30)
    rows = res.rows()
    assert [r["rater"] for r in rows] == ["embedding", "majority", "overall"]
    assert all(r["n"] == 30 for r in rows)
    lo, hi = res.prediction_range
    assert 0.0 <= lo <= hi <= 1.0


def test_llm_validation_smoke(brexit, chat_model):
    calls = []
    res = validate_rater(
        brexit,
        "llm",
        fraction=0.1,
        rng=0,
        chat_model=chat_model,
        max_hidden=20,
        n_each=2,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert res.n_hidden == 20 and res.rater == "llm" and res.calibration is None
    assert 0.0 <= res.accuracy <= 1.0 and 0.0 <= res.brier <= 1.0
    assert calls[-1] == (20, 20)
    assert sum(b.count for b in res.reliability) == 20
