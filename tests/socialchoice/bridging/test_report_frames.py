"""ConversationReport's tables (map_frame, slate_frame): what the page and the CLI render."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import socialchoice as sc
from socialchoice import bridging

SHIPPED = bridging.shipped_conversations()


@pytest.fixture(scope="module")
def report() -> bridging.ConversationReport:
    conv = sc.read_polis(SHIPPED["brexit-consensus"])
    return bridging.analyse_conversation(conv, groups="ours", k=4, rule="pav")


def test_slate_frame_matches_to_dict(report: bridging.ConversationReport) -> None:
    frame = report.slate_frame()
    groups = list(report.group_sizes())
    assert list(frame.columns) == [
        "statement_id", "statement", "consensus", *(f"agree_group_{g}" for g in groups)
    ]
    rows = report.to_dict()["slate"]["statements"]
    assert len(frame) == len(rows) == 4
    for row, expected in zip(frame.to_dict("records"), rows, strict=True):
        assert (row["statement_id"], row["statement"]) == (expected["id"], expected["text"])
        assert row["consensus"] == pytest.approx(expected["consensus"])
        shares = [row[f"agree_group_{g}"] for g in groups]
        assert [None if np.isnan(x) else x for x in shares] == pytest.approx(
            expected["agree_by_group"]
        )


def test_map_frame_has_the_participants_in_the_analysis(
    report: bridging.ConversationReport,
) -> None:
    frame = report.map_frame()
    keep = report.map.in_analysis
    assert list(frame.columns) == ["participant", "x", "y", "group"]
    assert frame["participant"].tolist() == report.conversation.participant_ids[keep].tolist()
    np.testing.assert_allclose(frame[["x", "y"]].to_numpy(), report.map.coordinates[keep, :2])
    expected = ["none" if g < 0 else str(g) for g in report.groups[keep]]
    assert frame["group"].tolist() == expected


def test_bridging_does_not_import_pandas() -> None:
    code = "import sys, socialchoice.bridging; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
