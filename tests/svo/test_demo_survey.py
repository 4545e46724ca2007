"""The synthetic demo survey data/svo_demo_survey.csv: reproducible, valid, and as documented."""

from __future__ import annotations

import csv
import importlib.util
import re
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

import svo

ROOT = Path(__file__).resolve().parents[2]
SURVEY = ROOT / "data" / "svo_demo_survey.csv"
FOLDER = ROOT / "data" / "svo_demo"


@pytest.fixture(scope="module")
def build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_svo_demo_build", FOLDER / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def latent(build) -> pd.DataFrame:
    return build.simulate().set_index("respondent")


@pytest.fixture(scope="module")
def scored(latent) -> pd.DataFrame:
    survey = svo.read_survey(SURVEY)
    return svo.score(survey).join(survey.data[["group", "age_band"]]).join(
        latent[["type", "secondary", "inconsistent"]])


def test_file_is_exactly_what_build_writes(build, tmp_path) -> None:
    written = build.build(tmp_path / "survey.csv")
    assert written.read_bytes() == SURVEY.read_bytes()
    assert build.main(["--check", "--out", str(SURVEY)]) == 0
    (tmp_path / "survey.csv").write_text("respondent\n")
    assert build.main(["--check", "--out", str(tmp_path / "survey.csv")]) == 1


def test_columns_ids_and_values() -> None:
    with open(SURVEY, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["respondent", "group", "age_band", *svo.ITEM_COLUMNS]
    assert [r["respondent"] for r in rows] == [f"r{i:03d}" for i in range(1, 301)]
    assert {r["group"] for r in rows} == {"students", "staff"}
    assert {r["age_band"] for r in rows} == {"18-24", "25-34", "35-44", "45-54", "55-64"}
    cells = [r[c] for r in rows for c in svo.ITEM_COLUMNS]
    assert set(cells) <= {"", *map(str, range(9))}
    assert SURVEY.read_bytes().endswith(b"\n") and b"\r" not in SURVEY.read_bytes()


def test_report(latent) -> None:
    report = svo.read_survey(SURVEY).report
    blank_primary = latent[list(svo.PRIMARY_COLUMNS)].isna().any(axis=1)
    blank_any = latent[list(svo.ITEM_COLUMNS)].isna().any(axis=1)
    assert (report.n_rows, report.n_respondents, report.dropped) == (300, 300, ())
    assert report.incomplete == tuple(latent.index[blank_primary])
    assert len(report.incomplete) == 2
    assert report.n_scorable == 298
    assert report.n_complete == 300 - blank_any.sum() == 293
    assert report.summary().splitlines()[0].endswith(
        "300 respondents: 298 scorable, 293 answered all 15 items")


def test_categories_recover_the_mixture(build, scored) -> None:
    consistent = scored[~scored["inconsistent"] & scored["angle"].notna()]
    agreement = (consistent["category"].astype(str) == consistent["type"]).mean()
    assert agreement > 0.9
    for group, weights in build.WEIGHTS.items():
        shares = consistent[consistent["group"] == group]["category"].value_counts(
            normalize=True)
        for category, weight in zip(build.TYPES, weights, strict=True):
            assert abs(shares[category] - weight) < 0.08, (group, category)


def test_inconsistent_respondents_are_intransitive_more_often(scored) -> None:
    transitive = scored.dropna(subset=["angle"]).groupby("inconsistent")["transitive"].mean()
    assert transitive[False] > 0.95
    assert transitive[True] < 0.6


def test_secondary_types_show_in_the_ia_index(scored) -> None:
    index = scored.groupby("secondary")["ia_index"].median()
    assert index["inequality_aversion"] < 0.3 < 0.7 < index["joint_gain"]
    assert scored[scored["type"].isin(["individualistic", "altruistic"])
                  & ~scored["inconsistent"]]["ia_index"].isna().all()


def test_groups_differ_visibly() -> None:
    comparison = svo.compare(svo.read_survey(SURVEY).data, by="group", n_boot=500, rng=0)
    staff, students = comparison.loc["staff"], comparison.loc["students"]
    assert staff["share_prosocial"] - students["share_prosocial"] > 0.15
    assert staff["share_prosocial_low"] > students["share_prosocial_high"]
    assert staff["angle_mean"] > students["angle_mean"]


def test_readme_documents_the_draw(latent) -> None:
    text = (FOLDER / "README.md").read_text(encoding="utf-8")
    assert "synthetic, not real people's data" in text.lower()
    assert "CC0" in text and "python data/svo_demo/build.py" in text
    kind = latent["type"].where(~latent["inconsistent"], "random (inconsistent)")
    counts = pd.crosstab(kind, latent["group"])
    table = {m[1]: (int(m[2]), int(m[3]), int(m[4]))
             for m in re.finditer(r"^\| ([a-z() ]+) \| (\d+) \| (\d+) \| (\d+) \|$", text, re.M)}
    assert table == {t: (counts.loc[t, "students"], counts.loc[t, "staff"],
                         counts.loc[t].sum()) for t in counts.index}
    assert np.isclose(counts.to_numpy().sum(), 300)
