"""moralgraph plot: one label per value, wiser values higher, edges by weight, no overlaps."""

from __future__ import annotations

import itertools
import textwrap

import matplotlib
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.backends.backend_agg import FigureCanvasAgg

from moralgraph import Context, MoralGraph, MoralGraphError, ValueCard, WiserVote, load_demo
from moralgraph._export import pooled_edges
from moralgraph._plot import plot


@pytest.fixture(scope="module")
def demo() -> MoralGraph:
    return load_demo()


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _labels(fig) -> dict[str, matplotlib.text.Text]:
    return {t.get_gid(): t for t in fig.axes[0].texts}


def test_one_label_per_card_wiser_higher(demo) -> None:
    fig = plot(demo)
    labels = _labels(fig)
    assert set(labels) == {c.id for c in demo.values} and len(labels) == 20
    for card in demo.values:
        assert labels[card.id].get_text() == textwrap.fill(card.title, 18,
                                                           break_on_hyphens=False)
        assert labels[card.id].get_fontsize() >= 9
    scores = demo.scores()
    for a, b in itertools.combinations(scores.index, 2):  # a scores at least as high as b
        assert labels[a].get_position()[1] >= labels[b].get_position()[1]
    arrows = {p.get_gid() for p in fig.axes[0].patches}
    edges = pooled_edges(demo)
    assert arrows == {f"{a}->{b}" for a, b, w in
                      zip(edges.from_value, edges.to_value, edges.weight, strict=True) if w > 0}


def test_labels_do_not_overlap(demo) -> None:
    fig = plot(demo)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    boxes = [t.get_bbox_patch().get_window_extent(renderer) for t in fig.axes[0].texts]
    for one, two in itertools.combinations(boxes, 2):
        assert not one.overlaps(two)
    figure = fig.bbox
    assert all(figure.contains(b.x0, b.y0) and figure.contains(b.x1, b.y1) for b in boxes)


def test_one_context_and_min_weight(demo) -> None:
    fig = demo.plot("distress", min_weight=0.5, per_row=5, title="Distress")
    judged = {v.id for v in demo.subgraph("distress").values}
    assert set(_labels(fig)) == judged and len(judged) == 14
    assert fig.axes[0].get_title().startswith("Distress")
    edges = pooled_edges(demo, "distress")
    assert len(fig.axes[0].patches) == int((edges.weight > 0.5).sum()) > 0
    rows = {t.get_position()[1] for t in fig.axes[0].texts}
    assert len(rows) == 3  # 14 values, 5 per row
    default = plot(demo, "distress")
    assert default.axes[0].get_title().startswith("When the user is in distress")


def test_context_without_votes_raises() -> None:
    cards = [ValueCard("a", "A", "", ["x"]), ValueCard("b", "B", "", ["y"])]
    g = MoralGraph(cards, [WiserVote("ann", "a", "b", "c1", "wiser")],
                   [Context("c1"), Context("quiet", "When nobody voted")])
    with pytest.raises(MoralGraphError, match="has no votes"):
        plot(g, "quiet")
    with pytest.raises(MoralGraphError, match="has no votes"):
        MoralGraph(cards, []).plot()
    with pytest.raises(MoralGraphError, match="unknown context 'nowhere'"):
        plot(g, "nowhere")
    assert len(plot(g, "c1").axes[0].texts) == 2


def test_figure_is_not_registered_with_pyplot(demo, tmp_path) -> None:
    before = plt.get_fignums()
    fig = demo.plot()
    assert plt.get_fignums() == before
    fig.savefig(tmp_path / "graph.png")
    assert (tmp_path / "graph.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"per_row": 0}, "per_row"), ({"propagation": 1.0}, "propagation"),
     ({"min_weight": 2.0}, "min_weight"), ({"wrap": 2}, "wrap"), ({"fontsize": 3}, "fontsize")],
)
def test_bad_parameters(demo, kwargs, name) -> None:
    with pytest.raises(MoralGraphError, match=f"'{name}' parameter of plot"):
        plot(demo, **kwargs)


def test_importing_moralgraph_does_not_import_matplotlib() -> None:
    import subprocess
    import sys

    code = "import sys, moralgraph; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
