"""``socialchoice.dask``: the rows of ``winners_table`` / ``margins_table`` on a local cluster.

One small LocalCluster serves the module; the ballot tables are a few hundred rows dealt over
several files, so that every election's rows are split across files.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("distributed")

import socialchoice as sc
from socialchoice.dask import TableFolder, margins_table_dask, winners_table_dask
from tests._dask import kill_a_busy_worker


def ballots(seed: int, elections: int) -> pd.DataFrame:
    """Elections of 2-5 candidates (string ids) and 1-30 voters (some weighted twice),
    ballots with ties and truncation, rows in a random order."""
    rng = np.random.default_rng(seed)
    parts = []
    for e in range(elections):
        m, n = int(rng.integers(2, 6)), int(rng.choice([1, 4, 30]))
        ranks = rng.integers(0, m, size=(n, m))
        kept = rng.random((n, m)) < 0.85
        kept[:, 0] = True
        v, c = np.nonzero(kept)
        parts.append(pd.DataFrame({
            "election": f"e{e}", "voter": v, "candidate": [f"c{int(x)}" for x in c],
            "position": ranks[v, c], "w": (1 + v % 2).astype(np.int64)}))
    table = pd.concat(parts, ignore_index=True)
    return table.iloc[rng.permutation(len(table))].reset_index(drop=True)


def split_across_files(frame: pd.DataFrame, folder: Path, files: int, seed: int,
                       **options) -> Path:
    """``frame``'s rows dealt at random (order kept) over ``files`` Parquet files."""
    folder.mkdir()
    rows = np.random.default_rng(seed).integers(0, files, size=len(frame))
    for i in range(files):
        frame[rows == i].to_parquet(folder / f"part-{i:05d}.parquet", index=False, **options)
    return folder


COLUMNS = {"election": "election", "voter": "voter", "candidate": "candidate",
           "rank": "position"}


@pytest.fixture(scope="module")
def table(tmp_path_factory) -> Path:
    return split_across_files(ballots(1, 60), tmp_path_factory.mktemp("t") / "in", 4, 2)


def in_memory(folder: Path) -> pd.DataFrame:
    return pd.read_parquet(folder)   # files in name order, as the Dask path reads them


def test_elections_are_split_across_files(table: Path) -> None:
    files = [pd.read_parquet(f) for f in sorted(table.glob("*.parquet"))]
    assert len(set.intersection(*(set(f["election"]) for f in files))) > 20


@pytest.mark.parametrize("rule", ["copeland", "instant_runoff", "ranked_pairs"])
@pytest.mark.parametrize("weight", [None, "w"])
def test_winners_are_the_in_memory_rows(dask_cluster: str, table: Path, rule: str, weight) -> None:
    expected = sc.winners_table(in_memory(table), rule, weight=weight, **COLUMNS)
    got = winners_table_dask(table, rule, weight=weight, scheduler=dask_cluster, **COLUMNS)
    assert len(expected) > 150 and expected["winner"].any()
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_margins_written_to_a_folder(dask_cluster: str, table: Path, tmp_path: Path) -> None:
    expected = sc.margins_table(in_memory(table), weight="w", **COLUMNS)
    steps = []
    written = margins_table_dask(table, weight="w", out=tmp_path / "margins",
                                 scheduler=dask_cluster, progress=lambda d, t: steps.append((d, t)),
                                 **COLUMNS)
    assert isinstance(written, TableFolder)
    assert (written.rows, written.elections, written.tied) == (len(expected), 60, None)
    assert written.files[0].name == "part-00000.parquet"
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "margins"), expected,
                                  check_dtype=False)
    assert steps == [(0, 2), (1, 2), (2, 2)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["margins"]  # no temporary left


@pytest.mark.parametrize("extra", [0, 8])
def test_a_malformed_row_is_named_by_file_and_row(dask_cluster: str, table: Path,
                                                  tmp_path: Path, extra: int) -> None:
    # with many unused columns, reading only the needed ones would let Dask fuse row
    # groups into one partition and name the wrong row
    bad = tmp_path / "in"
    bad.mkdir()
    for f in sorted(table.glob("*.parquet")):
        frame = pd.read_parquet(f)
        frame = frame.assign(**{f"note{i}": "unused" for i in range(extra)})
        if f.name == "part-00002.parquet":  # row 57 is row 7 of its third row group
            frame["position"] = frame["position"].astype(np.float64)
            frame.loc[57, "position"] = 1.5
        frame.to_parquet(bad / f.name, index=False, row_group_size=25)
    with pytest.raises(sc.ProfileError) as info:
        winners_table_dask(bad, "copeland", out=tmp_path / "out", scheduler=dask_cluster,
                           **COLUMNS)
    message = str(info.value)
    assert f"Row 57 of {bad / 'part-00002.parquet'}: the 'position' column holds 1.5" \
        in message, message
    assert "(shuffled partition " in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]  # nothing left


