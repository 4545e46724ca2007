"""The app's Statements page, driven through streamlit's AppTest (no browser)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import socialchoice as sc
from deliberation.pages._ui import md_escape
from deliberation.pages.statements import load_upload, map_frame, slate_frame
from socialchoice import bridging

TIMEOUT = 120
SCRIPT = "from deliberation.pages import statements\nstatements.render()\n"
SHIPPED = bridging.shipped_conversations()


@pytest.fixture
def at() -> AppTest:
    app = AppTest.from_string(SCRIPT, default_timeout=TIMEOUT)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_shipped_conversation_is_analysed(at: AppTest) -> None:
    assert at.selectbox[0].value == "15-per-hour-seattle"
    assert [m.value for m in at.metric] == ["339", "31", "2849"]
    assert at.subheader[0].value.endswith("15/hour")  # "$" is escaped, not rendered as maths
    # group tabs with Polis's group sizes
    assert [t.label for t in at.tabs] == ["Group 0 (99)", "Group 1 (39)"]
    assert at.caption[-1].value.startswith("Audit over 'agree' votes of the 138")
    assert sum(c.value.startswith("consensus ") for c in at.caption) == 5  # the slate
    assert len(at.get("download_button")) == 1
    audit = at.dataframe[-1].value
    assert list(audit["axiom"]) == ["JR", "PJR", "EJR", "EJR+"]


def test_options_change_the_slate(at: AppTest) -> None:
    at.selectbox[0].set_value("brexit-consensus").run()
    at.slider[0].set_value(3).run()
    assert not at.exception
    assert sum(c.value.startswith("consensus ") for c in at.caption) == 3
    at.selectbox[1].set_value("pav").run()
    conv = sc.read_polis(SHIPPED["brexit-consensus"]).accepted()
    A = conv.votes[conv.polis_groups >= 0] == 1
    chosen = sc.committee.select(A, 3, "pav")
    shown = [m.value for m in at.markdown]
    for i, c in enumerate(chosen, 1):
        assert f"{i}\\. {md_escape(conv.statements[c].text)}" in shown
    at.radio[1].set_value("ours").run()
    assert not at.exception
    assert "recomputed" in at.caption[0].value


def test_upload_errors_are_shown_not_raised(tmp_path: Path) -> None:
    with pytest.raises(sc.PolisError, match=r"participants-votes\.csv"):
        load_upload([("comments.csv", (SHIPPED["brexit-consensus"] / "comments.csv").read_bytes())])
    app = AppTest.from_string(SCRIPT, default_timeout=TIMEOUT)
    app.run()
    app.radio[0].set_value("Upload a Polis export").run()
    assert not app.exception
    assert app.info  # asks for files


def test_upload_round_trip() -> None:
    folder = SHIPPED["brexit-consensus"]
    files = [(p.name, p.read_bytes()) for p in sorted(folder.glob("*.csv"))]
    conv = load_upload(files)
    assert conv.votes.shape == (204, 50)
    report = bridging.analyse_conversation(conv, k=2)
    slate = slate_frame(report)
    assert list(slate.columns) == [
        "statement_id",
        "statement",
        "consensus",
        "agree_group_0",
        "agree_group_1",
    ]
    assert len(slate) == 2
    frame = map_frame(report)
    assert len(frame) == int(report.map.in_analysis.sum())
    assert set(frame["group"]) <= {"0", "1", "none"}
