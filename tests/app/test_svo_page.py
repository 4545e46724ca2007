"""The app's SVO page, driven through streamlit's AppTest (no browser).

The page renders on the shipped demo survey without loading a language model; uploads go
through the file uploader as a participant's browser would send them. The language-model
expander is run once with one persona and one sample on the session's local SmolLM2.
"""

from __future__ import annotations

import ast
import io
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import lm
import svo
from deliberation.pages import svo as page
from deliberation.pages._ui import md_escape
from svo.llm import SimulatedRespondent

TIMEOUT = 60
SCRIPT = "from deliberation.pages import svo\nsvo.render()\n"
ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "deliberation" / "pages" / "svo.py"


def _no_model(**_: object) -> None:
    raise AssertionError("the page loaded a language model without the button")


@pytest.fixture
def at(monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setattr(lm, "load_chat_model", _no_model)
    app = AppTest.from_string(SCRIPT, default_timeout=TIMEOUT)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


@pytest.fixture(scope="module")
def demo() -> svo.Survey:
    return svo.read_survey(page.DEMO_SURVEY)


def _metrics(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def _table(app: AppTest, column: str) -> pd.DataFrame:
    found = [d.value for d in app.dataframe if column in d.value.columns]
    assert len(found) == 1, [list(d.value.columns) for d in app.dataframe]
    return found[0]


def _upload(app: AppTest, name: str, content: bytes, mime: str = "text/csv") -> AppTest:
    app.radio(key="svo_how").set_value("Upload a survey").run()
    assert not app.exception and app.info  # asks for a file
    assert not app.metric
    app.file_uploader(key="svo_file").set_value((name, content, mime)).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _survey_csv(rows: list[list[object]]) -> bytes:
    header = ["respondent", "group", *svo.PRIMARY_COLUMNS]
    return pd.DataFrame(rows, columns=header).to_csv(index=False).encode()


GOOD = [
    ["r1", "a", 0, 8, 8, 3, 4, 8],
    ["r2", "a", 8, 8, 8, 8, 0, 0],
    ["r3", "b", 0, 8, 0, 0, 8, 8],
    ["r4", "b", 8, 0, 8, 8, 0, 0],
]


def test_demo_report_matches_read_survey(at: AppTest, demo: svo.Survey) -> None:
    report = demo.report
    assert at.title[0].value == "Social Value Orientation"
    assert not at.error
    shown = _metrics(at)
    assert shown == {
        "Rows": str(report.n_rows),
        "Respondents": str(report.n_respondents),
        "Scored": str(report.n_scorable),
        "All 15 items": str(report.n_complete),
        "Incomplete": str(len(report.incomplete)),
        "Dropped": str(report.n_dropped),
    }
    if report.incomplete or report.dropped:
        assert any(e.label.startswith("Incomplete (") for e in at.expander)


def test_demo_scored_table(at: AppTest, demo: svo.Survey) -> None:
    table = _table(at, "ia_index")
    assert len(table) == len(demo)
    pd.testing.assert_frame_equal(table, svo.scored_table(demo))  # the library's table
    assert list(table.columns) == [
        "respondent",
        *demo.demographics,
        "mean_self",
        "mean_other",
        "angle",
        "category",
        "transitive",
        "ia_index",
    ]
    expected = svo.score(demo)["angle"]
    assert (table["angle"].isna().to_numpy() == expected.isna().to_numpy()).all()
    assert (table["angle"].dropna().to_numpy() == expected.dropna().to_numpy()).all()
    labels = [b.label for b in at.get("download_button")]
    assert "Download the scored survey (CSV)" in labels


def test_demo_plots_and_group_comparison(at: AppTest, demo: svo.Survey) -> None:
    assert at.selectbox(key="svo_by").value == "group"
    comparison = _table(at, "mean angle")
    groups = sorted(demo.data["group"].dropna().astype(str).unique())
    assert sorted(comparison["group"]) == groups
    assert list(comparison.columns) == [
        "group",
        "n",
        "mean angle",
        "interval",
        *svo.CATEGORIES,
        "transitive",
    ]
    assert comparison["n"].sum() == demo.report.n_scorable
    assert len(at.get("image")) == 3  # circle, histogram, groups
    other = [o for o in at.selectbox(key="svo_by").options if o != "group"]
    if other:
        at.selectbox(key="svo_by").set_value(other[0]).run()
        assert not at.exception, [e.value for e in at.exception]
        assert _table(at, "mean angle").columns[0] == other[0]


def test_llm_expander_waits_for_the_button(at: AppTest) -> None:
    labels = [e.label for e in at.expander]
    assert "Compare with a language model" in labels
    assert at.button(key="svo_llm_run").label == "Run the language model"
    assert at.number_input(key="svo_samples").value == 2
    assert page._KEY_LLM not in at.session_state


@pytest.mark.parametrize(
    ("kind", "biased"), [("first", True), ("prosocial", False)], ids=["letter", "allocation"]
)
def test_llm_run_shows_angles_and_position_bias(
    monkeypatch: pytest.MonkeyPatch, kind: str, biased: bool
) -> None:
    # SmolLM2 takes 1–3 s per question on this CPU; a simulated respondent drives the same path
    respondent = SimulatedRespondent(kind)
    monkeypatch.setattr(lm, "load_chat_model", lambda **_: respondent)
    app = AppTest.from_string(SCRIPT, default_timeout=TIMEOUT)
    app.run()
    app.multiselect(key="svo_personas").set_value(["none", "competitive"]).run()
    app.button(key="svo_llm_run").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error
    table = _table(app, "persona")
    assert list(table["persona"]) == ["survey", "none", "competitive"]
    survey = svo.read_survey(page.DEMO_SURVEY)
    shares = svo.score(survey)["category"].value_counts(normalize=True)
    assert table.loc[0, "prosocial"] == round(shares["prosocial"], 3)
    if kind == "prosocial":  # the persona is ignored: the ideal prosocial every time
        assert table["angle"].iloc[1:].tolist() == [37.5, 37.5]
        assert table["prosocial"].iloc[1:].tolist() == [1.0, 1.0]
    caption = next(c.value for c in app.caption if c.value.startswith("Model: "))
    assert f"Model: {md_escape(respondent.model_id)}, 2 sample(s)" in caption
    assert re.search(r"none \d+% \(p [=<] ", caption)
    assert ("picks a letter position" in caption) is biased
    notes = [w.value for w in app.warning if "order bias" in w.value]
    assert bool(notes) is biased  # LLMEvaluation.warnings(), as the CLI prints them
    assert "rough below 45 answers" in caption
    app.run()  # the result is kept for the session, the model is not asked again
    monkeypatch.setattr(lm, "load_chat_model", _no_model)
    app.run()
    assert list(_table(app, "persona")["persona"]) == ["survey", "none", "competitive"]


def test_bad_answer_names_row_and_column(at: AppTest) -> None:
    rows = [list(r) for r in GOOD]
    rows[2][4] = 12  # r3, item3
    _upload(at, "mine.csv", _survey_csv(rows))
    assert len(at.error) == 1
    message = at.error[0].value
    assert "mine\\.csv" in message and "line 4" in message and "'r3'" in message
    assert "item3" in message and "12" in message
    assert not at.metric and not at.dataframe and not at.get("image")  # nothing else


def test_missing_column_is_an_error(at: AppTest) -> None:
    content = b"respondent,item1,item2\nr1,0,1\n"
    _upload(at, "short.csv", content)
    assert len(at.error) == 1 and "item3" in at.error[0].value


def test_unreadable_file_is_an_error_naming_the_upload(at: AppTest) -> None:
    _upload(at, "broken.xlsx", b"not a workbook\x00\xff", "application/octet-stream")
    assert len(at.error) == 1
    message = at.error[0].value
    assert "broken\\.xlsx" in message and "Excel" in message and "svo\\-upload" not in message


def test_coerce_drops_and_lists_bad_respondents(at: AppTest) -> None:
    rows = [list(r) for r in GOOD]
    rows[1][5] = "x"  # r2, item4
    rows[3][7] = None  # r4, item6 missing: incomplete
    _upload(at, "mine.csv", _survey_csv(rows))
    assert at.error
    at.radio(key="svo_errors").set_value("coerce").run()
    assert not at.exception and not at.error
    shown = _metrics(at)
    assert shown["Dropped"] == "1" and shown["Incomplete"] == "1"
    assert shown["Rows"] == "4" and shown["Respondents"] == "3" and shown["Scored"] == "2"
    assert shown["All 15 items"] == "—"  # a primary-only survey
    problems = _table(at, "message")
    assert problems["respondent"].tolist() == ["r2"] and problems["column"].tolist() == ["item4"]
    assert len(_table(at, "ia_index")) == 3


def test_parquet_upload_with_options_from_one(at: AppTest) -> None:
    frame = pd.DataFrame(GOOD, columns=["respondent", "group", *svo.PRIMARY_COLUMNS])
    frame[list(svo.PRIMARY_COLUMNS)] += 1
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    _upload(at, "survey.parquet", buffer.getvalue(), "application/octet-stream")
    assert at.error  # 9 is not an option index from 0
    at.radio(key="svo_base").set_value(1).run()
    assert not at.error, [e.value for e in at.error]
    table = _table(at, "ia_index")
    assert table["category"].tolist() == [
        "prosocial",
        "individualistic",
        "altruistic",
        "competitive",
    ]


def test_long_format_upload(at: AppTest) -> None:
    lines = ["respondent,group,item,choice"]
    for respondent, group, *answers in GOOD:
        lines += [f"{respondent},{group},{k},{a}" for k, a in enumerate(answers, 1)]
    _upload(at, "long.csv", "\n".join(lines).encode())
    assert not at.error, [e.value for e in at.error]
    shown = _metrics(at)
    assert shown["Rows"] == "24" and shown["Respondents"] == "4" and shown["Scored"] == "4"
    table = _table(at, "ia_index")
    assert table["respondent"].tolist() == ["r1", "r2", "r3", "r4"]
    assert table["angle"].round(2).tolist() == [37.48, -7.82, 61.39, -16.26]


def test_no_html_from_the_survey(at: AppTest) -> None:
    rows = [list(r) for r in GOOD]
    rows[0][1] = "<b>a</b>"
    rows[1][4] = 99
    _upload(at, "<img src=x>.csv", _survey_csv(rows))
    message = at.error[0].value
    assert "\\<img src\\=x\\>" in message and not re.search(r"(?<!\\)[<>]", message)
    for element in [*at.markdown, *at.caption, *at.error, *at.info]:
        assert not getattr(element.proto, "allow_html", False)
    assert not at.get("html")
    tree = ast.parse(PAGE.read_text())
    assert "unsafe_allow_html" not in {
        kw.arg for n in ast.walk(tree) if isinstance(n, ast.Call) for kw in n.keywords
    }
    assert "st.html" not in PAGE.read_text()


def test_errors_name_the_page_controls_not_api_words(at: AppTest) -> None:
    rows = [list(r) for r in GOOD]
    rows[2][4] = 9  # r3, item3: numbered 1–9?
    _upload(at, "mine.csv", _survey_csv(rows))
    message = at.error[0].value
    assert "Options are numbered from” to 1" in message
    assert "Bad answers” to “Drop respondents with bad answers" in message
    assert "errors\\=" not in message and "option\\_base" not in message
    assert "errors=" not in message and "option_base" not in message


def test_group_warnings_reach_the_page(at: AppTest) -> None:
    """compare's warnings (groups too small for an interval, rows without a group) are shown,
    not only logged."""
    rows = [list(r) for r in GOOD]
    rows[3][1] = None  # r4 has no group
    _upload(at, "mine.csv", _survey_csv(rows))
    warnings = [w.value for w in at.warning]
    assert any("only 2 respondents with an angle" in w for w in warnings), warnings
    assert any(w.startswith("1 row") and "with a missing value" in w for w in warnings), warnings


def test_uploads_are_read_from_memory(monkeypatch: pytest.MonkeyPatch, at: AppTest) -> None:
    """No temporary file: the upload's bytes go to svo.read_survey as they are."""
    import tempfile

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the page wrote the upload to a temporary file")

    for name in ("TemporaryDirectory", "NamedTemporaryFile", "mkstemp", "mkdtemp"):
        monkeypatch.setattr(tempfile, name, refuse)
    _upload(at, "fresh.csv", _survey_csv(GOOD[:3]))
    assert not at.error, [e.value for e in at.error]
    assert _metrics(at)["Respondents"] == "3"
