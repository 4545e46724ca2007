"""``winners_table`` and ``margins_table``: many elections of one long ballot table, batched
by shape, against a slow reference (one :class:`socialchoice.Profile` per election)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import socialchoice as sc

from .oracle import oracle_winners

SETTINGS = settings(max_examples=80, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def profiles_of(table: pd.DataFrame, weight: str | None = None):
    """(election, candidates, Profile) per election, by a plain loop over the rows."""
    for e in dict.fromkeys(table["prompt_id"]):
        rows = table[table["prompt_id"] == e]
        cands = list(dict.fromkeys(rows["response_id"]))
        voters = list(dict.fromkeys(rows["annotator_id"]))
        ranks = np.full((len(voters), len(cands)), -1.0)
        counts = np.ones(len(voters))
        for _, row in rows.iterrows():
            v, c = voters.index(row["annotator_id"]), cands.index(row["response_id"])
            ranks[v, c] = row["rank"]
            if weight is not None:
                counts[v] = row[weight]
        yield e, cands, sc.Profile.from_ranks(ranks, candidates=cands, counts=counts)


def reference_winners(table: pd.DataFrame, rule: str, weight: str | None = None
                      ) -> pd.DataFrame:
    out = []
    for e, cands, p in profiles_of(table, weight):
        won = set(sc.winners(p, rule))
        out += [(e, c, c in won) for c in cands]
    return pd.DataFrame(out, columns=["prompt_id", "response_id", "winner"])


def reference_margins(table: pd.DataFrame, weight: str | None = None) -> pd.DataFrame:
    out = []
    for e, cands, p in profiles_of(table, weight):
        M = p.margin_matrix()
        out += [(e, a, b, M[i, j]) for i, a in enumerate(cands)
                for j, b in enumerate(cands) if i != j]
    return pd.DataFrame(out, columns=["prompt_id", "a", "b", "margin"])


@st.composite
def tables(draw, max_voters: int = 5, strict: bool = False) -> pd.DataFrame:
    """Elections of 1-4 candidates and 1-``max_voters`` voters (some ballots truncated or
    tied unless ``strict``), ids shared between elections, rows in a random order."""
    rows = []
    for e in range(draw(st.integers(1, 5))):
        m = draw(st.integers(1, 4))
        for v in range(draw(st.integers(1, max_voters))):
            if strict:
                ranks = list(draw(st.permutations(range(m))))
            else:
                ranks = draw(st.lists(st.sampled_from([None, 0, 1, 2, 5]), min_size=m,
                                      max_size=m))
                if all(r is None for r in ranks):
                    ranks[draw(st.integers(0, m - 1))] = 0
            weight = draw(st.sampled_from([0, 1, 2, 3]))
            rows += [(10 * e, f"v{v}", "abcd"[c], r, weight) for c, r in enumerate(ranks)
                     if r is not None]
    table = pd.DataFrame(rows, columns=["prompt_id", "annotator_id", "response_id", "rank",
                                        "w"])
    order = draw(st.permutations(range(len(table))))
    return table.iloc[list(order)].reset_index(drop=True)


def same(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected, check_dtype=False)


@SETTINGS
@given(table=tables(), rule=st.sampled_from(sc.rule_names()), weighted=st.booleans())
def test_winners_are_those_of_one_profile_per_election(table, rule, weighted) -> None:
    weight = "w" if weighted else None
    try:
        expected = reference_winners(table, rule, weight)
    except (sc.ProfileError, sc.RuleInputError):
        # every voter of an election weighs 0, or a rule on strict rankings is given ties:
        # both refuse (with several faulty elections, not necessarily for the same one:
        # the table is checked whole before any rule runs)
        with pytest.raises((sc.ProfileError, sc.RuleInputError),
                           match=r"^Row \d+ of the table: "):
            sc.winners_table(table, rule, weight=weight)
        return
    same(sc.winners_table(table, rule, weight=weight), expected)


@SETTINGS
@given(table=tables(strict=True), rule=st.sampled_from(sc.rule_names("positional")
                                                       + sc.rule_names("runoff")))
def test_rules_on_strict_rankings_take_strict_tables(table, rule) -> None:
    same(sc.winners_table(table, rule), reference_winners(table, rule))


@SETTINGS
@given(table=tables(), weighted=st.booleans())
def test_margins_are_those_of_one_profile_per_election(table, weighted) -> None:
    weight = "w" if weighted else None
    try:
        expected = reference_margins(table, weight)
    except sc.ProfileError:  # every voter of an election weighs 0: both refuse
        with pytest.raises(sc.ProfileError, match=r"^Row \d+ of the table: every voter of "):
            sc.margins_table(table, weight=weight)
        return
    same(sc.margins_table(table, weight=weight), expected)


def random_table(seed: int, elections: int) -> pd.DataFrame:
    """Strict complete ballots; electorates from 1 to 40 voters (several padded groups)."""
    rng = np.random.default_rng(seed)
    parts = []
    for e in rng.permutation(elections):
        m, n = int(rng.integers(2, 5)), int(rng.choice([1, 3, 17, 40]))
        ranks = rng.permuted(np.tile(np.arange(m), (n, 1)), axis=1)
        parts.append(pd.DataFrame({
            "prompt_id": f"p{e}", "annotator_id": np.repeat(np.arange(n), m),
            "response_id": np.tile(rng.permutation(10)[:m], n), "rank": ranks.ravel()}))
    return pd.concat(parts, ignore_index=True)


@pytest.mark.parametrize("rule", sc.rule_names())
def test_every_rule_on_many_electorate_sizes(rule: str) -> None:
    table = random_table(7, 30)
    same(sc.winners_table(table, rule), reference_winners(table, rule))


@pytest.mark.parametrize("rule", ["copeland", "instant_runoff", "borda"])
def test_pref_voting_agrees(rule: str) -> None:
    table = random_table(3, 12)
    got = sc.winners_table(table, rule)
    for e, _, p in profiles_of(table):
        won = got[got["prompt_id"] == e]
        expected = oracle_winners(rule, p)   # candidate indices
        assert won["winner"].to_numpy().nonzero()[0].tolist() == expected


def test_float_weights_give_float_margins_and_other_column_names() -> None:
    t = pd.DataFrame({"e": ["x", "x", "x", "x"], "v": [1, 1, 2, 2], "c": [5, 6, 5, 6],
                      "r": [0, 1, 1, 0], "w": [0.5, 0.5, 0.25, 0.25]})
    options = {"election": "e", "voter": "v", "candidate": "c", "rank": "r", "weight": "w"}
    m = sc.margins_table(t, **options)
    assert list(m.columns) == ["e", "a", "b", "margin"]
    assert m["margin"].tolist() == [0.25, -0.25]
    w = sc.winners_table(t, "plurality", **options)
    assert w.to_dict("list") == {"e": ["x", "x"], "c": [5, 6], "winner": [True, False]}


def test_an_empty_table_gives_no_rows() -> None:
    empty = pd.DataFrame({"prompt_id": [], "annotator_id": [], "response_id": [],
                          "rank": []})
    assert list(sc.winners_table(empty, "copeland").columns) == ["prompt_id", "response_id",
                                                                 "winner"]
    assert len(sc.margins_table(empty)) == 0


GOOD = pd.DataFrame({"prompt_id": [1, 1, 1, 1], "annotator_id": ["x", "x", "y", "y"],
                     "response_id": ["a", "b", "a", "b"], "rank": [0, 1, 1, 0],
                     "w": [1, 1, 2, 2]})


@pytest.mark.parametrize(("column", "value", "row", "message"), [
    ("rank", 1.5, 2, r"Row 2 of the table: the 'rank' column holds 1\.5; expected a "
                     r"non-negative integer\."),
    ("rank", -1, 1, r"Row 1 of the table: the 'rank' column holds -1"),
    ("rank", np.nan, 3, r"Row 3 of the table: the 'rank' column holds no value"),
    ("rank", "first", 0, r"Row 0 of the table: the 'rank' column holds 'first'"),
    ("annotator_id", None, 2, r"Row 2 of the table: the 'annotator_id' column has no value"),
    ("prompt_id", np.nan, 1, r"Row 1 of the table: the 'prompt_id' column has no value"),
    ("response_id", "a", 1, r"Row 1 of the table: voter 'x' ranks candidate 'a' of "
                            r"election 1 a second time \(first at row 0\)"),
    ("w", 3, 3, r"Row 3 of the table: the 'w' column holds 3 but 2 on row 2 of the same "
                r"voter and election"),
    ("w", -1, 0, r"Row 0 of the table: the 'w' column holds -1; expected a finite "
                 r"non-negative number"),
])
def test_bad_rows_are_named(column: str, value, row: int, message: str) -> None:
    table = GOOD.copy()
    table[column] = table[column].astype(object)
    table.loc[row, column] = value
    for func in (lambda t: sc.winners_table(t, "copeland", weight="w"),
                 lambda t: sc.margins_table(t, weight="w")):
        with pytest.raises(sc.ProfileError, match=message):
            func(table)


def test_bad_options_and_columns_are_named() -> None:
    with pytest.raises(sc.ProfileError, match=r"the table: the ballot table has no column "
                                              r"'rank' \(its columns: 'prompt_id'"):
        sc.winners_table(GOOD.drop(columns="rank"), "copeland")
    with pytest.raises(sc.ProfileError, match=r"The 'voter' parameter of margins_table "
                                              r"must be a column name"):
        sc.margins_table(GOOD, voter=3)
    with pytest.raises(sc.ProfileError, match="must name different columns"):
        sc.margins_table(GOOD, voter="rank")
    with pytest.raises(sc.ProfileError, match="the 'a' column of the table"):
        sc.margins_table(GOOD.rename(columns={"response_id": "a"}), candidate="a")
    with pytest.raises(sc.UnknownRuleError, match="Did you mean 'copeland'"):
        sc.winners_table(GOOD, "copland")
    with pytest.raises(sc.ProfileError, match="must be a pandas DataFrame"):
        sc.winners_table([[1, 2]], "copeland")


def test_a_tied_ballot_for_a_strict_rule_is_named_by_its_row() -> None:
    table = GOOD.assign(rank=[0, 1, 0, 0])
    with pytest.raises(sc.RuleInputError, match=r"^Row 2 of the table: borda is defined on "
                                                r"strict, complete rankings, but voter 'y' "
                                                r"of election 1"):
        sc.winners_table(table, "borda")


def test_a_voter_of_weight_zero_counts_for_nothing() -> None:
    """As in a Profile, which drops the ballot: its ties do not stop a strict rule."""
    table = pd.concat([GOOD, pd.DataFrame({"prompt_id": 1, "annotator_id": "z",
                                           "response_id": ["a", "b"], "rank": 0, "w": 0})],
                      ignore_index=True)
    for rule in ("borda", "plurality", "copeland"):
        assert sc.winners_table(table, rule, weight="w")["winner"].tolist() == \
            sc.winners_table(GOOD, rule, weight="w")["winner"].tolist() == [False, True]
    with pytest.raises(sc.ProfileError, match=r"^Row 0 of the table: every voter of election "
                                              r"1 has weight 0 in the 'w' column"):
        sc.winners_table(GOOD.assign(w=0), "copeland", weight="w")
