"""Hostile input to the ballot readers: each case is a clear typed error or the right answer."""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import socialchoice as sc
from socialchoice import io as scio

BIG = 2**53


# ---------------------------------------------------------------------------- magnitudes
def test_preflib_count_beyond_int64_names_the_line() -> None:
    text = "# NUMBER ALTERNATIVES: 2\n1: 1,2\n100000000000000000000: 2,1\n"
    with pytest.raises(sc.PrefLibError, match=r"^x\.soc, line 3: count 100000000000000000000"):
        scio.parse_preflib(text, source="x.soc")


def test_preflib_counts_that_would_wrap_are_refused() -> None:
    lines = "".join(f"{2**62}: {a},{b}\n" for a, b in [(1, 2), (2, 1), (2, 1), (2, 1)])
    with pytest.raises(sc.PrefLibError, match=r"line 2: .*2\^53") as err:
        scio.parse_preflib("# NUMBER ALTERNATIVES: 2\n" + lines, source="x.soc")
    assert "expected" in str(err.value)


def test_preflib_total_above_2_53_names_the_line_where_it_crosses() -> None:
    half = 2**52 + 1
    text = f"# NUMBER ALTERNATIVES: 2\n{half}: 1,2\n{half}: 2,1\n"
    with pytest.raises(sc.PrefLibError, match=r"line 3: .*sum .*2\^53"):
        scio.parse_preflib(text, source="x.soc")


def test_profile_counts_that_would_wrap_are_refused() -> None:
    with pytest.raises(sc.ProfileError, match=r"Ballot 0 has count 4611686018427387904; expe"):
        sc.Profile([["a", "b"], ["b", "a"], ["a", "b"], ["b", "a"]], counts=[2**62] * 4)
    with pytest.raises(sc.ProfileError, match=r"sum to .*; expected a total of at most 2\^53"):
        sc.Profile([["a", "b"], ["b", "a"]], counts=np.array([2**52 + 1] * 2))
    with pytest.raises(sc.ProfileError, match=r"Ballot 0 has count 100000000000000000000"):
        sc.Profile([["a", "b"]], counts=[10**20])
    with pytest.raises(sc.ProfileError, match=r"Ballot 1 has count 1e\+300"):
        sc.Profile([["a", "b"], ["b", "a"]], counts=[1.0, 1e300])
    p = sc.Profile([["a", "b"], ["b", "a"]], counts=[BIG - 1, 1])
    assert p.num_voters == BIG and p.margin_matrix()[0, 1] == BIG - 2


def test_csv_rank_beyond_int64_names_row_and_column() -> None:
    text = "a,b,c\n1,2,3\n1,99999999999999999999,2\n"
    with pytest.raises(sc.ProfileError, match=r"^f\.csv, row 3, column 2: .*99999999999999999999"):
        scio.parse_ballots_csv(text, source="f.csv")


def test_csv_count_1e20_names_row_and_column() -> None:
    with pytest.raises(sc.ProfileError, match=r"^f\.csv, row 3, column 1: count '1e20'"):
        scio.parse_ballots_csv("count,rank1\n1,a\n1e20,b\n", source="f.csv")
    with pytest.raises(sc.ProfileError, match=r"^f\.csv, row 2, column 1: .*2\^53"):
        scio.parse_ballots_csv(f"count,rank1\n{2**62},a\n{2**62},b\n", source="f.csv")
    text = f"count,rank1\n{2**52 + 1},a\n{2**52 + 1},b\n"
    with pytest.raises(sc.ProfileError, match=r"^f\.csv, row 3, column 1: .*sum .*2\^53"):
        scio.parse_ballots_csv(text, source="f.csv")


# ---------------------------------------------------------------------------- allocation
def test_preflib_huge_header_is_checked_before_allocating() -> None:
    text = "# DATA TYPE: toi\n# NUMBER ALTERNATIVES: 1000000000\n1: 1,2\n"
    tracemalloc.start()
    try:
        with pytest.raises(sc.PrefLibError, match=r"line 2: NUMBER ALTERNATIVES is 1000000000"):
            scio.parse_preflib(text, source="x.toi")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10_000_000


def test_preflib_huge_header_complete_type_names_the_order_line() -> None:
    text = "# NUMBER ALTERNATIVES: 1000000000\n1: 1,2\n"
    with pytest.raises(sc.PrefLibError, match=r"line 2: this order lists 2 of the 1000000000"):
        scio.parse_preflib(text, source="x.soc")


