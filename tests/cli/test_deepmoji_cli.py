"""DeepMoji as users run it: emoji corpus -> pretrain -> predict/encode.

The raw corpus is synthetic (generated below, not real tweets): three
emoji, each with its own cue words, so a tiny model can learn them.
"""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from seqkit.cli import cli
from seqkit.runs import load_run

CUES = {
    "😂": ["lol", "funny", "hilarious", "joke"],
    "😢": ["sad", "miss", "crying", "lost"],
    "🎉": ["party", "congrats", "won", "celebrate"],
}


def _invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def pretrained(tmp_path_factory):
    folder = tmp_path_factory.mktemp("deepmoji")
    rng = np.random.default_rng(0)
    lines = []
    for i in range(120):
        emoji = list(CUES)[i % 3]
        words = rng.choice(CUES[emoji], 2).tolist() + ["so", "today"]
        rng.shuffle(words)
        tone = "🏽" if emoji == "🎉" and i % 2 else ""
        lines.append(f"@friend {' '.join(words)}!!! {emoji}{tone}{emoji}")
    raw = folder / "raw.txt"
    raw.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = _invoke(
        "data",
        "emoji-corpus",
        "--input",
        raw,
        "--top-k",
        3,
        "--out",
        folder / "corpus",
    )
    assert result.exit_code == 0, result.output
    result = _invoke(
        "pretrain",
        "deepmoji",
        "--corpus",
        folder / "corpus",
        "--units",
        6,
        "--embedding-dim",
        8,
        "--embeddings",
        "none",
        "--epochs",
        12,
        "--batch-size",
        8,
        "--learning-rate",
        0.01,
        "--quiet",
        "--out",
        folder / "run",
    )
    assert result.exit_code == 0, result.output
    return folder, json.loads(result.output.strip().splitlines()[-1])


def test_deepmoji_architecture_and_groups(pretrained):
    folder, summary = pretrained
    config = json.loads((folder / "run" / "config.json").read_text())
    assert config["tokenizer"] == "tweet"
    assert config["embedding_activation"] == "tanh"
    assert config["skip_connections"] is True and config["layers"] == 2
    assert config["pooling"] == "attention"
    model = load_run(folder / "run")
    groups = [name for name, _ in model.layer_groups()]
    assert groups == [
        "embedding",
        "bi_lstm_0",
        "bi_lstm_1",
        "attention",
        "head",
    ]
    assert sorted(model.class_names) == sorted(CUES)
    # Cue words are easy: the tiny model learns them.
    assert summary["valid"]["accuracy"] >= 0.8


def test_predict_top_k_and_attention(pretrained):
    folder, _ = pretrained
    result = _invoke(
        "predict", folder / "run", "so funny lol", "--top-k", 2, "--attention"
    )
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["label"] == "😂"
    assert len(answer["top_k"]) == 2
    assert [w for w, _ in answer["attention"]] == ["so", "funny", "lol"]


def test_encode_writes_the_pooled_features(pretrained, tmp_path):
    folder, _ = pretrained
    texts = tmp_path / "texts.txt"
    texts.write_text("party time\nso sad\nlol\n", encoding="utf-8")
    output = tmp_path / "features.npy"
    result = _invoke(
        "encode", folder / "run", "--input", texts, "--output", output
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    features = np.load(output)
    # Attention pools the concatenation: 2 x 2 x 6 LSTM units + 8 embedding.
    assert features.shape == (3, 32) == (summary["rows"], summary["features"])
    assert np.isfinite(features).all()


def test_without_data_the_emoji_task_must_be_at_hand(tmp_path, monkeypatch):
    # An empty mirror: TweetEval's emoji files are not there to check.
    monkeypatch.setenv("SEQKIT_DATA_MIRROR", str(tmp_path / "mirror"))
    (tmp_path / "mirror").mkdir()
    result = _invoke("pretrain", "deepmoji", "--out", tmp_path / "run")
    assert result.exit_code != 0
    assert "reads tweeteval-emoji" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "run" / "model.keras").exists()
    result = _invoke(
        "pretrain", "deepmoji", "--valid", "v.csv", "--out", tmp_path / "r"
    )
    assert "--valid needs --train" in result.output
    result = _invoke(
        "pretrain", "deepmoji", "--corpus", tmp_path, "--out", tmp_path / "r"
    )
    assert "train.csv is missing" in result.output


