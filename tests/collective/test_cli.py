"""The ``collective`` command: vote, rules, --version, and its errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import socialchoice as sc
from collective import __version__
from collective.main import app
from socialchoice import io as scio

runner = CliRunner()

# The slides' preference function over (a, b, c, d) realised by three voters.
CYCLIC_CSV = "a,b,c,d\nc,d,a,b\nd,b,a,c\n"

TENNESSEE_SOC = """\
# FILE NAME: tennessee.soc
# TITLE: Tennessee capital
# DATA TYPE: soc
# MODIFICATION TYPE: synthetic
# NUMBER ALTERNATIVES: 4
# NUMBER VOTERS: 100
# NUMBER UNIQUE ORDERS: 4
# ALTERNATIVE NAME 1: Memphis
# ALTERNATIVE NAME 2: Nashville
# ALTERNATIVE NAME 3: Chattanooga
# ALTERNATIVE NAME 4: Knoxville
42: 1,2,3,4
26: 2,3,4,1
15: 3,4,2,1
17: 4,3,2,1
"""

TIES_CSV = "a,b=c,d\nb,a\nc=d,a,b\nd,c,b,a\n"


@pytest.fixture
def cyclic_csv(tmp_path: Path) -> Path:
    path = tmp_path / "cyclic.csv"
    path.write_text(CYCLIC_CSV)
    return path


@pytest.fixture
def tennessee_soc(tmp_path: Path) -> Path:
    path = tmp_path / "tennessee.soc"
    path.write_text(TENNESSEE_SOC)
    return path


def _vote_json(*args: str) -> dict:
    result = runner.invoke(app, ["vote", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _expected(profile: sc.Profile, rule: str) -> list | None:
    try:
        return sc.winners(profile, rule)
    except sc.RuleInputError:
        return None


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"collective {__version__}"


def test_no_arguments_shows_help() -> None:
    result = runner.invoke(app, [])
    assert "vote" in result.output and "rules" in result.output


def test_vote_table_on_csv(cyclic_csv: Path) -> None:
    result = runner.invoke(app, ["vote", str(cyclic_csv)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "4 candidates" in out and "3 voters" in out and "3 distinct ballots" in out
    assert "No Condorcet winner" in out
    if "smith" in sc.RULES:
        assert "Smith set" in out
    for name in sc.RULES:
        assert name in out
    copeland_line = next(line for line in out.splitlines() if "copeland" in line)
    assert "a, d" in copeland_line


@pytest.mark.parametrize("fixture", ["cyclic_csv", "tennessee_soc"])
def test_vote_json_agrees_with_library(fixture: str, request: pytest.FixtureRequest) -> None:
    path = request.getfixturevalue(fixture)
    out = _vote_json(str(path))
    profile = scio.read_profile(path)
    assert out["profile"] == {
        "candidates": list(profile.candidates),
        "num_voters": profile.num_voters,
        "num_ballots": len(profile),
        "is_linear": profile.is_linear,
    }
    assert out["condorcet_winner"] == profile.condorcet_winner()
    assert sorted(row["rule"] for row in out["results"]) == sorted(sc.RULES)
    for row in out["results"]:
        assert row["winners"] == _expected(profile, row["rule"]), row
        assert row["family"] == sc.RULES[row["rule"]].family


def test_vote_json_seed_example(cyclic_csv: Path) -> None:
    out = _vote_json(str(cyclic_csv), "--rule", "copeland", "--rule", "minimax")
    assert [row["rule"] for row in out["results"]] == ["copeland", "minimax"]
    assert out["results"][0]["winners"] == ["a", "d"]
    assert out["results"][1]["winners"] == ["a", "b", "c", "d"]
    assert out["condorcet_winner"] is None


def test_vote_prefers_condorcet_winner_from_preflib(tennessee_soc: Path) -> None:
    out = _vote_json(str(tennessee_soc), "-r", "copeland")
    assert out["condorcet_winner"] == "Nashville"
    assert out["results"][0]["winners"] == ["Nashville"]
    result = runner.invoke(app, ["vote", str(tennessee_soc), "-r", "copeland"])
    assert "Condorcet winner: Nashville" in result.stdout


def test_vote_rule_that_cannot_handle_ties_is_na(tmp_path: Path) -> None:
    path = tmp_path / "ties.csv"
    path.write_text(TIES_CSV)
    out = _vote_json(str(path))
    profile = scio.read_profile(path)
    for row in out["results"]:
        expected = _expected(profile, row["rule"])
        assert row["winners"] == expected
        if expected is None:
            assert row["note"].startswith("n/a — ")
    linear_only = [n for n, r in sc.RULES.items() if r.linear_only and r.needs == "profile"]
    if linear_only:
        result = runner.invoke(app, ["vote", str(path), "--rule", linear_only[0]])
        assert result.exit_code == 0
        assert "n/a" in result.stdout


def test_vote_csv_with_count_column(tmp_path: Path) -> None:
    path = tmp_path / "counted.csv"
    path.write_text("count,1st,2nd,3rd\n5,x,y,z\n4,y,z,x\n2,z,x,y\n")
    out = _vote_json(str(path), "-r", "copeland", "-r", "minimax")
    assert out["profile"] == {
        "candidates": ["x", "y", "z"], "num_voters": 11, "num_ballots": 3, "is_linear": True
    }
    profile = scio.read_profile(path)
    for row in out["results"]:
        assert row["winners"] == sc.winners(profile, row["rule"])


def _write_64_candidates(tmp_path: Path) -> tuple[Path, sc.Profile]:
    """66 candidates, 11 random rankings: no Condorcet winner and a long stable-voting
    search."""
    rng = np.random.default_rng(0)
    m = 66
    names = [f"c{i:02d}" for i in range(m)]
    rows = [[names[i] for i in rng.permutation(m)] for _ in range(11)]
    path = tmp_path / "many.csv"
    path.write_text("".join(",".join(r) + "\n" for r in rows))
    return path, scio.read_profile(path)


def test_vote_64_plus_candidates_reports_every_rule(tmp_path: Path) -> None:
    """Stable voting used to crash with OverflowError at 64+ candidates and take the whole
    command down; now every rule is reported, the slow ones as n/a within --time-limit."""
    path, profile = _write_64_candidates(tmp_path)
    result = runner.invoke(app, ["vote", str(path), "--time-limit", "0.2", "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert sorted(row["rule"] for row in out["results"]) == sorted(sc.RULES)
    assert out["time_limit"] == 0.2
    by_rule = {row["rule"]: row for row in out["results"]}
    assert by_rule["stable_voting"]["status"] == "time limit"
    assert by_rule["stable_voting"]["note"] == "n/a — did not finish within 0.2 s"
    assert by_rule["copeland"]["winners"] == sc.winners(profile, "copeland")
    table = runner.invoke(app, ["vote", str(path), "--time-limit", "0.2"])
    assert table.exit_code == 0, table.output
    line = next(ln for ln in table.stdout.splitlines() if ln.strip().startswith("stable_voting"))
    assert "n/a" in line
    assert "raise --time-limit SECONDS" in " ".join(table.stdout.split())


def test_vote_stable_voting_winner_beyond_bit_63(tmp_path: Path) -> None:
    """A lone Split Cycle winner at candidate index 65 (used to be an OverflowError)."""
    base = [f"c{i:02d}" for i in range(63)]
    rows = [["c65", "c63", "c64"]] * 3 + [["c63", "c64", "c65"]] * 2 + [["c64", "c65", "c63"]] * 2
    path = tmp_path / "cycle.csv"
    path.write_text("".join(",".join(r + base) + "\n" for r in rows))
    out = _vote_json(str(path), "-r", "stable_voting", "-r", "split_cycle")
    assert out["profile"]["candidates"][65] == "c65"
    assert [row["winners"] for row in out["results"]] == [["c65"], ["c65"]]


def test_vote_rejects_negative_time_limit(cyclic_csv: Path) -> None:
    result = runner.invoke(app, ["vote", str(cyclic_csv), "--time-limit", "-1"])
    assert result.exit_code == 2
    assert _vote_json(str(cyclic_csv), "-r", "kemeny")["time_limit"] == 10.0
    unbounded = _vote_json(str(cyclic_csv), "-r", "kemeny", "--time-limit", "0")
    assert unbounded["time_limit"] is None
    assert unbounded["results"][0]["winners"] == sc.winners(scio.read_profile(cyclic_csv), "kemeny")


def test_unknown_rule_exits_2_and_lists_rules(cyclic_csv: Path) -> None:
    result = runner.invoke(app, ["vote", str(cyclic_csv), "--rule", "copeland", "--rule", "nope"])
    assert result.exit_code == 2
    assert "unknown rule 'nope'" in result.stderr
    for name in sc.RULES:
        assert name in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("bad.soc", TENNESSEE_SOC.replace("26: 2,3,4,1", "26: 2,3,x,1"), 13),
        ("bad.soc", TENNESSEE_SOC.replace("15: 3,4,2,1", "15: 3,4,2,9"), 14),
    ],
)
def test_malformed_preflib_exits_1_with_line(
    tmp_path: Path, name: str, text: str, line: int
) -> None:
    path = tmp_path / name
    path.write_text(text)
    result = runner.invoke(app, ["vote", str(path)])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert f"line {line}" in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_malformed_csv_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("a,b,c\nb,a,b\n")  # second ballot names b twice
    result = runner.invoke(app, ["vote", str(path)])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert "row 2" in result.stderr
    assert "Traceback" not in result.output
    with pytest.raises(sc.SocialChoiceError) as err:
        scio.read_profile(path)
    assert str(err.value) in result.stderr


def test_reader_hint_names_the_command_options(tmp_path: Path) -> None:
    """The reader's hint ``layout='ranked'`` becomes ``--layout ranked``, which works."""
    path = tmp_path / "names.csv"
    path.write_text("a,b,c\n1,2,3\n3,x,1\n")
    result = runner.invoke(app, ["vote", str(path), "-r", "copeland"])
    assert result.exit_code == 1
    assert "run again with --layout ranked" in " ".join(result.stderr.split())
    assert "layout='" not in result.stderr
    out = _vote_json(str(path), "-r", "copeland", "--layout", "ranked", "--no-header")
    assert out["profile"]["num_voters"] == 3
    assert sorted(out["profile"]["candidates"]) == ["1", "2", "3", "a", "b", "c", "x"]


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["vote", str(tmp_path / "nowhere.csv")])
    assert result.exit_code == 2


