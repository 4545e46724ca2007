"""The app's Voting page, driven through streamlit's AppTest (no browser)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import socialchoice as sc
from deliberation.pages.voting import EXAMPLES
from socialchoice import io as scio

# The page alone, as the other page tests run theirs (app.py opens the participant flow at /).
SCRIPT = "from deliberation.pages import voting\nvoting.render()\n"
TIMEOUT = 60  # the first run imports pandas and matplotlib

TENNESSEE = EXAMPLES["Tennessee capital (classic, PrefLib)"][0]


@pytest.fixture
def at() -> AppTest:
    app = AppTest.from_string(SCRIPT, default_timeout=TIMEOUT)
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


def _upload(app: AppTest, name: str, data: bytes, mime: str = "text/plain") -> None:
    app.radio(key="voting_source").set_value("Upload a file").run()
    app.file_uploader(key="voting_upload").set_value((name, data, mime)).run()


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
    _upload(at, "tennessee.soc", TENNESSEE.encode())
    assert not at.exception and not at.error
    assert "Nashville" in at.success[0].value
    assert list(_margins(at).index) == ["Memphis", "Nashville", "Chattanooga", "Knoxville"]
    _check_winners_table(at, scio.parse_preflib(TENNESSEE, source="tennessee.soc"))


def test_uploaded_csv_with_counts(at: AppTest) -> None:
    text = "count,1st,2nd,3rd\n5,x,y,z\n4,y,z,x\n2,z,x,y\n"
    _upload(at, "ballots.csv", text.encode(), "text/csv")
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
            # ballots numbered from 1, as in plurality's note: the first row has a tie
            assert "but ballot 1 (a > {b, c} > d) has ties" in table.loc[name, "note"]


def test_uploaded_malformed_file_names_line(at: AppTest) -> None:
    broken = TENNESSEE.replace("42: 1,2,3,4", "42: 1,2,3,5").encode()
    _upload(at, "broken.soc", broken)
    assert not at.exception
    assert "line 12" in at.error[0].value


def test_markup_in_labels_is_not_rendered(at: AppTest) -> None:
    text = "**bold**,<b>x</b>\n**bold**,<b>x</b>\n"
    at.text_area[0].set_value(text).run()
    assert not at.exception and not at.error
    body = at.success[0].value
    assert "<b>" not in body and "**bold**" not in body


def test_pasted_example_wins_over_an_earlier_upload(at: AppTest) -> None:
    """The input the user last chose is the one read: an upload made earlier does not
    override the example picked afterwards (it used to, from a hidden tab)."""
    _upload(at, "tennessee.soc", TENNESSEE.encode())
    assert "Nashville" in at.success[0].value
    at.radio(key="voting_source").set_value("Paste ballots").run()
    at.selectbox(key="voting_example").set_value("Ballots with ties and truncation (CSV)").run()
    assert not at.exception and not at.error
    assert list(_margins(at).index) == ["a", "b", "c", "d"]
    _check_winners_table(at, scio.parse_ballots_csv(at.text_area[0].value))
    at.text_area[0].set_value("x,y\ny,x\nx,y\n").run()   # edits are read, not the upload
    assert list(_margins(at).index) == ["x", "y"]


def test_pasted_ballots_survive_a_look_at_the_upload_tab(at: AppTest) -> None:
    at.selectbox(key="voting_format").set_value("CSV: ranked lists (best first)").run()
    at.text_area[0].set_value("x,y\ny,x\nx,y\n").run()
    at.radio(key="voting_source").set_value("Upload a file").run()
    at.radio(key="voting_source").set_value("Paste ballots").run()
    assert not at.exception and not at.error
    assert at.text_area[0].value == "x,y\ny,x\nx,y\n"
    assert at.selectbox(key="voting_format").value == "CSV: ranked lists (best first)"
    assert list(_margins(at).index) == ["x", "y"]


def test_upload_chosen_without_a_file_asks_for_one(at: AppTest) -> None:
    at.radio(key="voting_source").set_value("Upload a file").run()
    assert not at.exception and not at.error
    assert not at.dataframe
    assert "Upload a ballot file" in at.info[0].value


def test_plurality_note_names_candidates_and_counts_ballots_from_one(at: AppTest) -> None:
    at.selectbox(key="voting_example").set_value("Ballots with ties and truncation (CSV)").run()
    note = _winners(at).loc["plurality", "note"]
    assert note.startswith("n/a — ")
    assert "ballot 3 ties c and d first" in note
    assert "[" not in note


def test_error_names_the_page_controls(at: AppTest) -> None:
    at.text_area[0].set_value("a,b,c\nb,a,b\n").run()
    assert "Ballots" in at.error[0].value and "Format" in at.error[0].value
    assert "=" not in at.error[0].value.replace("\\=", "")   # no keyword=value API words


def test_rule_out_of_time_is_na_with_the_page_control(at: AppTest) -> None:
    rng = np.random.default_rng(0)
    names = [f"c{i:02d}" for i in range(66)]
    text = "".join(",".join(names[i] for i in rng.permutation(66)) + "\n" for _ in range(11))
    at.number_input(key="voting_time_limit").set_value(0.1).run()
    at.text_area[0].set_value(text).run()
    assert not at.exception and not at.error
    table = _winners(at)
    assert sorted(table.index) == sorted(sc.RULES)
    note = table.loc["stable_voting", "note"]
    assert note.startswith("n/a — did not finish within 0.1 s")
    assert "Time limit per rule" in note
    assert table.loc["copeland", "winners"] != ""


def test_reader_hints_name_the_page_controls(at: AppTest) -> None:
    """A reader message suggesting ``layout='ranked'`` names the Format choice instead."""
    at.text_area[0].set_value("a,b,c\n1,2,3\n3,x,1\n").run()
    assert not at.exception
    message = at.error[0].value.replace("\\", "")   # markdown escapes
    assert "row 3, column 2" in message
    assert "layout" not in message and "header=" not in message
    assert "choose the Format “CSV: ranked lists”" in message


def test_format_choice_reads_a_rank_matrix_as_names(at: AppTest) -> None:
    """The explicit "Format" choice is passed to the reader, and the page says how it read."""
    text = "1,2\n2,1\n1,2\n"
    at.text_area[0].set_value(text).run()
    assert any("rank matrix" in c.value or "ranked list" in c.value for c in at.caption)
    at.selectbox(key="voting_format").set_value("CSV: ranked lists (best first)").run()
    at.selectbox(key="voting_first_row").set_value("Is a ballot").run()
    assert not at.exception and not at.error
    assert list(_margins(at).index) == ["1", "2"]
    assert {m.label: m.value for m in at.metric}["Voters"] == "3"
    assert any("as given" in c.value for c in at.caption)
