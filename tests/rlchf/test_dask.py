"""``rlchf.dask.aggregate_pairs_dask``: the same rows as the in-memory path, on a local cluster.

One small LocalCluster serves the module (started once); the data sets are a few hundred
rows spread over several files with every prompt's rows split across files.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("distributed")

import dask

import rlchf
from rlchf import RLCHFError, synthetic
from rlchf.dask import PairsFolder, aggregate_pairs_dask, parquet_files
from tests._dask import kill_a_busy_worker


def split_across_files(frame: pd.DataFrame, folder: Path, files: int, seed: int) -> Path:
    """``frame``'s rows dealt at random (order kept) over ``files`` Parquet files."""
    folder.mkdir()
    rows = np.random.default_rng(seed).integers(0, files, size=len(frame))
    for i in range(files):
        frame[rows == i].to_parquet(folder / f"part-{i:05d}.parquet", index=False)
    return folder


@pytest.fixture(scope="module")
def ranking(tmp_path_factory) -> Path:
    pop = synthetic.population(40, 4, 30, rng=5, kind="ranking", annotators_per_prompt=5)
    return split_across_files(pop.data.frame, tmp_path_factory.mktemp("r") / "in", 4, 1)


@pytest.fixture(scope="module")
def pairwise(tmp_path_factory) -> Path:
    pop = synthetic.population(30, 3, 30, rng=6, kind="pairwise", annotators_per_prompt=4)
    return split_across_files(pop.data.frame, tmp_path_factory.mktemp("p") / "in", 3, 2)


def in_memory(path: Path, kind: str, **options) -> pd.DataFrame:
    return rlchf.aggregate_pairs(rlchf.read_preferences(path, kind=kind, features=["group"]),
                                 **options)


def test_prompts_are_split_across_files(ranking: Path) -> None:
    files = [pd.read_parquet(f) for f in parquet_files(ranking)]
    in_every = set.intersection(*(set(f["prompt_id"]) for f in files))
    assert len(in_every) > 10


@pytest.mark.parametrize("options", [
    {"rule": "copeland"},
    {"rule": "borda", "pairs": "adjacent", "tie_break": "response_id"},
])
def test_ranking_rows_are_the_in_memory_rows(dask_cluster: str, ranking: Path, options) -> None:
    expected = in_memory(ranking, "ranking", **options)
    got = aggregate_pairs_dask(ranking, kind="ranking", features=["group"],
                               scheduler=dask_cluster, **options)
    assert len(expected) > 100
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_pairwise_rows_written_to_a_folder(dask_cluster: str, pairwise: Path, tmp_path: Path
                                           ) -> None:
    expected = in_memory(pairwise, "pairwise", rule="pairwise_majority")
    steps = []
    written = aggregate_pairs_dask(pairwise, kind="pairwise", rule="pairwise_majority",
                                   out=tmp_path / "pairs", scheduler=dask_cluster,
                                   progress=lambda d, t: steps.append((d, t)))
    assert isinstance(written, PairsFolder)
    assert written.pairs == len(expected) and written.prompts == 30
    assert written.files[0].name == "part-00000.parquet"
    back = pd.read_parquet(tmp_path / "pairs")
    pd.testing.assert_frame_equal(back, expected, check_dtype=False)
    assert steps == [(0, 2), (1, 2), (2, 2)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pairs"]  # no temporary left


def test_the_scheduler_comes_from_the_environment(dask_cluster: str, pairwise: Path,
                                                  monkeypatch) -> None:
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", dask_cluster)
    got = aggregate_pairs_dask(pairwise, kind="pairwise", rule="pairwise_majority")
    pd.testing.assert_frame_equal(got, in_memory(pairwise, "pairwise",
                                                 rule="pairwise_majority"), check_dtype=False)
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", "tcp://127.0.0.1:1")
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}), \
            pytest.raises(rlchf.RLCHFError, match="Cannot reach the Dask scheduler at tcp"):
        aggregate_pairs_dask(pairwise, kind="pairwise", rule="pairwise_majority")


