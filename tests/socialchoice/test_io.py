"""socialchoice.io: PrefLib round trips, the PrefLib files shipped with pref_voting and
preflibtools, malformed input, CSV layouts."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pref_voting
import preflibtools
import pytest
from pref_voting.io.readers import preflib_to_profile
from preflibtools.instances import OrdinalInstance

import socialchoice as sc
from socialchoice import generate
from socialchoice.io import (
    format_preflib,
    parse_ballots_csv,
    parse_preflib,
    read_ballots_csv,
    read_preflib,
    read_profile,
    write_preflib,
)

# ---------------------------------------------------------------------------- helpers
SHIPPED = sorted(
    p
    for pkg in (pref_voting, preflibtools)
    for ext in ("soc", "soi", "toc", "toi")
    for p in Path(pkg.__file__).parent.rglob(f"*.{ext}")
)


def _data_lines(text: str) -> list[str]:
    lines = text.splitlines()
    return ["".join(ln.split()) for ln in lines if ln.strip() and not ln.startswith("#")]


def _preflibtools_margins(inst: OrdinalInstance, ids: list[int]) -> np.ndarray:
    """Margins straight from preflibtools' orders (unlisted alternatives tied at the bottom)."""
    col = {a: j for j, a in enumerate(ids)}
    m = len(ids)
    M = np.zeros((m, m), dtype=np.int64)
    for order in inst.orders:
        pos = np.full(m, m)
        for p, tier in enumerate(order):
            for a in tier:
                pos[col[a]] = p
        w = inst.multiplicity[order]
        M += w * ((pos[:, None] < pos[None, :]).astype(int) - (pos[:, None] > pos[None, :]))
    return M


def _profile_of_type(kind: str, seed: int, labels=None) -> sc.Profile:
    """A random profile whose ballots need exactly the PrefLib type ``kind``."""
    rng = np.random.default_rng(seed)
    m = 5
    r = generate.impartial_culture(60, m, size=(), rng=rng).astype(float)
    if kind[0] == "t":  # merge positions pairwise -> ties on most ballots
        r = r // 2
    if kind[2] == "i":  # truncate: keep a random number of top tiers
        keep = rng.integers(1, m - 1, size=(len(r), 1))
        r[r >= keep] = np.nan
    counts = rng.integers(1, 5, size=len(r))
    return sc.Profile.from_ranks(r, candidates=labels, counts=counts)


# ---------------------------------------------------------------------------- round trips
@pytest.mark.parametrize("kind", ["soc", "soi", "toc", "toi"])
@pytest.mark.parametrize("labels", [None, ["Ann", "Bo", "Cy", "Di", "Ed"], [3, 1, 4, 10, 5]])
def test_round_trip_generated(tmp_path: Path, kind: str, labels) -> None:
    p = _profile_of_type(kind, seed=len(kind) + (labels is None), labels=labels)
    path = write_preflib(p, tmp_path / "prof", title="round trip", culture="IC")
    assert path.suffix == f".{kind}"                       # type chosen from the ballots
    q = read_preflib(path)
    assert q == p
    assert set(q.candidates) == set(p.candidates)
    assert q.metadata["data_type"] == kind and q.metadata["title"] == "round trip"
    assert q.metadata["culture"] == "IC" and q.metadata["file_name"] == "prof." + kind
    path2 = write_preflib(q, tmp_path / f"again.{kind}")
    r = read_preflib(path2)
    assert r == q and r.metadata == q.metadata             # read -> write -> read is exact
    assert path2.read_text() == path.read_text()
    # preflibtools reads what we write, with the same margins
    inst = OrdinalInstance(str(path))
    assert inst.data_type == kind and inst.num_voters == p.num_voters
    ids = sorted(inst.alternatives_name)
    order = [q.index(int(a) if labels is None or isinstance(labels[0], int)
                     else inst.alternatives_name[a]) for a in ids]
    assert np.array_equal(q.margin_matrix()[np.ix_(order, order)], _preflibtools_margins(inst, ids))


def test_round_trip_generators(tmp_path: Path) -> None:
    for i, p in enumerate([generate.mallows(200, 6, 0.4, rng=1), generate.urn(100, 4, 0.5, rng=2),
                           generate.single_peaked(50, 7, rng=3)]):
        q = read_preflib(write_preflib(p, tmp_path / f"g{i}"))
        assert q == p and q.candidates == p.candidates and q.metadata["data_type"] == "soc"
        assert q.metadata["modification_type"] == "synthetic"


