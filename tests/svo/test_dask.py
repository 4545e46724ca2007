"""``svo.dask.score_dask``: the in-memory scored table, row for row, on a local cluster.

One small LocalCluster serves the module; the surveys are a few hundred respondents dealt
over several files of small row groups (long surveys: a respondent's rows in several files).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("distributed")


import svo
from svo.dask import ScoredSurvey, score_dask


def wide_survey(n: int, seed: int) -> pd.DataFrame:
    """``n`` respondents: id, two demographics, 15 random answers (a few missing)."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"respondent": [f"r{i}" for i in range(n)],
                          "group": rng.choice(["a", "b", "c"], n),
                          "age": rng.integers(18, 80, n)})
    for k in range(1, 16):
        answers = rng.integers(0, 9, n).astype(float)
        answers[rng.random(n) < 0.03] = np.nan
        frame[f"item{k}"] = answers
    return frame


def long_survey(wide: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The answers of ``wide`` as (respondent, group, item, choice) rows in random order."""
    rows = wide.drop(columns=["age"]).melt(["respondent", "group"], var_name="item",
                                           value_name="choice")
    rows["item"] = rows["item"].str.removeprefix("item").astype(int)
    order = np.random.default_rng(seed).permutation(len(rows))
    return rows.iloc[order].reset_index(drop=True)


def deal(frame: pd.DataFrame, folder: Path, files: int, seed: int,
         row_group_size: int = 40) -> Path:
    """``frame``'s rows dealt at random (order kept) over ``files`` Parquet files."""
    folder.mkdir(parents=True)
    rows = np.random.default_rng(seed).integers(0, files, size=len(frame))
    for i in range(files):
        frame[rows == i].to_parquet(folder / f"part-{i:02d}.parquet", index=False,
                                    row_group_size=row_group_size)
    return folder


def in_memory(folder: Path, errors: str = "raise") -> tuple[pd.DataFrame, svo.Survey,
                                                             svo.ScoreSummary]:
    """What ``collective svo score`` computes for the files of ``folder`` as one file."""
    whole = folder.parent / f"{folder.name}-whole.parquet"
    pd.concat([pd.read_parquet(f) for f in sorted(folder.glob("*.parquet"))],
              ignore_index=True).to_parquet(whole, index=False)
    survey = svo.read_survey(whole, errors=errors)
    result = svo.score_report(survey, errors=errors)
    return svo.scored_table(survey, result.scores), survey, svo.summarize(result.scores)


def same_report(got: svo.SurveyReport, expected: svo.SurveyReport) -> None:
    fields = ("n_rows", "n_scorable", "n_complete", "incomplete", "n_respondents", "n_items",
              "format", "n_dropped")
    assert [getattr(got, f) for f in fields] == [getattr(expected, f) for f in fields]
    assert [(p.respondent, p.column, p.value) for p in got.dropped] == [
        (p.respondent, p.column, p.value) for p in expected.dropped]


def same_summary(got: svo.ScoreSummary, expected: svo.ScoreSummary) -> None:
    assert (got.n, got.counts, got.transitive_share) == (expected.n, expected.counts,
                                                          expected.transitive_share)
    assert got.angle_mean == pytest.approx(expected.angle_mean, rel=1e-12)
    assert got.angle_sd == pytest.approx(expected.angle_sd, rel=1e-12)


@pytest.fixture(scope="module")
def wide(tmp_path_factory) -> Path:
    return deal(wide_survey(400, 1), tmp_path_factory.mktemp("w") / "in", 3, 2)


@pytest.fixture(scope="module")
def long(tmp_path_factory) -> Path:
    return deal(long_survey(wide_survey(120, 3), 4), tmp_path_factory.mktemp("l") / "in", 3,
                5, row_group_size=300)


def test_long_respondents_are_split_across_files(long: Path) -> None:
    files = [set(pd.read_parquet(f)["respondent"]) for f in sorted(long.glob("*.parquet"))]
    assert len(set.intersection(*files)) > 50


@pytest.mark.parametrize("name", ["wide", "long"])
def test_the_rows_are_the_in_memory_rows(dask_cluster: str, name: str, request) -> None:
    folder = request.getfixturevalue(name)
    expected, survey, summary = in_memory(folder)
    got = score_dask(folder, scheduler=dask_cluster)
    assert isinstance(got, ScoredSurvey) and got.path is None and len(expected) > 100
    pd.testing.assert_frame_equal(got.table, expected)
    same_report(got.report, survey.report)
    same_summary(got.summary, summary)


@pytest.mark.parametrize("name", ["wide", "long"])
def test_a_written_folder_holds_the_in_memory_rows(dask_cluster: str, name: str, request,
                                                   tmp_path: Path) -> None:
    folder = request.getfixturevalue(name)
    expected, _, _ = in_memory(folder)
    got = score_dask(folder, out=tmp_path / "scored", scheduler=dask_cluster)
    assert got.table is None and got.path == tmp_path / "scored" and got.rows == len(expected)
    assert got.files == tuple(sorted((tmp_path / "scored").glob("*.parquet")))
    pd.testing.assert_frame_equal(pd.read_parquet(got.path), expected)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scored"]  # no temporary folder


def spoiled_wide(tmp_path: Path) -> Path:
    """Bad cells, an empty id and ids repeated in one file and across files."""
    frame = wide_survey(300, 7)
    frame.loc[5, "item3"] = 9
    frame.loc[17, "item6"] = 2.5
    frame.loc[40, "respondent"] = " "
    frame.loc[[60, 61], "respondent"] = "twice"      # dealt to one or two files
    frame.loc[[10, 250, 290], "respondent"] = "r10"  # across files
    frame.loc[290, "item1"] = 11                     # a repeated id with a bad cell too
    return deal(frame, tmp_path / "in", 3, 8)


def test_coerce_drops_and_reports_the_same_respondents(dask_cluster: str, tmp_path: Path) -> None:
    folder = spoiled_wide(tmp_path)
    expected, survey, summary = in_memory(folder, errors="coerce")
    got = score_dask(folder, errors="coerce", scheduler=dask_cluster)
    pd.testing.assert_frame_equal(got.table, expected)
    same_report(got.report, survey.report)
    same_summary(got.summary, summary)
    assert {p.respondent for p in got.report.dropped} >= {"r10", "twice", None}
    repeated = [p for p in got.report.dropped if p.respondent == "r10"
                and p.column == "respondent"]
    assert len(repeated) == 3
    assert all("is also on row" in p.message and ".parquet" in p.message for p in repeated)


def test_a_long_survey_with_bad_rows_is_coerced_the_same(dask_cluster: str, tmp_path: Path
                                                          ) -> None:
    rows = long_survey(wide_survey(80, 9), 10)
    rows.loc[3, "choice"] = 12
    rows.loc[8, "item"] = 99
    first = rows["respondent"].iloc[20]
    again = rows.index[(rows["respondent"] == first) & (rows["item"] == 1)][0]
    rows = pd.concat([rows, rows.loc[[again]]], ignore_index=True)  # an answer given twice
    folder = deal(rows, tmp_path / "in", 2, 11, row_group_size=200)
    expected, survey, summary = in_memory(folder, errors="coerce")
    got = score_dask(folder, errors="coerce", scheduler=dask_cluster)
    pd.testing.assert_frame_equal(got.table, expected)
    same_report(got.report, survey.report)
    same_summary(got.summary, summary)
    assert got.report.n_dropped >= 3


def test_a_malformed_row_is_named_by_file_row_and_partition(dask_cluster: str, wide: Path,
                                                            tmp_path: Path) -> None:
    bad = tmp_path / "in"
    bad.mkdir()
    for f in sorted(wide.glob("*.parquet")):
        frame = pd.read_parquet(f)
        if f.name == "part-01.parquet":  # row 45 is row 5 of the second row group
            frame.loc[45, "item4"] = 9
        frame.to_parquet(bad / f.name, index=False, row_group_size=40)
    with pytest.raises(svo.ChoiceError) as info:
        score_dask(bad, out=tmp_path / "scored", scheduler=dask_cluster)
    message = str(info.value)
    assert f"row 45 of {bad / 'part-01.parquet'}, respondent" in message, message
    assert "column 'item4': option 9 is out of range" in message
    assert "(input partition " in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]  # nothing left behind


