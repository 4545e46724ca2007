"""``collective rlchf aggregate`` and ``collective rlchf simulate``."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import rlchf
from collective.main import app

runner = CliRunner()


def _words(output: str) -> str:
    return " ".join(output.replace("│", " ").split())


@pytest.fixture(scope="module")
def simulated(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("rlchf") / "data.parquet"
    result = runner.invoke(app, ["rlchf", "simulate", "--prompts", "40", "--out", str(path),
                                 "--seed", "-3"])
    assert result.exit_code == 0, result.output
    assert "40 prompts, 800 ranking rows" in _words(result.stdout)
    return path


def test_simulate_writes_the_librarys_population(simulated: Path) -> None:
    pop = rlchf.synthetic.population(40, 4, 60, rng=-3, kind="ranking",
                                     annotators_per_prompt=5, contested=0.5)
    written = pd.read_parquet(simulated)
    pd.testing.assert_frame_equal(written, pop.data.frame, check_dtype=False)


def test_aggregate_writes_the_librarys_pairs(simulated: Path, tmp_path: Path) -> None:
    out = tmp_path / "pairs.parquet"
    result = runner.invoke(app, ["rlchf", "aggregate", str(simulated), "--kind", "ranking",
                                 "--rule", "borda", "--features", "group", "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = rlchf.read_preferences(simulated, kind="ranking", features=["group"])
    expected = rlchf.aggregate_pairs(data, "borda")
    pd.testing.assert_frame_equal(pd.read_parquet(out), expected, check_dtype=False)
    assert f"{len(expected):,} from 40 prompts under borda" in _words(result.stdout)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_aggregate_other_formats_and_adjacent_pairs(simulated: Path, tmp_path: Path,
                                                    suffix: str) -> None:
    out = tmp_path / f"pairs{suffix}"
    result = runner.invoke(app, ["rlchf", "aggregate", str(simulated), "--kind", "ranking",
                                 "--pairs", "adjacent", "--out", str(out)])
    assert result.exit_code == 0, result.output
    read = pd.read_csv if suffix == ".csv" else lambda p: pd.read_json(p, lines=True)
    expected = rlchf.aggregate_pairs(rlchf.read_preferences(simulated, kind="ranking"),
                                     pairs="adjacent")
    assert read(out)["chosen"].tolist() == expected["chosen"].tolist()


def test_aggregate_json_lists_the_pairs(simulated: Path) -> None:
    result = runner.invoke(app, ["rlchf", "aggregate", str(simulated), "--kind", "ranking",
                                 "--rule", "pairwise_majority", "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    expected = rlchf.aggregate_pairs(rlchf.read_preferences(simulated, kind="ranking"),
                                     "pairwise_majority")
    assert doc["prompts"] == 40 and doc["pairs"] == len(expected) == len(doc["rows"])
    assert [r["rejected"] for r in doc["rows"]] == expected["rejected"].tolist()


def test_aggregate_a_folder_of_parquet_files(tmp_path: Path) -> None:
    folder = tmp_path / "parts"
    result = runner.invoke(app, ["rlchf", "simulate", "--prompts", "30", "--out", str(folder),
                                 "--partitions", "3", "--kind", "pairwise"])
    assert result.exit_code == 0, result.output
    assert len(list(folder.glob("*.parquet"))) == 3
    result = runner.invoke(app, ["rlchf", "aggregate", str(folder), "--kind", "pairwise",
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    expected = rlchf.aggregate_pairs(rlchf.read_preferences(folder, kind="pairwise"))
    assert json.loads(result.stdout)["pairs"] == len(expected)


def test_unknown_rule_is_a_usage_error(simulated: Path) -> None:
    result = runner.invoke(app, ["rlchf", "aggregate", str(simulated), "--kind", "ranking",
                                 "--rule", "copland"])
    assert result.exit_code == 2
    assert "unknown rule 'copland'; valid rules are: pairwise_majority" in _words(result.output)


def test_kind_mismatch_says_which_columns(simulated: Path) -> None:
    result = runner.invoke(app, ["rlchf", "aggregate", str(simulated), "--kind", "pairwise"])
    assert result.exit_code == 1
    assert "Error:" in result.output and "pairwise data needs the column" in _words(
        result.output)


def test_ballot_rule_on_pairwise_data_fails_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "pairwise.csv"
    runner.invoke(app, ["rlchf", "simulate", "--prompts", "5", "--kind", "pairwise",
                        "--out", str(path)])
    result = runner.invoke(app, ["rlchf", "aggregate", str(path), "--kind", "pairwise",
                                 "--rule", "borda"])
    assert result.exit_code == 1
    assert "needs each evaluator's ranking" in _words(result.output)
    assert "Traceback" not in result.output


def test_bad_output_suffix(simulated: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["rlchf", "aggregate", str(simulated), "--kind", "ranking",
                                 "--out", str(tmp_path / "pairs.xlsx")])
    assert result.exit_code == 2
    assert "must end in .parquet, .csv, .jsonl" in _words(result.output)


def test_time_limit_error(tmp_path: Path) -> None:
    path = tmp_path / "big.parquet"
    runner.invoke(app, ["rlchf", "simulate", "--prompts", "3", "--responses", "8",
                        "--per-prompt", "7", "--out", str(path)])
    result = runner.invoke(app, ["rlchf", "aggregate", str(path), "--kind", "ranking",
                                 "--rule", "kemeny", "--time-limit", "0.000001"])
    assert result.exit_code == 1
    assert "did not finish within --time-limit" in _words(result.output)


def test_simulate_bad_parameters(tmp_path: Path) -> None:
    result = runner.invoke(app, ["rlchf", "simulate", "--prompts", "5", "--annotators", "3",
                                 "--out", str(tmp_path / "x.parquet")])
    assert result.exit_code == 1
    assert "annotators_per_prompt" in _words(result.output)


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["rlchf", "--help"])
    assert result.exit_code == 0
    assert " aggregate " in result.output and " simulate " in result.output