def test_explicit_data_type_completes_ballots(tmp_path: Path) -> None:
    p = sc.Profile([["a", "b"], ["c", "a"]], candidates="abcd")
    text = format_preflib(p, data_type="toc")
    assert _data_lines(text)[-2:] == ["1:1,2,{3,4}", "1:3,1,{2,4}"]
    q = parse_preflib(text, source="x.toc")
    assert np.array_equal(q.margin_matrix(), p.margin_matrix())
    strict = sc.Profile([["a", "b", "c"], ["c", "a"]], candidates="abc")
    assert _data_lines(format_preflib(strict, data_type="soc"))[-1] == "1:3,1,2"
    with pytest.raises(sc.PrefLibError, match="Cannot write as soc: ballot 1"):
        format_preflib(sc.Profile([["a", "b"], [("a", "b")]]), data_type="soc")
    with pytest.raises(sc.PrefLibError, match=r"file extension is '\.soi'"):
        write_preflib(p, tmp_path / "x.soi", data_type="toi")
    with pytest.raises(sc.PrefLibError, match="Cannot write as soi"):
        write_preflib(sc.Profile([[("a", "b")]]), tmp_path / "x.soi")
    with pytest.raises(sc.PrefLibError, match="integer counts"):
        format_preflib(sc.Profile([["a", "b"]], counts=[0.5]))
    with pytest.raises(sc.PrefLibError, match="number_voters=3 was given but the profile has 2"):
        format_preflib(p, number_voters=3)
    with pytest.raises(sc.PrefLibError, match="line break"):
        format_preflib(p, title="two\nlines")


def test_to_preflib_method_and_header(tmp_path: Path) -> None:
    p = sc.Profile([["x", "y", "z"], ["z", "y", "x"]], counts=[4, 1])
    p.to_preflib(tmp_path / "m.soc", description="made here")
    text = (tmp_path / "m.soc").read_text()
    assert text.splitlines()[:4] == ["# FILE NAME: m.soc", "# TITLE:", "# DESCRIPTION: made here",
                                     "# DATA TYPE: soc"]
    assert "# ALTERNATIVE NAME 1: x" in text and text.endswith("4: 1,2,3\n1: 3,2,1\n")


# ---------------------------------------------------------------------------- shipped files
def test_shipped_files_found() -> None:
    assert len(SHIPPED) >= 10


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_file_against_pref_voting_and_preflibtools(path: Path, tmp_path: Path) -> None:
    p = read_preflib(path)
    inst = OrdinalInstance(str(path))
    ids = sorted(inst.alternatives_name)
    assert p.num_voters == inst.num_voters and len(p) == inst.num_unique_orders
    assert p.metadata["alternative_names"] == inst.alternatives_name
    assert p.metadata["data_type"] == inst.data_type
    cols = [p.candidates.index(a) if a in p.candidates else p.index(inst.alternatives_name[a])
            for a in ids]
    M = p.margin_matrix()[np.ix_(cols, cols)]
    assert np.array_equal(M, _preflibtools_margins(inst, ids))
    pv = preflib_to_profile(str(path))
    pv_M = np.array([[pv.margin(a, b) for b in ids] for a in ids])
    assert np.array_equal(M, pv_M)
    # read -> write -> read is exact, and the preference lines are reproduced
    out = write_preflib(p, tmp_path / path.name)
    q = read_preflib(out)
    assert q == p and q.metadata == p.metadata
    assert _data_lines(out.read_text()) == _data_lines(path.read_text())


# ---------------------------------------------------------------------------- labels
HEADER = "# DATA TYPE: soc\n# NUMBER ALTERNATIVES: 3\n"


@pytest.mark.parametrize(
    ("names", "labels"),
    [
        (["Ann", "Bo", "Cy"], ("Ann", "Bo", "Cy")),
        (["Same", "Same", "Cy"], (1, 2, 3)),   # not distinct -> numbers
        (["1", "2", "3"], (1, 2, 3)),          # names repeating the numbers -> numbers
        (None, (1, 2, 3)),                     # no names -> 1..m
    ],
)
def test_candidate_labels(names, labels) -> None:
    head = HEADER + "".join(f"# ALTERNATIVE NAME {i}: {n}\n" for i, n in enumerate(names or [], 1))
    p = parse_preflib(head + "2: 1,2,3\n1: 3,1,2\n", source="t.soc")
    assert p.candidates == labels
    assert p.metadata["alternative_names"] == {i: n for i, n in enumerate(names or "123", 1)}
    again = parse_preflib(format_preflib(p), source="t.soc")
    assert again == p and again.metadata == p.metadata and again.candidates == labels


