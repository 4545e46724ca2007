"""``collective rlchf aggregate`` and ``collective rlchf simulate``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import rlchf
from collective.main import app

runner = CliRunner()


def _words(output: str) -> str:
    return " ".join(output.replace("│", " ").split())


@pytest.fixture(scope="module")
def simulated(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("rlchf") / "data.parquet"
    result = runner.invoke(app, ["rlchf", "simulate", "--prompts", "40", "--out", str(path),
                                 "--seed", "-3"])
    assert result.exit_code == 0, result.output
    assert "40 prompts, 800 ranking rows" in _words(result.stdout)
    return path


def test_simulate_writes_the_librarys_population(simulated: Path) -> None:
    pop = rlchf.synthetic.population(40, 4, 60, rng=-3, kind="ranking",
                                     annotators_per_prompt=5, contested=0.5)
    written = pd.read_parquet(simulated)
    pd.testing.assert_frame_equal(written, pop.data.frame, check_dtype=False)


def test_aggregate_writes_the_librarys_pairs(simulated: Path, tmp_path: Path) -> None:
    out = tmp_path / "pairs.parquet"
    result = runner.invoke(app, ["rlchf", "aggregate", str(simulated), "--kind", "ranking",
                                 "--rule", "borda", "--features", "group", "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = rlchf.read_preferences(simulated, kind="ranking", features=["group"])
    expected = rlchf.aggregate_pairs(data, "borda")
    pd.testing.assert_frame_equal(pd.read_parquet(out), expected, check_dtype=False)
    assert f"{len(expected):,} from 40 prompts under borda" in _words(result.stdout)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_aggregate_other_formats_and_adjacent_pairs(simulated: Path, tmp_path: Path,
                                                    suffix: str) -> None:
    out = tmp_path / f"pairs{suffix}"
    result = runner.invoke(app, ["rlchf", "aggregate", str(simulated), "--kind", "ranking",
                                 "--pairs", "adjacent", "--out", str(out)])
    assert result.exit_code == 0, result.output
    read = pd.read_csv if suffix == ".csv" else lambda p: pd.read_json(p, lines=True)
    expected = rlchf.aggregate_pairs(rlchf.read_preferences(simulated, kind="ranking"),
                                     pairs="adjacent")
    assert read(out)["chosen"].tolist() == expected["chosen"].tolist()


def test_aggregate_json_lists_the_pairs(simulated: Path) -> None:
    result = runner.invoke(app, ["rlchf", "aggregate", str(simulated), "--kind", "ranking",
                                 "--rule", "pairwise_majority", "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    expected = rlchf.aggregate_pairs(rlchf.read_preferences(simulated, kind="ranking"),
                                     "pairwise_majority")
    assert doc["prompts"] == 40 and doc["pairs"] == len(expected) == len(doc["rows"])
    assert [r["rejected"] for r in doc["rows"]] == expected["rejected"].tolist()


def test_aggregate_a_folder_of_parquet_files(tmp_path: Path) -> None:
    folder = tmp_path / "parts"
    result = runner.invoke(app, ["rlchf", "simulate", "--prompts", "30", "--out", str(folder),
                                 "--partitions", "3", "--kind", "pairwise"])
    assert result.exit_code == 0, result.output
    assert len(list(folder.glob("*.parquet"))) == 3
    result = runner.invoke(app, ["rlchf", "aggregate", str(folder), "--kind", "pairwise",
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    expected = rlchf.aggregate_pairs(rlchf.read_preferences(folder, kind="pairwise"))
    assert json.loads(result.stdout)["pairs"] == len(expected)


def test_unknown_rule_is_a_usage_error(simulated: Path) -> None:
    result = runner.invoke(app, ["rlchf", "aggregate", str(simulated), "--kind", "ranking",
                                 "--rule", "copland"])
    assert result.exit_code == 2
    assert "unknown rule 'copland'; valid rules are: pairwise_majority" in _words(result.output)


def test_kind_mismatch_says_which_columns(simulated: Path) -> None:
    result = runner.invoke(app, ["rlchf", "aggregate", str(simulated), "--kind", "pairwise"])
    assert result.exit_code == 1
    assert "Error:" in result.output and "pairwise data needs the column" in _words(
        result.output)


def test_ballot_rule_on_pairwise_data_fails_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "pairwise.csv"
    runner.invoke(app, ["rlchf", "simulate", "--prompts", "5", "--kind", "pairwise",
                        "--out", str(path)])
    result = runner.invoke(app, ["rlchf", "aggregate", str(path), "--kind", "pairwise",
                                 "--rule", "borda"])
    assert result.exit_code == 1
    assert "needs each evaluator's ranking" in _words(result.output)
    assert "Traceback" not in result.output


def test_bad_output_suffix(simulated: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["rlchf", "aggregate", str(simulated), "--kind", "ranking",
                                 "--out", str(tmp_path / "pairs.xlsx")])
    assert result.exit_code == 2
    assert "must end in .parquet, .csv, .jsonl" in _words(result.output)


def test_time_limit_error(tmp_path: Path) -> None:
    path = tmp_path / "big.parquet"
    runner.invoke(app, ["rlchf", "simulate", "--prompts", "3", "--responses", "8",
                        "--per-prompt", "7", "--out", str(path)])
    result = runner.invoke(app, ["rlchf", "aggregate", str(path), "--kind", "ranking",
                                 "--rule", "kemeny", "--time-limit", "0.000001"])
    assert result.exit_code == 1
    assert "did not finish within --time-limit" in _words(result.output)


def test_simulate_bad_parameters(tmp_path: Path) -> None:
    result = runner.invoke(app, ["rlchf", "simulate", "--prompts", "5", "--annotators", "3",
                                 "--out", str(tmp_path / "x.parquet")])
    assert result.exit_code == 1
    assert "annotators_per_prompt" in _words(result.output)


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["rlchf", "--help"])
    assert result.exit_code == 0
    assert " aggregate " in result.output and " simulate " in result.output


# ---------------------------------------------------------------------- train / eval
FAKE = "tests.rlchf.fake_embedder:FakeEmbedder"  # deterministic, no model to load
TRAIN = ["--epochs", "4", "--batch-size", "64", "--seed", "5", "--embedder", FAKE]


class SmallEmbedder:
    """An embedder of another dimension (8) than the fake one (48)."""

    def encode(self, texts: list[str]):
        import numpy as np

        return np.ones((len(texts), 8), dtype=np.float32)


@pytest.fixture(scope="module")
def split(tmp_path_factory) -> tuple[Path, Path]:
    """Training and held-out judgments of the same simulated population (by annotator)."""
    folder = tmp_path_factory.mktemp("rlchf_split")
    pop = rlchf.synthetic.population(16, 3, 24, rng=2, kind="ranking",
                                     annotators_per_prompt=8, contested=0.5)
    frame = pop.data.frame
    held = frame["annotator_id"].astype(str).str[-1].isin(["0", "5"])
    frame[~held].to_parquet(folder / "train.parquet", index=False)
    frame[held].to_parquet(folder / "test.parquet", index=False)
    return folder / "train.parquet", folder / "test.parquet"


@pytest.fixture(scope="module")
def conditioned(split, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("rlchf_model") / "model"
    result = runner.invoke(app, ["rlchf", "train", str(split[0]), "--kind", "ranking",
                                 "--features", "group", "--out", str(out), *TRAIN])
    assert result.exit_code == 0, result.output
    assert "Trained: FeatureConditionedRewardModel conditioned on group" in _words(
        result.stdout)
    return out


def test_train_saves_the_librarys_model(split, conditioned: Path) -> None:
    from tests.rlchf.fake_embedder import FakeEmbedder

    data = rlchf.read_preferences(split[0], kind="ranking", features=["group"])
    expected = rlchf.FeatureConditionedRewardModel(
        ["group"], FakeEmbedder(), epochs=4, batch_size=64, rng=5).fit(data)
    loaded = rlchf.load_model(conditioned, embedder=FakeEmbedder())
    assert type(loaded) is rlchf.FeatureConditionedRewardModel
    held = rlchf.read_preferences(split[1], kind="ranking", features=["group"])
    assert loaded.predict_proba(held) == pytest.approx(expected.predict_proba(held), abs=1e-6)
    assert loaded.history_["train_loss"].tolist() == pytest.approx(
        expected.history_["train_loss"].tolist(), abs=1e-6)


def test_train_pooled_by_default_without_features_json(split, tmp_path: Path) -> None:
    out = tmp_path / "pooled"
    result = runner.invoke(app, ["rlchf", "train", str(split[0]), "--kind", "ranking",
                                 "--out", str(out), "--format", "json", "--validation", "0",
                                 *TRAIN])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    config = json.loads((out / "config.json").read_text())
    assert doc["model"] == config["class"] == "RewardModel" and doc["features"] == []
    assert doc["epochs_run"] == 4 and doc["val_loss"] is None
    assert doc["pairs"] == config["n_pairs"] == len(
        rlchf.read_preferences(split[0], kind="ranking").to_pairwise())
    assert (out / "model.safetensors").is_file()


def test_train_pooled_model_with_declared_features(split, tmp_path: Path) -> None:
    out = tmp_path / "pooled"
    result = runner.invoke(app, ["rlchf", "train", str(split[0]), "--kind", "ranking",
                                 "--features", "group", "--model", "pooled", "--out",
                                 str(out), *TRAIN])
    assert result.exit_code == 0, result.output
    assert json.loads((out / "config.json").read_text())["class"] == "RewardModel"


@pytest.mark.parametrize(("args", "message"), [
    (["--model", "conditioned"], "--model conditioned needs --features"),
    (["--model", "pooled", "--categorical", "group"], "--categorical applies to the "
                                                      "conditioned model only"),
    (["--embedder", "tests.rlchf.fake_embedder"], "expected MODULE:NAME"),
    (["--embedder", "tests.rlchf.fake_embedder:Nope"], "cannot import it"),
    (["--embedder", "tests.rlchf.fake_embedder:contested"], "has no encode(list[str])"),
])
def test_train_usage_errors(split, tmp_path: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["rlchf", "train", str(split[0]), "--kind", "ranking",
                                 "--out", str(tmp_path / "m"), *TRAIN, *args])
    assert result.exit_code == 2, result.output
    assert message in _words(result.output)
    assert not (tmp_path / "m").exists()


def test_train_out_must_not_be_a_file(split, tmp_path: Path) -> None:
    (tmp_path / "m").write_text("x")
    result = runner.invoke(app, ["rlchf", "train", str(split[0]), "--kind", "ranking",
                                 "--out", str(tmp_path / "m"), *TRAIN])
    assert result.exit_code == 2
    assert "is a file" in _words(result.output)


def test_train_undeclared_feature_is_a_data_error(split, tmp_path: Path) -> None:
    result = runner.invoke(app, ["rlchf", "train", str(split[0]), "--kind", "ranking",
                                 "--features", "age", "--out", str(tmp_path / "m"), *TRAIN])
    assert result.exit_code == 1
    assert "Error:" in result.output and "age" in result.output
    assert "Traceback" not in result.output


def test_eval_prints_the_librarys_table_and_draws_it(split, conditioned: Path,
                                                      tmp_path: Path) -> None:
    from tests.rlchf.fake_embedder import FakeEmbedder

    png = tmp_path / "acc.png"
    result = runner.invoke(app, ["rlchf", "eval", str(conditioned), str(split[1]), "--kind",
                                 "ranking", "--by", "group", "--png", str(png), "--embedder",
                                 FAKE, "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    held = rlchf.read_preferences(split[1], kind="ranking", features=["group"])
    expected = rlchf.evaluate(rlchf.load_model(conditioned, FakeEmbedder()), held, by="group")
    got = pd.DataFrame(doc["rows"])
    assert got["metric"].tolist() == expected["metric"].tolist()
    assert got["value"].to_numpy() == pytest.approx(expected["value"].to_numpy(), nan_ok=True)
    assert doc["class"] == "FeatureConditionedRewardModel" and doc["png"] == str(png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_eval_table_names_groups_and_rules(split, conditioned: Path) -> None:
    result = runner.invoke(app, ["rlchf", "eval", str(conditioned), str(split[1]), "--kind",
                                 "ranking", "--by", "group", "--rule", "copeland",
                                 "--embedder", FAKE])
    assert result.exit_code == 0, result.output
    words = _words(result.stdout)
    assert "FeatureConditionedRewardModel on" in words
    assert "worst_group_accuracy group" in words and "kendall_tau copeland" in words
    assert "borda" not in words


def test_eval_a_pooled_model_of_a_pairwise_file(tmp_path: Path) -> None:
    data = tmp_path / "pairs.csv"
    runner.invoke(app, ["rlchf", "simulate", "--prompts", "8", "--kind", "pairwise",
                        "--out", str(data)])
    model = tmp_path / "m"
    result = runner.invoke(app, ["rlchf", "train", str(data), "--kind", "pairwise",
                                 "--out", str(model), *TRAIN])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["rlchf", "eval", str(model), str(data), "--kind", "pairwise",
                                 "--embedder", FAKE, "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["class"] == "RewardModel" and doc["rows"][0]["metric"] == "accuracy"


def test_eval_png_needs_by(split, conditioned: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["rlchf", "eval", str(conditioned), str(split[1]), "--kind",
                                 "ranking", "--png", str(tmp_path / "a.png"), "--embedder",
                                 FAKE])
    assert result.exit_code == 2
    assert "--png draws the accuracy per group: give --by" in _words(result.output)


def test_eval_folder_without_config(split, tmp_path: Path) -> None:
    result = runner.invoke(app, ["rlchf", "eval", str(tmp_path), str(split[1]), "--kind",
                                 "ranking", "--embedder", FAKE])
    assert result.exit_code == 1
    assert "is not a saved reward model: it has no config.json" in _words(result.output)


def test_eval_with_another_embedders_dimension(split, conditioned: Path) -> None:
    result = runner.invoke(app, ["rlchf", "eval", str(conditioned), str(split[1]), "--kind",
                                 "ranking", "--embedder",
                                 "tests.collective.test_cli_rlchf:SmallEmbedder"])
    assert result.exit_code == 1
    assert "trained on 48-dimensional embeddings" in _words(result.output)


def test_eval_by_a_missing_column(split, conditioned: Path) -> None:
    result = runner.invoke(app, ["rlchf", "eval", str(conditioned), str(split[1]), "--kind",
                                 "ranking", "--by", "age", "--embedder", FAKE])
    assert result.exit_code == 1
    assert "Error:" in result.output and "'age'" in result.output
    assert "Traceback" not in result.output


def test_help_lists_train_and_eval() -> None:
    result = runner.invoke(app, ["rlchf", "--help"])
    assert result.exit_code == 0
    assert " train " in result.output and " eval " in result.output


def test_eval_unknown_rule(split, conditioned: Path) -> None:
    result = runner.invoke(app, ["rlchf", "eval", str(conditioned), str(split[1]), "--kind",
                                 "ranking", "--rule", "copland", "--embedder", FAKE])
    assert result.exit_code == 1
    assert "Error:" in result.output and "copland" in result.output
    assert "Traceback" not in result.output


def test_train_drives_the_progress_bar_once_per_epoch(split, tmp_path: Path,
                                                      monkeypatch) -> None:
    from contextlib import contextmanager

    import collective.rlchf as cli_rlchf

    calls: dict[str, list[tuple[int, int]]] = {}

    @contextmanager
    def recording(what: str, *, disable: bool = False):
        seen = calls.setdefault(what, [])
        yield lambda done, total: seen.append((done, total))

    monkeypatch.setattr(cli_rlchf, "count_progress", recording)
    result = runner.invoke(app, ["rlchf", "train", str(split[0]), "--kind", "ranking",
                                 "--out", str(tmp_path / "m"), "--validation", "0", *TRAIN])
    assert result.exit_code == 0, result.output
    epochs = [c for c in calls["Training (epochs)"] if c[0] > 0]
    assert sorted(set(epochs)) == [(1, 4), (2, 4), (3, 4), (4, 4)] and epochs[-1] == (4, 4)


def test_eval_a_latent_group_model(split, tmp_path: Path) -> None:
    from tests.rlchf.fake_embedder import FakeEmbedder

    data = rlchf.read_preferences(split[0], kind="ranking")
    folder = rlchf.LatentGroupRewardModel(2, FakeEmbedder(), epochs=1, iterations=1,
                                          rng=0).fit(data).save(tmp_path / "latent")
    result = runner.invoke(app, ["rlchf", "eval", str(folder), str(split[1]), "--kind",
                                 "ranking", "--by", "group", "--embedder", FAKE,
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["class"] == "LatentGroupRewardModel"
    assert {r["group"] for r in doc["rows"] if r["feature"] == "group"} == {"A", "B", "C"}


@pytest.fixture(scope="module")
def split_data(tmp_path_factory) -> Path:
    """A folder of 3 Parquet files with every prompt's rows dealt over the files."""
    frame = rlchf.synthetic.population(30, 4, 40, rng=8, kind="ranking",
                                       annotators_per_prompt=5).data.frame
    folder = tmp_path_factory.mktemp("split") / "data"
    folder.mkdir()
    deal = np.random.default_rng(0).integers(0, 3, size=len(frame))
    for i in range(3):
        frame[deal == i].to_parquet(folder / f"part-{i}.parquet", index=False)
    return folder


