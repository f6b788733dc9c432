"""The n-gram classifier (TF-IDF in the graph), its fit and its mix."""

import math
import shutil
from collections import Counter

import keras
import numpy as np
import pytest
from click.testing import CliRunner

from seqkit.models.ngram import (
    MixedClassifier,
    NgramClassifier,
    shift,
    tokenizer_config,
)
from seqkit.models.selection import check_selection, selection_scorer
from seqkit.preprocessing import WordTokenizer
from seqkit.training.ngram import (
    WEIGHT_GRID,
    choose_offsets,
    choose_weight,
    fit_ngram,
    nb_ratios,
    offsets_hold_up,
    score,
    sparse_features,
)

TEXTS = [
    "A fine film, a fine cast.",
    "dull",
    "Dull <br /> and long &amp; slow",
    "",
    "naïve charm",
]


def reference_features(texts, vocabulary, word_features, idf, tokenizer):
    """TF-IDF of word 1-2 and character 2-5 grams, written from the
    definition in plain Python (tokens from the tokenizer's Python view)."""
    index = {gram: i for i, gram in enumerate(vocabulary)}
    rows = np.zeros((len(texts), len(vocabulary)))
    for row, tokens in enumerate(tokenizer.tokenize(list(texts))):
        grams = list(tokens)
        grams += [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]
        grams = ["w " + g for g in grams]
        for token in tokens:
            padded = f" {token} "
            for width in range(2, 6):
                grams += [
                    "c " + padded[i : i + width]
                    for i in range(len(padded) - width + 1)
                ]
        for gram, count in Counter(grams).items():
            if gram in index:
                rows[row, index[gram]] = (1 + math.log(count)) * idf[
                    index[gram]
                ]
        for block in (slice(0, word_features), slice(word_features, None)):
            norm = np.linalg.norm(rows[row, block])
            if norm:
                rows[row, block] /= norm
    return rows


def _model(tokenizer, classes=("negative", "positive")):
    vocabulary = [
        "w a",
        "w fine",
        "w fine film",
        "w dull",
        "w &",
        "c  d",
        "c dul",
        "c ull ",
        "c ïv",
        "c  f",
        "c fine ",
    ]
    model = NgramClassifier(
        vocabulary, 5, list(classes), tokenizer_config(tokenizer)
    )
    rng = np.random.default_rng(0)
    idf = rng.uniform(1, 3, len(vocabulary))
    model.set_parameters(
        idf,
        rng.normal(size=(len(vocabulary), len(classes))),
        rng.normal(size=len(classes)),
    )
    return model, vocabulary, idf


@pytest.mark.parametrize("strip", [False, True])
def test_features_match_a_plain_python_reference(strip):
    tokenizer = WordTokenizer(strip_markup=strip)
    model, vocabulary, idf = _model(tokenizer)
    found = sparse_features(model, TEXTS).toarray()
    expected = reference_features(TEXTS, vocabulary, 5, idf, tokenizer)
    np.testing.assert_allclose(found, expected, rtol=1e-5, atol=1e-6)
    # Markup stripping changes what is read: "br" is a token only without.
    assert ("br" in tokenizer.tokenize(TEXTS[2])) is not strip


def test_probabilities_are_the_softmax_of_the_linear_layer():
    model, _, _ = _model(WordTokenizer())
    features = sparse_features(model, TEXTS).toarray()
    logits = features @ model.kernel.numpy() + model.bias.numpy()
    expected = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    found = model(np.array(TEXTS, dtype=object))["probabilities"].numpy()
    np.testing.assert_allclose(found, expected, rtol=1e-5)


def _split(n, seed):
    rng = np.random.default_rng(seed)
    good = ["superb", "moving", "witty", "fresh"]
    bad = ["tedious", "flat", "clumsy", "stale"]
    filler = ["the", "film", "plot", "cast", "is", "was", "quite"]
    texts, labels = [], []
    for _ in range(n):
        label = int(rng.integers(2))
        words = list(rng.choice(filler, 5)) + [
            rng.choice(good if label else bad)
        ]
        rng.shuffle(words)
        texts.append(" ".join(words))
        labels.append(label)
    return texts, np.array(labels)