def test_extra_fields_comments_and_string_parsing() -> None:
    text = ("# TITLE: A: with colon\n# CULTURE ID: mallows\n# just a note\n"
            "# ALTERNATIVE NAME 1: a\n# ALTERNATIVE NAME 2: b\n5: 2, 1\n\n")
    p = parse_preflib(text)
    assert p.metadata["title"] == "A: with colon" and p.metadata["culture_id"] == "mallows"
    assert p.metadata["comments"] == ["just a note"] and p.metadata["file_name"] == ""
    assert p.metadata["data_type"] == "soc" and p.metadata["number_voters"] == 5
    out = format_preflib(p)
    assert "# CULTURE ID: mallows" in out and "# just a note" in out
    assert parse_preflib(out).metadata == p.metadata


# ---------------------------------------------------------------------------- errors
GOOD = """# FILE NAME: e.soc
# DATA TYPE: soc
# NUMBER ALTERNATIVES: 3
# NUMBER VOTERS: 6
# NUMBER UNIQUE ORDERS: 3
# ALTERNATIVE NAME 1: a
# ALTERNATIVE NAME 2: b
# ALTERNATIVE NAME 3: c
3: 1,2,3
2: 2,3,1
1: 3,1,2
"""


def test_good_fixture_parses() -> None:
    assert parse_preflib(GOOD, source="e.soc").num_voters == 6


@pytest.mark.parametrize(
    ("old", "new", "source", "line", "expected"),
    [
        ("3: 1,2,3", "x: 1,2,3", "e.soc", 9, "malformed count 'x'"),
        ("3: 1,2,3", "-3: 1,2,3", "e.soc", 9, "malformed count '-3'"),
        ("2: 2,3,1", "2: 2,3,4", "e.soc", 10, "alternative 4 is not one of the file's"),
        ("2: 2,3,1", "2: 2,3,2", "e.soc", 10, "alternative 2 is listed twice"),
        ("1: 3,1,2", "1: 3,1", "e.soc", 11, "lists 2 of the 3 alternatives; expected all"),
        ("1: 3,1,2", "1: 3,{1,2}", "e.soc", 11, "tied alternatives; expected a strict order"),
        ("1: 3,1,2", "1: 3,,1,2", "e.soc", 11, "malformed order"),
        ("1: 3,1,2", "1: 3,{1,2", "e.soc", 11, "malformed order"),
        ("1: 3,1,2", "1: 3 1,2", "e.soc", 11, "malformed order"),
        ("1: 3,1,2", "1 3,1,2", "e.soc", 11, "has no ':'"),
        ("# NUMBER VOTERS: 6", "# NUMBER VOTERS: 7", "e.soc", 4, "sum to 6"),
        ("# NUMBER VOTERS: 6", "# NUMBER VOTERS: six", "e.soc", 4, "non-negative integer"),
        ("# NUMBER UNIQUE ORDERS: 3", "# NUMBER UNIQUE ORDERS: 4", "e.soc", 5, "3 preference"),
        ("# NUMBER ALTERNATIVES: 3", "# NUMBER ALTERNATIVES: 4", "e.soc", 3, "3 ALTERNATIVE NAME"),
        ("# DATA TYPE: soc", "# DATA TYPE: toi", "e.soc", 2, "file extension is '.soc'"),
        ("# DATA TYPE: soc", "# DATA TYPE: cat", "e.cat", 2, "ordinal types"),
        ("# ALTERNATIVE NAME 3: c", "# ALTERNATIVE NAME 2: c", "e.soc", 8, "given twice"),
        ("# FILE NAME: e.soc", "# FILE NAME: e.soc\n# FILE NAME: f.soc", "e.soc", 2, "given twice"),
        ("1: 3,1,2", "1: 3,1,2\n# TITLE: late", "e.soc", 12, "header line after"),
    ],
)
def test_malformed_preflib(old: str, new: str, source: str, line: int, expected: str) -> None:
    assert old in GOOD
    with pytest.raises(sc.PrefLibError) as err:
        parse_preflib(GOOD.replace(old, new), source=source)
    msg = str(err.value)
    assert msg.startswith(f"{source}, line {line}: "), msg
    assert expected in msg and "expected" in msg, msg


