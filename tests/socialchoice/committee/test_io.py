"""``committee.read_approvals``: sources, weights, headers and the messages of bad files."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from socialchoice import ApprovalError, committee

TEXT = "voter,weight,a,b,c\nann,2,1,1,0\nbob,1,0,0,1\n"


def test_reads_a_path_a_text_or_binary_stream_and_bytes(tmp_path: Path) -> None:
    path = tmp_path / "ballots.csv"
    path.write_text(TEXT)
    sources = [path, str(path), io.StringIO(TEXT), io.BytesIO(TEXT.encode()), TEXT.encode()]
    for source in sources:
        ballots = committee.read_approvals(source)
        assert ballots.candidates == ("a", "b", "c")
        assert ballots.voters == ("ann", "bob")
        np.testing.assert_array_equal(ballots.weights, [2.0, 1.0])
        np.testing.assert_array_equal(ballots.matrix, [[1, 1, 0], [0, 0, 1]])


def test_errors_name_the_users_file_not_a_temporary_path() -> None:
    bad = b"a,b\n1,maybe\n"
    with pytest.raises(ApprovalError, match=r"^upload\.csv, line 2, column 'b'"):
        committee.read_approvals(bad, name="upload.csv")
    with pytest.raises(ApprovalError, match=r"^<bytes>, line 2"):
        committee.read_approvals(bad)
    stream = io.BytesIO(bad)
    stream.name = "/tmp/tmpab12cd/ballots.csv"
    with pytest.raises(ApprovalError, match=r"^ballots\.csv, line 2"):
        committee.read_approvals(stream)


def test_missing_file_and_non_utf8(tmp_path: Path) -> None:
    with pytest.raises(ApprovalError, match="no such file"):
        committee.read_approvals(tmp_path / "nope.csv")
    with pytest.raises(ApprovalError, match="not UTF-8"):
        committee.read_approvals(b"a,b\n1,\xff\n", name="x.csv")


@pytest.mark.parametrize("cell", ["yes", "x", "true", "", "two"])
def test_a_weight_must_be_a_number(cell: str) -> None:
    # weights used to go through the approval-cell reader: "yes" was read as weight 1
    text = f"voter,weight,a,b\nann,{cell},1,0\nbob,1,0,1\n"
    with pytest.raises(ApprovalError) as err:
        committee.read_approvals(text.encode(), name="w.csv")
    message = str(err.value)
    assert message.startswith("w.csv, line 2, column 'weight'"), message
    assert "a voter weight must be a positive number" in message and repr(cell) in message


@pytest.mark.parametrize("cell", ["0", "-1", "inf", "nan"])
def test_a_weight_must_be_positive_and_finite_and_is_not_called_a_utility(cell: str) -> None:
    text = f"weight,a\n{cell},1\n"
    with pytest.raises(ApprovalError, match=r"line 2, column 'weight': a voter weight") as err:
        committee.read_approvals(text.encode())
    assert "utility" not in str(err.value)


def test_numeric_weights_are_read() -> None:
    ballots = committee.read_approvals(b"Weight,a\n2.5,1\n1e2,0\n")
    np.testing.assert_array_equal(ballots.weights, [2.5, 100.0])


@pytest.mark.parametrize(
    "text", ["1,0,1\n0,1,1\n", "1,1\n0,1\n", "0.5,2\n1,0\n", "voter,1,0,1\nann,0,1,1\n"]
)
def test_a_missing_header_is_reported_as_missing(text: str) -> None:
    # a data row in place of the header used to be reported as a duplicate candidate
    with pytest.raises(ApprovalError) as err:
        committee.read_approvals(text.encode(), name="noheader.csv")
    message = str(err.value)
    assert message.startswith("noheader.csv, line 1:"), message
    assert "header" in message and "voter,weight,alice,bob" in message
    assert "appears twice" not in message


def test_numbered_and_short_candidate_names_are_still_a_header() -> None:
    assert committee.read_approvals(b"3,7,12\n1,0,1\n").candidates == ("3", "7", "12")
    assert committee.read_approvals(b"x,y,n\n1,0,1\n").candidates == ("x", "y", "n")


BAD_FILES = [
    (b"a,b,a\n1,0,1\n", r"line 1: candidate 'a' appears twice"),
    (b"weight,a,Weight\n1,0,1\n", r"line 1: the header has two 'weight' columns"),
    (b"a,,b\n1,0,1\n", r"line 1, column 2: a candidate column has no name"),
    (b'a,"b\nc"\n1,0\n', r"line 1, column 2: the candidate name .* contains a line break"),
    (b"voter,weight\nann,1\n", "line 1: the header names no candidate column"),
    (b'a,b\n"1,0\n1,1\n0,1\n', r"line 2: a quoted cell runs on to line 4"),
    (b'a,b\n1,"0\n1",1\n', r"line 2: a quoted cell runs on to line 3"),
    (b"a;b\n1;0\n", "line 1: the cells are separated by semicolons"),
    (b"a\tb\n1\t0\n", "line 1: the cells are separated by tabs"),
]


@pytest.mark.parametrize(("data", "pattern"), BAD_FILES)
def test_header_and_quoting_problems_are_named(data: bytes, pattern: str) -> None:
    with pytest.raises(ApprovalError, match=r"^f\.csv, " + pattern):
        committee.read_approvals(data, name="f.csv")


def test_windows_line_ends_and_blank_lines_are_read() -> None:
    ballots = committee.read_approvals(b"a,b\r\n1,0\r\n\r\n0,1\r\n")
    assert ballots.matrix.tolist() == [[1.0, 0.0], [0.0, 1.0]]
