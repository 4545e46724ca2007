"""rlchf.synthetic: the population simulator, its ground truth and write_parquet."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit, softmax

from rlchf import PreferenceData, RLCHFError, read_preferences, synthetic
from rlchf._simulate import allocate, annotator_sets


def two_feature_groups() -> pd.DataFrame:
    return pd.DataFrame({"region": ["north", "north", "south"], "age": [30, 60, 30],
                         "share": [2, 1, 1]})


# ---------------------------------------------------------------- shapes and validity


def test_shapes_and_truth():
    pop = synthetic.population(n_prompts=40, n_responses=3, n_annotators=20,
                               annotators_per_prompt=4, contested=0.25, rng=0)
    assert pop.utilities.shape == (3, 40, 3)
    assert pop.contested.shape == (40,) and int(pop.contested.sum()) == 10
    assert pop.groups["share"].tolist() == pytest.approx([0.5, 0.3, 0.2])
    assert pop.annotators["group_index"].value_counts().sort_index().tolist() == [10, 6, 4]
    f = pop.data.frame
    assert len(f) == 40 * 4
    assert f.groupby("prompt_id")["annotator_id"].nunique().eq(4).all()
    assert sorted(f.prompt_id.unique()) == list(range(40))


@pytest.mark.parametrize("kind, pairs", [("pairwise", "random"), ("pairwise", "all"),
                                         ("ranking", "random")])
def test_data_passes_validation_unchanged(kind, pairs):
    pop = synthetic.population(n_prompts=30, n_annotators=12, kind=kind, pairs=pairs,
                               groups=two_feature_groups(), rng=1)
    assert pop.data.features == ("region", "age")
    again = PreferenceData.from_pandas(pop.data.frame, kind=kind, features=["region", "age"],
                                       strict_ranks=True)
    pd.testing.assert_frame_equal(again.frame, pop.data.frame)


def test_pairs_all_gives_every_pair_once():
    pop = synthetic.population(n_prompts=5, n_responses=4, n_annotators=6, pairs="all", rng=2)
    f = pop.data.frame
    assert len(f) == 5 * 5 * 6
    lo = np.minimum(f.response_a_id, f.response_b_id)
    hi = np.maximum(f.response_a_id, f.response_b_id)
    assert not pd.DataFrame({"p": f.prompt_id, "a": f.annotator_id, "lo": lo, "hi": hi}
                            ).duplicated().any()
    assert 0.3 < (f.response_a_id < f.response_b_id).mean() < 0.7  # orientation random


def test_texts_match_ids():
    pop = synthetic.population(n_prompts=3, n_annotators=6, kind="ranking", rng=3)
    f = pop.data.frame
    assert (f.prompt == "Prompt " + f.prompt_id.astype(str)).all()
    head = "Response " + f.response_id.astype(str) + " to prompt " + f.prompt_id.astype(str)
    assert (f.response.str.slice(0, head.str.len().max()).str.rstrip(":") == head).all()
    assert f.groupby("prompt_id").response.nunique().eq(4).all()


def test_annotator_features_follow_their_group():
    pop = synthetic.population(n_prompts=20, n_annotators=16, groups=two_feature_groups(),
                               rng=4)
    ann = pop.data.annotators().merge(pop.annotators, on="annotator_id", suffixes=("", "_p"))
    assert (ann.region == ann.region_p).all() and (ann.age == ann.age_p).all()
    g = synthetic.groups_of(pop.data, pop.groups)
    truth = pop.annotators.set_index("annotator_id").group_index
    assert (g == truth.loc[pop.data.frame.annotator_id].to_numpy()).all()


def test_seeded():
    a = synthetic.population(n_prompts=10, n_annotators=10, rng=5)
    b = synthetic.population(n_prompts=10, n_annotators=10, rng=5)
    c = synthetic.population(n_prompts=10, n_annotators=10, rng=6)
    pd.testing.assert_frame_equal(a.data.frame, b.data.frame)
    assert np.array_equal(a.utilities, b.utilities)
    assert not np.array_equal(a.utilities, c.utilities)
    gen = np.random.default_rng(0)
    assert synthetic.population(n_prompts=2, n_annotators=5, rng=gen).data is not None


# ---------------------------------------------------------------- the truth


def test_contested_prompts_disagree_consensus_prompts_agree():
    pop = synthetic.population(n_prompts=200, contested=0.4, group_scale=0.5, rng=7)
    top = pop.utilities.argmax(axis=-1)
    disagree = (top != top[0]).any(axis=0)
    assert disagree[pop.contested].all()
    cons = pop.utilities[:, ~pop.contested]
    assert np.array_equal(cons, np.broadcast_to(cons[0], cons.shape))


@pytest.mark.parametrize("model", ["bradley_terry", "thurstone"])
def test_pairwise_labels_follow_the_choice_model(model):
    pop = synthetic.population(n_prompts=20, n_responses=3, n_annotators=600,
                               annotators_per_prompt=500, pairs="all", model=model,
                               noise=1.5, rng=8)
    f = pop.data.frame
    g = synthetic.groups_of(pop.data, pop.groups)
    p = pop.probabilities()[g, f.prompt_id, f.response_a_id, f.response_b_id]
    label = f.label.to_numpy()
    for lo, hi in [(0, 0.25), (0.25, 0.5), (0.5, 0.75), (0.75, 1.0)]:
        sel = (p >= lo) & (p < hi)
        se = np.sqrt(0.25 / sel.sum())
        assert abs(label[sel].mean() - p[sel].mean()) < 4 * se


def test_rankings_are_plackett_luce():
    pop = synthetic.population(n_prompts=4, n_responses=3, n_annotators=3000,
                               annotators_per_prompt=3000, groups=pd.DataFrame(
                                   {"g": ["only"], "share": [1.0]}), contested=0,
                               kind="ranking", noise=2.0, rng=9)
    f = pop.data.frame
    first = f[f["rank"] == 0].groupby("prompt_id").response_id.value_counts(normalize=True)
    expected = softmax(pop.utilities[0] / 2.0, axis=1)
    for (p, r), share in first.items():
        assert abs(share - expected[p, r]) < 4 * np.sqrt(0.25 / 3000)


def test_margins_expected_and_groups():
    pop = synthetic.population(n_prompts=10, n_annotators=20, rng=10)
    M = pop.margins()
    assert np.array_equal(M, -M.transpose(0, 2, 1))
    assert (np.abs(M) <= 1).all()
    u = pop.utilities
    d = u[:, 0, 1, None] - u[:, 0, None, 2]  # groups' u_1 - u_2 on prompt 0
    expected = float(np.sum(pop.shares * (2 * expit(d[:, 0]) - 1)))
    assert M[0, 1, 2] == pytest.approx(expected)
    G = pop.margins("groups")
    assert G[0, 1, 2] == pytest.approx(float(np.sum(pop.shares * np.sign(d[:, 0]))))


def test_expected_margins_match_a_large_sample():
    pop = synthetic.population(n_prompts=6, n_responses=3, n_annotators=4000,
                               annotators_per_prompt=4000, pairs="all", rng=11)
    f = pop.data.frame
    sign = 2 * f.label.to_numpy() - 1
    emp = np.zeros((6, 3, 3))
    np.add.at(emp, (f.prompt_id, f.response_a_id, f.response_b_id), sign)
    np.add.at(emp, (f.prompt_id, f.response_b_id, f.response_a_id), -sign)
    assert np.abs(emp / 4000 - pop.margins()).max() < 4 / np.sqrt(4000)


def test_true_winners_of_the_data_majority():
    """With many annotators, the data's Copeland winners are the true ones."""
    import socialchoice as sc

    pop = synthetic.population(n_prompts=60, n_responses=3, n_annotators=2000,
                               annotators_per_prompt=1500, kind="ranking", rng=12)
    f = pop.data.frame.sort_values(["prompt_id", "annotator_id", "response_id"])
    ranks = f["rank"].to_numpy().reshape(60, 1500, 3)
    emp = sc.winner_mask(ranks=ranks, rule="copeland")
    truth = pop.true_winners("copeland")
    assert (emp == truth).all(axis=1).mean() > 0.9


