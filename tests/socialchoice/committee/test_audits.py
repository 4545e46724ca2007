"""Tests of the proportionality audits (JR, PJR, EJR, EJR+) and the proportionality report.

Oracles: the brute-force ``_is_*_reference`` functions (literal definitions over all voter
groups), ``abcvoting.properties`` (brute force and Gurobi), published instances with known
answers (golden/audits_literature.json), and an independent check of every witness.
"""

from __future__ import annotations

import itertools
import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialchoice import ApprovalError
from socialchoice.committee import (
    AuditResult,
    is_ejr,
    is_ejr_plus,
    is_jr,
    is_pjr,
    proportionality_report,
)
from socialchoice.committee._audit_search import (
    _is_ejr_plus_reference,
    _is_ejr_reference,
    _is_jr_reference,
    _is_pjr_reference,
)

AUDITS = {"jr": is_jr, "pjr": is_pjr, "ejr": is_ejr, "ejr+": is_ejr_plus}
REFERENCES = {"jr": _is_jr_reference, "pjr": _is_pjr_reference, "ejr": _is_ejr_reference,
              "ejr+": _is_ejr_plus_reference}
GOLDEN = json.loads((Path(__file__).parent / "golden" / "audits_literature.json").read_text())


# ----------------------------------------------------------------- helpers

def random_instance(rng: np.random.Generator, n_max: int = 10, m_max: int = 7,
                    weighted: bool = False):
    """A random approval profile, committee, k (sometimes > |W|) and integer weights."""
    n, m = int(rng.integers(1, n_max + 1)), int(rng.integers(1, m_max + 1))
    A = rng.random((n, m)) < rng.uniform(0.1, 0.9)
    if rng.random() < 0.5:  # plant a cohesive block so that violations are common
        rows = rng.random(n) < 0.5
        cols = rng.random(m) < 0.5
        A[np.ix_(rows, cols)] = True
    size = int(rng.integers(1, m + 1))
    W = np.sort(rng.choice(m, size=size, replace=False))
    k = size if rng.random() < 0.8 else int(rng.integers(size, m + 1))
    w = rng.integers(1, 4, size=n) if weighted else None
    return A, W, k, w


def check_witness(prop: str, A, W, k, weights, r: AuditResult) -> None:
    """Independent validation of a returned witness with exact rational arithmetic."""
    A = np.asarray(A, dtype=bool)
    n = A.shape[0]
    w = [Fraction(1)] * n if weights is None else [Fraction(int(x)) for x in weights]
    Wset = {int(c) for c in W}
    assert not r.holds and not bool(r)
    group, ell, cands = r.group, r.ell, r.candidates
    assert len(group) > 0 and len(set(group)) == len(group) and list(group) == sorted(group)
    assert ell is not None and 1 <= ell <= k
    assert sum(w[i] for i in group) * k >= ell * sum(w), "group too small"
    assert all(A[i, c] for i in group for c in cands), "candidates not jointly approved"
    utils = [len(set(np.flatnonzero(A[i]).tolist()) & Wset) for i in group]
    if prop in ("jr", "ejr+"):
        assert len(cands) == 1 and cands[0] not in Wset
        assert ell == 1 if prop == "jr" else True
        assert max(utils) < ell
    elif prop == "ejr":
        assert len(cands) == ell and max(utils) < ell
    else:
        union = set().union(*(set(np.flatnonzero(A[i]).tolist()) for i in group)) & Wset
        assert len(cands) == ell and len(union) < ell
    assert r.explanation and str(group[0]) in r.explanation


def abc_profile(A, weights=None):
    from abcvoting.preferences import Profile, Voter

    A = np.asarray(A, dtype=bool)
    profile = Profile(A.shape[1])
    for i, row in enumerate(A):
        wt = 1 if weights is None else int(weights[i])
        profile.add_voter(Voter([int(c) for c in np.flatnonzero(row)], weight=wt))
    return profile


