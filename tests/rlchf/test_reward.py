"""The pooled Bradley–Terry RewardModel: learning, margins, seeds, caching, checkpoints, errors."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from itertools import combinations

import numpy as np
import pandas as pd
import pytest

from rlchf import ModelError, PreferenceData, RewardModel

from .fake_embedder import FakeEmbedder

UTILITY = [2.0, 1.0, 0.0, -1.0, -2.0]  # the true rewards of five responses


def _ordered_pairs(seed: int = 0, repeats: int = 30) -> pd.DataFrame:
    """Bradley–Terry judgments of every pair of five responses to two prompts."""
    rng = np.random.default_rng(seed)
    rows = []
    for p in range(2):
        for k in range(repeats):
            for a, b in combinations(range(5), 2):
                win = rng.random() < 1 / (1 + np.exp(-(UTILITY[a] - UTILITY[b])))
                rows.append((p, f"Prompt {p}", f"reply {a} of {p}", f"reply {b} of {p}",
                             1.0 if win else 0.0, f"ann{k}"))
    return pd.DataFrame(rows, columns=["prompt_id", "prompt", "response_a", "response_b",
                                       "label", "annotator_id"])


@pytest.fixture(scope="module")
def data() -> PreferenceData:
    return PreferenceData.from_pandas(_ordered_pairs(), kind="pairwise")


@pytest.fixture(scope="module")
def fitted(data) -> RewardModel:
    return RewardModel(FakeEmbedder(), epochs=40, batch_size=64, rng=0).fit(data)


def _rewards(model: RewardModel, p: int = 0) -> np.ndarray:
    return model.reward([f"Prompt {p}"] * 5, [f"reply {j} of {p}" for j in range(5)])


def test_fit_recovers_the_true_order(fitted):
    for p in range(2):
        assert np.all(np.diff(_rewards(fitted, p)) < 0)
    assert fitted.n_pairs_ == 600 and fitted.embed_dim_ == 48


def test_predict_proba_is_sigma_of_reward_difference(fitted, data):
    p = fitted.predict_proba(data)
    assert p.shape == (len(data),) and np.all((p > 0) & (p < 1))
    frame = data.frame
    r_a = fitted.reward(frame["prompt"].tolist(), frame["response_a"].tolist())
    r_b = fitted.reward(frame["prompt"].tolist(), frame["response_b"].tolist())
    np.testing.assert_allclose(p, 1 / (1 + np.exp(-(r_a - r_b))), rtol=1e-6)
    swapped = frame.rename(columns={"response_a": "response_b", "response_b": "response_a"})
    np.testing.assert_allclose(fitted.predict_proba(swapped), 1 - p, atol=1e-9)
    assert np.mean((p > 0.5) == (frame["label"] == 1)) > 0.7


def test_ranking_data_is_expanded_into_pairs():
    df = pd.DataFrame({"prompt_id": 1, "prompt": "Q", "response_id": [1, 2, 3] * 8,
                       "response": ["good", "fine", "bad"] * 8,
                       "annotator_id": np.repeat([f"a{i}" for i in range(8)], 3),
                       "rank": [0, 1, 2] * 8})
    model = RewardModel(FakeEmbedder(), epochs=60, batch_size=8, rng=1).fit(
        PreferenceData.from_pandas(df, "ranking"))
    assert model.n_pairs_ == 24
    assert np.all(np.diff(model.reward(["Q"] * 3, ["good", "fine", "bad"])) < 0)


def test_collective_pairs_table_and_its_margin():
    pairs = pd.DataFrame({"prompt": ["Q"] * 30, "chosen": ["yes"] * 30, "rejected": ["no"] * 30})
    kw = {"embedder": FakeEmbedder(), "epochs": 60, "batch_size": 10, "validation": 0.0,
          "rng": 3}
    plain = RewardModel(**kw).fit(pairs)
    wide = RewardModel(**kw).fit(pairs.assign(margin=3.0))
    unused = RewardModel(**kw).fit(pairs.assign(margin=3.0), use_margin=False)

    def gap(m):
        return float(np.diff(m.reward(["Q", "Q"], ["no", "yes"]))[0])

    assert gap(plain) > 0
    assert gap(wide) > gap(plain) + 1  # the margin asks for a larger reward gap
    assert gap(unused) == pytest.approx(gap(plain))
    with pytest.raises(ModelError, match=r"Row 1, column 'margin'"):
        RewardModel(**kw).fit(pairs.assign(margin=[1.0, np.nan] + [1.0] * 28))
    with pytest.raises(ModelError, match="Missing column\\(s\\): rejected"):
        RewardModel(**kw).fit(pairs.drop(columns="rejected"))


def test_same_seed_same_model_other_seed_other_model(data):
    kw = {"epochs": 3, "batch_size": 64}
    a = _rewards(RewardModel(FakeEmbedder(), rng=5, **kw).fit(data))
    b = _rewards(RewardModel(FakeEmbedder(), rng=5, **kw).fit(data))
    c = _rewards(RewardModel(FakeEmbedder(), rng=6, **kw).fit(data))
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_early_stopping_and_progress(data):
    seen = []
    model = RewardModel(FakeEmbedder(), epochs=200, lr=0.05, patience=1, rng=0,
                        progress=lambda done, total: seen.append((done, total))).fit(data)
    assert len(model.history_) < 200
    assert {"epoch", "train_loss", "val_loss"} <= set(model.history_.columns)
    assert seen[0] == (0, 200) and seen[-1] == (200, 200)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    no_val = RewardModel(FakeEmbedder(), epochs=4, validation=0.0, rng=0).fit(data)
    assert len(no_val.history_) == 4 and "val_loss" not in no_val.history_


def test_each_distinct_text_is_encoded_once(data):
    emb = FakeEmbedder()
    model = RewardModel(emb, epochs=1, rng=0).fit(data)
    assert sum(emb.calls) == 2 + 10  # two prompts, ten responses
    model.predict_proba(data)
    model.reward(["Prompt 0"], ["a new reply"])
    assert sum(emb.calls) == 13


def test_save_load_round_trip(fitted, tmp_path):
    folder = fitted.save(tmp_path / "rm")
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "model.safetensors"]
    config = json.loads((folder / "config.json").read_text())
    assert config["class"] == "RewardModel" and config["embed_dim"] == 48
    loaded = RewardModel.load(folder, embedder=FakeEmbedder())
    np.testing.assert_allclose(_rewards(loaded), _rewards(fitted), rtol=1e-6)
    assert loaded.n_pairs_ == fitted.n_pairs_ and len(loaded.history_) == len(fitted.history_)


def test_bad_checkpoints(fitted, tmp_path):
    with pytest.raises(ModelError, match=r"has no config\.json"):
        RewardModel.load(tmp_path, embedder=FakeEmbedder())
    folder = fitted.save(tmp_path / "rm")
    with pytest.raises(ModelError, match=r"trained on 48-dimensional embeddings.*returns 16"):
        RewardModel.load(folder, embedder=FakeEmbedder(16))
    (folder / "config.json").write_text("{not json")
    with pytest.raises(ModelError, match="not valid JSON"):
        RewardModel.load(folder, embedder=FakeEmbedder())
    (folder / "config.json").write_text(json.dumps({"class": "Something"}))
    with pytest.raises(ModelError, match="describes a 'Something', not a RewardModel"):
        RewardModel.load(folder, embedder=FakeEmbedder())


def test_embedder_of_another_dimension_at_predict_time(fitted, tmp_path):
    loaded = RewardModel.load(fitted.save(tmp_path / "rm"))  # embedder checked on first use
    loaded.embedder = FakeEmbedder(16)
    with pytest.raises(ModelError, match=r"dimension 16, but this model was built for .*48"):
        loaded.reward(["Prompt 0"], ["reply 0 of 0"])


class _Broken:
    def encode(self, texts):
        return np.zeros((len(texts) + 1, 4))


def test_misuse_errors(data):
    with pytest.raises(ModelError, match="needs a fitted model"):
        RewardModel(FakeEmbedder()).reward(["Q"], ["A"])
    with pytest.raises(ModelError, match=re.escape(
            "The 'hidden' parameter of RewardModel must be an int in [1, inf). Got 0 instead.")):
        RewardModel(FakeEmbedder(), hidden=0)
    with pytest.raises(ModelError, match="'validation' parameter of RewardModel"):
        RewardModel(FakeEmbedder(), validation=1.0)
    with pytest.raises(ModelError, match="encode\\(list\\[str\\]\\)"):
        RewardModel(embedder="minilm")
    with pytest.raises(ModelError, match="must return an array of shape \\(12, d\\)"):
        RewardModel(_Broken()).fit(data)
    with pytest.raises(ModelError, match="takes PreferenceData or a DataFrame"):
        RewardModel(FakeEmbedder()).fit([("Q", "A", "B")])


def test_predict_frame_needs_its_columns(fitted):
    with pytest.raises(ModelError, match="no column\\(s\\) response_b"):
        fitted.predict_proba(pd.DataFrame({"prompt": ["Q"], "response_a": ["A"]}))
    with pytest.raises(ModelError, match="same length"):
        fitted.reward(["Q", "Q"], ["A"])


def test_import_rlchf_does_not_load_torch():
    probe = ("import sys, rlchf; rlchf.evaluate; rlchf.collective_scores; "
             "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