def test_preflib_named_unlisted_alternatives_still_read() -> None:
    text = ("# NUMBER ALTERNATIVES: 3\n# ALTERNATIVE NAME 1: a\n# ALTERNATIVE NAME 2: b\n"
            "# ALTERNATIVE NAME 3: c\n1: 1,2\n")
    p = scio.parse_preflib(text, source="x.soi")
    assert p.candidates == ("a", "b", "c") and p.ballots == [("a", "b")]


# ---------------------------------------------------------------------------- empty files
def test_empty_files_say_they_are_empty(tmp_path: Path) -> None:
    path = tmp_path / "e.soc"
    path.write_bytes(b"")
    with pytest.raises(sc.PrefLibError, match=r"e\.soc: the file is empty") as err:
        sc.read_preflib(path)
    assert "line 0" not in str(err.value)
    with pytest.raises(sc.ProfileError, match=r"^f\.csv: the file is empty"):
        scio.parse_ballots_csv("", source="f.csv")


# ---------------------------------------------------------------------------- CSV layout
def test_rank_matrix_typo_names_row_and_column() -> None:
    with pytest.raises(sc.ProfileError, match=r"^f\.csv, row 3, column 2: .*'x'.*layout='ranked'"):
        scio.parse_ballots_csv("a,b,c\n1,2,3\n3,x,1\n2,1,3\n", source="f.csv")


def test_excel_float_ranks_are_integers() -> None:
    p = scio.parse_ballots_csv("a,b,c\n1.0,2.0,3.0\n3.0,1.0,2.0\n")
    assert p.metadata["csv_layout"] == "matrix"
    assert p.ballots == [("a", "b", "c"), ("b", "c", "a")]
    with pytest.raises(sc.ProfileError, match=r"row 2, column 2: .*'1\.5' is not a rank"):
        scio.parse_ballots_csv("a,b\n1,1.5\n", layout="matrix")


@pytest.mark.parametrize(
    "head",
    ["First choice,Second choice,Third choice", "First,Second,Third", "Choice 1,Choice 2,Choice 3",
     "1st preference,2nd preference,3rd preference", "Rank,Rank,Rank"],
)
def test_rank_headers_are_not_candidates(head: str) -> None:
    p = scio.parse_ballots_csv(f"{head}\nalice,bob,carol\ncarol,bob,alice\n")
    assert p.candidates == ("alice", "bob", "carol")
    assert p.metadata["csv_layout"] == "ranked"


def test_unknown_header_over_ballots_is_ambiguous() -> None:
    text = "Top pick,Runner-up\nalice,bob\nbob,alice\n"
    with pytest.raises(sc.ProfileError, match=r"row 1: .*header=True.*header=False"):
        scio.parse_ballots_csv(text, source="f.csv")
    assert scio.parse_ballots_csv(text, header=True).candidates == ("alice", "bob")
    assert len(scio.parse_ballots_csv(text, header=False).candidates) == 4


@pytest.mark.parametrize(
    "text",
    [
        "alice>bob>carol\ncarol > bob > alice\n",
        "count,ballot\n1,alice>bob>carol\n1,carol>bob>alice\n",
        "alice>bob,carol\ncarol,bob>alice\n",
    ],
)
def test_greater_than_notation(text: str) -> None:
    p = scio.parse_ballots_csv(text)
    assert p == sc.Profile([["alice", "bob", "carol"], ["carol", "bob", "alice"]])


def test_greater_than_notation_with_ties() -> None:
    p = scio.parse_ballots_csv("a>b=c\nc\n")
    assert p.ballots == [("a", ("b", "c")), ("c",)]
    with pytest.raises(sc.ProfileError, match=r"row 1, column 1: 'a>>b' has an empty name"):
        scio.parse_ballots_csv("a>>b\n")


def test_explicit_layout_is_used_and_reported() -> None:
    text = "a,b\n1,2\n2,1\n"
    assert scio.parse_ballots_csv(text).metadata["csv_layout"] == "matrix"
    ranked = scio.parse_ballots_csv(text, layout="ranked", header=False)
    assert ranked.metadata["csv_layout"] == "ranked" and ranked.num_voters == 3
    with pytest.raises(sc.ProfileError, match=r"The 'layout' parameter of parse_ballots_csv"):
        scio.parse_ballots_csv(text, layout="grid")
    result = scio.read_ballots(text.encode(), name="m.csv")
    assert result.layout == "matrix" and result.format == "csv" and result.source == "m.csv"
    assert result.profile == sc.Profile([["a", "b"], ["b", "a"]])