def test_fit_learns_and_matches_scikit_learn():
    from sklearn.linear_model import LogisticRegression

    train, valid = _split(120, 0), _split(40, 1)
    tokenizer = WordTokenizer()
    model, report = fit_ngram(
        tokenizer, ["bad", "good"], train, valid, weightings=("tfidf",)
    )
    assert report["weighting"] == "tfidf"
    probabilities = model(np.array(valid[0], dtype=object))[
        "probabilities"
    ].numpy()
    assert score("accuracy", valid[1], probabilities) == 1.0
    # The graph's probabilities are scikit-learn's on the same features.
    refit = LogisticRegression(C=report["C"], max_iter=2000, random_state=0)
    refit.fit(sparse_features(model, train[0]), train[1])
    expected = refit.predict_proba(sparse_features(model, valid[0]))
    np.testing.assert_allclose(probabilities, expected, atol=1e-5)
    assert report["features"] == len(model.vocabulary)


def test_three_classes_keep_scikit_learns_probabilities():
    from sklearn.linear_model import LogisticRegression

    texts = ["red apple", "green leaf", "blue sky"] * 20
    labels = np.array([0, 1, 2] * 20)
    model, report = fit_ngram(
        WordTokenizer(),
        ["r", "g", "b"],
        (texts, labels),
        (texts[:9], labels[:9]),
        selection="macro_f1",
        weightings=("tfidf",),
    )
    refit = LogisticRegression(C=report["C"], max_iter=2000, random_state=0)
    refit.fit(sparse_features(model, texts), labels)
    found = model(np.array(texts[:3], dtype=object))["probabilities"].numpy()
    np.testing.assert_allclose(
        found,
        refit.predict_proba(sparse_features(model, texts[:3])),
        atol=1e-5,
    )
    assert found.argmax(-1).tolist() == [0, 1, 2]


def test_nb_ratios_by_hand():
    import scipy.sparse

    features = scipy.sparse.csr_matrix(
        [[1.0, 0.0, 2.0], [0.0, 1.0, 0.0], [0.5, 0.3, 0.0]]
    )
    labels = np.array([1, 0, 1])
    # Two classes: one row, the second class's. Texts of class 1 hold
    # features 0, 1, 2 in 2, 1, 1 texts; plus 1: 3, 2, 2 of 7. The class 0
    # text holds feature 1 only: 1, 2, 1 of 4.
    expected = [
        math.log((3 / 7) / (1 / 4)),
        math.log((2 / 7) / (2 / 4)),
        math.log((2 / 7) / (1 / 4)),
    ]
    np.testing.assert_allclose(nb_ratios(features, labels, 2), [expected])
    # Three classes: a row each, class k against the other two; class 1's
    # text holds feature 1 only (1, 2, 1 of 4), the other two hold
    # features 0, 1, 2 in 2, 1, 1 texts (3, 2, 2 of 7).
    three = nb_ratios(features, np.array([0, 1, 2]), 3)
    assert three.shape == (3, 3)
    np.testing.assert_allclose(
        three[1],
        [
            math.log((1 / 4) / (3 / 7)),
            math.log((2 / 4) / (2 / 7)),
            math.log((1 / 4) / (2 / 7)),
        ],
    )
    # A class missing from training: no ratios.
    assert nb_ratios(features, np.array([0, 0, 2]), 3) is None


def _scaled_reference(features, labels, classes, c, positive):
    """Independent NB-weighted logistic regression: dense numpy ratios,
    one scikit-learn fit per class on the scaled features."""
    from sklearn.linear_model import LogisticRegression

    dense = features.toarray()
    held = (dense > 0).astype(float)
    fits = []
    for k in positive:
        p = held[labels == k].sum(0) + 1.0
        q = held[labels != k].sum(0) + 1.0
        r = np.log((p / p.sum()) / (q / q.sum()))
        fitted = LogisticRegression(C=c, max_iter=2000, random_state=0)
        fitted.fit(dense * r, (labels == k).astype(int))
        fits.append((r, fitted))
    return fits