def abc_check(name, A, W, k, weights=None, algorithm="fastest"):
    from abcvoting import properties

    profile = abc_profile(A, weights)
    quota = Fraction(int(profile.total_weight()), k)
    kwargs = {} if name in ("jr", "ejr+") else {"algorithm": algorithm}
    return properties.check(name, profile, [int(c) for c in W], quota=quota, **kwargs)


def golden_matrix(inst):
    rows = [approved for approved, times in inst["voters"] for _ in range(times)]
    A = np.zeros((len(rows), inst["num_cand"]), dtype=bool)
    for i, approved in enumerate(rows):
        A[i, approved] = True
    return A


@pytest.fixture(autouse=True, scope="module")
def _quiet_abcvoting():
    from abcvoting.output import WARNING, output

    output.set_verbosity(WARNING)
    yield
    output.set_verbosity()


# ----------------------------------------------------------------- fast vs brute force

@pytest.mark.parametrize("weighted", [False, True])
def test_matches_brute_force_reference(weighted):
    rng = np.random.default_rng(20240501 + weighted)
    seen = {p: [0, 0] for p in AUDITS}
    for _ in range(3000):
        A, W, k, w = random_instance(rng, weighted=weighted)
        for prop, audit in AUDITS.items():
            r = audit(A, W, k=k, weights=w)
            expected = REFERENCES[prop](A, W, k, w)
            assert r.holds == expected, (prop, A.astype(int).tolist(), W, k, w)
            seen[prop][r.holds] += 1
            if not r.holds:
                check_witness(prop, A, W, k, w, r)
    for prop, (fails, holds) in seen.items():  # both outcomes are exercised
        assert fails > 50 and holds > 50, (prop, fails, holds)


@pytest.mark.parametrize("method", ["search", "milp"])
def test_each_exact_method_matches_reference(method):
    rng = np.random.default_rng(7 + len(method))
    for _ in range(400):
        A, W, k, w = random_instance(rng, n_max=9, m_max=6, weighted=rng.random() < 0.3)
        for prop in ("pjr", "ejr"):
            r = AUDITS[prop](A, W, k=k, weights=w, method=method)
            assert r.holds == REFERENCES[prop](A, W, k, w), (prop, method, A.astype(int), W, k)
            if not r.holds:
                check_witness(prop, A, W, k, w, r)


def level_violated(A, W, k, weights, ell, pjr):
    """Brute force over all voter groups, for one level ℓ (independent of the library)."""
    n = A.shape[0]
    w = np.ones(n, dtype=int) if weights is None else np.asarray(weights, dtype=int)
    in_W = np.zeros(A.shape[1], dtype=bool)
    in_W[list(W)] = True
    u = A[:, in_W].sum(axis=1)
    for mask in range(1, 1 << n):
        g = np.array([(mask >> i) & 1 for i in range(n)], dtype=bool)
        if w[g].sum() * k < ell * w.sum() or A[g].all(axis=0).sum() < ell:
            continue
        if (A[g][:, in_W].any(axis=0).sum() < ell) if pjr else (u[g].max() < ell):
            return True
    return False


def test_level_solvers_without_presolve():
    """The integer program and the search, each on its own, on every level ℓ, from the full
    instance (no EJR+ filter, no peeling) and from the peeled one."""
    from socialchoice.committee import _audits

    rng = np.random.default_rng(21)
    outcomes = {True: 0, False: 0}
    for _ in range(500):
        A, W, k, w = random_instance(rng, n_max=8, m_max=6, weighted=rng.random() < 0.3)
        if rng.random() < 0.5:  # a committee of the least approved candidates: more violations
            W = np.sort(np.argsort(A.sum(axis=0), kind="stable")[: len(W)])
        inst = _audits._instance(A, W, k, w, "test")
        for ell in range(1, k + 1):
            for pjr in (False, True):
                truth = level_violated(A, W, k, w, ell, pjr)
                outcomes[truth] += 1
                full = (inst.u < ell, np.ones(A.shape[1], dtype=bool))
                for V, C in (full, _audits._peel(inst, ell)):
                    for hit in (_audits._milp(inst, ell, V, C, pjr) if V.any() else None,
                                _audits._search(inst, ell, V, C, pjr, None)):
                        assert (hit is not None) == truth, (A.astype(int), W, k, w, ell, pjr)
                        if hit is not None:
                            assert _audits._group(inst, ell, *hit) is not None
    assert min(outcomes.values()) > 100, outcomes