def test_without_data_it_pretrains_on_the_emoji_task(
    tweets, tmp_path, monkeypatch
):
    import csv

    import seqkit.data

    # Stands in for the prepared emoji task (the real one: below).
    files = {}
    for split in ("train", "valid", "test"):
        source = tweets["valid" if split == "test" else split]
        with open(source, encoding="utf-8") as f:
            rows = list(csv.reader(f))[1:]
        files[split] = tmp_path / f"{split}.csv"
        with open(files[split], "w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows([["text", "label"], *rows])
    asked = []

    def prepared(name):
        asked.append(name)
        return files

    monkeypatch.setattr(seqkit.data, "bundled_splits", prepared)
    out = tmp_path / "run"
    result = _invoke(
        "pretrain", "deepmoji", "--units", 4, "--embedding-dim", 4,
        "--embeddings", "none",
        "--epochs", 1, "--quiet", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert asked == ["tweeteval-emoji"]
    config = json.loads((out / "config.json").read_text())
    assert [config[s] for s in ("train", "valid", "test")] == [
        str(files[s]) for s in ("train", "valid", "test")
    ]
    assert json.loads((out / "metrics.json").read_text())["test"]["n"] == 40


def test_the_default_data_is_tweeteval_emoji_from_the_mirror(monkeypatch):
    from seqkit.training.recipes.deepmoji import default_files
    from tests.data.shared import line_count, tweeteval_copy

    monkeypatch.setenv("SEQKIT_DATA_MIRROR", str(tweeteval_copy()))
    files = default_files()
    counts = {split: line_count(path) - 1 for split, path in files.items()}
    assert counts == {"train": 45000, "valid": 5000, "test": 50000}
    with open(files["train"], encoding="utf-8") as f:
        assert f.readline().strip() == "text,label"


@pytest.fixture(scope="module")
def tweets(tmp_path_factory):
    """A small slice of the bundled VADER tweet task."""
    import csv

    from tests.conftest import ROOT

    folder = tmp_path_factory.mktemp("tweets")
    paths = {}
    for split, count in (("train", 120), ("valid", 40)):
        with open(
            ROOT / "data" / "vader-tweets" / f"{split}.csv", encoding="utf-8"
        ) as f:
            rows = list(csv.DictReader(f))[:count]
        path = folder / f"{split}.csv"
        with open(path, "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["tweet", "sentiment"])
            writer.writerows((r["text"], r["label"]) for r in rows)
        paths[split] = path
    return paths


def _finetune(pretrained, tweets, out, *extra):
    folder, _ = pretrained
    return _invoke(
        "finetune",
        "--base",
        folder / "run",
        "--train",
        tweets["train"],
        "--valid",
        tweets["valid"],
        "--text-column",
        "tweet",
        "--label-column",
        "sentiment",
        "--epochs",
        2,
        "--quiet",
        "--out",
        out,
        *extra,
    )


def _finetuned(pretrained, tweets, out, *extra):
    result = _finetune(pretrained, tweets, out, *extra)
    assert result.exit_code == 0, result.output
    return result


def _weights(run, names):
    model = load_run(run)
    return {
        name: [w.copy() for layer in layers for w in layer.get_weights()]
        for name, layers in model.layer_groups()
        if name in names
    }


def test_chain_thaw_finetune_report_and_extended_vocabulary(
    pretrained, tweets, tmp_path
):
    folder, _ = pretrained
    out = tmp_path / "ft"
    result = _finetuned(
        pretrained, tweets, out, "--chain-thaw", "--extend-vocab", 5
    )
    summary = json.loads(result.output)
    steps = [s["step"] for s in summary["steps"]]
    assert steps == [
        "head",
        "embedding",
        "bi_lstm_0",
        "bi_lstm_1",
        "attention",
        "all",
    ]
    for step in summary["steps"]:
        assert step["kept"] == (step["best_loss"] <= step["loss_before"])
    report = json.loads((out / "finetune.json").read_text())
    assert report == summary["steps"]
    base, tuned = load_run(folder / "run"), load_run(out)
    assert tuned.class_names == ["negative", "positive"]
    assert (
        tuned.vectorizer.vocabulary_size()
        == base.vectorizer.vocabulary_size() + 5
    )


def test_last_keeps_the_encoder_and_new_starts_afresh(
    pretrained, tweets, tmp_path
):
    folder, _ = pretrained
    encoder = ["embedding", "bi_lstm_0", "bi_lstm_1", "attention"]
    base = _weights(folder / "run", encoder)
    _finetuned(pretrained, tweets, tmp_path / "last", "--method", "last")
    last = _weights(tmp_path / "last", encoder)
    for name in encoder:
        for a, b in zip(base[name], last[name]):
            np.testing.assert_array_equal(a, b)
    result = _finetuned(
        pretrained, tweets, tmp_path / "new", "--method", "new",
        "--epochs", 1, "--patience", 6,
    )  # fmt: skip
    new = _weights(tmp_path / "new", encoder)
    assert not np.allclose(base["bi_lstm_0"][0], new["bi_lstm_0"][0])
    # One step with chain-thaw's budget: 6 steps of 1 epoch; no early stop.
    (step,) = json.loads(result.output)["steps"]
    assert (step["step"], step["epochs"]) == ("all", 6)


def test_finetune_without_valid_holds_out_a_share_of_train(
    pretrained, tweets, tmp_path
):
    folder, _ = pretrained
    out = tmp_path / "held"
    result = _invoke(
        "finetune", "--base", folder / "run", "--train", tweets["train"],
        "--text-column", "tweet", "--label-column", "sentiment",
        "--method", "last", "--epochs", 1, "--quiet", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    data = json.loads((out / "data.json").read_text())
    held = data["valid_held_out"]
    assert held["key"].startswith("the run's tokens")
    counts = held["counts"]
    assert sum(counts["valid"].values()) == summary["valid"]["n"] == 12
    for label, n in counts["valid"].items():
        share = n / (n + counts["train"][label])
        assert abs(share - 0.1) < 0.05
    assert data["counts"] == {"train": 108, "valid": 12}
    config = json.loads((out / "config.json").read_text())
    assert config["valid"] is None and config["valid_fraction"] == 0.1


def test_pretrain_deepmoji_on_a_train_file_alone(tweets, tmp_path):
    out = tmp_path / "dm"
    result = _invoke(
        "pretrain", "deepmoji", "--train", tweets["train"],
        "--text-column", "tweet", "--label-column", "sentiment",
        "--units", 6, "--embedding-dim", 8, "--embeddings", "none",
        "--epochs", 1, "--quiet",
        "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    held = json.loads((out / "data.json").read_text())["valid_held_out"]
    assert sum(held["counts"]["valid"].values()) == 12
    assert json.loads(result.output.splitlines()[-1])["valid"]["n"] == 12


def test_contradicting_method_options(pretrained, tweets, tmp_path):
    result = _finetune(
        pretrained, tweets, tmp_path / "x", "--chain-thaw", "--method", "last"
    )
    assert result.exit_code != 0
    assert "--chain-thaw contradicts --method last" in result.output


def test_export_tokenizes_tweets_in_the_graph(pretrained, tmp_path):
    import tensorflow as tf
    import tensorflow_text  # noqa: F401 - the normalization op

    from seqkit.models.predict import predict_texts

    folder, _ = pretrained
    result = _invoke("export", folder / "run", "--out", tmp_path / "model")
    assert result.exit_code == 0, result.output
    assert "😂" in json.loads(result.output)["class_names"]
    serve = tf.saved_model.load(str(tmp_path / "model" / "1")).signatures[
        "serving_default"
    ]
    texts = ["@ann sooooo funny lol 😂 http://x.co", "so sad"]
    outputs = serve(text=tf.constant(texts))
    tokens = [t.decode() for t in outputs["tokens"].numpy()[0] if t]
    assert tokens == ["<user>", "soo", "funny", "lol", "😂", "<url>"]
    model = load_run(folder / "run")
    for row, expected in enumerate(predict_texts(model, texts)):
        want = [expected["probabilities"][n] for n in model.class_names]
        np.testing.assert_allclose(
            outputs["probabilities"].numpy()[row], want, atol=1e-5
        )


@pytest.fixture
def shipped(pretrained, tmp_path, monkeypatch):
    """The tiny pretrained run packed as `deepmoji-tweets` into a package
    folder of the test's own."""
    import seqkit.pretrained

    monkeypatch.setattr(seqkit.pretrained, "FOLDER", tmp_path / "models")
    folder, _ = pretrained
    result = _invoke(
        "pretrained", "pack", folder / "run", "--name", "deepmoji-tweets"
    )
    assert result.exit_code == 0, result.output
    return folder / "run", json.loads(result.output)


def _rounded_to_half(model):
    for weight in model.weights:
        if weight.dtype == "float32":
            weight.assign(np.asarray(weight).astype(np.float16))
    return model


def test_a_packed_model_predicts_by_name_as_its_run(shipped, tmp_path):
    import h5py

    import seqkit.pretrained
    from seqkit.models.predict import predict_outputs

    run, card = shipped
    folder = seqkit.pretrained.folder("deepmoji-tweets")
    assert sorted(p.name for p in folder.iterdir()) == [
        "card.json",
        "config.json",
        "data.json",
        "metrics.json",
        "model.keras",
    ]
    assert card["bytes"] == seqkit.pretrained.folder_bytes(folder)
    assert card["weights"] == "float16"
    metrics = json.loads((run / "metrics.json").read_text())
    assert card["scores"]["test"]["macro_f1"] == metrics["test"]["macro_f1"]
    import zipfile

    with zipfile.ZipFile(folder / "model.keras") as archive:
        archive.extract("model.weights.h5", tmp_path)
    with h5py.File(tmp_path / "model.weights.h5") as weights:
        kinds = set()
        weights.visititems(
            lambda _, item: (
                kinds.add(str(item.dtype))
                if isinstance(item, h5py.Dataset)
                else None
            )
        )
    assert kinds == {"float16"}

    texts = ["so funny lol", "miss you so sad", "party time congrats"]
    result = _invoke("predict", "deepmoji-tweets", *texts, "--top-k", 2)
    assert result.exit_code == 0, result.output
    answers = [json.loads(line) for line in result.output.splitlines()]
    probabilities = np.array(
        [[a["probabilities"][name] for name in sorted(CUES)] for a in answers]
    )
    original = load_run(run)
    order = [original.class_names.index(name) for name in sorted(CUES)]
    # The run's model with its weights rounded to float16 is the shipped one.
    rounded = predict_outputs(_rounded_to_half(load_run(run)), texts)
    np.testing.assert_allclose(
        probabilities, rounded["probabilities"][:, order], atol=1e-6
    )
    before = predict_outputs(original, texts)["probabilities"][:, order]
    np.testing.assert_allclose(probabilities, before, atol=2e-2)
    assert [a["label"] for a in answers] == ["😂", "😢", "🎉"]
    assert all(len(a["top_k"]) == 2 for a in answers)
    # The card keeps what the run answered to the check texts.
    check = card["check"]
    assert check["texts"] == list(seqkit.pretrained.CHECK_TEXTS)
    assert check["classes"] == list(original.class_names)
    np.testing.assert_allclose(
        check["probabilities"],
        predict_outputs(original, check["texts"])["probabilities"],
        atol=1e-5,
    )


def test_a_packed_model_lists_encodes_and_finetunes_by_name(
    shipped, tweets, tmp_path
):
    result = _invoke("pretrained", "list", "--json")
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.output)
    assert row["name"] == "deepmoji-tweets" and row["shipped"] is True
    assert row["scores"] == shipped[1]["scores"]
    texts = tmp_path / "texts.txt"
    texts.write_text("party time\nso sad\n", encoding="utf-8")
    output = tmp_path / "features.npy"
    result = _invoke(
        "encode", "deepmoji-tweets", "--input", texts, "--output", output
    )
    assert result.exit_code == 0, result.output
    assert np.load(output).shape == (2, 32)
    out = tmp_path / "tuned"
    result = _invoke(
        "finetune", "--base", "deepmoji-tweets", "--method", "last",
        "--train", tweets["train"], "--valid", tweets["valid"],
        "--text-column", "tweet", "--label-column", "sentiment",
        "--epochs", 1, "--quiet", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads((out / "config.json").read_text())["base"] == (
        "deepmoji-tweets"
    )
    assert load_run(out).class_names == ["negative", "positive"]


def test_pack_refuses_what_it_cannot_ship(pretrained, tmp_path):
    import seqkit.pretrained
    from seqkit.errors import SeqkitError

    folder, _ = pretrained
    with pytest.raises(SeqkitError, match="over the 0 MB"):
        seqkit.pretrained.pack(
            folder / "run", "deepmoji-tweets", tmp_path / "a", max_bytes=1000
        )
    assert not (tmp_path / "a").exists()
    assert not (tmp_path / "a.packing").exists()
    result = _invoke(
        "pretrained", "pack", folder / "run", "--name", "mine",
        "--into", tmp_path / "b",
    )  # fmt: skip
    assert result.exit_code != 0
    assert "--name mine: not a pretrained model" in result.output
    result = _invoke(
        "pretrained", "pack", tmp_path, "--name", "deepmoji-tweets",
        "--into", tmp_path / "c",
    )  # fmt: skip
    assert "no model.keras; pack a finished run" in result.output


def test_a_name_resolves_only_when_no_folder_has_it(tmp_path, monkeypatch):
    import seqkit.pretrained
    from seqkit.errors import SeqkitError

    monkeypatch.setattr(seqkit.pretrained, "FOLDER", tmp_path / "models")
    monkeypatch.chdir(tmp_path)
    assert seqkit.pretrained.resolve("runs/mine") == "runs/mine"
    with pytest.raises(SeqkitError, match="make it with: seqkit pretrain"):
        seqkit.pretrained.resolve("deepmoji-tweets")
    (tmp_path / "deepmoji-tweets").mkdir()
    assert seqkit.pretrained.resolve("deepmoji-tweets") == "deepmoji-tweets"
    result = _invoke("pretrained", "list")
    assert "deepmoji-tweets: the DeepMoji encoder" in result.output