def test_true_winners_rules_and_welfare():
    pop = synthetic.population(n_prompts=50, n_annotators=30, rng=13)
    util = np.tensordot(pop.shares, pop.utilities, axes=1)
    assert np.array_equal(pop.true_winners("utilitarian").argmax(1), util.argmax(1))
    assert np.array_equal(pop.true_winners("egalitarian").argmax(1),
                          pop.utilities.min(0).argmax(1))
    borda = pop.margins().sum(axis=2)
    assert np.array_equal(pop.true_winners("borda").argmax(1), borda.argmax(1))
    for rule in ("minimax", "schulze", "maximal_lottery"):
        assert pop.true_winners(rule).any(axis=1).all()
    plural = pop.true_winners("plurality", basis="groups")
    # plurality over groups-as-blocks: the favourite of the largest group wins when it has
    # a majority of the weight (group A has 0.5 and ties are possible only at exactly 0.5)
    top = pop.utilities.argmax(-1)
    assert plural[np.arange(50), top[0]].all()
    with pytest.raises(RLCHFError, match=r"'rule' parameter of SyntheticPopulation.true_winners"):
        pop.true_winners("plurality")
    with pytest.raises(RLCHFError, match="'basis' parameter"):
        pop.true_winners("copeland", basis="sample")


def test_contested_prompts_separate_the_rules():
    """Egalitarian and utilitarian winners differ on some contested prompts, never on
    consensus prompts (where every group has the same utilities)."""
    pop = synthetic.population(n_prompts=300, contested=0.5, rng=14)
    diff = pop.true_winners("utilitarian") != pop.true_winners("egalitarian")
    assert diff[pop.contested].any()
    assert not diff[~pop.contested].any()