def test_fractional_weights_are_scale_invariant():
    """Weights w and 0.1·w (inexact in binary) give the same verdicts: the tolerance path."""
    rng = np.random.default_rng(5)
    for _ in range(300):
        A, W, k, w = random_instance(rng, n_max=9, m_max=6, weighted=True)
        for prop, audit in AUDITS.items():
            for method in (("auto", "milp") if prop in ("pjr", "ejr") else ("auto",)):
                extra = {"method": method} if prop in ("pjr", "ejr") else {}
                assert (audit(A, W, k=k, weights=w * 0.1, **extra).holds
                        == audit(A, W, k=k, weights=w, **extra).holds)


def test_milp_fallback_when_search_budget_is_exceeded(monkeypatch):
    from socialchoice.committee import _audits

    monkeypatch.setattr(_audits, "_BUDGET", 1)
    rng = np.random.default_rng(3)
    for _ in range(150):
        A, W, k, w = random_instance(rng, n_max=8, m_max=6)
        for prop in ("pjr", "ejr"):
            assert AUDITS[prop](A, W, k=k).holds == REFERENCES[prop](A, W, k, w)


# ----------------------------------------------------------------- abcvoting oracle

def test_matches_abcvoting_brute_force():
    rng = np.random.default_rng(11)
    for _ in range(2000):
        A, W, k, _ = random_instance(rng)
        for prop, audit in AUDITS.items():
            expected = abc_check(prop, A, W, k, algorithm="brute-force")
            assert audit(A, W, k=k).holds == expected, (prop, A.astype(int).tolist(), W, k)


def test_matches_abcvoting_gurobi_weighted():
    pytest.importorskip("gurobipy")
    rng = np.random.default_rng(12)
    for _ in range(300):
        A, W, k, w = random_instance(rng, n_max=12, m_max=8, weighted=True)
        for prop in ("pjr", "ejr"):
            try:
                expected = abc_check(prop, A, W, k, w, algorithm="gurobi")
            except Exception as exc:  # gurobipy licence missing or size-limited
                pytest.skip(f"gurobi unavailable: {exc}")
            assert AUDITS[prop](A, W, k=k, weights=w).holds == expected


@pytest.mark.parametrize("inst", GOLDEN["instances"], ids=lambda d: d["name"])
def test_literature_instances(inst):
    A = golden_matrix(inst)
    W, k = inst["committee"], inst.get("k", len(inst["committee"]))
    small = A.shape[0] <= 12
    for prop, audit in AUDITS.items():
        r = audit(A, W, k=k)
        key = prop.replace("+", "_plus")
        if key in inst["expected"]:
            assert r.holds == inst["expected"][key], (inst["name"], prop, r)
        assert r.holds == abc_check(prop, A, W, k), (inst["name"], prop)
        if small:
            assert r.holds == REFERENCES[prop](A, W, k)
        if not r.holds:
            check_witness(prop, A, W, k, None, r)


def test_literature_witnesses():
    A = golden_matrix(GOLDEN["instances"][5])  # Aziz et al. Example 4
    r = is_ejr(A, [0, 1, 2, 3])
    assert (r.group, r.ell, r.candidates) == ((4, 5, 6, 7), 2, (4, 5))
    assert "each has at most 1 approved member in W" in r.explanation
    A = golden_matrix(GOLDEN["instances"][12])  # Brill et al. Example 7: 67 voters deserve 4
    r = is_pjr(A, [0, 1, 2, 4, 5, 6])
    assert r.ell == 4 and r.candidates == (0, 1, 2, 3) and len(r.group) == 67
    assert "67 voters (0, 1, 2" in r.explanation
    assert "only 3 members of W: (0, 1, 2)" in r.explanation


# ----------------------------------------------------------------- property tests

