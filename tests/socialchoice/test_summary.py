"""socialchoice.summarize: the per-rule table both front ends render."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest

import socialchoice as sc
from socialchoice._registry import Rule

CYCLIC = sc.Profile([["a", "b", "c", "d"], ["c", "d", "a", "b"], ["d", "b", "a", "c"]])
TIES = sc.Profile(
    [["a", ("b", "c"), "d"], ["b", "a"], [("c", "d"), "a", "b"], ["d", "c", "b", "a"]],
    counts=[4, 3, 2, 2],
)


def test_every_rule_in_registry_order_with_winners_as_labels() -> None:
    s = sc.summarize(CYCLIC)
    assert [r.rule for r in s.results] == sc.rule_names()
    by_rule = {r.rule: r for r in s.results}
    assert by_rule["copeland"].winners == ("a", "d")
    assert by_rule["copeland"].note == "tie of 2"
    assert by_rule["copeland"].family == "condorcet"
    assert by_rule["copeland"].reference == sc.RULES["copeland"].reference
    assert s.condorcet_winner is None
    assert s.smith_set == tuple(sc.winners(CYCLIC, "smith"))
    assert (s.num_voters, s.num_ballots, s.candidates) == (3, 3, ("a", "b", "c", "d"))
    assert (s.margins == CYCLIC.margin_matrix()).all()


def test_rules_that_cannot_apply_are_na_and_the_rest_shown() -> None:
    s = sc.summarize(TIES)
    assert not s.is_linear
    for r in s.results:
        try:
            expected = tuple(sc.winners(TIES, r.rule))
        except sc.RuleInputError as exc:
            assert r.winners is None and r.status == "n/a"
            assert r.note == f"n/a — {exc}"
        else:
            assert r.winners == expected and r.status == "ok"


def test_a_failing_rule_is_na_and_does_not_hide_the_others(monkeypatch) -> None:
    def boom(M: np.ndarray) -> np.ndarray:
        raise ZeroDivisionError("division by zero")

    rule = Rule("boom", "graph", "margins", True, "nobody", boom, summary="Always fails.")
    monkeypatch.setitem(sc.RULES, "boom", rule)
    s = sc.summarize(CYCLIC, ["copeland", "boom", "minimax"])
    assert [r.rule for r in s.results] == ["copeland", "boom", "minimax"]
    failed = s.results[1]
    assert failed.winners is None and failed.status == "n/a"
    assert failed.note == "n/a — boom failed: ZeroDivisionError: division by zero"
    assert s.results[2].winners == ("a", "b", "c", "d")


def test_a_rule_out_of_time_is_na() -> None:
    rng = np.random.default_rng(0)
    names = [f"c{i:02d}" for i in range(66)]
    p = sc.Profile([[names[i] for i in rng.permutation(66)] for _ in range(11)])
    s = sc.summarize(p, ["stable_voting", "copeland"], time_limit=0.2)
    slow, fast = s.results
    assert slow.status == "time limit" and slow.winners is None
    assert slow.note == "n/a — did not finish within 0.2 s"
    assert fast.status == "ok" and fast.winners == tuple(sc.winners(p, "copeland"))
    assert s.time_limit == 0.2


def test_to_dict_is_json_and_to_frame_is_the_display_table() -> None:
    s = sc.summarize(TIES, ["copeland", "borda"])
    d = json.loads(json.dumps(s.to_dict()))
    assert d["profile"] == {"candidates": ["a", "b", "c", "d"], "num_voters": 11,
                            "num_ballots": 4, "is_linear": False}
    assert d["results"][0] == {"rule": "copeland", "family": "condorcet",
                               "winners": sc.winners(TIES, "copeland"), "note": "",
                               "status": "ok"}
    assert d["results"][1]["winners"] is None
    frame = s.to_frame()
    assert list(frame.columns) == ["rule", "family", "winners", "note", "status", "summary",
                                   "reference"]
    assert frame.loc[0, "winners"] == ", ".join(sc.winners(TIES, "copeland"))
    assert frame.loc[1, "winners"] == ""


def test_summary_pickles_for_the_app_cache() -> None:
    s = sc.summarize(TIES)
    back = pickle.loads(pickle.dumps(s))
    assert back.results == s.results and (back.margins == s.margins).all()


def test_progress_counts_rules() -> None:
    seen: list[tuple[int, int]] = []
    sc.summarize(CYCLIC, ["borda", "copeland"], progress=lambda d, t: seen.append((d, t)))
    assert seen == [(0, 2), (1, 2), (2, 2)]


def test_duplicate_rules_once_and_unknown_rules_refused() -> None:
    assert [r.rule for r in sc.summarize(CYCLIC, ["borda", "borda"]).results] == ["borda"]
    with pytest.raises(sc.UnknownRuleError, match="Unknown rule 'bordaa'"):
        sc.summarize(CYCLIC, ["bordaa"])


def test_summarize_takes_a_profile() -> None:
    with pytest.raises(sc.SocialChoiceError, match="summarize takes a Profile"):
        sc.summarize(np.zeros((3, 3)))  # type: ignore[arg-type]
