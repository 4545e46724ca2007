"""LatentGroupRewardModel: EM recovers unobserved groups and serves the minority group."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rlchf import LatentGroupRewardModel, ModelError, PreferenceData, RewardModel, evaluate

from .fake_embedder import FakeEmbedder


@pytest.fixture(scope="module")
def fitted():
    from rlchf import synthetic

    groups = pd.DataFrame({"group": ["A", "B"], "share": [0.65, 0.35]})
    pop = synthetic.population(n_prompts=12, n_annotators=30, annotators_per_prompt=30,
                               groups=groups, contested=1.0, pairs="all", rng=5)
    frame = pop.data.frame
    held = np.random.default_rng(0).random(len(frame)) < 0.2  # held-out judgments
    train = PreferenceData.from_pandas(frame[~held].drop(columns="group"), "pairwise")
    test = PreferenceData.from_pandas(frame[held], "pairwise", ["group"])
    kw = {"embedder": FakeEmbedder(64), "batch_size": 64, "rng": 0}
    latent = LatentGroupRewardModel(2, iterations=4, **kw).fit(train)
    return pop, test, latent, RewardModel(**kw).fit(train)


def test_em_recovers_the_groups(fitted):
    pop, _, latent, _ = fitted
    post = latent.posteriors_.set_index("annotator_id")
    found = post.to_numpy().argmax(axis=1)
    truth = pop.annotators.set_index("annotator_id").loc[post.index, "group"].eq("A").to_numpy()
    agreement = max(np.mean(found == truth), np.mean(found != truth))  # labels are arbitrary
    assert agreement >= 0.9
    assert sorted(np.round(latent.shares_, 1)) == pytest.approx([0.3, 0.7], abs=0.11)
    assert latent.log_likelihood_[-1] >= latent.log_likelihood_[0]


def test_known_annotators_get_their_group_judgments(fitted):
    _, test, latent, pooled = fitted

    def worst(model):
        table = evaluate(model, test, by="group")  # τ over the model's own population
        assert table.loc[table["metric"] == "kendall_tau", "value"].notna().all()
        return table.loc[table["metric"] == "worst_group_accuracy", "value"].item()

    assert worst(latent) > worst(pooled) + 0.1


def test_population_and_collective_scores(fitted, tmp_path):
    from rlchf import collective_scores

    pop, _, latent, _ = fitted
    population = latent.population()
    assert list(population.columns) == ["latent_group", "weight"]
    assert population["weight"].sum() == pytest.approx(1.0)
    frame = pop.data.frame[pop.data.frame["prompt_id"] == 0]
    responses = sorted(set(frame["response_a"]) | set(frame["response_b"]))
    scores = collective_scores(latent, frame["prompt"].iloc[0], responses, population,
                               "egalitarian")
    assert scores.shape == (4,) and np.all((scores > 0) & (scores < 1))
    loaded = LatentGroupRewardModel.load(latent.save(tmp_path / "latent"),
                                         embedder=FakeEmbedder(64))
    np.testing.assert_allclose(loaded.shares_, latent.shares_)
    again = collective_scores(loaded, frame["prompt"].iloc[0], responses, population,
                              "egalitarian")
    np.testing.assert_allclose(again, scores, rtol=1e-6)


def test_bad_parameters():
    with pytest.raises(ModelError, match="'n_groups' parameter of LatentGroupRewardModel"):
        LatentGroupRewardModel(1, FakeEmbedder())
    with pytest.raises(ModelError, match="'iterations' parameter"):
        LatentGroupRewardModel(2, FakeEmbedder(), iterations=0)