def pav_committees(A, k):
    A = np.asarray(A, dtype=bool)
    harmonic = np.concatenate([[0.0], np.cumsum(1.0 / np.arange(1, k + 1))])
    combos = list(itertools.combinations(range(A.shape[1]), k))
    scores = np.array([harmonic[A[:, list(c)].sum(axis=1)].sum() for c in combos])
    return [combos[i] for i in np.flatnonzero(scores >= scores.max() - 1e-9)]


@st.composite
def profiles(draw, n_max=8, m_max=6):
    n = draw(st.integers(1, n_max))
    m = draw(st.integers(1, m_max))
    A = np.array(draw(st.lists(st.lists(st.booleans(), min_size=m, max_size=m),
                               min_size=n, max_size=n)), dtype=bool)
    return A


@settings(max_examples=150, deadline=None)
@given(A=profiles(), data=st.data())
def test_pav_committees_satisfy_ejr_and_ejr_plus(A, data):
    k = data.draw(st.integers(1, A.shape[1]))
    for W in pav_committees(A, k):
        assert is_ejr(A, W), (A.astype(int).tolist(), W)
        assert is_ejr_plus(A, W)  # Brill & Peters (2023): PAV satisfies EJR+


@settings(max_examples=300, deadline=None)
@given(A=profiles(n_max=9, m_max=7), data=st.data())
def test_implications_and_witnesses(A, data):
    m = A.shape[1]
    W = data.draw(st.lists(st.integers(0, m - 1), min_size=1, max_size=m, unique=True))
    k = data.draw(st.integers(len(W), m))
    w = data.draw(st.none() | st.lists(st.integers(1, 3), min_size=A.shape[0],
                                       max_size=A.shape[0]))
    res = {p: f(A, W, k=k, weights=w) for p, f in AUDITS.items()}
    assert not res["ejr+"] or res["ejr"]
    assert not res["ejr"] or res["pjr"]
    assert not res["pjr"] or res["jr"]
    for prop, r in res.items():
        if not r:
            check_witness(prop, A, W, k, w, r)
    rep = proportionality_report(A, W, k=k, weights=w)
    assert [rep.jr.holds, rep.pjr.holds, rep.ejr.holds, rep.ejr_plus.holds] == [
        res[p].holds for p in ("jr", "pjr", "ejr", "ejr+")]


# ----------------------------------------------------------------- report, result object

def test_report_welfare_and_rendering():
    A = [[1, 1, 0, 0]] * 4 + [[0, 0, 1, 1]] * 2 + [[0, 0, 0, 0]]
    rep = proportionality_report(A, [0, 2, 3], weights=[1, 1, 1, 1, 2, 1, 3])
    u = np.array([1, 1, 1, 1, 2, 2, 0])
    w = np.array([1, 1, 1, 1, 2, 1, 3])
    assert rep.utilitarian_welfare == pytest.approx(w @ u)
    assert rep.average_welfare == pytest.approx(w @ u / w.sum())
    assert rep.egalitarian_welfare == 0
    assert rep.pav_score == pytest.approx(4 * 1 + 3 * 1.5)
    assert rep.coverage == pytest.approx(7 / 10)
    d = rep.to_dict()
    assert d["committee"] == [0, 2, 3] and d["k"] == 3
    assert d["ejr"] is rep.ejr.holds and set(d["witnesses"]) == {
        name for name in ("jr", "pjr", "ejr", "ejr_plus") if not getattr(rep, name).holds}
    json.dumps(d)
    text = str(rep)
    assert "committee (0, 2, 3)" in text and "PAV score" in text and "coverage" in text
    with pytest.raises(AttributeError):
        rep.k = 4  # frozen


def test_audit_result_object():
    r = is_ejr([[1, 1, 0, 0]] * 4 + [[0, 0, 1, 1]] * 2, [0, 2, 3])
    assert r.property == "EJR" and not r and r.ell == 2 and r.candidates == (0, 1)
    assert repr(r).startswith("AuditResult(EJR fails: voters (0, 1, 2, 3) — 4 ≥ ℓ·n/k = 4")
    ok = is_jr([[1, 0], [0, 1]], [0, 1])
    assert ok and ok.group == () and ok.ell is None and "satisfies JR" in repr(ok)
    with pytest.raises(AttributeError):
        ok.holds = False


