"""read_polis / Conversation: the shipped Polis conversations checked against the facts in
data/polis/README.md, an independent pandas read, replay of the vote history, and one test per
kind of malformed export (the message must name file, physical line and column)."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import io
import re
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from socialchoice._errors import PolisError, VoteMatrixError
from socialchoice.bridging import Conversation, Statement, read_polis
from socialchoice.bridging._polis import (
    _latest_matrix,
    _latest_matrix_reference,
    shipped_conversations,
)

DATA = Path(__file__).resolve().parents[3] / "data" / "polis"
SEATTLE, BREXIT = "15-per-hour-seattle", "brexit-consensus"
BG, UBI = "bg2050-volunteers", "scoop-hivemind.ubi"  # newer layout; a comment without column
ALL = [SEATTLE, BREXIT, BG, UBI]
SUMMARY_KEYS = ["topic", "url", "views", "voters", "voters-in-conv", "commenters", "comments",
                "groups", "conversation-description"]
FACTS = {  # data/polis/README.md
    SEATTLE: dict(shape=(339, 54), events=2995, pairs=2872, values={1: 1400, -1: 936, 0: 659},
                  groups={0: 99, 1: 39, -1: 201}, moderated={-1: 23, 1: 30, 0: 1},
                  latest_mismatch=21, first="2014-06-18", last="2019-02-13"),
    BREXIT: dict(shape=(204, 50), events=5312, pairs=5303, values={1: 2689, -1: 1957, 0: 666},
                 groups={0: 106, 1: 91, -1: 7}, moderated={1: 50},
                 latest_mismatch=8, first="2017-07-16", last="2017-08-05"),
    BG: dict(shape=(126, 371), events=14341, pairs=14283, values={1: 10048, -1: 1626, 0: 2667},
             groups={0: 100, 1: 8, -1: 18}, moderated={-1: 55, 1: 316},
             latest_mismatch=32, first="2024-09-20", last="2024-10-05"),
    UBI: dict(shape=(234, 71), events=7174, pairs=7153, values={1: 4595, -1: 1766, 0: 813},
              groups={0: 70, 1: 113, 2: 42, 3: 9}, moderated={-1: 1, 0: 18, 1: 52},
              latest_mismatch=18, first="2017-08-13", last="2017-08-31"),
}
TOPICS = {SEATTLE: "$15/hour", BREXIT: "Can there be consensus on Brexit?",
          BG: "Together, we'll build the BG of 2050.",
          UBI: "A Universal Basic Income for Aotearoa NZ?"}


@pytest.fixture(scope="module")
def convs() -> dict[str, Conversation]:
    return {name: read_polis(path) for name, path in shipped_conversations().items()}


def _counts(a) -> dict[int, int]:
    values, counts = np.unique(np.asarray(a), return_counts=True)
    return {int(v): int(c) for v, c in zip(values, counts, strict=True)}


# ---------------------------------------------------------------------------- shipped files
def test_shipped_conversations_are_found():
    assert shipped_conversations() == {name: DATA / name for name in ALL}


def test_files_are_the_blobs_listed_in_the_readme():
    listed = re.findall(r"^\| (\S+\.csv) \| ([0-9a-f]{40}) \|$",
                        (DATA / "README.md").read_text(encoding="utf-8"), flags=re.M)
    assert len(listed) == 20
    for rel, blob in listed:
        data = (DATA / rel).read_bytes()
        assert hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest() == blob, rel


# ---------------------------------------------------------------------------- README facts
@pytest.mark.parametrize("name", ALL)
def test_shapes_votes_and_history_counts(convs, name):
    conv, f = convs[name], FACTS[name]
    assert conv.votes.shape == f["shape"] == (conv.n_participants, conv.n_statements)
    assert conv.history.shape == (f["events"], 4)
    assert _counts(conv.history[:, 3]) == f["values"]
    assert int((~np.isnan(conv.votes)).sum()) == f["pairs"]
    pairs = np.unique(conv.history[:, 1] * conv.n_statements + conv.history[:, 2])
    assert len(pairs) == f["pairs"]
    assert np.all(np.diff(conv.participant_ids) > 0)
    assert conv.statement_ids.tolist() == list(range(conv.n_statements))  # ids 0..m-1
    assert np.all(np.diff(conv.history[:, 0]) >= 0)
    days = [dt.datetime.fromtimestamp(t / 1000, dt.UTC).date().isoformat()
            for t in (conv.history[0, 0], conv.history[-1, 0])]
    assert days == [f["first"], f["last"]]


@pytest.mark.parametrize("name", ALL)
def test_groups_moderation_and_summary(convs, name):
    conv, f = convs[name], FACTS[name]
    assert _counts(conv.polis_groups) == f["groups"]
    assert _counts([s.moderated for s in conv.statements]) == f["moderated"]
    assert list(conv.summary) == SUMMARY_KEYS
    assert int(conv.summary["voters"]) == conv.n_participants
    # summary's "comments" counts the comments with a vote (Polis's rating-matrix columns)
    assert int(conv.summary["comments"]) == int((~np.isnan(conv.votes)).any(axis=0).sum())
    assert int(conv.summary["groups"]) == len(set(conv.polis_groups.tolist()) - {-1})
    assert conv.topic == conv.summary["topic"]
    assert conv.topic == TOPICS[name]


@pytest.mark.parametrize("name", ALL)
def test_agrees_disagrees_count_the_full_history(convs, name):
    conv = convs[name]
    h, m = conv.history, conv.n_statements
    agrees = np.bincount(h[h[:, 3] == 1, 2], minlength=m)
    disagrees = np.bincount(h[h[:, 3] == -1, 2], minlength=m)
    assert agrees.tolist() == [s.agrees for s in conv.statements]
    assert disagrees.tolist() == [s.disagrees for s in conv.statements]
    latest_a, latest_d = (conv.votes == 1).sum(0), (conv.votes == -1).sum(0)
    assert int(((latest_a != agrees) | (latest_d != disagrees)).sum()) == \
        FACTS[name]["latest_mismatch"]


@pytest.mark.parametrize("name", ALL)
def test_votes_equal_participants_votes_read_with_pandas(convs, name):
    conv = convs[name]
    df = pd.read_csv(DATA / name / "participants-votes.csv").set_index("participant")
    assert not df.index.is_monotonic_increasing  # the file is not in participant order
    df = df.sort_index()
    assert df.index.tolist() == conv.participant_ids.tolist()  # every voter has a row here
    # a comment nobody voted on has no column (scoop-hivemind.ubi: comment-id 14)
    cells = df.reindex(columns=[str(i) for i in conv.statement_ids]).to_numpy(dtype=float)
    np.testing.assert_array_equal(cells, conv.votes)
    assert df["group-id"].fillna(-1).astype(int).tolist() == conv.polis_groups.tolist()
    # the per-participant counters agree with the cells
    assert (df["n-votes"].to_numpy() == (~np.isnan(cells)).sum(1)).all()
    assert (df["n-agree"].to_numpy() == (cells == 1).sum(1)).all()
    assert (df["n-disagree"].to_numpy() == (cells == -1).sum(1)).all()
    authored = np.bincount([s.author_id for s in conv.statements],
                           minlength=int(df.index.max()) + 1)
    assert (df["n-comments"].to_numpy() == authored[df.index.to_numpy()]).all()


def test_statements_and_the_owner(convs):
    conv = convs[SEATTLE]
    with open(DATA / SEATTLE / "comments.csv", encoding="utf-8", newline="") as fh:
        assert fh.read().count("\n") == 70  # 55 records on 70 physical lines
    owner = [s.id for s in conv.statements if s.author_id == 0]
    assert len(owner) == 13
    assert (conv.votes[conv.participant_ids == 0][0, owner] == 0).all()
    assert all(isinstance(s, Statement) and s.text == s.text.strip() and s.text
               for s in conv.statements)
    assert conv.texts == tuple(s.text for s in conv.statements)
    assert repr(conv) == ("Conversation('15-per-hour-seattle': 339 participants x 54 statements, "
                          "2872 votes, 2995 events)")


def test_conversation_is_frozen_and_read_only(convs):
    conv = convs[BREXIT]
    with pytest.raises(dataclasses.FrozenInstanceError):
        conv.name = "x"
    for a in (conv.votes, conv.participant_ids, conv.polis_groups, conv.history):
        with pytest.raises(ValueError, match="read-only"):
            a[0] = 0
    with pytest.raises(VoteMatrixError, match="shape"):
        Conversation("x", conv.statements, conv.participant_ids, conv.votes[:, :3],
                     conv.polis_groups)
    with pytest.raises(VoteMatrixError, match=r"'votes' parameter of Conversation .* is 2"):
        Conversation("x", conv.statements[:1], [0], [[2.0]], [0])


# ---------------------------------------------------------------------------- accepted, replay
def test_accepted_drops_moderated_out_statements(convs):
    conv = convs[SEATTLE]
    mod = np.array([s.moderated for s in conv.statements])
    for include, kept in ((True, mod >= 0), (False, mod == 1)):
        acc = conv.accepted(include_unmoderated=include)
        assert acc.n_statements == int(kept.sum()) == (31 if include else 30)
        assert acc.statement_ids.tolist() == conv.statement_ids[kept].tolist()
        np.testing.assert_array_equal(acc.votes, conv.votes[:, kept])
        assert len(acc.history) == int(kept[conv.history[:, 2]].sum())
        np.testing.assert_array_equal(acc.votes_at(acc.history[-1, 0]), acc.votes)
        assert acc.participant_ids is not conv.participant_ids
        np.testing.assert_array_equal(acc.polis_groups, conv.polis_groups)
    brexit = convs[BREXIT]
    assert brexit.accepted().n_statements == brexit.n_statements == 50


@pytest.mark.parametrize("name", ALL)
def test_votes_at_replays_the_history(convs, name):
    conv = convs[name]
    h = conv.history
    np.testing.assert_array_equal(conv.votes_at(h[-1, 0]), conv.votes)
    assert np.isnan(conv.votes_at(h[0, 0] - 1)).all()
    filled = [int((~np.isnan(conv.votes_at(t))).sum()) for t in np.quantile(h[:, 0], [.1, .5, .9])]
    assert filled == sorted(filled) and 0 < filled[0] < filled[-1] < FACTS[name]["pairs"]
    t = int(np.median(h[:, 0]))
    np.testing.assert_array_equal(
        conv.votes_at(t), _latest_matrix_reference(h[h[:, 0] <= t], *conv.votes.shape))


def test_latest_matrix_matches_reference():
    rng = np.random.default_rng(0)
    for _ in range(50):
        n, m, e = rng.integers(1, 6), rng.integers(1, 6), rng.integers(0, 40)
        h = np.stack([np.sort(rng.integers(0, 5, e)), rng.integers(0, n, e),
                      rng.integers(0, m, e), rng.integers(-1, 2, e)], axis=1)
        np.testing.assert_array_equal(_latest_matrix(h, n, m)[0],
                                      _latest_matrix_reference(h, n, m))


# ---------------------------------------------------------------------------- other sources
def test_str_path_zip_and_optional_files(tmp_path, convs):
    ref = convs[SEATTLE]
    assert read_polis(str(DATA / SEATTLE)).votes.shape == ref.votes.shape
    archive = shutil.make_archive(str(tmp_path / "export"), "zip", DATA, SEATTLE)
    z = read_polis(archive)
    assert z.name == SEATTLE and z.summary == ref.summary
    np.testing.assert_array_equal(z.votes, ref.votes)
    np.testing.assert_array_equal(z.history, ref.history)
    flat = shutil.make_archive(str(tmp_path / "flat"), "zip", DATA / SEATTLE)
    assert read_polis(flat).name == "flat"

    folder = tmp_path / "bare"
    folder.mkdir()
    for f in ("comments.csv", "participants-votes.csv"):
        shutil.copy(DATA / SEATTLE / f, folder / f)
    bare = read_polis(folder)
    assert bare.history is None and bare.summary == {} and bare.topic == "bare"
    np.testing.assert_array_equal(bare.votes, ref.votes)
    np.testing.assert_array_equal(bare.polis_groups, ref.polis_groups)
    assert "no history" in repr(bare)
    with pytest.raises(PolisError, match="no vote history"):
        bare.votes_at(0)


# ---------------------------------------------------------------------------- a tiny export
TINY = {
    "comments.csv": (
        "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
        '1000,d,1,0,1,1,1,"Second\nstatement"\n'   # lines 2-3
        "900,d,0,0,2,1,-1,First\n"                 # line 4
    ),
    "participants-votes.csv": (
        "participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1\n"
        "0,0,2,2,1,1,1,-1\n"
        "5,,0,1,1,0,1,\n"
    ),
    "votes.csv": (
        "timestamp,datetime,comment-id,voter-id,vote\n"
        "1100,d,0,0,-1\n"
        "1200,d,0,0,1\n"      # re-vote: the later timestamp wins
        "1100,d,0,5,1\n"
        "1300,d,1,0,1\n"
        "1300,d,1,0,-1\n"     # equal timestamps: the later row wins
        "1400,d,1,7,0\n"      # voter 7 appears only here
    ),
    "summary.csv": 'topic,"Tiny, test"\nurl,https://example.org\n',
}


def tiny(tmp_path: Path, **changes: str | None) -> Path:
    """Write the tiny export with some files replaced (``None`` leaves a file out)."""
    folder = tmp_path / "tiny"
    folder.mkdir(exist_ok=True)
    files = {**TINY, **{k.replace("_", "-") + ".csv": v for k, v in changes.items()}}
    for name, text in files.items():
        if text is None:
            (folder / name).unlink(missing_ok=True)
        else:
            (folder / name).write_text(text, encoding="utf-8", newline="")
    return folder


def test_tiny_export(tmp_path):
    conv = read_polis(tiny(tmp_path))
    assert conv.participant_ids.tolist() == [0, 5, 7]
    np.testing.assert_array_equal(conv.votes, [[1, -1], [1, np.nan], [np.nan, 0]])
    assert conv.polis_groups.tolist() == [0, -1, -1]
    assert [s.text for s in conv.statements] == ["First", "Second\nstatement"]
    assert conv.summary == {"topic": "Tiny, test", "url": "https://example.org"}
    assert conv.history.tolist() == [[1100, 0, 0, -1], [1100, 1, 0, 1], [1200, 0, 0, 1],
                                     [1300, 0, 1, 1], [1300, 0, 1, -1], [1400, 2, 1, 0]]
    np.testing.assert_array_equal(conv.votes_at(1100), [[-1, np.nan], [1, np.nan],
                                                        [np.nan, np.nan]])


def _replace_line(text: str, line: int, new: str) -> str:
    lines = text.split("\n")
    lines[line - 1] = new
    return "\n".join(lines)


PV, VOTES, COMMENTS = TINY["participants-votes.csv"], TINY["votes.csv"], TINY["comments.csv"]
BAD = {  # case: (changes, the message must contain all of these)
    "missing required file": (
        dict(comments=None), ["tiny", "lacks comments.csv", "participants-votes.csv",
                              "summary.csv", "votes.csv"]),
    "missing header column": (
        dict(comments=COMMENTS.replace(",moderated", "")),
        ["comments.csv, line 1", "'moderated'"]),
    "non-integer comment-id after a multi-line body": (
        dict(comments=_replace_line(COMMENTS, 4, "900,d,zero,0,2,1,-1,First")),
        ["comments.csv, line 4, column 3 ('comment-id')", "'zero'", "expected a comment-id"]),
    "non-integer timestamp": (
        dict(votes=_replace_line(VOTES, 3, "12.5,d,0,0,1")),
        ["votes.csv, line 3, column 1 ('timestamp')", "'12.5'", "expected a timestamp"]),
    "moderated outside -1/0/1": (
        dict(comments=_replace_line(COMMENTS, 4, "900,d,0,0,2,1,2,First")),
        ["comments.csv, line 4, column 7 ('moderated')", "'2'", "-1 (rejected)"]),
    "vote outside -1/0/1 in votes.csv": (
        dict(votes=_replace_line(VOTES, 2, "1100,d,0,0,2")),
        ["votes.csv, line 2, column 5 ('vote')", "'2'",
         "expected 1 (agree), -1 (disagree) or 0 (pass)"]),
    "vote outside -1/0/1 in participants-votes.csv": (
        dict(participants_votes=_replace_line(PV, 3, "5,,0,1,1,0,+1,")),
        ["participants-votes.csv, line 3, column 7 ('0')", "'+1'",
         "expected 1 (agree), -1 (disagree), 0 (pass) or an empty cell"]),
    "participant row too short": (
        dict(participants_votes=_replace_line(PV, 2, "0,0,2,2,1,1,1")),
        ["participants-votes.csv, line 2, column 8 ('1')", "7 cells", "expected 8"]),
    "comment with votes but without a column": (
        dict(participants_votes="\n".join(ln.rpartition(",")[0] for ln in PV.split("\n"))),
        ["votes.csv, line 5", "a vote on comment-id 1", "no column in",
         "participants-votes.csv"]),
    "participant row too long": (
        dict(participants_votes=_replace_line(PV, 3, "5,,0,1,1,0,1,,")),
        ["participants-votes.csv, line 3, column 9", "9 cells", "expected 8"]),
    "vote for an unknown comment-id": (
        dict(votes=_replace_line(VOTES, 7, "1400,d,9,7,0")),
        ["votes.csv, line 7, column 3 ('comment-id')", "comment-id 9", "comments.csv"]),
    "duplicate comment-id": (
        dict(comments=_replace_line(COMMENTS, 4, "900,d,1,0,2,1,-1,First")),
        ["comments.csv, line 4, column 3 ('comment-id')", "appears twice", "line 2"]),
    "column header that is a negative comment-id": (
        dict(participants_votes=PV.replace("n-disagree,0,1", "n-disagree,0,-1")),
        ["participants-votes.csv, line 1, column 8 ('-1')", "expected a comment-id"]),
    "two columns for one comment": (
        dict(participants_votes=PV.replace("n-disagree,0,1", "n-disagree,0,00")),
        ["participants-votes.csv, line 1, column 8 ('00')", "comment-id 0", "column 7"]),
    "is-meta that is not true/false": (
        dict(comments=COMMENTS.replace("moderated,comment-body",
                                       "moderated,is-meta,comment-body")
             .replace(",1,1,\"Second", ",1,1,yes,\"Second")
             .replace(",-1,First", ",-1,false,First")),
        ["comments.csv, line 2, column 8 ('is-meta')", "'yes'", "true, false"]),
    "group-informed-consensus outside [0, 1]": (
        dict(comments=COMMENTS.replace("moderated,comment-body",
                                       "moderated,group-informed-consensus,comment-body")
             .replace(",1,1,\"Second", ",1,1,0.5,\"Second").replace(",-1,First", ",-1,1.5,First")),
        ["comments.csv, line 4, column 8 ('group-informed-consensus')", "'1.5'", "[0, 1]"]),
    "column header for a comment not in comments.csv": (
        dict(participants_votes=PV.replace("n-disagree,0,1", "n-disagree,0,9")),
        ["participants-votes.csv, line 1, column 8 ('9')", "not in comments.csv"]),
    "duplicate participant": (
        dict(participants_votes=_replace_line(PV, 3, "0,,0,1,1,0,1,")),
        ["participants-votes.csv, line 3, column 1 ('participant')", "line 2"]),
    "bad group-id": (
        dict(participants_votes=_replace_line(PV, 3, "5,g,0,1,1,0,1,")),
        ["participants-votes.csv, line 3, column 2 ('group-id')", "'g'", "empty cell"]),
    "comments.csv with only a header": (
        dict(comments=COMMENTS.split("\n")[0] + "\n"), ["comments.csv, line 2", "no rows"]),
    "empty comments.csv": (
        dict(comments=""), ["comments.csv, line 1", "empty", "comment-id"]),
    "empty participants-votes.csv": (
        dict(participants_votes="\n"), ["participants-votes.csv, line 1", "empty",
                                        "participant,group-id"]),
    "empty votes.csv": (dict(votes=""), ["votes.csv, line 1", "empty", "voter-id"]),
    "empty summary.csv": (dict(summary=""), ["summary.csv, line 1", "empty", "key,value"]),
    "summary row that is not key,value": (
        dict(summary=TINY["summary.csv"] + "views,3,extra\n"),
        ["summary.csv, line 3, column 3", "3 cells", "key,value"]),
    "unclosed quote": (
        dict(comments=COMMENTS + '1,d,2,0,0,0,1,"never closed\n'),
        ["comments.csv, line 5", "expected valid CSV"]),
    "files disagree": (
        dict(participants_votes=_replace_line(PV, 2, "0,0,2,2,1,1,1,1")),
        ["participants-votes.csv, line 2, column 8 ('1')", "participant 0 holds 1",
         "latest vote in", "votes.csv is -1 (line 6)"]),
    "files disagree on an empty cell": (
        dict(participants_votes=_replace_line(PV, 3, "5,,0,1,1,0,1,0")),
        ["participants-votes.csv, line 3, column 8 ('1')", "holds 0", "has no vote"]),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input(tmp_path, case):
    changes, fragments = BAD[case]
    with pytest.raises(PolisError) as err:
        read_polis(tiny(tmp_path, **changes))
    for fragment in fragments:
        assert fragment in str(err.value), (fragment, str(err.value))


def test_validate_false_skips_the_cross_checks(tmp_path):
    folder = tiny(tmp_path, participants_votes=_replace_line(PV, 2, "0,0,2,2,1,1,1,1"))
    assert read_polis(folder, validate=False).votes[0].tolist() == [1, -1]  # from votes.csv
    one_column = "\n".join(ln.rpartition(",")[0] for ln in PV.split("\n"))
    conv = read_polis(tiny(tmp_path, participants_votes=one_column, votes=None), validate=False)
    np.testing.assert_array_equal(conv.votes, [[1, np.nan], [1, np.nan]])


def test_missing_folder_and_not_utf8(tmp_path):
    with pytest.raises(PolisError, match="does not exist"):
        read_polis(tmp_path / "nowhere")
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(PolisError, match=r"is not a folder or a \.zip"):
        read_polis(tmp_path / "file.txt")
    folder = tiny(tmp_path)
    (folder / "summary.csv").write_bytes(b"topic,caf\xe9\n")
    with pytest.raises(PolisError, match=r"summary.csv: not UTF-8"):
        read_polis(folder)


def test_real_export_errors_name_physical_lines(tmp_path):
    """Break a copy of the real Seattle export; the reported line is the physical line."""
    folder = tmp_path / SEATTLE
    shutil.copytree(DATA / SEATTLE, folder, ignore=shutil.ignore_patterns("stats-history.csv"))
    pv = (folder / "participants-votes.csv").read_text(encoding="utf-8")
    assert pv.split("\n")[2].startswith("1,1,0,13,8,4,1,")
    (folder / "participants-votes.csv").write_text(
        _replace_line(pv, 3, pv.split("\n")[2].replace("1,1,0,13,8,4,1,", "1,1,0,13,8,4,-1,")),
        encoding="utf-8", newline="")
    votes_line = next(i for i, ln in enumerate(
        (folder / "votes.csv").read_text(encoding="utf-8").split("\n"), 1)
        if ln.endswith(",0,1,1"))
    with pytest.raises(PolisError, match=(
            rf"participants-votes.csv, line 3, column 7 \('0'\): participant 1 holds -1, "
            rf"but the latest vote in .*votes.csv is 1 \(line {votes_line}\)")):
        read_polis(folder)
    shutil.copy(DATA / SEATTLE / "participants-votes.csv", folder)

    text = (folder / "comments.csv").read_text(encoding="utf-8")
    last = list(csv.reader(io.StringIO(text, newline="")))[-1]  # the 54th comment
    prefix = ",".join(last[:3]) + ","
    lines = text.split("\n")
    line = next(i for i, ln in enumerate(lines, 1) if ln.startswith(prefix))
    assert line > 55  # multi-line bodies above push the physical line past the record count
    lines[line - 1] = lines[line - 1].replace(prefix, ",".join(last[:2]) + ",x" + last[2] + ",")
    (folder / "comments.csv").write_text("\n".join(lines), encoding="utf-8", newline="")
    with pytest.raises(PolisError, match=rf"comments.csv, line {line}, column 3 \('comment-id'\)"):
        read_polis(folder)


def test_header_names_match_without_surrounding_spaces(tmp_path):
    spaced = COMMENTS.replace("comment-id,author-id", " comment-id , author-id")
    conv = read_polis(tiny(tmp_path, comments=spaced))
    assert conv.statement_ids.tolist() == [0, 1]


def test_a_bad_vote_cell_is_shown_as_the_user_wrote_it(tmp_path):
    with pytest.raises(PolisError) as err:
        read_polis(tiny(tmp_path, participants_votes=_replace_line(PV, 3, "5,,0,1,1,0,yes,")))
    assert "found 'yes'" in str(err.value) and "np.str_" not in str(err.value)


# ---------------------------------------------------------------------------- both layouts
def test_newer_layout_xid_flags_and_polis_consensus(convs):
    conv = convs[BG]
    assert conv.participant_xids is not None and len(conv.participant_xids) == 126
    assert set(conv.participant_xids) == {""}  # the column is there, empty for everyone
    assert sum(s.is_meta for s in conv.statements) == 1
    assert sum(s.is_seed for s in conv.statements) == 25
    gic = [s.group_informed_consensus for s in conv.statements]
    assert all(x is not None and 0 < x < 1 for x in gic)
    older = convs[SEATTLE]
    assert older.participant_xids is None
    assert {(s.is_meta, s.is_seed, s.group_informed_consensus) for s in older.statements} == {
        (None, None, None)}
    assert conv.notes == () and older.notes == ()


def test_comment_without_a_column_is_unseen_and_noted(convs):
    conv = convs[UBI]
    j = int(np.flatnonzero(conv.statement_ids == 14)[0])
    assert conv.statements[j].moderated == -1
    assert np.isnan(conv.votes[:, j]).all() and not (conv.history[:, 2] == j).any()
    assert len(conv.notes) == 1 and "no column for comment-id(s) 14 (moderated -1)" in \
        conv.notes[0]


def test_columns_are_found_by_name_in_any_order(tmp_path, convs):
    """Shuffle the columns of every file and add unknown ones: the same conversation."""
    folder = tmp_path / "shuffled"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for f in ("comments.csv", "participants-votes.csv", "votes.csv", "summary.csv"):
        text = (DATA / BG / f).read_text(encoding="utf-8")
        if f != "summary.csv":
            rows = list(csv.reader(io.StringIO(text, newline="")))
            order = rng.permutation(len(rows[0]))
            rows = [[r[i] for i in order] + ["extra"] for r in rows]
            rows[0][-1] = "note-from-a-newer-polis"
            out = io.StringIO()
            csv.writer(out, lineterminator="\n").writerows(rows)
            text = out.getvalue()
        (folder / f).write_text(text, encoding="utf-8", newline="")
    conv, ref = read_polis(folder), convs[BG]
    np.testing.assert_array_equal(conv.votes, ref.votes)
    np.testing.assert_array_equal(conv.history, ref.history)
    np.testing.assert_array_equal(conv.polis_groups, ref.polis_groups)
    assert conv.statements == ref.statements
    assert [s.group_informed_consensus for s in conv.statements] == \
        [s.group_informed_consensus for s in ref.statements]
    assert any("note-from-a-newer-polis" in n for n in conv.notes)


# ---------------------------------------------------------------------------- sources
def test_bytes_file_objects_and_mappings(tmp_path, convs):
    ref = convs[BREXIT]
    archive = Path(shutil.make_archive(str(tmp_path / "brexit"), "zip", DATA, BREXIT))
    data = archive.read_bytes()
    for source in (data, io.BytesIO(data), bytearray(data)):
        conv = read_polis(source)
        assert conv.name == BREXIT and conv.topic == ref.topic
        np.testing.assert_array_equal(conv.votes, ref.votes)
    with archive.open("rb") as fh:
        assert read_polis(fh).name == BREXIT
    files = {p.name: p.read_bytes() for p in (DATA / BREXIT).glob("*.csv")}
    conv = read_polis(files, name="my-upload")
    assert conv.name == "my-upload" and conv.topic == ref.topic
    np.testing.assert_array_equal(conv.history, ref.history)
    texts = {k: v.decode("utf-8") for k, v in files.items()}
    assert read_polis(texts).votes.shape == ref.votes.shape


def test_errors_name_the_users_file_not_a_server_path(tmp_path):
    files = {name: text.encode() for name, text in TINY.items()}
    files["votes.csv"] = _replace_line(VOTES, 3, "12.5,d,0,0,1").encode()
    with pytest.raises(PolisError, match=r"^votes\.csv, line 3, column 1"):
        read_polis(files, name="my export")
    del files["participants-votes.csv"]
    with pytest.raises(PolisError, match=r"^Polis export 'my export' lacks participants-votes"):
        read_polis(files, name="my export")
    files["participants-votes.csv"] = TINY["participants-votes.csv"].encode()
    archive = tmp_path / "x.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name, content in files.items():
            zf.writestr(f"tiny/{name}", content)
    with pytest.raises(PolisError, match=r"^<bytes>:tiny/votes\.csv, line 3") as err:
        read_polis(archive.read_bytes())
    assert str(tmp_path) not in str(err.value)
    with pytest.raises(PolisError, match=r"^upload\.zip:tiny/votes\.csv, line 3"):
        read_polis(archive.read_bytes(), name="upload.zip")
    with pytest.raises(PolisError, match=r"'notes\.txt' is not a \.zip file"):
        read_polis(b"hello", name="notes.txt")
    with pytest.raises(PolisError, match="must be bytes or text"):
        read_polis({"comments.csv": 3})


def test_a_zip_holding_two_exports_names_them(tmp_path):
    archive = tmp_path / "two.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for folder in (SEATTLE, BREXIT):
            for f in ("comments.csv", "participants-votes.csv"):
                zf.write(DATA / folder / f, f"{folder}/{f}")
    with pytest.raises(PolisError) as err:
        read_polis(archive)
    message = str(err.value)
    assert "holds 2 exports" in message and "lacks" not in message
    assert f"'{SEATTLE}/'" in message and f"'{BREXIT}/'" in message
