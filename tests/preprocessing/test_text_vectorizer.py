import json
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from seqkit.errors import SeqkitError
from seqkit.preprocessing import (
    TextVectorizer,
    Vocabulary,
    WordTokenizer,
    count_truncated,
    token_lengths,
    tokenize,
)
from seqkit.preprocessing.text_vectorizer import keep_list, keep_tokens

TRAIN = [
    "the film's plot is thin , but the acting is terrific .",
    "a dull film .",
    "great fun !",
]
TEXTS = ["The film is GREAT fun!", "an unseen word", "", "the the the the the"]


def expected_ids(vocab, texts, max_length):
    rows = [vocab.encode(tokens)[:max_length] for tokens in tokenize(texts)]
    return np.array([row + [0] * (max_length - len(row)) for row in rows])


@pytest.fixture
def vocab():
    return Vocabulary.from_texts(TRAIN)


def string_model(vocab, max_length=4):
    inputs = keras.Input(shape=(), dtype="string")
    ids = TextVectorizer(vocab, max_length=max_length)(inputs)
    return keras.Model(inputs, ids)


def test_ids_follow_the_vocabulary(vocab):
    layer = TextVectorizer(vocab, max_length=4)
    ids = layer(tf.constant(TEXTS)).numpy()
    np.testing.assert_array_equal(ids, expected_ids(vocab, TEXTS, 4))
    assert ids.dtype == np.int64
    assert layer.get_vocabulary()[2:] == vocab.words


def test_without_max_length_pads_to_the_longest(vocab):
    ids = TextVectorizer(vocab)(tf.constant(TEXTS)).numpy()
    longest = max(len(t) for t in tokenize(TEXTS))
    np.testing.assert_array_equal(ids, expected_ids(vocab, TEXTS, longest))


def test_accepts_word_lists(vocab):
    for words in (vocab.words, vocab.tokens, ["", "[UNK]", *vocab.words]):
        layer = TextVectorizer(words, max_length=4)
        assert layer.get_vocabulary()[2:] == vocab.words


def test_keras_file_round_trip(vocab, tmp_path):
    inputs = keras.Input(shape=(), dtype="string")
    ids = TextVectorizer(vocab, max_length=5, lowercase=False)(inputs)
    vectors = keras.layers.Embedding(len(vocab), 3, mask_zero=True)(ids)
    pooled = keras.layers.GlobalAveragePooling1D()(vectors)
    model = keras.Model(inputs, [ids, pooled])
    path = tmp_path / "model.keras"
    model.save(path)
    restored = keras.saving.load_model(path)
    before = model.predict(tf.constant(TEXTS), verbose=0)
    after = restored.predict(tf.constant(TEXTS), verbose=0)
    np.testing.assert_array_equal(after[0], before[0])
    np.testing.assert_allclose(after[1], before[1])
    layer = restored.layers[1]
    assert isinstance(layer, TextVectorizer)
    assert layer.get_config() == model.layers[1].get_config()


def test_plain_text_vectorization_with_the_tokenizer_saves(vocab, tmp_path):
    inputs = keras.Input(shape=(), dtype="string")
    layer = keras.layers.TextVectorization(
        standardize=None,
        split=WordTokenizer(),
        vocabulary=vocab.words,
        output_sequence_length=4,
    )
    model = keras.Model(inputs, layer(inputs))
    model.save(tmp_path / "plain.keras")
    restored = keras.saving.load_model(tmp_path / "plain.keras")
    np.testing.assert_array_equal(
        restored.predict(tf.constant(TEXTS), verbose=0),
        expected_ids(vocab, TEXTS, 4),
    )


def _export(model, path):
    module = tf.Module()
    module.model = model
    module.serve = tf.function(
        lambda text: {"ids": model(text)},
        input_signature=[tf.TensorSpec([None], tf.string, name="text")],
    )
    tf.saved_model.save(
        module, str(path), signatures={"serving_default": module.serve}
    )


def test_saved_model_round_trip(vocab, tmp_path):
    model = string_model(vocab)
    _export(model, tmp_path / "export")
    loaded = tf.saved_model.load(str(tmp_path / "export"))
    ids = loaded.signatures["serving_default"](text=tf.constant(TEXTS))
    np.testing.assert_array_equal(
        ids["ids"].numpy(), expected_ids(vocab, TEXTS, 4)
    )