def test_nb_weighting_is_scikit_learn_on_scaled_features():
    train, valid = _split(120, 0), _split(40, 1)
    model, report = fit_ngram(
        WordTokenizer(), ["bad", "good"], train, valid, weightings=("nb",)
    )
    assert report["weighting"] == "nb"
    assert report["valid_accuracy_by_C"] == {}
    found = model(np.array(valid[0], dtype=object))["probabilities"].numpy()
    x_train = sparse_features(model, train[0])
    x_valid = sparse_features(model, valid[0]).toarray()
    ((r, fitted),) = _scaled_reference(
        x_train, np.asarray(train[1]), 2, report["C"], [1]
    )
    expected = fitted.predict_proba(x_valid * r)
    np.testing.assert_allclose(found, expected, atol=1e-5)
    assert score("accuracy", valid[1], found) == 1.0


def test_nb_weighting_of_three_classes_is_a_softmax_of_each_class_score():
    texts = ["red apple", "green leaf", "blue sky", "red leaf"] * 15
    labels = np.array([0, 1, 2, 0] * 15)
    model, report = fit_ngram(
        WordTokenizer(),
        ["r", "g", "b"],
        (texts, labels),
        (texts[:8], labels[:8]),
        selection="macro_f1",
        weightings=("nb",),
    )
    x = sparse_features(model, texts)
    fits = _scaled_reference(x, labels, 3, report["C"], [0, 1, 2])
    dense = x[:4].toarray()
    scores = np.stack(
        [f.decision_function(dense * r) for r, f in fits], axis=-1
    )
    expected = np.exp(scores) / np.exp(scores).sum(-1, keepdims=True)
    found = model(np.array(texts[:4], dtype=object))["probabilities"].numpy()
    np.testing.assert_allclose(found, expected, atol=1e-5)
    assert found.argmax(-1).tolist() == [0, 1, 2, 0]


def test_nb_alone_without_every_class_in_training_is_a_clear_error():
    texts, labels = ["red apple", "green leaf"] * 10, np.array([0, 1] * 10)
    with pytest.raises(ValueError, match="every class in training"):
        fit_ngram(
            WordTokenizer(),
            ["r", "g", "b"],
            (texts, labels),
            (texts[:4], labels[:4]),
            weightings=("nb",),
        )


def test_validation_chooses_the_weighting_and_c():
    train, valid = _split(120, 2), _split(40, 3)
    _, report = fit_ngram(WordTokenizer(), ["bad", "good"], train, valid)
    grids = {
        "tfidf": report["valid_accuracy_by_C"],
        "nb": report["valid_accuracy_by_C_nb"],
    }
    assert (
        set(grids["tfidf"])
        == set(grids["nb"])
        == {"0.25", "0.5", "1.0", "2.0", "4.0", "8.0", "16.0", "32.0"}
    )
    best = max(v for grid in grids.values() for v in grid.values())
    chosen = grids[report["weighting"]][str(report["C"])]
    assert chosen == best
    # Ties keep plain TF-IDF, then the smaller C.
    first = next(
        (w, c) for w in ("tfidf", "nb") for c in grids[w] if grids[w][c] == best
    )
    assert (report["weighting"], str(report["C"])) == first


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("selection", ["accuracy", "macro_f1", "f1:2"])
def test_the_mix_never_scores_below_its_best_side(seed, selection):
    rng = np.random.default_rng(seed)
    labels = rng.integers(3, size=60)
    recurrent = rng.dirichlet(np.ones(3), size=60)
    ngram = rng.dirichlet(np.ones(3), size=60)
    ngram[np.arange(30), labels[:30]] += 0.5  # better on half
    ngram /= ngram.sum(-1, keepdims=True)
    weight, offsets, report = choose_weight(labels, recurrent, ngram, selection)
    scores = report[f"valid_{selection}"]
    assert scores["mixed"] >= max(scores["recurrent"], scores["ngram"])
    assert weight in WEIGHT_GRID
    if selection == "accuracy":
        assert not any(offsets)
    mixed = shift((1 - weight) * recurrent + weight * ngram, offsets)
    assert scores["mixed"] == round(
        score(selection, labels, np.asarray(mixed)), 4
    )