def test_true_ranking_levels():
    pop = synthetic.population(n_prompts=20, n_responses=5, n_annotators=30, rng=15)
    for rule in synthetic.SCORED:
        levels = pop.true_ranking(rule)
        assert levels.shape == (20, 5) and levels.min() == 0
        assert np.array_equal(levels == 0, pop.true_winners(rule))
    copeland = pop.true_ranking("copeland")
    score = np.sign(pop.margins()).sum(axis=2)
    i, a, b = np.nonzero(score[:, :, None] > score[:, None, :])
    assert (copeland[i, a] < copeland[i, b]).all()
    with pytest.raises(RLCHFError, match=r"'rule' parameter of SyntheticPopulation.true_ranking"):
        pop.true_ranking("schulze")


def test_noise_zero_is_deterministic_in_the_group_utilities():
    pop = synthetic.population(n_prompts=20, n_annotators=20, noise=0, pairs="all", rng=16)
    f = pop.data.frame
    g = synthetic.groups_of(pop.data, pop.groups)
    u = pop.utilities
    d = u[g, f.prompt_id, f.response_a_id] - u[g, f.prompt_id, f.response_b_id]
    assert np.array_equal(f.label.to_numpy(), np.where(d > 0, 1.0, 0.0))
    assert set(np.unique(pop.probabilities())) <= {0.0, 0.5, 1.0}


# ---------------------------------------------------------------- helpers


def test_allocate_largest_remainder():
    assert allocate(np.array([0.5, 0.3, 0.2]), 10).tolist() == [5, 3, 2]
    assert allocate(np.array([1 / 3] * 3), 4).sum() == 4


@pytest.mark.parametrize("k, pool", [(3, 50), (9, 10), (10, 10)])
def test_annotator_sets_distinct(k, pool):
    A = annotator_sets(2000, k, pool, np.random.default_rng(0))
    assert A.shape == (2000, k)
    s = np.sort(A, axis=1)
    assert (s[:, 1:] != s[:, :-1]).all()
    counts = np.bincount(A.ravel(), minlength=pool)
    mean = counts.mean()  # uniform over the pool: binomial counts around the mean
    assert np.abs(counts - mean).max() < 5 * np.sqrt(mean)


# ---------------------------------------------------------------- bad parameters


@pytest.mark.parametrize("kwargs, match", [
    ({"n_prompts": 0}, "'n_prompts' parameter of population must be an int in"),
    ({"n_responses": 1}, "'n_responses' parameter"),
    ({"contested": 1.5}, "'contested' parameter"),
    ({"kind": "rating"}, "'kind' parameter"),
    ({"pairs": "some"}, "'pairs' parameter"),
    ({"model": "luce"}, "'model' parameter"),
    ({"noise": -1.0}, "'noise' parameter"),
    ({"rng": "seed"}, "'rng' parameter"),
    ({"n_annotators": 2}, "must give every group an annotator"),
    ({"annotators_per_prompt": 61}, r"'annotators_per_prompt' parameter .* \[1, 60\]"),
    ({"groups": pd.DataFrame({"g": ["x"], "share": [1]})}, "at least two groups"),
    ({"group_scale": 0.0}, "at least two groups and group_scale > 0"),
    ({"groups": pd.DataFrame({"g": ["x", "y"]})}, "'share' column"),
    ({"groups": pd.DataFrame({"share": [1, 2]})}, "at least one feature column"),
    ({"groups": pd.DataFrame({"label": [1, 2], "share": [1, 2]})}, "at least one feature"),
    ({"groups": pd.DataFrame({"g": ["x", "y"], "share": [1, -1]})}, "positive finite shares"),
    ({"groups": pd.DataFrame({"g": ["x", "x"], "share": [1, 1]})}, "distinct feature values"),
])
def test_bad_parameters(kwargs, match):
    with pytest.raises(RLCHFError, match=match):
        synthetic.population(**{"n_prompts": 5, **kwargs})


