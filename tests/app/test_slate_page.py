"""The app's Slate page, driven through streamlit's AppTest (no browser).

The page builds slates with the real all-MiniLM-L6-v2 embedder: ``lm.load_embedder`` is
pointed at the session fixture ``embedder`` so the model loads once per test session.
"""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import lm
from deliberation.pages._ui import md_escape
from deliberation.pages.slate import PILOT_LABEL, representation_frame
from socialchoice import generative as gen
from socialchoice.generative import DEMO_FOLDER, read_pool
from tests.app.fakes import Toy

TIMEOUT = 120
SCRIPT = "from deliberation.pages import slate\nslate.render()\n"


@pytest.fixture
def models(monkeypatch: pytest.MonkeyPatch, embedder: object) -> None:
    monkeypatch.setattr(lm, "load_embedder", lambda **_: embedder)


@pytest.fixture
def at(models: None) -> AppTest:
    app = AppTest.from_string(SCRIPT, default_timeout=TIMEOUT)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _statements(app: AppTest) -> list[str]:
    """Captions under the slate's statements ("24 participants · mean rating ...")."""
    return [c.value for c in app.caption if " participants · mean rating " in c.value]


def test_page_renders_with_the_demo_question(at: AppTest) -> None:
    assert at.title[0].value == "Slate"
    shown = [m.value for m in at.markdown if m.value.startswith("**Question:**")]
    question = (DEMO_FOLDER / "question.txt").read_text().strip()
    assert shown == [f"**Question:** {md_escape(question)}"]
    assert at.slider[0].value == 5 and at.slider[0].max == 10
    assert at.button[0].label == "Build slate"
    assert "120 participants, 30 candidate statements" in at.info[0].value
    assert not _statements(at)  # nothing is built before the button is pressed


def test_build_the_demo_slate(at: AppTest) -> None:
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error
    shown = _statements(at)
    assert len(shown) == 5 and all(s.startswith("24 participants") for s in shown)
    pool = set(read_pool(DEMO_FOLDER / "pool.csv").statements)
    slots = [m.value for m in at.markdown if m.value.startswith("**") and "\\." in m.value[:8]]
    assert len(slots) == 5 and slots[0].startswith("**1\\.** The assistant should")
    assert len(pool) == 30
    assert [s.value for s in at.success] == ["No BJR violation against the pool"]
    assert len(at.get("download_button")) == 3
    comparison = at.dataframe[-1].value
    names = ["generative", "top_mean", *gen.BASELINE_RULES, "kmeans", "generative (greedy)"]
    assert list(comparison["slate"]) == names  # the improvement swapped statements
    assignment = at.dataframe[0].value
    assert list(assignment.columns) == ["participant", "slot", "statement", "utility"]
    assert len(assignment) == 120 and set(assignment["slot"]) == {1, 2, 3, 4, 5}
    # the result is kept: a rerun with the same options shows it without rebuilding
    at.run()
    assert len(_statements(at)) == 5
    # another k needs another build
    at.slider[0].set_value(3).run()
    assert not _statements(at) and at.info
    at.button[0].click().run()
    assert len(_statements(at)) == 3 and not at.exception


def test_llm_rater_says_it_is_slow(at: AppTest) -> None:
    at.radio[2].set_value("llm").run()
    caption = " ".join(c.value for c in at.caption)
    assert "Slow" in caption and "near chance" in caption and "120 × 30" in caption


def _upload(app: AppTest, name: str, content: bytes) -> AppTest:
    app.radio[0].set_value("Upload a CSV").run()
    assert not app.exception and app.info  # asks for a file
    app.file_uploader[0].set_value((name, content, "text/csv")).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_upload_with_a_missing_column_shows_an_error(at: AppTest) -> None:
    _upload(at, "mine.csv", b"participant,text\na,Be kind.\nb,Be brief.\n")
    assert len(at.error) == 1
    message = at.error[0].value
    assert "mine\\.csv has no column 'opinion'" in message
    assert "'participant', 'text'" in message  # the columns found
    assert "**Opinion column**" in message  # names the page's control, not an API word
    assert "opinion_column" not in message
    assert not at.button  # nothing to build
    at.text_input[0].set_value("text").run()  # choose the column: fixed
    assert not at.error and at.button[0].label == "Build slate"


