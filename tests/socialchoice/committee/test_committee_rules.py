"""Committee rules: registry, fast vs reference, cardinal utilities, bad input, a large PAV."""

from __future__ import annotations

import inspect
import itertools
import math
import time

import numpy as np
import pytest

from socialchoice import ApprovalError, RuleInputError, UnknownRuleError, committee
from socialchoice.committee import _monroe, _sequential_ref, _thiele
from socialchoice.committee._prep import aggregate_rows, level_sets
from socialchoice.committee._registry import register

RULES = [
    "approval_voting",
    "chamberlin_courant",
    "equal_shares",
    "monroe",
    "pav",
    "satisfaction_approval",
    "seq_pav",
    "seq_phragmen",
]
REFERENCES = {
    "approval_voting": _thiele._av_reference,
    "satisfaction_approval": _thiele._sav_reference,
    "pav": _thiele._pav_reference,
    "chamberlin_courant": _thiele._cc_reference,
    "monroe": _monroe._monroe_reference,
    "seq_pav": _sequential_ref._seq_pav_reference,
    "seq_phragmen": _sequential_ref._seq_phragmen_reference,
    "equal_shares": _sequential_ref._equal_shares_reference,
}
OPTIMISATION = {name: committee.COMMITTEE_RULES[name].compute
                for name in ("pav", "chamberlin_courant", "monroe")}


# --- registry ---------------------------------------------------------------------------------


def test_registry_lists_the_rules_with_their_metadata():
    assert committee.rule_names() == RULES
    for name in RULES:
        rule = committee.COMMITTEE_RULES[name]
        assert isinstance(rule, committee.CommitteeRule)
        assert rule.name == name and rule.func is getattr(committee, name)
        assert rule.summary and rule.reference and rule.exact
        assert rule.approval_only == (name == "seq_phragmen")
        assert rule.integer_weights == (name == "monroe")
        assert rule.family in {"separable", "thiele", "sequential", "phragmen", "monroe"}
    A = [[1, 0, 1], [0, 1, 1]]
    assert committee.COMMITTEE_RULES["pav"](A, 1) == committee.pav(A, 1) == (2,)
    with pytest.raises(AttributeError):
        committee.COMMITTEE_RULES["pav"].name = "x"  # frozen


def test_a_rule_is_one_decorated_function_carrying_its_metadata():
    @register("lowest_index", family="separable", reference="a test rule")
    def lowest_index(U, w, k, *, resolute, is_approval):
        """The k lowest-index candidates (a rule for this test).

        More text.
        """
        return [tuple(range(k))]

    try:
        rule = committee.COMMITTEE_RULES["lowest_index"]
        assert rule.func is lowest_index and rule.compute is lowest_index.__wrapped__
        assert rule.summary == "The k lowest-index candidates (a rule for this test)."
        assert "lowest_index" in committee.rule_names()
        assert inspect.signature(lowest_index) == inspect.signature(committee.approval_voting)
        assert rule.options == () and committee.COMMITTEE_RULES["pav"].options == ("time_limit",)
        assert list(inspect.signature(committee.pav).parameters)[-1] == "time_limit"
        assert lowest_index.__name__ == "lowest_index" and "More text." in lowest_index.__doc__
        A = [[0, 1, 1], [1, 0, 0]]
        assert lowest_index(A, 2) == committee.select(A, 2, "lowest_index") == (0, 1)
        assert rule(A, 1, resolute=False) == [(0,)]
        with pytest.raises(ApprovalError, match="'k' parameter of lowest_index"):
            lowest_index(A, 4)
        with pytest.raises(RuntimeError, match="registered twice"):
            register("lowest_index", family="separable", reference="")(rule.compute)
        with pytest.raises(ValueError, match="family 'other'"):
            register("other", family="other", reference="")
    finally:
        del committee.COMMITTEE_RULES["lowest_index"]
    assert "lowest_index" not in committee.rule_names()


