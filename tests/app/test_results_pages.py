"""The results pages on the seeded demo deliberation, through streamlit's AppTest."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import svo
from deliberation import Store, seed_demo

TIMEOUT = 120


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('results') / 'app.db'}"
    store = Store(url)
    seed_demo(store)
    store.close()
    return url


@pytest.fixture
def page(demo_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", demo_url)

    def run(module: str) -> AppTest:
        app = AppTest.from_string(
            f"from deliberation.pages.results import {module}\n{module}.render()\n",
            default_timeout=TIMEOUT,
        )
        app.run()
        assert not app.exception, [e.value for e in app.exception]
        assert not app.error, [e.value for e in app.error]
        return app

    return run


def _downloads(app: AppTest) -> list[str]:
    return [d.proto.label for d in app.get("download_button")]


def test_moral_graph_page(page):
    app = page("moral_graph")
    assert app.title[0].value == "Moral graph"
    assert "20 value cards · 400 wiser-than votes" in app.caption[0].value
    table = app.dataframe[0].value
    assert len(table) == 5 and table["score"].is_monotonic_decreasing
    assert any(m.value.startswith("Support for the wisest value") for m in app.markdown)
    assert len(app.get("image")) == 1
    assert _downloads(app) == ["Download the graph (JSON)", "Download in the MAI format (JSON)",
                               "Download as GraphML"]
    app.selectbox(key="mg_context").set_value("distress").run()
    assert app.dataframe[0].value["title"].iloc[0] == "Steady presence"
    app.radio(key="mg_method").set_value("mai").run()
    assert not app.exception and app.slider(key="mg_propagation").disabled


def test_statements_page(page):
    app = page("statements")
    assert [m.value for m in app.metric][:2] == ["107", "30"]
    headers = [h.value for h in app.subheader]
    assert "Opinion map" in headers and "Consensus" in headers
    assert "Generative slate" in headers
    assert app.button(key="rs_gen_build").label == "Build the generative slate"


def test_rankings_page(page):
    app = page("rankings")
    ranking = [m.value for m in app.markdown if "Collective ranking under" in m.value]
    assert ranking and ranking[0].split(": ")[1].startswith("A1")
    places = app.dataframe[0].value
    assert list(places.columns) == ["answer", "copeland", "minimax", "schulze", "borda",
                                    "ranked_pairs", "maximal_lottery"]
    assert places.set_index("answer").loc["A1"].tolist() == [1] * 6
    trl, collective = _downloads(app)
    assert trl.startswith("Download ") and "TRL" in trl
    assert collective.endswith("collective pairs under schulze (CSV)")
    app.selectbox(key="rk_rule").set_value("maximal_lottery").run()
    assert not app.exception and not app.error
    assert _downloads(app)[1].endswith("under maximal_lottery (CSV)")


def test_svo_page_and_its_csv_reads_back(page, demo_url):
    app = page("svo")
    shares = app.dataframe[0].value
    assert shares.set_index("category")["respondents"].idxmax() == "prosocial"
    assert len(app.get("image")) == 1
    assert app.selectbox(key="svo_by").options == ["(none)", "age", "region"]
    app.selectbox(key="svo_by").set_value("age").run()
    assert not app.exception and len(app.get("image")) == 1
    store = Store(demo_url)
    survey = store.svo_survey(store.deliberations()[0].id)
    store.close()
    data = survey.to_csv(index=False).encode()
    read = svo.read_survey(data, name="svo.csv")
    assert len(read.data) == len(survey)
    pd.testing.assert_frame_equal(
        svo.score(read)[["angle", "category"]].reset_index(drop=True),
        svo.score(survey.set_index("respondent"))[["angle", "category"]].reset_index(drop=True),
    )
    assert pd.read_csv(io.BytesIO(data)).columns[0] == "respondent"


def test_monitoring_page(page):
    app = page("monitoring")
    assert [m.value for m in app.metric] == ["120", "102"]
    funnel = app.dataframe[0].value
    assert funnel["step"].tolist()[0] == "consent" and funnel["started"].iloc[0] == 120
    quotas = app.dataframe[1].value
    assert {"field", "value", "count", "target"} <= set(quotas.columns)


def test_pages_follow_a_new_write(page, demo_url):
    page("monitoring")
    store = Store(demo_url)
    d = store.deliberations()[0]
    store.join(d.id, features={"age": "55+"})
    store.close()
    app = page("monitoring")
    assert app.metric[0].value == "121"


def test_app_loads_the_demo_into_a_fresh_database(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    app = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "app.py"),
                            default_timeout=TIMEOUT)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    store = Store(url)
    assert [d.title for d in store.deliberations()] == ["Demo: help with a hard personal decision"]
    store.close()


def test_the_picture_of_a_large_graph_stays_small():
    from PIL import Image

    from deliberation.pages.results.moral_graph import graph_png
    from moralgraph import MoralGraph, ValueCard, WiserVote

    rng = np.random.default_rng(0)
    cards = [ValueCard(f"v{i}", f"Value {i}", "", ["x"]) for i in range(400)]
    votes = [WiserVote(f"p{j}", f"v{a}", f"v{b}", "c", "wiser")
             for j, (a, b) in enumerate(rng.integers(400, size=(3000, 2))) if a != b]
    png = graph_png("large", MoralGraph(cards, votes), None, 0.85, 0.5, 16)
    width, height = Image.open(io.BytesIO(png)).size
    assert width * height < 20_000_000


def test_statements_page_builds_the_generative_slate(page, monkeypatch):
    import lm
    from tests.app.fakes import Toy

    monkeypatch.setattr(lm, "load_embedder", lambda **_: Toy())
    app = page("statements")
    app.slider(key="rs_gen_k").set_value(3).run()
    app.button(key="rs_gen_build").click().run()
    assert not app.exception, [e.value for e in app.exception]
    headers = [h.value for h in app.subheader]
    assert "Slate of 3 statements" in headers and "Audit" in headers
    assert "Representation against the baselines" in headers


def test_a_card_title_with_dollar_signs_is_drawn_as_text():
    # matplotlib reads $...$ as maths: a participant's "$\frac{" broke the picture
    from deliberation.pages.results.moral_graph import graph_png
    from moralgraph import MoralGraph, ValueCard, WiserVote

    cards = [ValueCard("a", r"$\frac{$", "", ["x"]), ValueCard("b", "ok", "", ["y"])]
    graph = MoralGraph(cards, [WiserVote("p", "a", "b", r"c $\frac{", "wiser")])
    assert graph_png("dollars", graph, None, 0.85, 0.5, 12)[:4] == b"\x89PNG"


@pytest.mark.parametrize("module", ["moral_graph", "statements", "rankings", "svo",
                                    "monitoring"])
def test_pages_on_a_deliberation_without_answers(module, tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    store = Store(url)
    store.create_deliberation("Empty?", contexts=["c"], statements=["One.", "Two."],
                              prompts=[("P?", ["a", "b"])])
    store.close()
    monkeypatch.setenv("DATABASE_URL", url)
    app = AppTest.from_string(
        f"from deliberation.pages.results import {module}\n{module}.render()\n",
        default_timeout=TIMEOUT,
    )
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]