def test_inputs_accepted_in_several_forms():
    A = [[True, True, False], [True, False, True], [False, False, True]]
    for W in ([0, 2], (2, 0), {0, 2}, np.array([True, False, True]), np.array([0, 2])):
        assert is_ejr(A, W).holds == is_ejr(A, [0, 2]).holds
    assert is_jr(np.array(A, dtype=float), [0]).holds == is_jr(A, [0]).holds
    assert not is_jr([[0, 1], [0, 1]], [], k=1)  # empty partial committee
    assert is_jr([[0, 0], [0, 0]], [0])  # nobody approves anything: nothing is owed


# ----------------------------------------------------------------- bad input

@pytest.mark.parametrize("audit", [is_jr, is_pjr, is_ejr, is_ejr_plus, proportionality_report])
@pytest.mark.parametrize(
    ("A", "W", "kw", "match"),
    [
        (np.zeros((0, 3)), [0], {}, r"'A' parameter of \w+ must be a matrix with at least 1 row"),
        ([[1, 0], [0, 1]], [2], {}, r"'W' parameter .* candidate indices in \[0, 2\); it holds 2"),
        ([[1, 0], [0, 1]], [0, 0], {}, "lists a candidate twice"),
        ([[1, 0, 1], [0, 1, 1]], [0, 1], {"k": 1}, r"at least \|W\| = 2"),
        ([[1, 0], [0, 1]], [0], {"k": 0}, r"must be an int in \[1, 2\]"),
        ([[1, 0], [0, 1]], [], {}, r"'k' parameter .* given when the committee W is empty"),
        ([[1, 0], [0, 1]], [0], {"weights": [1, 2, 3]}, r"'weights' parameter .*\(shape \(2,\)\)"),
        ([[1, 0], [0, 1]], [0], {"weights": [1, -1]}, "positive"),
        ([[1, 0.5], [0, 1]], [0], {}, r"approval ballots .* A\[0, 1\] = 0.5"),
        ([[1, np.nan], [0, 1]], [0], {}, r"finite numbers; entry \[0, 1\] is nan"),
        ([1, 0, 1], [0], {}, r"'A' parameter of \w+ must be a 2-D matrix"),
    ],
)
def test_bad_input(audit, A, W, kw, match):
    with pytest.raises(ApprovalError, match=match) as err:
        audit(A, W, **kw)
    assert f"parameter of {audit.__name__} must be" in str(err.value)  # names the audit


def test_bad_method():
    with pytest.raises(ApprovalError, match="'method' parameter of is_ejr must be one of"):
        is_ejr([[1, 1], [1, 1]], [0], method="gurobi")


# ----------------------------------------------------------------- scale

def greedy_committee(A, k):
    """Sequential PAV-style greedy (marginal harmonic gain), vectorised over voters."""
    A = np.asarray(A, dtype=float)
    u = np.zeros(A.shape[0])
    W: list[int] = []
    for _ in range(k):
        gain = (1.0 / (u + 1.0)) @ A
        gain[W] = -1.0
        c = int(np.argmax(gain))
        W.append(c)
        u += A[:, c]
    return sorted(W)


def test_large_instance_is_fast_and_agrees_between_methods():
    import time

    rng = np.random.default_rng(0)
    A = rng.random((1000, 100)) < 0.1
    W = greedy_committee(A, 10)
    t0 = time.perf_counter()
    res = [is_ejr(A, W), is_pjr(A, W)]
    assert time.perf_counter() - t0 < 10
    assert [r.holds for r in res] == [is_ejr(A, W, method="milp").holds,
                                      is_pjr(A, W, method="milp").holds]
    bad = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]  # an arbitrary committee
    for f in (is_pjr, is_ejr):
        r = f(A, bad)
        if not r:
            check_witness(f.__name__[3:], A, bad, 10, None, r)