def test_the_share_is_the_one_of_lowest_validation_loss():
    from sklearn.metrics import log_loss as reference

    rng = np.random.default_rng(7)
    labels = rng.integers(2, size=200)
    recurrent = rng.dirichlet(np.ones(2), size=200)
    recurrent[np.arange(120), labels[:120]] += 1.0
    recurrent /= recurrent.sum(-1, keepdims=True)
    ngram = rng.dirichlet(np.ones(2), size=200)
    ngram[np.arange(80, 200), labels[80:]] += 1.0
    ngram /= ngram.sum(-1, keepdims=True)
    weight, offsets, report = choose_weight(labels, recurrent, ngram)
    losses = {
        w: reference(labels, (1 - w) * recurrent + w * ngram, labels=[0, 1])
        for w in WEIGHT_GRID
    }
    assert weight == min(losses, key=losses.get)
    assert 0 < weight < 1
    assert report["rule"] == "log_loss"
    assert report["valid_log_loss"]["mixed"] == round(losses[weight], 4)
    assert report["valid_log_loss"]["recurrent"] == round(losses[0.0], 4)
    assert not any(offsets)


def test_the_lowest_loss_share_below_a_side_gives_way_to_one_that_is_not():
    # The recurrent side is right on 8 of 10, narrowly, and sure and wrong
    # on 2; the n-gram side is wrong on all 10, mildly. The loss falls all
    # the way to the n-gram side alone (accuracy 0). The shares up to 0.5
    # keep the recurrent side's accuracy 0.8 (at 0.5 the eight are ties,
    # which the first class wins), and of those 0.5 has the lowest loss.
    labels = np.zeros(10, dtype=int)
    recurrent = np.array([[0.55, 0.45]] * 8 + [[1e-6, 1 - 1e-6]] * 2)
    ngram = np.array([[0.45, 0.55]] * 10)
    weight, _, report = choose_weight(labels, recurrent, ngram)
    assert report["rule"].startswith("log_loss among the shares")
    assert weight == 0.5
    assert report["valid_accuracy"] == {
        "recurrent": 0.8,
        "ngram": 0.0,
        "mixed": 0.8,
    }


def test_a_side_that_is_always_right_gets_the_whole_weight():
    labels = np.array([0, 1, 0, 1])
    right = np.eye(2)[labels] * 0.6 + 0.2
    wrong = np.eye(2)[1 - labels] * 0.9 + 0.05
    weight, _, _ = choose_weight(labels, wrong, right)
    assert weight >= 0.55  # more than any mix where the wrong side wins
    weight, _, _ = choose_weight(labels, right, wrong)
    assert weight <= 0.45


def test_offsets_move_the_boundary_where_the_f1_of_a_class_gains():
    # Calibrated-looking scores that put the rare class "yes" at 0.3-0.45
    # when it is true: the argmax never says yes, an offset of
    # log(0.6 / 0.4) and more does. F1 of "yes", by hand: all 4 found,
    # no false alarm: 1.0.
    p_yes = np.array([0.3, 0.35, 0.4, 0.45, 0.05, 0.1, 0.1, 0.2, 0.25, 0.1])
    labels = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    probabilities = np.stack([1 - p_yes, p_yes], -1)
    scorer = selection_scorer("f1:yes", ["no", "yes"])
    assert scorer(labels, probabilities.argmax(-1)) == 0.0
    offsets, found = choose_offsets(labels, probabilities, scorer)
    assert found == 1.0 and offsets[0] == 0.0
    # The smallest offset that works: log(0.75 / 0.25) < b <= log(0.7 / 0.3)
    # is needed to pass 0.3 and stay below 0.25.
    assert math.log(0.7 / 0.3) < offsets[1] + 1e-9
    assert offsets[1] < math.log(0.75 / 0.25)
    # A metric that the argmax already maximises keeps zero offsets.
    offsets, _ = choose_offsets(labels, np.eye(2)[labels] * 0.8 + 0.1, scorer)
    assert not any(offsets)