def test_an_id_repeated_across_files_is_refused_naming_both_rows(dask_cluster: str,
                                                                 tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    frame = wide_survey(20, 3)
    frame.iloc[:10].to_parquet(folder / "a.parquet", index=False)
    frame.iloc[10:].assign(respondent=lambda f: f["respondent"].replace("r12", "r3")
                           ).to_parquet(folder / "b.parquet", index=False)
    with pytest.raises(svo.SurveyError) as info:
        score_dask(folder, scheduler=dask_cluster)
    message = str(info.value)
    assert f"row 3 of {folder / 'a.parquet'}, respondent 'r3'" in message, message
    assert f"is also on row 2 of {folder / 'b.parquet'}; expected unique ids" in message
    assert "errors='coerce'" in message


def test_bad_input_fails_before_the_cluster(wide: Path, tmp_path: Path) -> None:
    (tmp_path / "exists").mkdir()
    with pytest.raises(svo.SVOError, match="already exists"):
        score_dask(wide, out=tmp_path / "exists")
    with pytest.raises(svo.SurveyError, match="no such file or folder"):
        score_dask(tmp_path / "missing")
    with pytest.raises(svo.SurveyError, match="The 'errors' parameter of score_dask"):
        score_dask(wide, errors="ignore")
    pd.DataFrame({"respondent": ["a"], "item1": [0]}).to_parquet(tmp_path / "few.parquet")
    with pytest.raises(svo.SurveyError, match="lacks the primary item column"):
        score_dask(tmp_path / "few.parquet")


def test_a_malformed_long_row_names_its_file_and_the_shuffled_partition(
        dask_cluster: str, long: Path, tmp_path: Path) -> None:
    bad = tmp_path / "in"
    bad.mkdir()
    for f in sorted(long.glob("*.parquet")):
        frame = pd.read_parquet(f)
        if f.name == "part-02.parquet":
            frame.loc[33, "choice"] = -1
        frame.to_parquet(bad / f.name, index=False, row_group_size=300)
    with pytest.raises(svo.ChoiceError) as info:
        score_dask(bad, scheduler=dask_cluster)
    message = str(info.value)
    assert f"row 33 of {bad / 'part-02.parquet'}, respondent" in message, message
    assert "column 'choice': option -1 is out of range" in message
    assert "shuffled partition " in message


@pytest.mark.parametrize("name", ["wide", "long"])
def test_every_respondent_dropped_leaves_an_empty_table(dask_cluster: str, name: str,
                                                        tmp_path: Path) -> None:
    frame = wide_survey(30, 4).assign(item2=20.0)
    folder = deal(frame if name == "wide" else long_survey(frame, 1), tmp_path / "in", 2, 3)
    expected, survey, _ = in_memory(folder, errors="coerce")
    got = score_dask(folder, errors="coerce", scheduler=dask_cluster)
    assert len(expected) == 0 and got.report.n_dropped == 30
    same_report(got.report, survey.report)
    assert list(got.table.columns) == list(expected.columns) and len(got.table) == 0
    written = score_dask(folder, errors="coerce", out=tmp_path / "scored", scheduler=dask_cluster)
    assert written.rows == 0 and len(written.files) == 1
    assert list(pd.read_parquet(written.path).columns) == list(expected.columns)
    assert (written.summary.n, written.summary.angle_mean) == (0, None)


def test_ids_in_a_named_index_and_options_one_to_nine(dask_cluster: str, tmp_path: Path) -> None:
    frame = wide_survey(150, 12).rename(columns={"respondent": "pid"}).set_index("pid")
    frame[[f"item{k}" for k in range(1, 16)]] += 1  # options numbered 1–9
    folder = tmp_path / "in"
    folder.mkdir()
    frame.iloc[:70].to_parquet(folder / "a.parquet", row_group_size=30)
    frame.iloc[70:].to_parquet(folder / "b.parquet", row_group_size=30)
    frame.to_parquet(tmp_path / "whole.parquet")
    survey = svo.read_survey(tmp_path / "whole.parquet", id_column="pid", option_base=1)
    expected = svo.scored_table(survey)
    got = score_dask(folder, id_column="pid", option_base=1, scheduler=dask_cluster)
    pd.testing.assert_frame_equal(got.table, expected)
    assert got.table["mean_self"].notna().sum() == survey.report.n_scorable > 100


def test_missing_dask_says_how_to_install(wide: Path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(svo.SVOError, match=r"collective-alignment\[dask\]"):
        score_dask(wide)


@pytest.mark.parametrize("files", [2, 5])
def test_a_written_long_folder_is_in_the_in_memory_order(dask_cluster: str, tmp_path: Path,
                                                         files: int) -> None:
    """Whatever the number of parts (the sort pass once interleaved two parts' rows)."""
    folder = deal(long_survey(wide_survey(300, files), files), tmp_path / "in", files, files,
                  row_group_size=300)
    expected, _, _ = in_memory(folder)
    score_dask(folder, out=tmp_path / "scored", scheduler=dask_cluster)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "scored"), expected)
