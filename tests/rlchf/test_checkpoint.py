"""rlchf.load_model: a saved model of any class, told apart by its config."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import rlchf
from rlchf import ModelError, PreferenceData, load_model

from .fake_embedder import FakeEmbedder, contested


@pytest.fixture(scope="module")
def data() -> PreferenceData:
    df, _ = contested(prompts=4, m=3, annotators=6)
    return PreferenceData.from_pandas(df, "pairwise", ["region"])


@pytest.mark.parametrize("make", [
    lambda: rlchf.RewardModel(FakeEmbedder(), epochs=2, rng=0),
    lambda: rlchf.FeatureConditionedRewardModel(["region"], FakeEmbedder(), epochs=2, rng=0),
    lambda: rlchf.LatentGroupRewardModel(2, FakeEmbedder(), epochs=1, iterations=1, rng=0),
], ids=["pooled", "conditioned", "latent"])
def test_loads_the_class_that_saved_it(data, tmp_path: Path, make) -> None:
    model = make().fit(data)
    loaded = load_model(model.save(tmp_path / "m"), embedder=FakeEmbedder())
    assert type(loaded) is type(model)
    assert loaded.predict_proba(data) == pytest.approx(model.predict_proba(data), abs=1e-6)


def test_not_a_folder(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(ModelError, match="is not a folder"):
        load_model(tmp_path / "f")


def test_no_config(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"it has no config\.json"):
        load_model(tmp_path)


def test_config_not_json(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{nope")
    with pytest.raises(ModelError, match="is not valid JSON"):
        load_model(tmp_path)


def test_unknown_class(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"class": "Pickle"}))
    with pytest.raises(ModelError, match="names the class 'Pickle'; expected one of "
                                         "RewardModel, FeatureConditionedRewardModel"):
        load_model(tmp_path)


def test_missing_weights_reported_by_the_class(data, tmp_path: Path) -> None:
    folder = rlchf.RewardModel(FakeEmbedder(), epochs=1, rng=0).fit(data).save(tmp_path / "m")
    (folder / "model.safetensors").unlink()
    with pytest.raises(ModelError, match=r"no model\.safetensors"):
        load_model(folder, embedder=FakeEmbedder())
