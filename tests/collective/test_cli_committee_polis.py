"""``collective committee``, ``collective polis`` and ``collective rules --committee``."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import socialchoice as sc
from collective.main import app
from socialchoice import bridging, committee

runner = CliRunner()
SHIPPED = bridging.shipped_conversations()

# 4 voters approve a, b, c; 2 approve d, e (candidate f: nobody)
APPROVALS = (
    "voter,a,b,c,d,e,f\n"
    + "".join(f"v{i},1,1,1,0,0,0\n" for i in range(4))
    + "v4,0,0,0,1,1,0\nv5,0,0,0,1,1,0\n"
)


@pytest.fixture
def approvals(tmp_path: Path) -> Path:
    path = tmp_path / "approvals.csv"
    path.write_text(APPROVALS)
    return path


def _json(args: list[str]) -> dict:
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_committee_json_agrees_with_library(approvals: Path) -> None:
    ballots = committee.read_approvals(approvals)
    for rule in committee.rule_names():
        out = _json(["committee", str(approvals), "-k", "3", "--rule", rule])
        expected = committee.select(ballots.matrix, 3, rule, weights=ballots.weights)
        assert out["committees"] == [ballots.names(expected)], rule


def test_committee_audit_table_shows_the_witness(approvals: Path) -> None:
    result = runner.invoke(
        app, ["committee", str(approvals), "-k", "3", "-r", "approval_voting", "--audit"]
    )
    assert result.exit_code == 0, result.output
    assert "a, b, c" in result.stdout
    assert "NO" in result.stdout and "voters (4, 5)" in result.stdout
    out = _json(["committee", str(approvals), "-k", "3", "-r", "pav", "--audit"])
    assert all(row["holds"] for row in out["audit"])
    assert out["welfare"]["coverage"] == 1.0


def test_committee_all_winners(approvals: Path) -> None:
    out = _json(["committee", str(approvals), "-k", "3", "-r", "pav", "--all"])
    ballots = committee.read_approvals(approvals)
    expected = committee.select(ballots.matrix, 3, "pav", resolute=False)
    assert out["committees"] == [ballots.names(w) for w in expected]
    assert len(out["committees"]) > 1


def test_committee_errors(tmp_path: Path, approvals: Path) -> None:
    result = runner.invoke(app, ["committee", str(approvals), "-k", "9"])
    assert result.exit_code == 1
    assert "'k' parameter" in result.stderr and "[1, 6]" in result.stderr
    result = runner.invoke(app, ["committee", str(approvals), "-r", "borda"])
    assert result.exit_code == 2 and "pav" in result.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,0\n1,maybe\n")
    result = runner.invoke(app, ["committee", str(bad), "-k", "1"])
    assert result.exit_code == 1
    assert "line 3" in result.stderr and "'b'" in result.stderr and "maybe" in result.stderr
    short = tmp_path / "short.csv"
    short.write_text("a,b\n1,0\n1\n")
    result = runner.invoke(app, ["committee", str(short), "-k", "1"])
    assert (
        result.exit_code == 1 and "line 3" in result.stderr and "expected 2 cells" in result.stderr
    )


def test_committee_bad_weight_and_missing_header_name_the_file(tmp_path: Path) -> None:
    weights = tmp_path / "weights.csv"
    weights.write_text("voter,weight,a,b\nann,yes,1,0\nbob,1,0,1\n")
    result = runner.invoke(app, ["committee", str(weights), "-k", "1"])
    assert result.exit_code == 1
    assert "weights.csv, line 2, column 'weight'" in result.stderr
    assert "a voter weight must be a positive number" in result.stderr
    headless = tmp_path / "headless.csv"
    headless.write_text("1,0,1\n0,1,1\n")
    result = runner.invoke(app, ["committee", str(headless), "-k", "1"])
    assert result.exit_code == 1 and "header row is missing" in result.stderr


def test_rules_committee_listing() -> None:
    rows = json.loads(runner.invoke(app, ["rules", "--committee", "--format", "json"]).stdout)
    assert [r["name"] for r in rows] == committee.rule_names()
    result = runner.invoke(app, ["rules", "--committee"])
    assert result.exit_code == 0 and "equal_shares" in result.stdout


def test_polis_json_matches_the_library() -> None:
    folder = SHIPPED["15-per-hour-seattle"]
    out = _json(["polis", str(folder), "-k", "3"])
    report = bridging.analyse_conversation(sc.read_polis(folder), k=3)
    assert out == json.loads(json.dumps(report.to_dict()))
    assert out["groups"]["sizes"] == {"0": 99, "1": 39}
    assert len(out["slate"]["statements"]) == 3


def test_polis_table_and_options() -> None:
    folder = SHIPPED["brexit-consensus"]
    result = runner.invoke(app, ["polis", str(folder), "--groups", "ours", "-r", "pav", "-k", "4"])
    assert result.exit_code == 0, result.output
    for heading in (
        "Representative statements of group 0",
        "Consensus",
        "Bridging slate (pav)",
        "Audit of the slate",
    ):
        assert heading in result.stdout
    assert "recomputed" in result.stdout


def test_polis_errors(tmp_path: Path) -> None:
    broken = tmp_path / "conv"
    shutil.copytree(SHIPPED["brexit-consensus"], broken)
    (broken / "participants-votes.csv").unlink()
    result = runner.invoke(app, ["polis", str(broken)])
    assert result.exit_code == 1 and "participants-votes.csv" in result.stderr
    result = runner.invoke(app, ["polis", str(SHIPPED["brexit-consensus"]), "-r", "kemeny"])
    assert result.exit_code == 2 and "consensus" in result.stderr
    result = runner.invoke(app, ["polis", str(SHIPPED["brexit-consensus"]), "-k", "0"])
    assert result.exit_code == 1 and "'k' parameter" in result.stderr


def test_polis_reads_both_export_layouts_and_shows_the_notes() -> None:
    out = _json(["polis", str(SHIPPED["bg2050-volunteers"]), "-k", "2"])  # xid column
    assert out["conversation"]["topic"] == "Together, we'll build the BG of 2050."
    assert out["groups"]["sizes"] == {"0": 100, "1": 8} and out["conversation"]["notes"] == []
    result = runner.invoke(app, ["polis", str(SHIPPED["scoop-hivemind.ubi"]), "-k", "2"])
    assert result.exit_code == 0, result.output
    assert "Note:" in result.stdout and "comment-id(s) 14" in result.stdout


def test_polis_zip_with_two_exports_names_them(tmp_path: Path) -> None:
    archive = tmp_path / "both.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name in ("15-per-hour-seattle", "brexit-consensus"):
            for f in ("comments.csv", "participants-votes.csv"):
                zf.write(SHIPPED[name] / f, f"{name}/{f}")
    result = runner.invoke(app, ["polis", str(archive)])
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert "holds 2 exports" in message and "brexit-consensus/" in message
    assert "lacks" not in message


def test_read_approvals_weights_and_text_cells(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_text("\ufeffVoter,Weight,x,y\nann,2.5,yes,\nbob,1,x,true\n")
    ballots = committee.read_approvals(path)
    assert ballots.voters == ("ann", "bob")
    np.testing.assert_array_equal(ballots.weights, [2.5, 1.0])
    np.testing.assert_array_equal(ballots.matrix, [[1, 0], [1, 1]])
    path.write_text("x,y\n0.5,2\n")
    assert not committee.read_approvals(path).is_approval
    for text, where in [
        ("x,x\n1,0\n", "appears twice"),
        ("weight,x\n0,1\n", "positive"),
        ("x,y\n", "no voter rows"),
        ("", "empty"),
        ("x,y\n-1,0\n", "non-negative"),
    ]:
        path.write_text(text)
        with pytest.raises(sc.ApprovalError, match=where):
            committee.read_approvals(path)


def test_committee_audit_is_shown_once_with_names(approvals: Path) -> None:
    result = runner.invoke(app, ["committee", str(approvals), "-k", "3", "-r", "pav", "--audit"])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("EJR+") == 1  # one audit table, not a table and a text dump
    assert "committee (" not in result.stdout  # never the indices of the members
    assert "Welfare: utilitarian" in result.stdout


def test_polis_table_shows_the_consensus_ranking_criterion() -> None:
    # the consensus lists are ranked by z, not by the share agreeing: the table shows z so
    # the order of the percentages is understandable
    folder = SHIPPED["15-per-hour-seattle"]
    out = _json(["polis", str(folder), "-k", "3"])
    result = runner.invoke(app, ["polis", str(folder), "-k", "3"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "ranked by z" in result.stdout
    zs = [r["z"] for r in out["consensus"]["agree"]]
    assert zs == sorted(zs, reverse=True) and zs
    for z in zs:
        assert f"{z:.1f}" in result.stdout


def test_polis_slate_table_renders_the_report_slate_frame() -> None:
    folder = SHIPPED["brexit-consensus"]
    frame = bridging.analyse_conversation(sc.read_polis(folder), k=3).slate_frame()
    result = runner.invoke(app, ["polis", str(folder), "-k", "3"], terminal_width=200)
    assert result.exit_code == 0, result.output
    slate_part = result.stdout[result.stdout.index("Bridging slate") :]
    for row in frame.itertuples(index=False):
        assert f"{row.consensus:.3f}" in slate_part