def test_aggregate_engines_write_the_same_rows(dask_cluster: str, split_data: Path,
                                                tmp_path: Path) -> None:
    common = ["rlchf", "aggregate", str(split_data), "--kind", "ranking", "--rule", "copeland"]
    memory = runner.invoke(app, [*common, "--out", str(tmp_path / "pairs.parquet")])
    assert memory.exit_code == 0, memory.output
    dask = runner.invoke(app, [*common, "--engine", "dask", "--scheduler", dask_cluster,
                               "--out", str(tmp_path / "parts")])
    assert dask.exit_code == 0, dask.output
    expected = pd.read_parquet(tmp_path / "pairs.parquet")
    assert len(expected) > 50
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "parts"), expected,
                                  check_dtype=False)
    words = _words(dask.stdout)
    assert f"{len(expected):,} from 30 prompts under copeland" in words
    assert "written to" in words and "First 5 pairs" in words


def test_aggregate_dask_json_and_malformed_row(dask_cluster: str, split_data: Path,
                                               tmp_path: Path) -> None:
    args = ["rlchf", "aggregate", "--kind", "ranking", "--engine", "dask", "--scheduler",
            dask_cluster, "--format", "json"]
    result = runner.invoke(app, [*args[:2], str(split_data), *args[2:], "--out",
                                 str(tmp_path / "parts")])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["engine"] == "dask" and doc["prompts"] == 30
    assert doc["pairs"] == len(pd.read_parquet(tmp_path / "parts"))
    bad = tmp_path / "bad"
    bad.mkdir()
    for f in sorted(split_data.glob("*.parquet")):
        frame = pd.read_parquet(f)
        if f.name == "part-1.parquet":
            frame.loc[3, "rank"] = -2
        frame.to_parquet(bad / f.name, index=False)
    result = runner.invoke(app, [*args[:2], str(bad), *args[2:], "--out",
                                 str(tmp_path / "bad-parts")])
    assert result.exit_code == 1
    assert f"Row 3 of {bad / 'part-1.parquet'}" in _words(result.stderr)
    assert not (tmp_path / "bad-parts").exists()


@pytest.mark.parametrize(("extra", "message"), [
    (["--engine", "dask"], "give --out FOLDER"),
    (["--engine", "dask", "--out", "pairs.parquet"], "without a suffix"),
    (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler needs --engine dask"),
])
def test_aggregate_engine_usage_errors(split_data: Path, extra, message) -> None:
    result = runner.invoke(app, ["rlchf", "aggregate", str(split_data), "--kind", "ranking",
                                 *extra])
    assert result.exit_code == 2
    assert message in _words(result.stderr)


def test_aggregate_dask_needs_parquet(simulated: Path, tmp_path: Path) -> None:
    csv = tmp_path / "data.csv"
    pd.read_parquet(simulated).to_csv(csv, index=False)
    result = runner.invoke(app, ["rlchf", "aggregate", str(csv), "--kind", "ranking",
                                 "--engine", "dask", "--out", str(tmp_path / "parts")])
    assert result.exit_code == 2
    assert "reads a Parquet file or a folder" in _words(result.stderr)