def test_a_malformed_row_is_named_by_file_and_row(dask_cluster: str, ranking: Path,
                                                  tmp_path: Path) -> None:
    bad = tmp_path / "in"
    bad.mkdir()
    for f in parquet_files(ranking):
        frame = pd.read_parquet(f)
        if f.name == "part-00002.parquet":  # row 7 is row 1 of its third row group
            frame.loc[7, "annotator_id"] = None
        frame.to_parquet(bad / f.name, index=False, row_group_size=3)
    out = tmp_path / "pairs"
    with pytest.raises(rlchf.PreferenceDataError) as info:
        aggregate_pairs_dask(bad, kind="ranking", out=out, scheduler=dask_cluster)
    message = str(info.value)
    assert f"Row 7 of {bad / 'part-00002.parquet'}:" in message, message
    assert "'annotator_id'" in message and "(shuffled partition " in message
    # atomic output: nothing at out, no temporary folder left beside it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]


def test_an_existing_out_is_refused_before_any_work(ranking: Path, tmp_path: Path) -> None:
    (tmp_path / "pairs").mkdir()
    with pytest.raises(rlchf.RLCHFError, match="already exists"):
        aggregate_pairs_dask(ranking, kind="ranking", out=tmp_path / "pairs",
                             scheduler="tcp://127.0.0.1:1")


@pytest.mark.parametrize(("options", "error"), [
    ({"rule": "no_such_rule"}, "Unknown rule"),
    ({"pairs": "some"}, "'pairs' parameter of aggregate_pairs"),
])
def test_bad_options_fail_before_the_cluster(ranking: Path, options, error) -> None:
    with pytest.raises(rlchf.RLCHFError, match=error):
        aggregate_pairs_dask(ranking, kind="ranking", scheduler="tcp://127.0.0.1:1",
                             **options)


def test_missing_input_is_named(tmp_path: Path) -> None:
    with pytest.raises(rlchf.PreferenceDataError, match="no such file"):
        aggregate_pairs_dask(tmp_path / "nothing", kind="ranking")
    with pytest.raises(rlchf.PreferenceDataError, match=r"holds no \.parquet"):
        aggregate_pairs_dask(tmp_path, kind="ranking")


def test_a_killed_worker_is_replaced_and_the_output_is_complete(tmp_path: Path) -> None:
    """Kill one worker process (its pid) while tasks run: the nanny restarts it, Dask retries
    its tasks, and the folder holds exactly the in-memory rows."""
    source = tmp_path / "in"
    synthetic.write_parquet(source, 6000, partitions=6, rng=3, kind="ranking")
    expected = in_memory(source, "ranking")
    outcome = kill_a_busy_worker(lambda scheduler: aggregate_pairs_dask(
        source, kind="ranking", out=tmp_path / "out", scheduler=scheduler))
    assert isinstance(outcome, PairsFolder), outcome
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "out"), expected,
                                  check_dtype=False)


