"""Bridging slates and the one-call conversation report, on synthetic and real conversations."""

from __future__ import annotations

import json

import numpy as np
import pytest

import socialchoice as sc
from socialchoice import bridging, committee

SHIPPED = bridging.shipped_conversations()


@pytest.fixture(scope="module")
def seattle() -> bridging.Conversation:
    return sc.read_polis(SHIPPED["15-per-hour-seattle"]).accepted()


@pytest.fixture(scope="module")
def brexit() -> bridging.Conversation:
    return sc.read_polis(SHIPPED["brexit-consensus"]).accepted()


def _two_camps(rng: np.random.Generator, n: int = 60, m: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """Two camps of 2:1 size; statements 0-3 split them, 4-7 bridge, 8-11 are camp-A only."""
    groups = (np.arange(n) >= 2 * n // 3).astype(np.int64)
    V = np.where(groups[:, None] == 0, 1.0, -1.0) * np.ones((n, m))
    V[:, 4:8] = 1.0  # bridging statements: everyone agrees
    V[groups == 1, 8:] = -1.0
    V[groups == 0, 8:] = 1.0
    noise = rng.random((n, m)) < 0.1
    V[noise] = -V[noise]
    V[rng.random((n, m)) < 0.3] = np.nan
    return V, groups


def test_consensus_slate_picks_bridging_statements() -> None:
    V, groups = _two_camps(np.random.default_rng(1))
    slate = bridging.bridging_slate(V, 4, groups)
    assert sorted(slate.statements) == [4, 5, 6, 7]
    gac = bridging.group_aware_consensus(V, groups)
    np.testing.assert_allclose(slate.consensus, gac[list(slate.statements)])
    assert np.all(np.diff(slate.consensus) <= 0)  # best first


def test_slate_group_agreement_is_the_raw_share(seattle: bridging.Conversation) -> None:
    V, g = seattle.votes, seattle.polis_groups
    slate = bridging.bridging_slate(V, 3, g)
    for i, c in enumerate(slate.statements):
        for j, label in enumerate((0, 1)):
            col = V[g == label, c]
            seen = ~np.isnan(col)
            assert slate.group_agreement[i, j] == pytest.approx(np.mean(col[seen] == 1))


@pytest.mark.parametrize("rule", ["pav", "seq_phragmen", "equal_shares"])
def test_committee_slate_equals_committee_on_agree_approvals(
    brexit: bridging.Conversation, rule: str
) -> None:
    V, g = brexit.votes, brexit.polis_groups
    slate = bridging.bridging_slate(V, 4, g, rule=rule)
    A = V[g >= 0] == 1
    assert slate.statements == committee.select(A, 4, rule)
    report = committee.proportionality_report(A, slate.statements)
    assert bool(slate.audit.ejr) == bool(report.ejr)
    if rule in ("pav", "equal_shares"):  # both guarantee EJR
        assert slate.audit.ejr


def test_eligible_restricts_the_slate(seattle: bridging.Conversation) -> None:
    V, g = seattle.votes, seattle.polis_groups
    eligible = np.zeros(V.shape[1], dtype=bool)
    eligible[::2] = True
    slate = bridging.bridging_slate(V, 5, g, eligible=eligible)
    assert all(c % 2 == 0 for c in slate.statements)


def test_slate_bad_input() -> None:
    V, groups = _two_camps(np.random.default_rng(2))
    with pytest.raises(sc.ApprovalError, match="'k' parameter of bridging_slate"):
        bridging.bridging_slate(V, 0, groups)
    with pytest.raises(sc.ApprovalError, match=r"\[1, 3\]"):
        bridging.bridging_slate(V, 5, groups, eligible=np.arange(12) < 3)
    with pytest.raises(sc.VoteMatrixError, match=r"'eligible' .* mask of shape \(12,\)"):
        bridging.bridging_slate(V, 2, groups, eligible=[True, False])
    with pytest.raises(sc.UnknownRuleError, match="pav"):
        bridging.bridging_slate(V, 2, groups, rule="no-such-rule")
    with pytest.raises(sc.VoteMatrixError, match="one per participant"):
        bridging.bridging_slate(V, 2, groups[:-1])


def test_report_with_polis_groups(seattle: bridging.Conversation) -> None:
    conv = sc.read_polis(SHIPPED["15-per-hour-seattle"])
    seen = []
    report = bridging.analyse_conversation(
        conv, k=3, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(i, 4) for i in range(5)] and len(bridging.ANALYSIS_STEPS) == 4
    assert report.group_source == "polis"
    assert report.conversation.n_statements == seattle.n_statements == 31
    assert report.group_sizes() == {0: 99, 1: 39}
    expected = bridging.representative_statements(seattle.votes, seattle.polis_groups)
    assert report.representative == expected
    out = report.to_dict()
    json.dumps(out)  # plain data
    assert [s["id"] for s in out["slate"]["statements"]] == [
        int(seattle.statement_ids[c]) for c in report.slate.statements
    ]
    assert set(out["slate"]["audit"]) == {"JR", "PJR", "EJR", "EJR+"}


def test_report_with_recomputed_groups_is_deterministic() -> None:
    conv = sc.read_polis(SHIPPED["brexit-consensus"])
    a = bridging.analyse_conversation(conv, groups="ours", k=3, rule="pav", rng=5)
    b = bridging.analyse_conversation(conv, groups="ours", k=3, rule="pav", rng=5)
    assert a.group_source == "ours"
    np.testing.assert_array_equal(a.groups, b.groups)
    assert a.slate.statements == b.slate.statements
    with pytest.raises(sc.VoteMatrixError, match="'groups' parameter of analyse_conversation"):
        bridging.analyse_conversation(conv, groups="theirs")


def test_bridging_uses_only_the_committee_public_api() -> None:
    """Bridging calls :mod:`socialchoice.committee` only through its public names."""
    import ast
    from pathlib import Path

    folder = Path(bridging.__file__).parent
    private = [
        f"{path.name}: {node.module}"
        for path in sorted(folder.glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and "committee._" in f"{node.module}"
    ]
    assert private == []


def test_report_json_audit_is_the_committee_reports(seattle: bridging.Conversation) -> None:
    conv = sc.read_polis(SHIPPED["15-per-hour-seattle"])
    report = bridging.analyse_conversation(conv, k=4, rule="approval_voting")
    out = report.to_dict()["slate"]
    audit = report.slate.audit
    assert out["audit"] == {
        r["axiom"]: {"holds": r["holds"], "witness": r["witness"]} for r in audit.axiom_rows()
    }
    assert out["welfare"] == audit.welfare()
    json.dumps(out)