@pytest.mark.parametrize(
    ("source", "text", "expected"),
    [
        ("x.soi", "# NUMBER ALTERNATIVES: 3\n1: 1,{2,3}\n", "expected a strict order, as a soi"),
        ("x.toc", "# NUMBER ALTERNATIVES: 3\n1: {1,2}\n", "lists 2 of the 3 alternatives"),
        ("x.toi", "# NUMBER ALTERNATIVES: 3\n# TITLE: t\n", "no preference lines"),
        ("x.toi", "# NUMBER ALTERNATIVES: 2\n0: 1,2\n", "every count is 0"),
    ],
)
def test_malformed_preflib_types(source: str, text: str, expected: str) -> None:
    with pytest.raises(sc.PrefLibError, match=expected) as err:
        parse_preflib(text, source=source)
    assert str(err.value).startswith(f"{source}, line 2: ")


def test_read_preflib_error_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.soc"
    path.write_text(GOOD.replace("2: 2,3,1", "2: 2,3"))
    with pytest.raises(sc.PrefLibError, match=rf"{path}, line 10: .*complete orders"):
        read_preflib(path)
    with pytest.raises(sc.PrefLibError, match=r"line 10"):
        read_profile(path)


def test_lenient_inputs() -> None:
    # no header at all: alternatives are the numbers used, type inferred
    p = parse_preflib("2: 1,{2,3}\n1: 3\n")
    assert p.candidates == (1, 2, 3) and p.metadata["data_type"] == "toi"
    # CRLF line ends, blank lines, spaces
    q = parse_preflib(GOOD.replace("\n", "\r\n").replace("3: 1,2,3", " 3 :  1 , 2 ,3 \r\n"),
                      source="e.soc")
    assert q == parse_preflib(GOOD, source="e.soc")
    # duplicate orders are merged
    r = parse_preflib("# NUMBER ALTERNATIVES: 2\n1: 1,2\n2: 1,2\n", source="d.soc")
    assert r.ballots == [(1, 2)] and r.num_voters == 3


# ---------------------------------------------------------------------------- CSV
CYCLIC = sc.Profile([list("abcd"), list("cdab"), list("dbac")])


@pytest.mark.parametrize(
    "text",
    [
        "a,b,c,d\nc,d,a,b\nd,b,a,c\n",                                # ranked, no header
        "rank1,rank2,rank3,rank4\na,b,c,d\nc,d,a,b\nd,b,a,c\n",      # rank header
        "1st,2nd,3rd,4th\na,b,c,d\nc,d,a,b\nd,b,a,c\n",              # ordinal header
        "count,Rank 1,Rank 2,Rank 3,Rank 4\n1,a,b,c,d\n1,c,d,a,b\n1,d,b,a,c\n",
        "a,b,c,d\n1,2,3,4\n3,4,1,2\n3,2,4,1\n",                      # rank matrix, no meta column
        "voter,a,b,c,d\nv1,1,2,3,4\nv2,3,4,1,2\nv3,3,2,4,1\n",       # rank matrix with voter ids
        "Count,d,c,b,a\n1,4,3,2,1\n1,2,1,4,3\n1,1,4,2,3\n",           # matrix, other column order
        "a\tb\tc\td\nc\td\ta\tb\nd\tb\ta\tc\n",                      # tab-separated
        "\ufeffa;b;c;d\n\nc;d;a;b\nd;b;a;c\n",                       # BOM, semicolons, blank line
    ],
)
def test_csv_layouts_agree(text: str) -> None:
    p = parse_ballots_csv(text)
    assert p == CYCLIC
    idx = [p.index(c) for c in CYCLIC.candidates]
    assert np.array_equal(p.margin_matrix()[np.ix_(idx, idx)], CYCLIC.margin_matrix())