def test_rules_listing() -> None:
    result = runner.invoke(app, ["rules"])
    assert result.exit_code == 0
    for name in sc.RULES:
        assert name in result.stdout
    assert "reference" in result.stdout
    assert "stable_voting*" in result.stdout and "kemeny*" in result.stdout
    assert "--time-limit" in " ".join(result.stdout.split())


def test_rules_json_and_family_filter() -> None:
    result = runner.invoke(app, ["rules", "--format", "json"])
    rows = json.loads(result.stdout)
    assert sorted(r["name"] for r in rows) == sorted(sc.RULES)
    for r in rows:
        rule = sc.RULES[r["name"]]
        assert (r["family"], r["needs"], r["batched"], r["reference"]) == (
            rule.family,
            rule.needs,
            rule.batched,
            rule.reference,
        )
        assert r["options"] == list(rule.options)
    result = runner.invoke(app, ["rules", "--family", "condorcet", "--format", "json"])
    names = [r["name"] for r in json.loads(result.stdout)]
    assert sorted(names) == sorted(n for n, r in sc.RULES.items() if r.family == "condorcet")
    assert "copeland" in names


def test_rules_unknown_family() -> None:
    result = runner.invoke(app, ["rules", "--family", "astrology"])
    assert result.exit_code == 2
    assert "condorcet" in result.stderr


@pytest.mark.parametrize("args", [["rules"], ["rules", "--committee"]])
def test_rules_tables_fold_references_in_a_narrow_terminal(monkeypatch, args) -> None:
    """At 80 columns (a pipe, a small terminal) references wrap; no word is cut off."""
    monkeypatch.setenv("COLUMNS", "80")
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    words = {"rules": ["'Introduction to the", "Handbook of COMSOC"],
             "--committee": ["'Multi-Winner Voting", "Chamberlin and"]}
    for phrase in words[args[-1]]:  # cut off at the column's edge before
        assert phrase in result.stdout, result.stdout
    assert all(len(line) <= 80 for line in result.stdout.splitlines())
