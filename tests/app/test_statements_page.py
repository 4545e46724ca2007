"""The app's Statements page, driven through streamlit's AppTest (no browser)."""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import socialchoice as sc
from deliberation.pages._ui import md_escape
from deliberation.pages.statements import audit_frame, load_upload
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
    slate = report.slate_frame()
    assert list(slate.columns) == [
        "statement_id",
        "statement",
        "consensus",
        "agree_group_0",
        "agree_group_1",
    ]
    assert len(slate) == 2
    frame = report.map_frame()
    assert len(frame) == int(report.map.in_analysis.sum())
    assert set(frame["group"]) <= {"0", "1", "none"}


def _upload(files: list[tuple[str, bytes, str]]) -> AppTest:
    app = AppTest.from_string(SCRIPT, default_timeout=TIMEOUT)
    app.run()
    app.radio[0].set_value("Upload a Polis export").run()
    app.file_uploader[0].set_value(files).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _zip(folder: Path, *, inside: str | None = None, skip: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for p in sorted(folder.glob("*.csv")):
            if p.name not in skip:
                zf.write(p, f"{inside}/{p.name}" if inside else p.name)
    return buffer.getvalue()


def test_an_uploaded_export_is_titled_by_its_topic() -> None:
    app = _upload([("brexit.zip", _zip(SHIPPED["brexit-consensus"]), "application/zip")])
    assert app.subheader[0].value == "Can there be consensus on Brexit?"
    assert [m.value for m in app.metric] == ["204", "50", "5303"]


def test_an_upload_without_summary_is_titled_by_its_file_name() -> None:
    data = _zip(SHIPPED["brexit-consensus"], skip=("summary.csv",))
    app = _upload([("my-conversation.zip", data, "application/zip")])
    assert app.subheader[0].value == md_escape("my-conversation")  # the zip's file name
    files = [(p.name, p.read_bytes(), "text/csv")
             for p in sorted(SHIPPED["brexit-consensus"].glob("*.csv"))
             if p.name in ("comments.csv", "participants-votes.csv")]
    app = _upload(files)
    assert app.subheader[0].value == md_escape("comments.csv, participants-votes.csv")
    assert "upload" not in app.subheader[0].value


def test_upload_errors_name_the_uploaded_file_not_a_server_path() -> None:
    folder = SHIPPED["brexit-consensus"]
    broken = (folder / "votes.csv").read_bytes().replace(b"\n1500", b"\nx1500", 1)
    files = [(p.name, broken if p.name == "votes.csv" else p.read_bytes(), "text/csv")
             for p in sorted(folder.glob("*.csv"))]
    app = _upload(files)
    message = app.error[0].value
    assert message.startswith(md_escape("votes.csv, line 2, column 1 ('timestamp')"))
    assert tempfile.gettempdir() not in message and "polis-upload" not in message
    app = _upload([("notes.zip", b"not a zip", "application/zip")])
    assert md_escape("notes.zip is not a .zip archive") in app.error[0].value
    assert "upload the export's CSV files" in app.error[0].value


def test_uploads_are_read_in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_temp(*args: object, **kwargs: object) -> None:
        raise AssertionError("the upload must not be written to a temporary folder")

    monkeypatch.setattr(tempfile, "TemporaryDirectory", no_temp)
    monkeypatch.setattr(tempfile, "mkdtemp", no_temp)
    folder = SHIPPED["scoop-hivemind.ubi"]
    conv = load_upload([("ubi.zip", _zip(folder, inside="scoop-hivemind.ubi"))])
    assert conv.name == "scoop-hivemind.ubi" and conv.votes.shape == (234, 71)
    assert conv.topic == "A Universal Basic Income for Aotearoa NZ?"


def test_slate_size_stays_within_the_statements_not_moderated_out() -> None:
    """A 3-statement export with 2 moderated out: the slate size cannot exceed 1, so no
    error in API words ("'k' parameter of bridging_slate") reaches the page."""
    folder = SHIPPED["brexit-consensus"]

    def table(name: str) -> list[list[str]]:
        return list(csv.reader(io.StringIO((folder / name).read_text(encoding="utf-8"))))

    def text(rows: list[list[str]]) -> bytes:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        return out.getvalue().encode()

    comments = table("comments.csv")
    cid, mod = comments[0].index("comment-id"), comments[0].index("moderated")
    rows = [r for r in comments[1:] if r[cid] in {"0", "1", "2"}]
    for r in rows:
        r[mod] = "1" if r[cid] == "0" else "-1"
    pv = table("participants-votes.csv")
    cols = [j for j, h in enumerate(pv[0]) if not h.isdigit() or h in {"0", "1", "2"}]
    files = [
        ("comments.csv", text([comments[0], *rows]), "text/csv"),
        ("participants-votes.csv", text([[r[j] for j in cols] for r in pv]), "text/csv"),
    ]
    app = _upload(files)
    assert not app.error, [e.value for e in app.error]
    assert sum(c.value.startswith("consensus ") for c in app.caption) == 1


def test_the_audit_table_is_the_librarys() -> None:
    """The page renders the report's own axiom rows (one library function, no page copy)."""
    conv = sc.read_polis(SHIPPED["15-per-hour-seattle"])
    audit = bridging.analyse_conversation(conv, k=3).slate.audit
    frame = audit_frame(audit)
    assert list(frame.columns) == ["axiom", "holds", "witness of a violation"]
    rows = audit.axiom_rows()
    assert frame["axiom"].tolist() == [r["axiom"] for r in rows]
    assert frame["holds"].tolist() == [r["holds"] for r in rows]
    assert frame["witness of a violation"].tolist() == [r["witness"] for r in rows]