def test_output_types_and_order():
    A = np.zeros((3, 5), dtype=bool)  # nobody approves anything: every committee wins
    for rule in RULES:
        one = committee.select(A, 2, rule)
        assert one == (0, 1) and all(type(c) is int for c in one)
        everything = committee.select(A, 2, rule, resolute=False)
        assert everything == list(itertools.combinations(range(5), 2)), rule


# --- fast vs reference (approvals) ----------------------------------------------------------


def test_fast_equals_exact_reference_on_approvals():
    rng = np.random.default_rng(3)
    for _ in range(60):
        n, m = int(rng.integers(1, 6)), int(rng.integers(2, 6))
        k = int(rng.integers(1, m + 1))
        A = rng.random((n, m)) < rng.choice([0.2, 0.5, 0.8])
        w = rng.integers(1, 3, size=n)
        for rule in RULES:
            if rule == "monroe" and w.sum() > 6:
                continue
            got = committee.select(A, k, rule, resolute=False, weights=w)
            assert got == REFERENCES[rule](A, w, k), (rule, A.astype(int).tolist(), w, k)


def _approval_case(rng):
    n, m = int(rng.integers(1, 10)), int(rng.integers(2, 8))
    k = int(rng.integers(1, m + 1))
    A = (rng.random((n, m)) < rng.choice([0.2, 0.5])).astype(float)
    if rng.random() < 0.5:
        A[:, rng.integers(m)] = A[:, 0]  # interchangeable candidates
    return A, rng.integers(1, 4, size=n).astype(float), k


def _cardinal_case(rng):
    n, m = int(rng.integers(1, 7)), int(rng.integers(2, 7))
    k = int(rng.integers(1, m + 1))
    U0 = rng.integers(0, 4, size=(n, m)) * (rng.random((n, m)) < 0.6) / 3.0
    return U0.astype(float), rng.integers(1, 3, size=n).astype(float), k


@pytest.mark.parametrize(
    ("case", "seed", "runs", "is_approval"),
    [(_approval_case, 5, 40, True), (_cardinal_case, 21, 25, False)],
    ids=["approval", "cardinal"],
)
@pytest.mark.parametrize("rule", sorted(OPTIMISATION))
def test_integer_program_equals_brute_force(rule, case, seed, runs, is_approval):
    compute = OPTIMISATION[rule]
    rng = np.random.default_rng(seed)
    for _ in range(runs):
        A, weights, k = case(rng)
        U, w = aggregate_rows(A, weights)
        kw = {"is_approval": is_approval}
        brute = compute(U, w, k, resolute=False, method="brute-force", **kw)
        assert compute(U, w, k, resolute=False, method="ilp", **kw) == brute, (rule, A.tolist(), k)
        assert compute(U, w, k, resolute=True, method="ilp", **kw) == brute[:1]


def test_integer_program_with_many_ties_and_symmetric_candidates():
    # 12 identical candidates: the integer program sees one class and expands it
    A = np.zeros((4, 12))
    U, w = aggregate_rows(A, np.ones(4))
    out = OPTIMISATION["pav"](U, w, 3, resolute=False, is_approval=True, method="ilp")
    assert out == list(itertools.combinations(range(12), 3))
    A = np.array([[1, 1, 1, 0, 0, 0, 0], [0, 0, 0, 1, 1, 1, 1]], dtype=float)
    U, w = aggregate_rows(A, np.ones(2))
    for compute in OPTIMISATION.values():
        got = compute(U, w, 2, resolute=False, is_approval=True, method="ilp")
        assert got == [(a, b) for a in range(3) for b in range(3, 7)]
        assert compute(U, w, 2, resolute=True, is_approval=True, method="ilp") == [(0, 3)]