def test_missing_dask_says_how_to_install(ranking: Path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(rlchf.RLCHFError, match=r"collective-alignment\[dask\]"):
        aggregate_pairs_dask(ranking, kind="ranking")


def _tied(folder: Path) -> pd.DataFrame:
    frame = pd.DataFrame({"prompt_id": [1, 1, 2], "prompt": ["a", "a", "b"],
                          "response_a": ["x", "x", "u"], "response_b": ["y", "y", "v"],
                          "label": 0.5, "annotator_id": ["p", "q", "p"]})
    folder.mkdir()
    return frame


def test_unreadable_or_mismatched_files_are_named_before_the_cluster(tmp_path: Path) -> None:
    frame = _tied(tmp_path / "in")
    frame.to_parquet(tmp_path / "in" / "a.parquet", index=False)
    (tmp_path / "in" / "b.parquet").write_bytes(b"not parquet")
    with pytest.raises(rlchf.PreferenceDataError,
                       match=r"b\.parquet: not a readable Parquet file"):
        aggregate_pairs_dask(tmp_path / "in", kind="pairwise", scheduler="tcp://127.0.0.1:1")
    frame.drop(columns="label").to_parquet(tmp_path / "in" / "b.parquet", index=False)
    with pytest.raises(rlchf.PreferenceDataError,
                       match=r"b\.parquet: its columns differ from those of .*a\.parquet "
                             r"\(missing: label; extra: none\)"):
        aggregate_pairs_dask(tmp_path / "in", kind="pairwise", scheduler="tcp://127.0.0.1:1")


def test_a_missing_column_names_the_file_before_the_cluster(tmp_path: Path) -> None:
    _tied(tmp_path / "in").drop(columns="label").to_parquet(tmp_path / "in" / "a.parquet")
    with pytest.raises(rlchf.PreferenceDataError,
                       match=r"^\S*a\.parquet: pairwise data needs the column\(s\) 'label'"):
        aggregate_pairs_dask(tmp_path / "in", kind="pairwise",
                             scheduler="tcp://127.0.0.1:1")  # never reached


def test_no_pairs_at_all(dask_cluster: str, tmp_path: Path) -> None:
    _tied(tmp_path / "in").to_parquet(tmp_path / "in" / "a.parquet", index=False)
    options = {"kind": "pairwise", "rule": "pairwise_majority", "scheduler": dask_cluster}
    got = aggregate_pairs_dask(tmp_path / "in", **options)
    assert list(got.columns) == ["prompt_id", "prompt", "chosen", "rejected", "margin"]
    assert len(got) == 0
    written = aggregate_pairs_dask(tmp_path / "in", out=tmp_path / "out", **options)
    assert (written.pairs, written.prompts) == (0, 2)
    assert len(pd.read_parquet(tmp_path / "out")) == 0


@pytest.mark.parametrize("limit", ["lots", "100MiB", 0, True, 1.5])
def test_a_bad_memory_limit_is_refused_before_the_cluster(tmp_path: Path, limit) -> None:
    synthetic.write_parquet(tmp_path, 5, partitions=1, rng=0, kind="ranking")
    with pytest.raises(RLCHFError, match="'memory_limit' parameter of aggregate_pairs_dask "
                                         "must be a size of at least 256MiB"):
        aggregate_pairs_dask(tmp_path, kind="ranking", memory_limit=limit)


def _die(part: pd.DataFrame) -> pd.DataFrame:
    os._exit(1)  # a worker dying on this task, as one killed for lack of memory


def test_a_task_whose_workers_keep_dying_ends_with_a_typed_error(tmp_path: Path) -> None:
    """Dask's KilledWorker becomes the package's error, pointing at the memory limit."""
    from _common.dask import dask_client

    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), \
            pytest.raises(RLCHFError, match=r"aggregate_pairs_dask stopped: the Dask workers "
                                            r"running one task died .*larger memory_limit"):
        with dask_client(None, "512MiB", 1, "aggregate_pairs_dask", RLCHFError) as client:
            client.compute(dask.delayed(_die)(pd.DataFrame()), sync=True)


def test_a_scheduler_address_without_a_port_fails_at_once(tmp_path: Path) -> None:
    synthetic.write_parquet(tmp_path, 5, partitions=1, rng=0, kind="ranking")
    with pytest.raises(RLCHFError, match="'nonsense' is not a Dask scheduler address: "
                                         "expected tcp://host:port"):
        aggregate_pairs_dask(tmp_path, kind="ranking", scheduler="nonsense")


def test_the_frame_equals_the_in_memory_frame_dtypes_included(dask_cluster: str,
                                                              ranking: Path) -> None:
    got = aggregate_pairs_dask(ranking, kind="ranking", scheduler=dask_cluster)
    assert got.equals(in_memory(ranking, "ranking")), (got.dtypes, )


def test_a_missing_feature_column_fails_before_the_cluster(tmp_path: Path) -> None:
    synthetic.write_parquet(tmp_path, 5, partitions=1, rng=0, kind="ranking")
    with pytest.raises(rlchf.PreferenceDataError, match=r"part-00000\.parquet: the declared "
                                                         r"feature column\(s\) 'grp' are missing"):
        aggregate_pairs_dask(tmp_path, kind="ranking", features=["grp"],
                             scheduler="tcp://127.0.0.1:1")  # never reached
