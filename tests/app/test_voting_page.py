"""The app's Voting page, driven through streamlit's AppTest (no browser)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import socialchoice as sc
from deliberation.pages.voting import EXAMPLES
from socialchoice import io as scio

APP = Path(__file__).resolve().parents[2] / "app.py"
TIMEOUT = 60  # the first run imports pandas and matplotlib

TENNESSEE = EXAMPLES["Tennessee capital (classic, PrefLib)"][0]


@pytest.fixture
def at() -> AppTest:
    app = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _margins(app: AppTest) -> pd.DataFrame:
    return app.dataframe[0].value


def _winners(app: AppTest) -> pd.DataFrame:
    return app.dataframe[1].value.set_index("rule")


def _check_winners_table(app: AppTest, profile: sc.Profile) -> None:
    table = _winners(app)
    assert sorted(table.index) == sorted(sc.RULES)
    for rule, row in table.iterrows():
        try:
            expected = ", ".join(str(c) for c in sc.winners(profile, rule))
        except sc.RuleInputError:
            assert row["winners"] == ""
            assert row["note"].startswith("n/a — ")
        else:
            assert row["winners"] == expected, rule
        assert row["reference"] == sc.RULES[rule].reference


def test_default_example_renders(at: AppTest) -> None:
    assert not at.error
    text = at.text_area[0].value
    profile = scio.parse_ballots_csv(text)
    M = _margins(at)
    assert list(M.index) == list(M.columns) == ["a", "b", "c", "d"]
    assert (M.to_numpy() == profile.margin_matrix()).all()
    assert any("row beats column by" in c.value.lower() for c in at.caption)
    assert "No Condorcet winner" in at.warning[0].value
    if "smith" in sc.RULES:
        assert "Smith set" in at.warning[0].value
    _check_winners_table(at, profile)


def test_copeland_on_the_slides_example(at: AppTest) -> None:
    table = _winners(at)
    assert table.loc["copeland", "winners"] == "a, d"
    assert table.loc["minimax", "winners"] == "a, b, c, d"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Candidates": "4", "Voters": "3", "Distinct ballots": "3"}


def test_switching_example_loads_preflib(at: AppTest) -> None:
    at.selectbox(key="voting_example").set_value("Tennessee capital (classic, PrefLib)").run()
    assert not at.exception and not at.error
    assert at.text_area[0].value == TENNESSEE
    assert "Nashville" in at.success[0].value
    _check_winners_table(at, scio.parse_preflib(TENNESSEE, source="example"))


@pytest.mark.parametrize(
    ("bad", "line"),
    [("26: 2,3,4,1", 13), ("17: 4,3,2,1", 15)],
)
def test_malformed_preflib_shows_line(at: AppTest, bad: str, line: int) -> None:
    broken = TENNESSEE.replace(bad, bad.replace("3", "x"))
    at.text_area[0].set_value(broken).run()
    assert not at.exception
    assert len(at.error) == 1
    assert f"line {line}" in at.error[0].value
    assert not at.dataframe  # nothing computed from bad input


def test_malformed_csv_shows_error(at: AppTest) -> None:
    at.text_area[0].set_value("a,b,c\nb,a,b\n").run()
    assert not at.exception
    assert len(at.error) == 1
    assert "row 2" in at.error[0].value
    assert not at.dataframe


def test_pasted_csv(at: AppTest) -> None:
    text = "x,y,z\ny,z,x\nx,z,y\nz,x,y\nx,y,z\n"
    at.text_area[0].set_value(text).run()
    assert not at.exception and not at.error
    assert "**x**" in at.success[0].value
    _check_winners_table(at, scio.parse_ballots_csv(text))


def test_uploaded_file(at: AppTest) -> None:
    at.file_uploader[0].set_value(("tennessee.soc", TENNESSEE.encode(), "text/plain")).run()
    assert not at.exception and not at.error
    assert "Nashville" in at.success[0].value
    assert list(_margins(at).index) == ["Memphis", "Nashville", "Chattanooga", "Knoxville"]
    _check_winners_table(at, scio.parse_preflib(TENNESSEE, source="tennessee.soc"))


def test_uploaded_csv_with_counts(at: AppTest) -> None:
    text = "count,1st,2nd,3rd\n5,x,y,z\n4,y,z,x\n2,z,x,y\n"
    at.file_uploader[0].set_value(("ballots.csv", text.encode(), "text/csv")).run()
    assert not at.exception and not at.error
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Candidates": "3", "Voters": "11", "Distinct ballots": "3"}
    _check_winners_table(at, scio.parse_ballots_csv(text))


def test_ties_example_marks_strict_rules_na(at: AppTest) -> None:
    at.selectbox(key="voting_example").set_value("Ballots with ties and truncation (CSV)").run()
    assert not at.exception and not at.error
    profile = scio.parse_ballots_csv(at.text_area[0].value)
    assert not profile.is_linear
    _check_winners_table(at, profile)
    table = _winners(at)
    for name, rule in sc.RULES.items():
        if rule.linear_only:
            assert table.loc[name, "note"].startswith("n/a — ")


def test_uploaded_malformed_file_names_line(at: AppTest) -> None:
    broken = TENNESSEE.replace("42: 1,2,3,4", "42: 1,2,3,5").encode()
    at.file_uploader[0].set_value(("broken.soc", broken, "text/plain")).run()
    assert not at.exception
    assert "line 12" in at.error[0].value


def test_markup_in_labels_is_not_rendered(at: AppTest) -> None:
    text = "**bold**,<b>x</b>\n**bold**,<b>x</b>\n"
    at.text_area[0].set_value(text).run()
    assert not at.exception and not at.error
    body = at.success[0].value
    assert "<b>" not in body and "**bold**" not in body