def test_weights_equal_copies_and_row_order_does_not_matter():
    rng = np.random.default_rng(8)
    for _ in range(30):
        n, m = int(rng.integers(1, 7)), int(rng.integers(2, 7))
        k = int(rng.integers(1, m + 1))
        A = rng.random((n, m)) < 0.4
        w = rng.integers(1, 4, size=n)
        copies = np.repeat(A, w, axis=0)
        perm = rng.permutation(len(copies))
        for rule in RULES:
            weighted = committee.select(A, k, rule, resolute=False, weights=w)
            assert weighted == committee.select(copies[perm], k, rule, resolute=False), rule


def test_weights_scale_free_and_bool_equals_float():
    rng = np.random.default_rng(9)
    for _ in range(20):
        A = rng.random((6, 5)) < 0.4
        w = rng.integers(1, 5, size=6)
        for rule in RULES:
            base = committee.select(A, 3, rule, resolute=False, weights=w)
            assert base == committee.select(A.astype(float), 3, rule, resolute=False, weights=w)
            if rule != "monroe":  # weights are counts there
                scaled = committee.select(A, 3, rule, resolute=False, weights=w * 0.37)
                assert scaled == base, rule


# --- cardinal utilities ------------------------------------------------------------------------


@pytest.mark.parametrize("rule", [r for r in RULES if r != "seq_phragmen"])
def test_cardinal_utilities_equal_brute_force_over_all_committees(rule):
    rng = np.random.default_rng(sum(map(ord, rule)))
    for _ in range(40 if rule != "monroe" else 25):
        n = int(rng.integers(1, 5 if rule != "monroe" else 4))
        m = int(rng.integers(2, 6))
        k = int(rng.integers(1, m + 1))
        U = rng.integers(0, 5, size=(n, m)) * (rng.random((n, m)) < 0.7)
        U = U.astype(float) / rng.choice([1.0, 2.0])
        w = rng.integers(1, 3, size=n)
        got = committee.select(U, k, rule, resolute=False, weights=w)
        assert got == REFERENCES[rule](U, w, k), (rule, U.tolist(), w, k)
        assert committee.select(U, k, rule, weights=w) == got[0]


def test_cardinal_definitions_by_hand():
    U = [[3.0, 1.0, 0.0], [0.0, 2.0, 2.0]]
    assert committee.approval_voting(U, 1) == (0,)  # 3, 3, 2 -> tie 0, 1 -> lowest index
    assert committee.approval_voting(U, 1, resolute=False) == [(0,), (1,)]
    assert committee.satisfaction_approval(U, 1, resolute=False) == [(0,), (1,)]  # 3/4 each
    assert committee.pav(U, 2, resolute=False) == [(0, 1)]  # 3 + 1/2 + 2 beats 5 and 4
    assert committee.chamberlin_courant(U, 1, resolute=False) == [(0,), (1,)]  # 3 vs 1 + 2
    # OWA-PAV of {0, 1} for voter 0 is 3 + 1/2, not 1 + 3/2
    assert committee.pav([[1.0, 3.0, 2.9]], 2) == (1, 2)
    # Monroe: with k = 2 each member represents one voter
    assert committee.monroe([[3.0, 2.0, 0.0], [3.0, 0.0, 1.0]], 2, resolute=False) == [(0, 1)]


def test_level_sets_reproduce_owa_pav_scores():
    rng = np.random.default_rng(4)
    U = rng.integers(0, 4, size=(5, 4)).astype(float)
    w = np.arange(1.0, 6.0)
    B, bw = level_sets(U, w)
    for W in itertools.combinations(range(4), 2):
        owa = sum(
            wi * sum(u / (j + 1) for j, u in enumerate(sorted(row[list(W)], reverse=True)))
            for wi, row in zip(w, U, strict=True)
        )
        thiele = sum(bi * sum(1 / j for j in range(1, int(b[list(W)].sum()) + 1))
                     for bi, b in zip(bw, B, strict=True))
        assert math.isclose(owa, thiele)


