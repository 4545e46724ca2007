"""``collective winners``: the library's winners and margins tables, in memory and on Dask."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import socialchoice as sc
from collective.main import app
from rlchf import synthetic

runner = CliRunner()


def _words(output: str) -> str:
    return " ".join(output.replace("│", " ").split())


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """Ranking data of 40 prompts in 3 Parquet files (rlchf's columns)."""
    path = tmp_path_factory.mktemp("winners") / "in"
    synthetic.write_parquet(path, 40, partitions=3, rng=2, kind="ranking")
    return path


def test_winners_written_as_parquet(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "winners.parquet"
    result = runner.invoke(app, ["winners", str(folder), "--rule", "schulze", "--out",
                                 str(out)])
    assert result.exit_code == 0, result.output
    expected = sc.winners_table(pd.read_parquet(folder), "schulze")
    pd.testing.assert_frame_equal(pd.read_parquet(out), expected, check_dtype=False)
    tied = int((expected.groupby("prompt_id")["winner"].sum() > 1).sum())
    assert (f"Winners: 40 elections, {len(expected)} candidates under schulze in"
            in _words(result.stdout))
    assert f"{tied} elections with tied winners; written to {out}" in _words(result.stdout)


def test_margins_of_a_csv_with_other_columns(tmp_path: Path) -> None:
    table = pd.DataFrame({"poll": ["p", "p", "p", "p", "q"], "who": [1, 1, 2, 2, 1],
                          "option": ["x", "y", "x", "y", "z"], "place": [1, 2, 2, 1, 1]})
    table.to_csv(tmp_path / "votes.csv", index=False)
    out = tmp_path / "margins.csv"
    result = runner.invoke(app, ["winners", str(tmp_path / "votes.csv"), "--margins",
                                 "--election", "poll", "--voter", "who", "--candidate",
                                 "option", "--rank", "place", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out).to_dict("list") == {"poll": ["p", "p"], "a": ["x", "y"],
                                                "b": ["y", "x"], "margin": [0, 0]}
    assert "Margins: 2 ordered pairs of candidates from 2 elections" in _words(result.stdout)


def test_json_lists_the_table_without_out(tmp_path: Path) -> None:
    pd.DataFrame({"prompt_id": [1, 1], "annotator_id": "a", "response_id": [5, 6],
                  "rank": [1, 0]}).to_csv(tmp_path / "t.csv", index=False)
    result = runner.invoke(app, ["winners", str(tmp_path / "t.csv"), "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert (doc["rule"], doc["elections"], doc["tied"]) == ("copeland", 1, 0)
    assert doc["table"] == [{"prompt_id": 1, "response_id": 5, "winner": False},
                            {"prompt_id": 1, "response_id": 6, "winner": True}]


@pytest.mark.parametrize("margins", [False, True])
def test_both_engines_write_the_same_rows(folder: Path, tmp_path: Path, dask_cluster: str,
                                          margins: bool) -> None:
    flag = ["--margins"] if margins else ["--rule", "instant_runoff"]
    memory = runner.invoke(app, ["winners", str(folder), *flag, "--out",
                                 str(tmp_path / "memory.parquet")])
    assert memory.exit_code == 0, memory.output
    dask = runner.invoke(app, ["winners", str(folder), *flag, "--engine", "dask",
                               "--scheduler", dask_cluster, "--out", str(tmp_path / "dask")])
    assert dask.exit_code == 0, dask.output
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "dask"),
                                  pd.read_parquet(tmp_path / "memory.parquet"),
                                  check_dtype=False)
    assert "from 40 elections" in _words(dask.stdout) or "40 elections," in \
        _words(dask.stdout)
    summary = _words(memory.stdout).split(" in ")[0]
    assert summary == _words(dask.stdout).split(" in ")[0]
    as_json = runner.invoke(app, ["winners", str(folder), *flag, "--engine", "dask",
                                  "--scheduler", dask_cluster, "--out", str(tmp_path / "again"),
                                  "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    doc = json.loads(as_json.stdout)
    expected = pd.read_parquet(tmp_path / "memory.parquet")
    assert (doc["engine"], doc["elections"], doc["rows"]) == ("dask", 40, len(expected))
    assert doc["tied"] == (None if margins else
                           int((expected.groupby("prompt_id")["winner"].sum() > 1).sum()))


def test_a_bad_row_is_named_by_file_and_row(tmp_path: Path) -> None:
    pd.DataFrame({"prompt_id": [1, 1, 1], "annotator_id": "a", "response_id": [5, 6, 7],
                  "rank": [0, 1, -2]}).to_csv(tmp_path / "votes.csv", index=False)
    result = runner.invoke(app, ["winners", str(tmp_path / "votes.csv")])
    assert result.exit_code == 1
    assert "Error: Row 2 of votes.csv: the 'rank' column holds -2" in _words(result.stderr)


@pytest.mark.parametrize(("args", "message"), [
    (["--rule", "copland"], "unknown rule 'copland'"),
    (["--margins", "--rule", "borda"], "leave out --rule"),
    (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler needs --engine dask"),
    (["--engine", "dask"], "give --out FOLDER"),
    (["--engine", "dask", "--out", "x.parquet"], "without a suffix"),
    (["--out", "x.txt"], "must end in .parquet"),
])
def test_usage_errors_exit_2(folder: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["winners", str(folder), *args])
    assert result.exit_code == 2, result.output
    assert message in _words(result.stderr)


def test_an_unknown_table_suffix_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "t.txt").write_text("x")
    result = runner.invoke(app, ["winners", str(tmp_path / "t.txt")])
    assert result.exit_code == 2
    assert "TABLE must be a .csv or .parquet file" in _words(result.stderr)