def test_a_rule_refusing_a_ballot_names_its_file(dask_cluster: str, table: Path) -> None:
    with pytest.raises(sc.RuleInputError, match=r"Row \d+ of .*part-0000\d\.parquet: "
                                                r"borda is defined on strict"):
        winners_table_dask(table, "borda", scheduler=dask_cluster, **COLUMNS)


def test_bad_input_is_refused_before_the_cluster(table: Path, tmp_path: Path) -> None:
    nowhere = {"scheduler": "tcp://127.0.0.1:1", **COLUMNS}
    with pytest.raises(sc.UnknownRuleError, match="Did you mean 'copeland'"):
        winners_table_dask(table, "copland", **nowhere)
    with pytest.raises(sc.ProfileError, match=r"part-00000\.parquet: the ballot table has "
                                              r"no column 'rank'"):
        margins_table_dask(table, **{**nowhere, "rank": "rank"})
    (tmp_path / "out").mkdir()
    with pytest.raises(sc.SocialChoiceError, match="already exists"):
        margins_table_dask(table, out=tmp_path / "out", **nowhere)
    with pytest.raises(sc.ProfileError, match="no such file"):
        margins_table_dask(tmp_path / "nothing", **nowhere)


def test_synthetic_rlchf_rankings_work_with_the_defaults(dask_cluster: str, tmp_path: Path
                                                        ) -> None:
    from rlchf import synthetic

    synthetic.write_parquet(tmp_path, 40, partitions=3, rng=4, kind="ranking")
    got = winners_table_dask(tmp_path, "schulze", scheduler=dask_cluster)
    pd.testing.assert_frame_equal(got, sc.winners_table(pd.read_parquet(tmp_path), "schulze"),
                                  check_dtype=False)


def test_a_killed_worker_is_replaced_and_the_output_is_complete(tmp_path: Path) -> None:
    """Kill one worker process (its pid) while tasks run: the nanny restarts it, Dask retries
    its tasks, and the folder holds exactly the in-memory rows."""
    source = split_across_files(ballots(3, 3000), tmp_path / "in", 6, 4)
    expected = sc.winners_table(in_memory(source), "copeland", **COLUMNS)
    outcome = kill_a_busy_worker(lambda scheduler: winners_table_dask(
        source, "copeland", out=tmp_path / "out", scheduler=scheduler, **COLUMNS))
    assert isinstance(outcome, TableFolder), outcome
    tied = int((expected.groupby("election")["winner"].sum() > 1).sum())
    assert (outcome.elections, outcome.tied) == (3000, tied) and tied > 50
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "out"), expected,
                                  check_dtype=False)


def test_missing_dask_says_how_to_install(table: Path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(sc.SocialChoiceError, match=r"collective-alignment\[dask\]"):
        margins_table_dask(table, **COLUMNS)


@pytest.mark.parametrize("files", [2, 5])
def test_a_written_folder_is_in_the_in_memory_order(dask_cluster: str, tmp_path: Path,
                                                    files: int) -> None:
    """Whatever the number of parts (the sort pass once interleaved two parts' rows)."""
    from rlchf import synthetic

    synthetic.write_parquet(tmp_path / "in", 400, partitions=files, rng=files, kind="ranking")
    expected = sc.winners_table(pd.read_parquet(tmp_path / "in"), "copeland")
    winners_table_dask(tmp_path / "in", "copeland", out=tmp_path / "out", scheduler=dask_cluster)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "out"), expected,
                                  check_dtype=False)