def test_equal_shares_cardinal_follows_pps21():
    # budgets 1 each (k = 2, two voters); candidate 2 costs voter 1 rho = 1/3, the cheapest
    U = [[2.0, 1.0, 0.0], [0.0, 1.0, 3.0]]
    assert committee.equal_shares(U, 2, resolute=False) == [(0, 2)]


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize("rule", RULES)
def test_bad_input_raises_typed_errors(rule):
    A = [[1, 0, 1], [0, 1, 1]]
    with pytest.raises(ApprovalError, match=r"'k' parameter of select must be an int in \[1, 3\]"):
        committee.select(A, 0, rule)
    with pytest.raises(ApprovalError, match=rf"'k' parameter of {rule} .* Got 4"):
        getattr(committee, rule)(A, 4)
    with pytest.raises(ApprovalError, match=r"'k' parameter of select .* Got 1\.5 instead"):
        committee.select(A, 1.5, rule)
    with pytest.raises(ApprovalError, match=r"'A' parameter of select .* finite.*entry \[0, 1\]"):
        committee.select([[1, np.nan, 0]], 1, rule)
    with pytest.raises(ApprovalError, match=r"non-negative.*row 1 \(voter\), column 0"):
        committee.select([[1, 0], [-1, 1]], 1, rule)
    with pytest.raises(ApprovalError, match=r"'A' parameter .* at least 1 row\(s\)"):
        committee.select(np.zeros((0, 3)), 1, rule)
    with pytest.raises(ApprovalError, match="'A' parameter of select must be a 2-D matrix"):
        committee.select([1, 0, 1], 1, rule)
    with pytest.raises(ApprovalError, match=r"'weights' .* one entry per voter \(shape \(2,\)\)"):
        committee.select(A, 1, rule, weights=[1, 1, 1])
    with pytest.raises(ApprovalError, match="positive and finite numbers; voter 1"):
        committee.select(A, 1, rule, weights=[1, 0])
    with pytest.raises(RuleInputError, match=r"'resolute' parameter of select must be True or "
                       r"False\. Got 'yes' instead\."):
        committee.select(A, 1, rule, resolute="yes")
    with pytest.raises(ApprovalError, match=rf"'weights' parameter of {rule} "):
        getattr(committee, rule)(A, 1, weights=[1, -1])


@pytest.mark.parametrize("rule", RULES)
def test_magnitudes_that_would_overflow_are_refused(rule):
    # weights or utilities near the float limit used to overflow: an IndexError, or a
    # "committee" (0, 0) with a repeated member from seq_pav
    A = [[1, 0, 1], [0, 1, 1], [1, 1, 0]]
    with pytest.raises(ApprovalError, match=r"'weights' .* to at most 1e\+150; they sum to inf"):
        committee.select(A, 2, rule, weights=[1e308, 1e308, 1])
    with pytest.raises(ApprovalError, match=r"'A' .* at most 1e\+150; row 0 \(voter\), column 0"):
        committee.select([[1e308, 0, 1], [0, 1e308, 1]], 2, rule)
    if rule != "monroe":  # whole-number weights only
        big = committee.select(A, 2, rule, weights=[1e149, 1e149, 1e149])
        assert big == committee.select(A, 2, rule)
    tiny = [[1e-300, 0, 2e-300], [0, 1e-300, 1e-300]]
    if rule != "seq_phragmen":  # approvals only
        assert committee.select(tiny, 1, rule) == (2,)


@pytest.mark.parametrize("big", [1e15, 2.0**53, 1e20])
def test_monroe_refuses_more_voters_than_it_can_count(big):
    # the integer program used to fail with a bare RuntimeError, or list no committee at 2**53
    A = [[1, 0], [0, 1], [1, 1]]
    with pytest.raises(RuleInputError, match=r"monroe .* weights sum to .* more than 10\^9"):
        committee.monroe(A, 2, weights=[big, 1, 1])
    assert committee.monroe(A, 2, weights=[1e8, 1, 1], resolute=False) == [(0, 1)]


