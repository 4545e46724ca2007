"""FeatureConditionedRewardModel: per-group judgments, feature encoding, checkpoints, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rlchf import FeatureConditionedRewardModel, ModelError, PreferenceData, RewardModel
from rlchf._conditioned import FeatureEncoder

from .fake_embedder import FakeEmbedder, contested


@pytest.fixture(scope="module")
def split():
    df, truth = contested(prompts=16, annotators=24, seed=4)
    held_out = df["annotator_id"].isin([f"ann{k}" for k in range(0, 24, 4)])
    train = PreferenceData.from_pandas(df[~held_out], "pairwise", ["region"])
    test = PreferenceData.from_pandas(df[held_out], "pairwise", ["region"])
    return train, test, truth


@pytest.fixture(scope="module")
def models(split):
    train, _, _ = split
    kw = {"embedder": FakeEmbedder(), "epochs": 30, "batch_size": 64, "rng": 0}
    return (RewardModel(**kw).fit(train),
            FeatureConditionedRewardModel(["region"], **kw).fit(train))


def _group_accuracy(model, data) -> pd.Series:
    frame = data.frame
    right = (model.predict_proba(frame) > 0.5) == (frame["label"] == 1)
    return right.groupby(frame["region"]).mean()


def test_conditioned_model_serves_the_minority_group(models, split):
    pooled, conditioned = models
    _, test, _ = split
    acc_pooled, acc_cond = _group_accuracy(pooled, test), _group_accuracy(conditioned, test)
    # the pooled model learns the majority's taste: near chance for the minority
    assert acc_pooled["south"] < 0.65 < acc_pooled["north"]
    assert acc_cond.min() > acc_pooled.min() + 0.15


def test_groups_get_opposite_judgments_on_contested_prompts(models, split):
    _, conditioned = models
    _, _, truth = split
    ask = pd.DataFrame({"prompt": "Prompt 0?", "response_a": "Answer 0 to 0.",
                        "response_b": "Answer 1 to 0.", "region": ["north", "south"]})
    p = conditioned.predict_proba(ask)
    north = truth["utilities"]["north"][0]
    assert truth["contested"][0] and (p[0] > 0.5) == (north[0] > north[1])
    assert (p[0] - 0.5) * (p[1] - 0.5) < 0


def test_reward_broadcasts_one_feature_row(models):
    _, conditioned = models
    prompts, responses = ["Prompt 0?"] * 2, ["Answer 0 to 0.", "Answer 1 to 0."]
    one = conditioned.reward(prompts, responses, pd.DataFrame({"region": ["south"]}))
    each = conditioned.reward(prompts, responses, pd.DataFrame({"region": ["south"] * 2}))
    np.testing.assert_allclose(one, each)
    with pytest.raises(ModelError, match="one row or one row per pair"):
        conditioned.reward(prompts, responses, pd.DataFrame({"region": ["south"] * 3}))
    with pytest.raises(ModelError, match="needs the evaluator's features"):
        conditioned.reward(prompts, responses, {"region": "south"})


def test_unseen_category_and_missing_feature_are_errors(models):
    _, conditioned = models
    ask = pd.DataFrame({"prompt": ["Prompt 0?"], "response_a": ["Answer 0 to 0."],
                        "response_b": ["Answer 1 to 0."], "region": ["east"]})
    with pytest.raises(ModelError, match=r"Row 0 of the data, column 'region': category 'east' "
                                         r"was not seen in training \(known: 'north', 'south'\)"):
        conditioned.predict_proba(ask)
    with pytest.raises(ModelError, match=r"has no column\(s\) 'region'"):
        conditioned.predict_proba(ask.drop(columns="region"))


def test_features_must_be_declared_in_the_data(split):
    train, _, _ = split
    undeclared = PreferenceData.from_pandas(train.frame, "pairwise")  # region not declared
    with pytest.raises(ModelError, match=r"feature\(s\) \['region'\] are not declared"):
        FeatureConditionedRewardModel(["region"], FakeEmbedder()).fit(undeclared)
    with pytest.raises(ModelError, match="takes PreferenceData"):
        FeatureConditionedRewardModel(["region"], FakeEmbedder()).fit(
            pd.DataFrame({"prompt": ["Q"], "chosen": ["a"], "rejected": ["b"]}))


def test_constructor_errors():
    with pytest.raises(ModelError, match="at least one feature"):
        FeatureConditionedRewardModel([], FakeEmbedder())
    with pytest.raises(ModelError, match="must be a list of column names"):
        FeatureConditionedRewardModel("region", FakeEmbedder())
    with pytest.raises(ModelError, match="repeats a column"):
        FeatureConditionedRewardModel(["a", "a"], FakeEmbedder())
    with pytest.raises(ModelError, match=r"lists \['age'\], which are not among features"):
        FeatureConditionedRewardModel(["region"], FakeEmbedder(), categorical=["age"])


def test_encoder_one_hot_standardised_and_integer_categories():
    annotators = pd.DataFrame({"region": ["s", "n", "n"], "age": [20, 30, 40],
                               "group": [2, 0, 2]})
    enc = FeatureEncoder.fit(annotators, ["region", "age", "group"], categorical=["group"])
    assert [s["type"] for s in enc.spec] == ["categorical", "numeric", "categorical"]
    assert enc.spec[2]["categories"] == [0, 2] and enc.width == 2 + 1 + 2
    rows = enc.transform(pd.DataFrame({"region": ["n"], "age": [30 + np.std([20, 30, 40])],
                                       "group": [2]}))
    np.testing.assert_allclose(rows, [[1, 0, 1, 0, 1]], atol=1e-6)
    with pytest.raises(ModelError, match=r"Row 0 of the data, column 'age': expected a finite"):
        enc.transform(pd.DataFrame({"region": ["n"], "age": [np.nan], "group": [0]}))


def test_numeric_feature_flips_the_preference():
    rows = []
    for k in range(40):
        age = 20 + k  # under 40 prefer tea, 40 and over coffee
        rows.append(("q", "Tea or coffee?", "Tea.", "Coffee.", float(age < 40), f"u{k}", age))
    df = pd.DataFrame(rows, columns=["prompt_id", "prompt", "response_a", "response_b",
                                     "label", "annotator_id", "age"])
    model = FeatureConditionedRewardModel(["age"], FakeEmbedder(), epochs=80, batch_size=8,
                                          validation=0.0, rng=0).fit(
        PreferenceData.from_pandas(df, "pairwise", ["age"]))
    ask = pd.DataFrame({"prompt": "Tea or coffee?", "response_a": "Tea.",
                        "response_b": "Coffee.", "age": [22, 57]})
    p = model.predict_proba(ask)
    assert p[0] > 0.7 and p[1] < 0.3


def test_save_load_keeps_the_encoding(models, split, tmp_path):
    _, conditioned = models
    _, test, _ = split
    folder = conditioned.save(tmp_path / "cond")
    loaded = FeatureConditionedRewardModel.load(folder, embedder=FakeEmbedder())
    assert loaded.features == ["region"] and loaded.encoder_.spec == conditioned.encoder_.spec
    np.testing.assert_allclose(loaded.predict_proba(test), conditioned.predict_proba(test),
                               rtol=1e-6)
    with pytest.raises(ModelError, match="describes a 'FeatureConditionedRewardModel'"):
        RewardModel.load(folder, embedder=FakeEmbedder())


# ---------------------------------------------------------------------------- the science
# Annotators are recruited unevenly (group A over-represented); the population the system
# serves has census shares. The conditioned model re-weights to the census; the pooled model
# cannot, and it learns the annotators' majority taste.
RECRUITED = pd.DataFrame({"group": ["A", "B", "C"], "share": [0.6, 0.25, 0.15]})
CENSUS = [0.2, 0.3, 0.5]


@pytest.fixture(scope="module")
def science():
    from rlchf import synthetic

    pop = synthetic.population(n_prompts=24, n_annotators=80, annotators_per_prompt=60,
                               groups=RECRUITED, contested=1.0, pairs="all", rng=11)
    frame = pop.data.frame
    held_out = frame["annotator_id"].isin(pop.annotators["annotator_id"][::4])
    train = PreferenceData.from_pandas(frame[~held_out], "pairwise", ["group"])
    test = PreferenceData.from_pandas(frame[held_out], "pairwise", ["group"])
    kw = {"embedder": FakeEmbedder(128), "hidden": 128, "batch_size": 64, "rng": 0}
    return (pop, test, RewardModel(**kw).fit(train),
            FeatureConditionedRewardModel(["group"], **kw).fit(train))


def test_conditioned_model_wins_on_worst_group_accuracy(science):
    from rlchf import evaluate

    _, test, pooled, conditioned = science

    def worst(model):
        table = evaluate(model, test, by="group", rules=("borda",))
        tau = table.loc[table["metric"] == "kendall_tau", "value"].item()
        assert 0.3 < tau <= 1  # the collective ranking over the test annotators' groups
        return table.loc[table["metric"] == "worst_group_accuracy", "value"].item()

    assert worst(conditioned) > worst(pooled) + 0.1  # measured: 0.84 against 0.66


def test_collective_choice_matches_the_true_winner(science):
    import dataclasses

    from rlchf import collective_scores

    pop, _, pooled, conditioned = science
    census = pop.groups.assign(share=CENSUS)
    truth = dataclasses.replace(pop, groups=census).true_winners("copeland", basis="groups")
    frame = pop.data.frame
    texts = pd.concat([
        frame[["prompt_id", "prompt", f"response_{s}_id", f"response_{s}"]].set_axis(
            ["p", "prompt", "r", "text"], axis=1) for s in "ab"
    ]).drop_duplicates(["p", "r"]).sort_values(["p", "r"])
    hits = {"pooled": [], "conditioned": []}
    for p, rows in texts.groupby("p"):
        prompt, responses = rows["prompt"].iloc[0], rows["text"].tolist()
        ours = collective_scores(conditioned, prompt, responses,
                                 census.rename(columns={"share": "weight"}), "copeland")
        theirs = pooled.reward([prompt] * len(responses), responses)
        hits["conditioned"].append(truth[p, rows["r"].to_numpy()[np.argmax(ours.to_numpy())]])
        hits["pooled"].append(truth[p, rows["r"].to_numpy()[np.argmax(theirs)]])
    # measured: 0.92 against 0.67 of the 24 contested prompts
    assert np.mean(hits["conditioned"]) >= max(0.75, np.mean(hits["pooled"]) + 0.15)


def test_ranking_data_and_integer_group_codes():
    from rlchf import synthetic

    groups = pd.DataFrame({"cohort": [0, 1], "share": [0.5, 0.5]})
    pop = synthetic.population(n_prompts=5, n_annotators=12, annotators_per_prompt=4,
                               groups=groups, kind="ranking", rng=2)
    model = FeatureConditionedRewardModel(["cohort"], FakeEmbedder(), categorical=["cohort"],
                                          epochs=2, rng=0).fit(pop.data)
    assert model.encoder_.spec[0] == {"name": "cohort", "type": "categorical",
                                      "categories": [0, 1]}
    assert model.n_pairs_ == len(pop.data.to_pairwise()) == 5 * 4 * 6
    p = model.predict_proba(pop.data)
    assert p.shape == (120,) and np.all((p > 0) & (p < 1))
