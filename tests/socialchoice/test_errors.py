"""Bad input raises typed errors that say what, where and what was expected."""

from __future__ import annotations

import numpy as np
import pytest

import socialchoice as sc


@pytest.mark.parametrize(
    ("ballots", "kwargs", "message"),
    [
        ([["a", "b", "a"]], {}, "Ballot 0 lists candidate 'a' twice"),
        (
            [["a", "b"], ["a", "x"]],
            {"candidates": ["a", "b"]},
            "Ballot 1 names unknown candidate 'x'",
        ),
        ([["a", "b"]], {"counts": [-1]}, "Ballot 0 has count -1"),
        ([["a", "b"], ["b", "a"]], {"counts": [1, np.nan]}, "Ballot 1 has count nan"),
        ([["a", "b"]], {"counts": [1, 2]}, "expected one count per ballot"),
        ([], {}, "no ballots"),
        (["ab"], {}, "Ballot 0 is 'ab'"),
        ([["a", ()]], {}, "empty tier"),
        ([["a", "b"]], {"counts": [0]}, "sum to 0"),
    ],
)
def test_profile_errors(ballots, kwargs, message):
    with pytest.raises(sc.ProfileError, match=message):
        sc.Profile(ballots, **kwargs)


def test_errors_are_value_errors():
    assert issubclass(sc.ProfileError, sc.SocialChoiceError)
    assert issubclass(sc.SocialChoiceError, ValueError)
    assert issubclass(sc.UnknownRuleError, sc.SocialChoiceError)


@pytest.mark.parametrize(
    ("matrix", "message"),
    [
        (np.zeros((2, 3)), r"shape \(\.\.\., m, m\)"),
        (
            np.array([[0, 1], [1, 0]]),
            r"not antisymmetric: entry \(0, 1\) is 1 but entry \(1, 0\) is 1",
        ),
        (np.array([[0.0, np.inf], [-np.inf, 0.0]]), "non-finite entry"),
        (np.array([[1, 0], [0, 0]]), "on its diagonal at \\(0, 0\\); expected 0"),
        (np.array([["a"]]), "must hold numbers"),
    ],
)
def test_margin_matrix_errors(matrix, message):
    with pytest.raises(sc.MarginError, match=message):
        sc.winners(matrix, "copeland")


def test_unknown_rule_lists_valid_names():
    expected = r"Unknown rule 'copland'; expected one of: .*copeland"
    with pytest.raises(sc.UnknownRuleError, match=expected):
        sc.winners(np.zeros((2, 2)), "copland")


def test_profile_rule_on_margins_explains():
    profile_rules = [r for r in sc.RULES.values() if r.needs == "profile"]
    if not profile_rules:
        pytest.skip("no profile-based rule registered")
    with pytest.raises(sc.RuleInputError, match="needs the ballots"):
        sc.winners(np.zeros((3, 3)), profile_rules[0].name)


def test_linear_only_rule_names_the_ballot():
    linear_only = [r for r in sc.RULES.values() if r.linear_only]
    if not linear_only:
        pytest.skip("no linear-only rule registered")
    p = sc.Profile([["a", "b", "c"], [("a", "b"), "c"]])
    with pytest.raises(sc.RuleInputError, match=r"but ballot 2 \(\{a, b\} > c\) has ties"):
        sc.winners(p, linear_only[0].name)


def test_weights_must_match_voters():
    expected = r"The 'weights' parameter of margins must be .* of shape \(\.\.\., 3\)"
    with pytest.raises(sc.ProfileError, match=expected):
        sc.margins(np.zeros((3, 2), int), weights=[1, 2])


@pytest.mark.parametrize(
    ("weights", "what"),
    [([1, -1], r"weight \[(0, )?1\] is -1"), ([1, np.nan], r"weight \[(0, )?1\] is nan"),
     ([True, False], "Got an array"), (["a", "b"], "Got an array")],
)
def test_weights_are_checked_once_for_margins_rules_and_batches(weights, what):
    ranks = np.array([[0, 1], [1, 0]])
    for call, error in [
        (lambda: sc.margins(ranks, weights), sc.ProfileError),
        (lambda: sc.winner_mask(ranks=ranks[None], weights=weights, rule="plurality"),
         sc.ProfileError),
        (lambda: sc.rules.positional.plurality(ranks, np.asarray(weights)), sc.RuleInputError),
    ]:
        with pytest.raises(error, match=f"The 'weights' parameter of .* must be finite.*{what}"):
            call()


def test_batch_to_winners_is_refused():
    with pytest.raises(sc.RuleInputError, match="Use winner_mask for batches"):
        sc.winners(np.zeros((2, 3, 3)), "copeland")


def test_unknown_rule_option_names_the_valid_ones():
    p = sc.Profile([["a", "b"]])
    with pytest.raises(sc.RuleInputError, match="no option 'foo'; its options are: time_limit"):
        sc.winners(p, "kemeny", foo=1)
    with pytest.raises(sc.RuleInputError, match="its options are: none"):
        sc.winner_mask(np.zeros((1, 2, 2), int), "copeland", foo=1)


def test_winner_mask_weights_must_match_voters_for_profile_rules():
    with pytest.raises(sc.ProfileError, match=r"of shape \(\.\.\., 3\), one per voter"):
        sc.winner_mask(ranks=np.zeros((2, 3, 3), int), weights=[1, 2], rule="plurality")


def test_winner_mask_accepts_profile_ranks_for_linear_only_rules():
    p = sc.Profile([["a", "b"], ["b", "a", "c"], ["c", "a", "b"]])  # ballot 0 leaves out c
    mask = sc.winner_mask(ranks=p.ranks[None], weights=p.counts[None], rule="borda")
    assert np.flatnonzero(mask[0]).tolist() == [p.index(c) for c in sc.winners(p, "borda")]
    with pytest.raises(sc.RuleInputError, match=r"ranks\[0, 0, :\] is not a permutation"):
        sc.winner_mask(ranks=np.array([[[0, 0, 1]]]), rule="borda")


def test_preflib_file_with_byte_order_mark(tmp_path):
    path = tmp_path / "bom.soc"
    path.write_text("\ufeff" + sc.io.format_preflib(sc.Profile([["a", "b"], ["b", "a"]])))
    assert sc.read_preflib(path) == sc.Profile([["a", "b"], ["b", "a"]])


def test_a_mistyped_rule_name_gets_a_suggestion():
    import socialchoice as sc
    from socialchoice import committee

    with pytest.raises(sc.UnknownRuleError, match=r"Did you mean 'copeland'\?"):
        sc.winners([[0, 1], [1, 0]], "copland")
    with pytest.raises(sc.UnknownRuleError, match=r"Did you mean 'pav'\?"):
        committee.select([[1, 0], [0, 1]], 1, rule="pavv")
    with pytest.raises(sc.UnknownRuleError) as caught:
        sc.winners([[0, 1], [1, 0]], "zzzz")
    assert "Did you mean" not in str(caught.value)