def test_unknown_rule_lists_valid_names():
    with pytest.raises(UnknownRuleError, match=r"Unknown committee rule 'pva'.*pav.*seq_pav"):
        committee.select([[1, 0]], 1, "pva")
    with pytest.raises(UnknownRuleError):
        committee.select([[1, 0]], 1, None)


def test_rule_specific_input_errors():
    with pytest.raises(RuleInputError, match=r"seq_phragmen is defined for approval.*row 0, "
                       r"column 1 is 0\.5"):
        committee.seq_phragmen([[1, 0.5]], 1)
    with pytest.raises(RuleInputError, match=r"whole-number voter weights .*; voter 1 has weight"):
        committee.monroe([[1, 0], [0, 1]], 1, weights=[1, 1.5])
    assert committee.monroe([[1, 0], [0, 1]], 1, weights=[1.0, 2.0]) == (1,)
    # too many winning committees to list
    with pytest.raises(RuleInputError, match="resolute=True"):
        committee.approval_voting(np.zeros((2, 40)), 10, resolute=False)
    assert committee.approval_voting(np.zeros((2, 40)), 10) == tuple(range(10))


# --- a large exact PAV instance ------------------------------------------------------------------


def _pav_score(A: np.ndarray, W) -> float:
    harmonic = np.r_[0.0, np.cumsum(1.0 / np.arange(1, len(W) + 1))]
    return float(harmonic[A[:, list(W)].sum(axis=1)].sum())


def test_large_pav_is_exact_and_swap_stable():
    # a voter-structured ("resampling") profile: 1,000 voters, 100 candidates, k = 10
    rng = np.random.default_rng(12)
    n, m, k = 1000, 100, 10
    central = rng.permutation(m)[:10]
    A = rng.random((n, m)) < 0.05
    keep = rng.random((n, 1)) < 0.5
    A[:, central] = np.where(keep, rng.random((n, 10)) < 0.6, A[:, central])
    t = time.perf_counter()
    W = committee.pav(A, k)
    elapsed = time.perf_counter() - t
    assert elapsed < 30, elapsed
    best = _pav_score(A, W)
    assert best >= _pav_score(A, committee.seq_pav(A, k)) - 1e-9
    # local-search certificate: no single swap improves the score
    for out in W:
        rest = [c for c in W if c != out]
        for into in set(range(m)) - set(W):
            assert _pav_score(A, [*rest, into]) <= best + 1e-9, (out, into)


def test_impartial_culture_pav_matches_brute_force():
    # IC approvals (p = 0.1) are the hard case for the integer program (weak relaxation);
    # at 1,000 voters, 30 candidates and k = 5 it is still checkable by brute force
    A = np.random.default_rng(0).random((1000, 30)) < 0.1
    W = committee.pav(A, 5)
    U, w = aggregate_rows(A.astype(float), np.ones(1000))
    brute = OPTIMISATION["pav"](U, w, 5, resolute=False, is_approval=True, method="brute-force")
    assert [W] == brute
    best = _pav_score(A, W)
    for out in W:
        rest = [c for c in W if c != out]
        for into in set(range(30)) - set(W):
            assert _pav_score(A, [*rest, into]) <= best + 1e-9


def test_monroe_score_assignment_equals_transportation_lp(monkeypatch):
    rng = np.random.default_rng(0)
    for _ in range(10):
        U = rng.integers(0, 4, size=(30, 8)).astype(float)
        w = rng.integers(1, 40, size=30).astype(float)
        W = tuple(sorted(rng.choice(8, size=3, replace=False).tolist()))
        monkeypatch.setattr(_monroe, "DENSE_VOTERS", 10**6)
        dense = _monroe.monroe_score(U, w, W)
        monkeypatch.setattr(_monroe, "DENSE_VOTERS", 0)
        assert math.isclose(_monroe.monroe_score(U, w, W), dense, abs_tol=1e-7)