def test_csv_ties_truncation_counts_and_int_labels() -> None:
    p = parse_ballots_csv("count,rank1,rank2,rank3\n3,a,b=c,\n2,c,,\n1,b = a,c,\n")
    assert p.metadata["csv_layout"] == "ranked"
    assert p.ballots == [("a", ("b", "c")), ("c",), (("a", "b"), "c")]
    assert p.counts.tolist() == [3, 2, 1]
    m = parse_ballots_csv("count,a,b,c\n3,1,2,2\n2,,,1\n1,1,1,2\n")
    assert m == p and m.metadata["csv_layout"] == "matrix"
    ints = parse_ballots_csv("10,2,1\n1,10\n")
    assert ints.candidates == (1, 2, 10) and ints.ballots == [(10, 2, 1), (1, 10)]
    w = parse_ballots_csv("count,rank1\n0.5,x\n2,y\n")
    assert w.counts.tolist() == [0.5, 2.0]


@pytest.mark.parametrize(
    ("text", "row", "col", "expected"),
    [
        ("a,b,c\nb,a,b\n", 2, 3, "candidate 'b' already appears in column 1"),
        ("a,,c\n", 1, 2, "blank cell before a filled one"),
        ("count,rank1,rank2\n3,a,b\nx,b,a\n", 3, 1, "count 'x'; expected a non-negative number"),
        ("count,rank1,rank2\n-1,a,b\n", 2, 1, "count '-1'"),
        ("rank1,rank2\na,b=\n", 2, 2, "empty name"),
        ("rank1,rank2\na,b,c\n", 2, 3, "beyond the header's 2 columns"),
        ("voter,a,b\nv1,1,x\n", 2, 3, "'x' is not a rank"),
        ("voter,a,b\nv1,0,1\n", 2, 2, "'0' is not a rank"),
        ("count,a,b,a\n1,1,2,3\n", 1, 4, "candidate 'a' is named twice"),
        ("count,a,,b\n1,1,2,3\n", 1, 3, "blank header cell"),
        ("a,b\n1,2,3\n", 2, 3, "beyond the header's 2 columns"),
    ],
)
def test_csv_errors(text: str, row: int, col: int, expected: str) -> None:
    with pytest.raises(sc.ProfileError) as err:
        parse_ballots_csv(text, source="f.csv")
    msg = str(err.value)
    assert msg.startswith(f"f.csv, row {row}, column {col}: "), msg
    assert expected in msg and "expected" in msg, msg


def test_csv_empty_inputs() -> None:
    with pytest.raises(sc.ProfileError, match="the file is empty"):
        parse_ballots_csv("\n\n")
    with pytest.raises(sc.ProfileError, match="only a header row"):
        parse_ballots_csv("count,rank1\n")


def test_read_ballots_csv_sources(tmp_path: Path) -> None:
    text = "count,rank1,rank2\n2,a,b\n1,b,a\n"
    path = tmp_path / "votes.csv"
    path.write_text(text)
    expected = sc.Profile([["a", "b"], ["b", "a"]], counts=[2, 1])
    assert read_ballots_csv(path) == expected and read_ballots_csv(str(path)) == expected
    assert read_ballots_csv(io.StringIO(text)) == expected
    assert read_ballots_csv(io.BytesIO(("\ufeff" + text).encode())) == expected
    assert read_ballots_csv(path).metadata == {"csv_layout": "ranked", "source": "votes.csv"}
    txt = tmp_path / "votes.txt"
    txt.write_text(text)
    assert read_profile(txt) == expected and read_profile(path) == expected
    with pytest.raises(sc.ProfileError, match=r"votes\.csv, row 4, column 3"):
        path.write_text(text + "1,a,a\n")
        read_profile(path)


def test_read_profile_dispatch(tmp_path: Path) -> None:
    strict, ties = sc.Profile([["a", "b"], ["b"]]), sc.Profile([["a", "b"], [("a", "b")]])
    cases = [("soc", sc.Profile([["a", "b"]])), ("soi", strict), ("toc", ties), ("toi", ties)]
    for ext, p in cases:
        path = write_preflib(p, tmp_path / f"x.{ext.upper()}")
        assert read_profile(path) == p and read_profile(path).metadata["data_type"] == ext
    with pytest.raises(sc.ProfileError, match=r"unknown extension '\.json'"):
        read_profile(tmp_path / "x.json")
    assert sc.read_preflib is read_preflib and sc.write_preflib is write_preflib
    assert sc.read_profile is read_profile and sc.io.read_profile is read_profile