def test_upload_with_an_empty_opinion_names_the_row(at: AppTest) -> None:
    _upload(at, "gaps.csv", b"participant,opinion\na,Be kind.\nb,\nc,Be brief.\n")
    assert len(at.error) == 1 and "row 3" in at.error[0].value


def test_upload_builds_with_the_opinions_as_pool(at: AppTest) -> None:
    rows = "".join(f"p{i},Opinion number {i} about assistants.\n" for i in range(6))
    _upload(at, "six.csv", ("participant,opinion\n" + rows).encode())
    assert at.slider[0].max == 6 and at.slider[0].value == 5
    assert "6 participants, 6 candidate statements" in at.info[0].value
    at.slider[0].set_value(2).run()
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    shown = _statements(at)
    assert len(shown) == 2 and all(s.startswith("3 participants") for s in shown)
    assert at.success  # an exact pool oracle never violates BJR


def test_representation_frame_adds_the_pilot() -> None:
    table = pd.DataFrame(
        [[0.5, 0.5, 0.0, 0.0, 0.0], [0.2, 0.2, 0.2, 0.2, 0.2]],
        columns=list(gen.REPRESENTATION_LEVELS),
        index=pd.Index(["generative", "pav"], name="slate"),
    )
    long = representation_frame(table)
    assert list(long.columns) == ["slate", "level", "rank", "share"]
    assert long.groupby("slate")["share"].sum().round(6).to_dict() == {
        "generative": 1.0,
        "pav": 1.0,
        PILOT_LABEL: 1.0,
    }
    pilot = long[long["slate"] == PILOT_LABEL].set_index("level")["share"]
    assert pilot.to_dict() == gen.PILOT_REPRESENTATION
    assert len(representation_frame(table, pilot=False)) == 10


@pytest.fixture
def toy_at(monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setattr(lm, "load_embedder", lambda **_: Toy())
    app = AppTest.from_string(SCRIPT, default_timeout=TIMEOUT)
    app.run()
    return app


def test_llm_generator_says_it_is_slow(at: AppTest) -> None:
    at.radio[3].set_value("llm").run()
    caption = " ".join(c.value for c in at.caption)
    slow = "Slow: the language model writes 4 candidate statements in each of the 5 rounds"
    assert md_escape(slow) in caption
    assert "no statement is used twice" in caption


def test_logged_warnings_are_shown_on_the_page(toy_at: AppTest) -> None:
    _upload(toy_at, "yes.csv", b"opinion\nyes\nyes\nyes\nyes\n")
    toy_at.file_uploader[1].set_value(("no.csv", b"statement\nno\nno no\nno no no\n", "text/csv"))
    toy_at.run()
    toy_at.slider[0].set_value(2).run()
    toy_at.button[0].click().run()
    assert not toy_at.exception, [e.value for e in toy_at.exception]
    warned = [w.value for w in toy_at.warning]
    expected = md_escape("Baseline pav: no participant rates any candidate statement 4 or more")
    assert any(w.startswith(expected) for w in warned), warned


def test_a_bad_candidates_file_names_its_control(toy_at: AppTest) -> None:
    _upload(toy_at, "ops.csv", b"opinion\nyes\nno\n")
    toy_at.file_uploader[1].set_value(("cands.csv", b"text\nBe kind.\n", "text/csv")).run()
    assert len(toy_at.error) == 1
    message = toy_at.error[0].value
    assert "cands\\.csv has no column 'statement'" in message
    assert "**Statement column of the candidates**" in message