def test_fresh_process_loads_both_formats(vocab, tmp_path):
    # The SavedModel runs without seqkit (tensorflow_text only); the
    # `.keras` file loads once `seqkit` alone is imported.
    model = string_model(vocab)
    _export(model, tmp_path / "export")
    model.save(tmp_path / "model.keras")
    code = (
        "import json, sys, tensorflow as tf, tensorflow_text\n"
        f"m = tf.saved_model.load({str(tmp_path / 'export')!r})\n"
        "serve = m.signatures['serving_default']\n"
        "ids = serve(text=tf.constant(sys.argv[1:]))['ids'].numpy()\n"
        "assert 'seqkit' not in sys.modules\n"
        "import keras, seqkit\n"
        f"k = keras.saving.load_model({str(tmp_path / 'model.keras')!r})\n"
        "again = k.predict(tf.constant(sys.argv[1:]), verbose=0)\n"
        "print(json.dumps([ids.tolist(), again.tolist()]))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, *TEXTS],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    saved, loaded = json.loads(run.stdout.strip().splitlines()[-1])
    np.testing.assert_array_equal(saved, expected_ids(vocab, TEXTS, 4))
    np.testing.assert_array_equal(loaded, expected_ids(vocab, TEXTS, 4))


def test_runs_inside_tf_data(vocab):
    layer = TextVectorizer(vocab, max_length=4)
    dataset = tf.data.Dataset.from_tensor_slices(TEXTS)
    expected = expected_ids(vocab, TEXTS, 4)
    lengths = (expected != 0).sum(axis=1)
    # Each batch is padded to its own longest text (at least one step).
    start = 0
    for batch in dataset.batch(3).map(layer).as_numpy_iterator():
        rows = slice(start, start + len(batch))
        width = max(1, lengths[rows].max())
        np.testing.assert_array_equal(batch, expected[rows, :width])
        start += len(batch)
    for row, ids in enumerate(dataset.map(layer).as_numpy_iterator()):
        width = max(1, lengths[row])
        np.testing.assert_array_equal(ids, expected[row, :width])


@pytest.mark.parametrize(
    "keep,kept",
    [
        # 10 tokens t0..t9 cut to 8: the first 8, the last 8, or the first
        # 8 // 4 = 2 and the last 6.
        ("start", [0, 1, 2, 3, 4, 5, 6, 7]),
        ("end", [2, 3, 4, 5, 6, 7, 8, 9]),
        ("start+end", [0, 1, 4, 5, 6, 7, 8, 9]),
    ],
)
def test_a_long_text_keeps_the_tokens_keep_names(keep, kept):
    words = [f"t{i}" for i in range(10)]
    layer = TextVectorizer(words, max_length=8, keep=keep)
    texts = [" ".join(words), "t3 t1", ""]
    ids = layer(tf.constant(texts)).numpy()
    # Word t{i} has id i + 2; shorter texts are kept whole, then padded.
    np.testing.assert_array_equal(
        ids, [[i + 2 for i in kept], [5, 3] + [0] * 6, [0] * 8]
    )
    assert keep_list(words, 8, keep) == [words[i] for i in kept]
    assert keep_list(words[:3], 8, keep) == words[:3]
    tokens = keep_tokens(tf.ragged.constant([words, ["t3"]]), 8, keep)
    assert tokens.to_list()[0] == [words[i].encode() for i in kept]
    # Every batch shape in one trace; the config round-trips the choice.
    restored = TextVectorizer.from_config(layer.get_config())
    assert restored.keep == keep
    np.testing.assert_array_equal(restored(tf.constant(texts)), ids)


def test_an_old_config_keeps_the_start(vocab):
    config = TextVectorizer(vocab, max_length=4).get_config()
    del config["keep"]
    layer = TextVectorizer.from_config(config)
    assert layer.keep == "start"
    np.testing.assert_array_equal(
        layer(tf.constant(TEXTS)).numpy(), expected_ids(vocab, TEXTS, 4)
    )


def test_counts_truncated_texts(vocab):
    lengths = token_lengths(TEXTS)
    np.testing.assert_array_equal(lengths, [len(t) for t in tokenize(TEXTS)])
    assert count_truncated(TEXTS, 4) == int(np.sum(lengths > 4)) == 2
    assert count_truncated(TEXTS, 10) == 0
    assert TextVectorizer(vocab, max_length=3).count_truncated(TEXTS) == 2
    assert TextVectorizer(vocab).count_truncated(TEXTS) == 0
    with pytest.raises(SeqkitError, match="max_length"):
        count_truncated(TEXTS, 0)


def test_bad_arguments(vocab):
    with pytest.raises(SeqkitError, match="needs a vocabulary"):
        TextVectorizer()
    with pytest.raises(SeqkitError, match="Vocabulary.load"):
        TextVectorizer("vocab.txt")
    for bad in (0, -1, 2.5, True):
        with pytest.raises(SeqkitError, match="max_length"):
            TextVectorizer(vocab, max_length=bad)
    with pytest.raises(ValueError, match="twice"):
        TextVectorizer(["a", "a"])
    with pytest.raises(SeqkitError, match="keep must be one of start, end"):
        TextVectorizer(vocab, keep="middle")