def test_one_group_without_contested_prompts_is_fine():
    pop = synthetic.population(n_prompts=5, n_annotators=5, contested=0,
                               groups=pd.DataFrame({"g": ["x"], "share": [1]}), rng=0)
    assert pop.utilities.shape[0] == 1 and not pop.contested.any()


def test_unreachable_contested_draw_is_an_error_not_a_hang():
    with pytest.raises(RLCHFError, match="could not draw contested prompts"):
        synthetic.population(n_prompts=50, n_responses=2, contested=1.0, group_scale=1e-9,
                             shared_scale=1.0, rng=0)


# ---------------------------------------------------------------- write_parquet


def test_write_parquet_partitions_read_back(tmp_path):
    seen = []
    files = synthetic.write_parquet(tmp_path / "big", 103, partitions=4, rng=0,
                                    kind="ranking", groups=two_feature_groups(),
                                    progress=lambda d, t: seen.append((d, t)))
    assert [f.name for f in files] == [f"part-0000{i}.parquet" for i in range(4)]
    assert seen == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]
    data = read_preferences(tmp_path / "big", kind="ranking", features=["region", "age"],
                            strict_ranks=True)
    assert len(data) == 103 * 5 * 4
    assert sorted(data.prompt_ids) == list(range(103))
    per_file = [pd.read_parquet(f).prompt_id for f in files]
    assert all(a.max() < b.min() for a, b in itertools.pairwise(per_file))


def test_write_parquet_seeded(tmp_path):
    synthetic.write_parquet(tmp_path / "a", 20, partitions=2, rng=3)
    synthetic.write_parquet(tmp_path / "b", 20, partitions=2, rng=3)
    for name in ("part-00000.parquet", "part-00001.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "a" / name),
                                      pd.read_parquet(tmp_path / "b" / name))


def test_write_parquet_refuses_a_folder_with_parquet_and_bad_options(tmp_path):
    synthetic.write_parquet(tmp_path, 5, rng=0)
    with pytest.raises(RLCHFError, match="needs a new or empty folder"):
        synthetic.write_parquet(tmp_path, 5, rng=0)
    with pytest.raises(RLCHFError, match="unknown option"):
        synthetic.write_parquet(tmp_path / "x", 5, contsted=0.1)
    with pytest.raises(RLCHFError, match="'partitions' parameter of write_parquet"):
        synthetic.write_parquet(tmp_path / "y", 5, partitions=6)


def test_groups_matter_on_contested_prompts():
    """The simulator gives the signal RLCHF needs: knowing an annotator's group predicts their
    judgments on contested prompts much better than the population's majority does, and
    it does not matter on consensus prompts."""
    pop = synthetic.population(n_prompts=1000, n_annotators=200, rng=17)
    f = pop.data.frame
    g = synthetic.groups_of(pop.data, pop.groups)
    p, a, b = f.prompt_id.to_numpy(), f.response_a_id.to_numpy(), f.response_b_id.to_numpy()
    y = f.label.to_numpy()
    by_group = (pop.probabilities()[g, p, a, b] > 0.5).astype(float)
    pooled = (pop.margins()[p, a, b] > 0).astype(float)
    contested = pop.contested[p]

    def worst(pred, mask):
        return min((pred[mask & (g == k)] == y[mask & (g == k)]).mean() for k in range(3))

    assert worst(by_group, contested) > worst(pooled, contested) + 0.15
    assert worst(by_group, ~contested) == pytest.approx(worst(pooled, ~contested))


def test_group_margins_tie_exactly_when_weights_balance():
    """Shares 0.7 : 0.1 : 0.6: group A against B and C together is an exact tie (0.0), not a
    float residue that a rule would read as a win."""
    groups = pd.DataFrame({"group": ["A", "B", "C"], "share": [0.7, 0.1, 0.6]})
    pop = synthetic.population(n_prompts=200, n_annotators=12, groups=groups, rng=18)
    s = np.sign(pop.utilities[:, :, :, None] - pop.utilities[:, :, None, :])
    balanced = (s[0] == -s[1]) & (s[1] == s[2]) & (s[0] != 0)
    assert balanced.any()
    assert (pop.margins("groups")[balanced] == 0).all()
    copeland = pop.true_winners("copeland", basis="groups")
    sc_copeland = __import__("socialchoice").winner_mask(pop.margins("groups"), "copeland")
    assert np.array_equal(copeland, sc_copeland)


def test_write_parquet_options_default_like_population():
    import inspect

    from rlchf._simparams import OPTIONS

    params = inspect.signature(synthetic.population).parameters
    assert {k: params[k].default for k in OPTIONS} == OPTIONS