def test_candidate_names_with_line_breaks_are_refused() -> None:
    with pytest.raises(sc.ProfileError, match=r"^f\.csv, row 2, column 1: .*line break"):
        scio.parse_ballots_csv('a,b\n"b\nx",a\nb,a\n', source="f.csv")


def test_unbalanced_quote_names_the_line_where_it_opened() -> None:
    text = 'a,b,c\nb,"c,a\nc,a,b\na,b,c\n'
    with pytest.raises(sc.ProfileError, match=r"^f\.csv, row 2, column 2: .*quote .*never closed"):
        scio.parse_ballots_csv(text, source="f.csv")


# ---------------------------------------------------------------------------- sources
def test_readers_take_paths_files_and_bytes(tmp_path: Path) -> None:
    soc = sc.Profile([["a", "b"], ["b", "a"]], counts=[2, 1])
    path = soc.to_preflib(tmp_path / "e.soc")
    data = path.read_bytes()
    assert sc.read_preflib(data) == soc and sc.read_preflib(io.BytesIO(data)) == soc
    assert sc.read_preflib(io.StringIO(data.decode())) == soc
    with pytest.raises(sc.PrefLibError, match=r"^upload\.soc, line"):
        sc.read_preflib(data.replace(b"2: 1,2", b"2: 1,3"), name="upload.soc")
    csv_bytes = b"count,rank1,rank2\n2,a,b\n1,b,a\n"
    assert scio.read_ballots_csv(csv_bytes) == soc
    assert sc.read_profile(csv_bytes, name="v.csv") == soc
    assert sc.read_profile(io.BytesIO(data), name="e.soc") == soc
    assert scio.read_ballots(data).format == "preflib"  # sniffed from the content
    with pytest.raises(sc.ProfileError, match=r"^nowhere\.csv: no such file"):
        scio.read_ballots_csv("nowhere.csv")
    with pytest.raises(sc.PrefLibError, match=r"^<bytes>: byte 0 is not UTF-8"):
        sc.read_preflib(b"\xff\xfe")


def test_to_preflib_returns_the_path(tmp_path: Path) -> None:
    p = sc.Profile([["a", "b"]])
    assert p.to_preflib(tmp_path / "x") == tmp_path / "x.soc"


def test_no_import_cycle_between_profile_and_io() -> None:
    import ast
    import inspect

    import socialchoice._preflib_write as writer_module
    import socialchoice.profile as profile_module

    def imports(module: object) -> set[str]:
        tree = ast.parse(inspect.getsource(module))
        return {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}

    assert not imports(profile_module) & {"io", "_preflib", "_csv"}
    assert "_preflib_write" in imports(profile_module)
    assert "profile" not in imports(writer_module)  # the writer never needs the class


def test_result_arrays_are_int64_safe() -> None:
    p = scio.parse_preflib(f"# NUMBER ALTERNATIVES: 2\n{BIG - 1}: 1,2\n1: 2,1\n", source="x.soc")
    assert p.num_voters == BIG and p.counts.dtype == np.int64


_PIECES = ["a", "b", "1", "2", "2.0", ",", ";", "\t", '"', "=", ">", "<", "\n", "\r\n", " ", "#",
           ":", "{", "}", "count", "voter", "rank1", "First choice", "99999999999999999999",
           "1e20", "-1", "0", "# NUMBER ALTERNATIVES: ", "# ALTERNATIVE NAME 1: "]


_HEADS = ["", "a,b\n", "count,rank1,rank2\n", "voter,a,b\n", "# NUMBER ALTERNATIVES: 2\n"]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_HEADS), st.lists(st.sampled_from(_PIECES), max_size=30).map("".join))
def test_any_text_is_a_profile_or_a_typed_error(head: str, body: str) -> None:
    text = head + body
    for parse in (scio.parse_ballots_csv, scio.parse_preflib):
        try:
            p = parse(text)
        except sc.SocialChoiceError as exc:
            assert str(exc)
        else:
            assert 0 < p.num_voters <= BIG
