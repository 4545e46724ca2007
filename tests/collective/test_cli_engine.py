"""The options every command with a Dask engine shares (``collective/_engine.py``):
``rlchf aggregate``, ``winners`` and ``svo score`` refuse the same mistakes the same way."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from collective import main as cli

runner = CliRunner()
DEMO = Path(__file__).resolve().parents[2] / "data" / "svo_demo_survey.csv"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    from rlchf import synthetic

    folder = tmp_path_factory.mktemp("engine")
    synthetic.write_parquet(folder / "rankings", 20, partitions=2, rng=1, kind="ranking")
    pd.read_csv(DEMO).to_parquet(folder / "survey.parquet", index=False)
    return {"rankings": folder / "rankings", "survey": folder / "survey.parquet"}


COMMANDS = {
    "rlchf aggregate": (["rlchf", "aggregate"], "rankings", ["--kind", "ranking"]),
    "winners": (["winners"], "rankings", []),
    "svo score": (["svo", "score"], "survey", []),
}


def _run(name: str, inputs: dict[str, Path], *args: str):
    command, source, extra = COMMANDS[name]
    return runner.invoke(cli.app, [*command, str(inputs[source]), *extra, *args])


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("name", COMMANDS)
def test_a_scheduler_address_without_a_port_is_one_clear_line(name, inputs, tmp_path) -> None:
    result = _run(name, inputs, "--engine", "dask", "--out", str(tmp_path / "o"),
                  "--scheduler", "nonsense")
    assert result.exit_code == 2, result.output
    assert _words(result.output) == (
        "Error: --scheduler 'nonsense' is not a Dask scheduler address: expected "
        "tcp://host:port (missing port number in address 'nonsense').")


@pytest.mark.parametrize("name", COMMANDS)
def test_an_existing_out_folder_is_refused_before_any_work(name, inputs, tmp_path) -> None:
    (tmp_path / "o").mkdir()
    result = _run(name, inputs, "--engine", "dask", "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert "already exists: --engine dask writes a new folder" in _words(result.output)


@pytest.mark.parametrize("name", COMMANDS)
def test_the_memory_limit_is_checked_and_needs_the_dask_engine(name, inputs, tmp_path
                                                               ) -> None:
    bad = _run(name, inputs, "--engine", "dask", "--out", str(tmp_path / "o"),
               "--memory-limit", "lots")
    assert bad.exit_code == 2
    assert "--memory-limit lots: expected a size of at least 256MiB" in _words(bad.output)
    alone = _run(name, inputs, "--memory-limit", "2GiB")
    assert alone.exit_code == 2
    assert "--memory-limit needs --engine dask" in _words(alone.output)


@pytest.mark.parametrize("name", COMMANDS)
def test_the_in_memory_out_file_follows_its_suffix(name, inputs, tmp_path) -> None:
    result = _run(name, inputs, "--out", str(tmp_path / "t.parquet"))
    assert result.exit_code == 0, result.output
    assert len(pd.read_parquet(tmp_path / "t.parquet")) > 0
    wrong = _run(name, inputs, "--out", str(tmp_path / "t.txt"))
    assert wrong.exit_code == 2
    assert "the file name must end in .parquet, .csv, .jsonl" in _words(wrong.output)
    assert not (tmp_path / "t.txt").exists()


def test_a_malformed_row_on_dask_prints_only_the_error(tmp_path: Path) -> None:
    """The workers' own logs ("Compute Failed" and a traceback) stay quiet."""
    from rlchf import synthetic

    synthetic.write_parquet(tmp_path / "in", 20, partitions=2, rng=1, kind="ranking")
    part = sorted((tmp_path / "in").glob("*.parquet"))[1]
    frame = pd.read_parquet(part)
    frame["rank"] = frame["rank"].astype(float)
    frame.loc[3, "rank"] = 1.5
    frame.to_parquet(part, index=False)
    result = runner.invoke(cli.app, ["winners", str(tmp_path / "in"), "--engine", "dask",
                                     "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"Error: Row 3 of {part}:"), lines


@pytest.mark.parametrize("name", ["rlchf aggregate", "winners"])
def test_a_folder_whose_files_disagree_names_the_column(name, tmp_path) -> None:
    from rlchf import synthetic

    synthetic.write_parquet(tmp_path / "rankings", 20, partitions=2, rng=1, kind="ranking")
    part = sorted((tmp_path / "rankings").glob("*.parquet"))[1]
    frame = pd.read_parquet(part)
    frame["rank"] = frame["rank"].astype(float) + 0.5
    frame.to_parquet(part, index=False)
    result = _run(name, {"rankings": tmp_path / "rankings"})
    assert result.exit_code == 1
    assert "the files of this folder disagree: the column 'rank' is int64 in part-00000" \
        f".parquet but double in {part.name}" in _words(result.output), result.output