def test_offsets_that_fit_noise_are_dropped_and_real_ones_kept():
    rng = np.random.default_rng(3)
    # A rare class "yes" whose probability runs 0.3-0.45 when true and
    # 0.0-0.25 when not: a real shift that any half of the data shows.
    labels = np.array([1] * 60 + [0] * 140)
    p_yes = np.where(
        labels == 1, rng.uniform(0.3, 0.45, 200), rng.uniform(0.0, 0.25, 200)
    )
    real = np.stack([1 - p_yes, p_yes], -1)
    scorer = selection_scorer("f1:yes", ["no", "yes"])
    kept, gain = offsets_hold_up(labels, real, scorer)
    assert kept and gain > 0.5  # F1 of "yes" from 0 to about 1 held out
    weight, offsets, report = choose_weight(
        labels, real, real, "f1:yes", ["no", "yes"]
    )
    assert offsets[1] > 0 and report["offsets_check"]["kept"] is True
    # Three classes and scores that know nothing of the labels: offsets
    # chosen on all 45 raise the macro-F1 there by chance and do not
    # hold up on the halves, so none are used.
    labels = np.array([0, 1, 2] * 15)
    noise = rng.dirichlet(np.ones(3), 45)
    scorer = selection_scorer("macro_f1", ["a", "b", "c"])
    fitted, found = choose_offsets(labels, noise, scorer)
    assert any(fitted) and found > scorer(labels, noise.argmax(-1))
    kept, gain = offsets_hold_up(labels, noise, scorer)
    assert not kept and gain <= 0
    weight, offsets, report = choose_weight(
        labels, noise, noise, "macro_f1", ["a", "b", "c"]
    )
    assert not any(offsets)
    assert report["offsets_check"]["kept"] is False
    assert report["valid_macro_f1"]["mixed"] == pytest.approx(
        scorer(labels, noise.argmax(-1)), abs=1e-4
    )


def test_selection_spelling_and_classes():
    check_selection("f1:against,favor")
    for bad in ("f1", "f1:", "f1:a,,b", "auc", 3):
        with pytest.raises(ValueError, match="f1:CLASS"):
            check_selection(bad, "--selection")
    scorer = selection_scorer("f1:against,favor", ["against", "favor", "none"])
    # F1(against) = 1, F1(favor) = 2/3 (one of two found, none wrong);
    # "none" is left out of the mean.
    labels, predicted = [0, 1, 1, 2], [0, 1, 2, 2]
    assert scorer(labels, predicted) == pytest.approx((1 + 2 / 3) / 2)
    with pytest.raises(ValueError, match="no class irony"):
        selection_scorer("f1:irony", ["negative", "positive"])


def test_mixed_classifier_saves_loads_and_mixes(tmp_path):
    from seqkit.models import RecurrentBackbone, TextClassifier
    from seqkit.preprocessing import TextVectorizer

    tokenizer = WordTokenizer()
    ngram, _, _ = _model(tokenizer)
    vectorizer = TextVectorizer(["a", "fine", "dull", "film"])
    backbone = RecurrentBackbone(vectorizer.vocabulary_size(), 4, units=3)
    recurrent = TextClassifier(backbone, vectorizer, ["negative", "positive"])
    mixed = MixedClassifier(recurrent, ngram, 0.3)
    texts = np.array(TEXTS, dtype=object)
    expected = 0.7 * recurrent(texts)["probabilities"].numpy() + (
        0.3 * ngram(texts)["probabilities"].numpy()
    )
    np.testing.assert_allclose(
        mixed(texts)["probabilities"].numpy(), expected, rtol=1e-5
    )
    mixed.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    assert isinstance(loaded, MixedClassifier) and loaded.weight == 0.3
    np.testing.assert_allclose(
        loaded(texts)["probabilities"].numpy(), expected, rtol=1e-5
    )
    # Offsets: class k scaled by exp(offset k), rows summing to 1.
    shifted = MixedClassifier(recurrent, ngram, 0.3, offsets=[0.0, 0.7])
    by_hand = expected * np.exp([0.0, 0.7])
    by_hand /= by_hand.sum(-1, keepdims=True)
    shifted.save(tmp_path / "s.keras")
    loaded = keras.saving.load_model(tmp_path / "s.keras")
    assert loaded.offsets == [0.0, 0.7]
    np.testing.assert_allclose(
        loaded(texts)["probabilities"].numpy(), by_hand, rtol=1e-5
    )
    with pytest.raises(ValueError, match="one per class"):
        MixedClassifier(recurrent, ngram, 0.3, offsets=[0.1])


