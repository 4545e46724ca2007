"""moralgraph.simulate: a population simulator with ground truth."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections import Counter

import numpy as np
import pytest
from scipy.stats import norm

from _common.validation import seed_from
from moralgraph import VERDICTS, MoralGraphError
from moralgraph._simulate import Simulation, simulate


def gaps(sim: Simulation) -> np.ndarray:
    """The latent gap w_B - w_A of every vote, in its context."""
    w = sim.wisdom
    return np.array([w.at[v.to_value, v.context] - w.at[v.from_value, v.context]
                     for v in sim.graph.votes])


def test_importing_the_module_loads_no_pandas():
    code = "import sys, moralgraph._simulate; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_same_seed_same_simulation_and_other_seed_differs():
    one = simulate(8, 2, 12, 5, rng=3)
    two = simulate(8, 2, 12, 5, rng=np.random.default_rng(seed_from(3)))
    assert one.graph == two.graph and one.wisdom.equals(two.wisdom)
    again = simulate(8, 2, 12, 5, rng=3)
    assert again.graph == one.graph and again.wisdom.equals(one.wisdom)
    other = simulate(8, 2, 12, 5, rng=4)
    assert other.graph != one.graph and not other.wisdom.equals(one.wisdom)


def test_shapes_counts_and_generated_text():
    sim = simulate(6, 3, 15, 4, rng=0)
    g = sim.graph
    assert len(g.values) == 6 and len(g.votes) == 60 and len(g.contexts) == 3
    assert sim.wisdom.shape == (6, 3)
    assert list(sim.wisdom.index) == [c.id for c in g.values] == [f"v{i}" for i in range(6)]
    assert list(sim.wisdom.columns) == [c.id for c in g.contexts] == ["c0", "c1", "c2"]
    assert [c.text for c in g.contexts] == ["Context 0", "Context 1", "Context 2"]
    card = g.values[3]
    assert (card.title, card.policies) == ("Value 3", ("attends to A3", "attends to B3"))
    assert card.authors == ("p3", "p9")  # participant k authors card k mod n_values
    assert Counter(v.participant for v in g.votes) == {f"p{q}": 4 for q in range(15)}
    authored = Counter(a for c in g.values for a in c.authors)
    assert authored == {f"p{q}": 1 for q in range(15)}


def test_fewer_participants_than_values_leaves_cards_without_author():
    sim = simulate(5, 1, 2, 1, rng=0)
    assert [c.authors for c in sim.graph.values] == [("p0",), ("p1",), (), (), ()]


def test_every_vote_valid_and_pairs_distinct_per_participant():
    sim = simulate(5, 2, 30, 20, rng=7)  # 20 of the 20 ordered pairs: every pair once
    ids = {c.id for c in sim.graph.values}
    assert len(sim.graph.votes) == 600
    per_participant: dict[str, set[tuple[str, str]]] = {}
    for v in sim.graph.votes:
        assert v.verdict in VERDICTS and v.from_value != v.to_value
        assert {v.from_value, v.to_value} <= ids and v.context in {"c0", "c1"}
        per_participant.setdefault(v.participant, set()).add((v.from_value, v.to_value))
    assert all(len(pairs) == 20 for pairs in per_participant.values())
    assert {v.context for v in sim.graph.votes} == {"c0", "c1"}


def test_no_votes():
    sim = simulate(3, 2, 4, 0, rng=0)
    assert sim.graph.votes == () and len(sim.graph.contexts) == 2


def test_without_noise_and_unsure_every_vote_follows_the_latent_order():
    sim = simulate(10, 3, 50, 12, noise=0, unsure_rate=0, rng=11)
    d = gaps(sim)
    wiser = np.array([v.verdict == "wiser" for v in sim.graph.votes])
    assert np.all(wiser == (d > 0))
    assert {v.verdict for v in sim.graph.votes} == {"wiser", "not_wiser"}


def test_noise_makes_some_votes_disagree_with_the_latent_order():
    sim = simulate(10, 1, 200, 10, noise=1.0, unsure_rate=0, rng=5)
    d = gaps(sim)
    wiser = np.array([v.verdict == "wiser" for v in sim.graph.votes])
    assert 0 < np.mean(wiser != (d > 0)) < 0.5


def test_wiser_share_follows_the_thurstone_probability():
    sim = simulate(12, 1, 400, 20, noise=0.7, unsure_rate=0, rng=9)
    d = gaps(sim)
    wiser = np.array([v.verdict == "wiser" for v in sim.graph.votes], dtype=float)
    expected = norm.cdf(d / (0.7 * np.sqrt(2)))
    assert abs(wiser.mean() - expected.mean()) < 0.02
    # binned calibration: the observed share tracks Phi(d / (sigma sqrt 2)) within each bin
    bins = np.digitize(expected, [0.25, 0.5, 0.75])
    for b in range(4):
        assert abs(wiser[bins == b].mean() - expected[bins == b].mean()) < 0.05


def test_unsure_rate_bounds_and_closeness():
    assert all(v.verdict == "unsure" for v in simulate(6, 2, 10, 5, unsure_rate=1, rng=0)
               .graph.votes)
    sim = simulate(12, 1, 400, 20, noise=1.0, unsure_rate=0.2, rng=2)
    d = np.abs(gaps(sim))
    unsure = np.array([v.verdict == "unsure" for v in sim.graph.votes], dtype=float)
    expected = 0.2 + 0.8 * 0.2 * np.exp(-0.5 * d**2)
    assert abs(unsure.mean() - expected.mean()) < 0.02
    assert unsure[d < 0.3].mean() > unsure[d > 2].mean()  # close values: more often unsure
    flat = simulate(12, 1, 400, 20, noise=0, unsure_rate=0.2, rng=2)
    share = np.mean([v.verdict == "unsure" for v in flat.graph.votes])
    assert abs(share - 0.2) < 0.02  # noise 0: exactly the base rate


def test_latent_wisdom_distribution():
    sim = simulate(4000, 2, 1, 0, rng=1)
    w = sim.wisdom.to_numpy()
    assert np.allclose(w.mean(axis=0), 0, atol=0.06) and np.allclose(w.std(axis=0), 1, atol=0.05)
    assert abs(np.corrcoef(w[:, 0], w[:, 1])[0, 1] - 0.5) < 0.05


def test_truth_names_the_wisest_value_and_rejects_unknown_contexts():
    sim = simulate(7, 3, 5, 2, rng=8)
    for c in sim.wisdom.columns:
        assert sim.truth(c) == (sim.wisdom[c].idxmax(),)
    with pytest.raises(MoralGraphError, match=r"'context' parameter of Simulation\.truth"):
        sim.truth("nowhere")
    with pytest.raises(MoralGraphError, match="'context'"):
        sim.truth(0)  # type: ignore[arg-type]


def test_truth_returns_every_value_on_a_tie():
    sim = simulate(3, 1, 2, 1, rng=0)
    tied = sim.wisdom.copy()
    tied.loc[:, "c0"] = [1.0, 2.0, 2.0]
    assert Simulation(sim.graph, tied).truth("c0") == ("v1", "v2")


def test_simulation_is_frozen():
    sim = simulate(3, 1, 2, 1, rng=0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        sim.graph = None  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"n_values": 1}, "n_values"),
        ({"n_values": 2.5}, "n_values"),
        ({"n_values": True}, "n_values"),
        ({"contexts": 0}, "contexts"),
        ({"contexts": "3"}, "contexts"),
        ({"n_participants": 0}, "n_participants"),
        ({"votes_per_participant": -1}, "votes_per_participant"),
        ({"n_values": 3, "votes_per_participant": 7}, "votes_per_participant"),
        ({"noise": -0.1}, "noise"),
        ({"noise": float("nan")}, "noise"),
        ({"noise": float("inf")}, "noise"),
        ({"unsure_rate": 1.5}, "unsure_rate"),
        ({"unsure_rate": -0.1}, "unsure_rate"),
        ({"rng": "seed"}, "rng"),
    ],
)
def test_bad_parameters_raise_errors_naming_them(kwargs, name):
    with pytest.raises(MoralGraphError, match=f"The '{name}' parameter of simulate must be"):
        simulate(**kwargs)


def test_largest_allowed_vote_count_and_negative_seed():
    sim = simulate(3, 1, 1, 6, rng=-5)
    assert len({(v.from_value, v.to_value) for v in sim.graph.votes}) == 6