def test_sides_must_share_their_labels():
    from seqkit.models import RecurrentBackbone, TextClassifier
    from seqkit.preprocessing import TextVectorizer

    ngram, _, _ = _model(WordTokenizer(), ("bad", "good"))
    vectorizer = TextVectorizer(["a"])
    backbone = RecurrentBackbone(vectorizer.vocabulary_size(), 4, units=3)
    recurrent = TextClassifier(backbone, vectorizer, ["negative", "positive"])
    with pytest.raises(ValueError, match="class_names"):
        MixedClassifier(recurrent, ngram, 0.5)


@pytest.fixture(scope="module")
def mixed_run(tmp_path_factory):
    from seqkit.cli import cli
    from tests.conftest import train_args, write_tiny_split

    folder = tmp_path_factory.mktemp("mixed")
    paths = write_tiny_split(folder)
    out = folder / "run"
    result = CliRunner().invoke(
        cli,
        [*train_args(paths), "--ngram", "--quiet", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    return out


def test_a_mixed_run_records_its_choice_and_scores_at_least_its_sides(
    mixed_run,
):
    import json

    metrics = json.loads((mixed_run / "metrics.json").read_text())
    report = metrics["ngram"]
    scores = report["valid_accuracy"]
    assert scores["mixed"] >= max(scores["recurrent"], scores["ngram"])
    assert report["C"] in (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0)
    if report["weight"] > 0:
        assert abs(metrics["valid"]["accuracy"] - scores["mixed"]) < 1e-3


@pytest.mark.parametrize("offsets", [None, [0.0, 0.9]])
def test_a_mixed_run_exports_and_serves_raw_strings(
    mixed_run, tmp_path, offsets
):
    from seqkit.cli import cli
    from seqkit.models.predict import predict_texts
    from seqkit.runs import load_run
    from seqkit.testing.server_process import ServerProcess

    model = load_run(mixed_run)
    assert isinstance(model, MixedClassifier)
    if offsets is not None:
        # The same run with class offsets, as a macro-F1 selection makes.
        run = tmp_path / "shifted"
        shutil.copytree(mixed_run, run)
        model = MixedClassifier(
            model.recurrent, model.ngram, model.weight, offsets=offsets
        )
        model.save(run / "model.keras")
        mixed_run = run
        model = load_run(run)
        assert model.offsets == offsets
    texts = ["a gorgeous , witty film", "an overlong , tedious mess", ""]
    expected = predict_texts(model, texts)
    base = tmp_path / "sentiment"
    result = CliRunner().invoke(
        cli, ["export", str(mixed_run), "--out", str(base)]
    )
    assert result.exit_code == 0, result.output
    served = tmp_path / "serve" / "sentiment"
    shutil.copytree(base, served)
    process = ServerProcess(served)
    try:
        status, body = process.request(
            "POST", "/v1/models/sentiment:predict", {"instances": texts}
        )
    finally:
        process.stop()
    assert status == 200, body
    names = model.class_names
    for record, prediction in zip(expected, body["predictions"]):
        np.testing.assert_allclose(
            prediction["probabilities"],
            [record["probabilities"][n] for n in names],
            atol=1e-5,
        )
        assert prediction["label"] == record["label"]


def test_fits_side_by_side_are_the_fits_one_at_a_time():
    from seqkit.training.ngram import _fit_grid, _fit_linear

    train, valid = _split(120, 0), _split(40, 1)
    model, _ = fit_ngram(WordTokenizer(), ["bad", "good"], train, valid)
    x = sparse_features(model, train[0])
    labels = np.asarray(train[1])
    ratios = nb_ratios(x, labels, 2)
    grid = [("tfidf", 0.5), ("nb", 1.0), ("tfidf", 8.0), ("nb", 16.0)]
    side_by_side = _fit_grid(x, labels, 2, grid, 0, ratios, workers=2)
    assert len(side_by_side) == len(grid)
    # In the grid's order, each the fit of its own (weighting, C).
    for (weighting, c), (kernel, bias) in zip(grid, side_by_side):
        scaling = ratios if weighting == "nb" else None
        alone = _fit_linear(x, labels, 2, c, 0, scaling)
        np.testing.assert_allclose(kernel, alone[0], atol=1e-5)
        np.testing.assert_allclose(bias, alone[1], atol=1e-5)
    # Different C give different fits, so an order mix-up would show.
    assert not np.allclose(side_by_side[0][0], side_by_side[2][0], atol=1e-3)
