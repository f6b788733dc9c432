"""Fitting the n-gram side of a text classifier, and weighing it.

`fit_ngram` builds the n-gram vocabulary and idf from the training texts,
computes the features with the model's own graph ops (so training and
serving cannot disagree), fits scikit-learn's logistic regression for each
`C` of `C_GRID`, on the TF-IDF features and on the same scaled by naive
Bayes log-count ratios (NBSVM's weighting, here with logistic
regression), and keeps the pair that scores best on validation.
`choose_weight` then picks the share of the n-gram side in the mix with
the recurrent classifier on validation: the grid holds 0 and 1, so the mix
scores on validation at least as well as either side alone.
"""

import itertools
import logging
import math
from collections import Counter

import numpy as np

log = logging.getLogger(__name__)

C_GRID = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0)
# How the features are weighed before the logistic regression: plain
# TF-IDF, or TF-IDF scaled by naive Bayes log-count ratios (`nb_ratios`);
# validation chooses, with C.
WEIGHTINGS = ("tfidf", "nb")
WEIGHT_GRID = tuple(round(0.05 * i, 2) for i in range(21))
# The log-offsets tried for each class but the first (see
# `choose_offsets`).
OFFSET_GRID = tuple(round(0.1 * i, 1) for i in range(-20, 21))
# The most n-grams of each block kept (by document frequency), and the
# fewest training texts an n-gram must occur in.
WORD_CAP = 150_000
CHAR_CAP = 150_000
MIN_DF = 2


def score(selection, labels, probabilities, class_names=None):
    """`selection` (`seqkit.models.selection`) of the argmax of
    `probabilities`; `class_names` resolves an `f1:` selection's classes
    (default: the column indices as strings)."""
    from seqkit.models.selection import selection_scorer

    probabilities = np.asarray(probabilities)
    if class_names is None:
        class_names = [str(i) for i in range(probabilities.shape[-1])]
    scorer = selection_scorer(selection, class_names)
    return scorer(labels, probabilities.argmax(-1))


def ngram_vocabulary(tokenizer, texts, word_orders, char_orders, batch=256):
    """The kept n-grams (word block first), the word count, and their idf.

    An n-gram is kept when it occurs in at least `MIN_DF` training texts
    (every one of a tiny data set), up to `WORD_CAP` / `CHAR_CAP` of each
    block by document frequency (ties by the n-gram). The idf is
    scikit-learn's smoothed one, `ln((1 + n) / (1 + df)) + 1`.
    """
    import tensorflow as tf

    from seqkit.models.ngram import WORD_TAG, ngram_strings

    # Traced once for every batch size (eager ops cost more per batch).
    strings = tf.function(
        lambda chunk: ngram_strings(tokenizer, chunk, word_orders, char_orders),
        input_signature=[tf.TensorSpec([None], tf.string)],
    )
    frequency = Counter()
    for start in range(0, len(texts), batch):
        chunk = tf.constant(list(texts[start : start + batch]), tf.string)
        for row in strings(chunk).to_list():
            frequency.update(set(row))
    n = len(texts)
    min_df = MIN_DF if n >= 50 else 1
    blocks = {True: [], False: []}
    for gram, df in frequency.items():
        if df >= min_df:
            blocks[gram.startswith(WORD_TAG.encode())].append((-df, gram))
    kept = []
    for is_word, cap in ((True, WORD_CAP), (False, CHAR_CAP)):
        kept.append(sorted(blocks[is_word])[:cap])
    vocabulary = [g.decode("utf-8") for _, g in kept[0] + kept[1]]
    # Each entry is (-df, n-gram).
    idf = np.array(
        [
            math.log((1 + n) / (1 + df)) + 1.0
            for df in (-entry[0] for entry in kept[0] + kept[1])
        ],
        dtype="float32",
    )
    return vocabulary, len(kept[0]), idf


def features_function(model):
    """`model.features` traced once for batches of any size."""
    import tensorflow as tf

    return tf.function(
        model.features, input_signature=[tf.TensorSpec([None], tf.string)]
    )


def sparse_features(model, texts, batch=256, features=None):
    """An `NgramClassifier`'s features of `texts`, a SciPy CSR matrix.

    `features` is a `features_function(model)` to reuse (one trace for
    several calls); by default a new one.
    """
    import scipy.sparse
    import tensorflow as tf

    features = features or features_function(model)
    parts = []
    for start in range(0, len(texts), batch):
        chunk = tf.constant(list(texts[start : start + batch]), tf.string)
        sparse = features(chunk)
        indices = sparse.indices.numpy()
        parts.append(
            scipy.sparse.csr_matrix(
                (sparse.values.numpy(), (indices[:, 0], indices[:, 1])),
                shape=tuple(sparse.dense_shape.numpy()),
            )
        )
    if not parts:
        return scipy.sparse.csr_matrix((0, len(model.vocabulary)))
    return scipy.sparse.vstack(parts).tocsr()


def fit_ngram(
    tokenizer,
    class_names,
    train,
    valid,
    selection="accuracy",
    word_orders=(1, 2),
    char_orders=(2, 5),
    seed=0,
    weightings=WEIGHTINGS,
):
    """Fits an `NgramClassifier` on `train`, choosing the weighting
    (`WEIGHTINGS`) and C on `valid` (ties: plain TF-IDF, smaller C).

    Args:
        tokenizer: the run's tokenizer.
        class_names: the labels.
        train: `(texts, label indices)`.
        valid: `(texts, label indices)`.
        selection: the metric that picks the weighting and C
            (`seqkit.models.selection`).
        word_orders: word n-gram widths.
        char_orders: character n-gram widths.
        seed: the solver's seed.
        weightings: the weightings tried (of `WEIGHTINGS`).

    Returns:
        `(model, report)`: the fitted model and a dict (features, the
        weighting, C, the validation score of each C for each weighting,
        seconds).
    """
    import time

    from seqkit.models.ngram import NgramClassifier, tokenizer_config

    started = time.time()
    texts, labels = train
    vocabulary, word_features, idf = ngram_vocabulary(
        tokenizer, texts, word_orders, char_orders
    )
    model = NgramClassifier(
        vocabulary,
        word_features,
        class_names,
        tokenizer_config(tokenizer),
        word_orders,
        char_orders,
        name="ngram_classifier",
    )
    classes = len(class_names)
    model.set_parameters(
        idf, np.zeros((len(vocabulary), classes)), np.zeros(classes)
    )
    features = features_function(model)
    x_train = sparse_features(model, texts, features=features)
    x_valid = sparse_features(model, valid[0], features=features)
    labels = np.asarray(labels)
    ratios = nb_ratios(x_train, labels, classes)
    grid = [
        (weighting, c)
        for weighting, c in itertools.product(weightings, C_GRID)
        if weighting == "tfidf" or ratios is not None
    ]
    fits = _fit_grid(x_train, labels, classes, grid, seed, ratios)
    scores, best = {name: {} for name in WEIGHTINGS}, None
    for (weighting, c), (kernel, bias) in zip(grid, fits):
        found = score(
            selection,
            valid[1],
            linear_probabilities(x_valid, kernel, bias),
            class_names,
        )
        scores[weighting][str(c)] = round(found, 4)
        # Ties keep the earlier: plain TF-IDF, then the smaller C.
        if best is None or found > best[0]:
            best = (found, weighting, c, kernel, bias)
    if best is None:
        raise ValueError(
            f"n-gram model: no weighting of {list(weightings)} can be fitted "
            "(the naive Bayes weighting needs every class in training)"
        )
    found, weighting, c, kernel, bias = best
    model.set_parameters(idf, kernel, bias)
    report = {
        "features": len(vocabulary),
        "word_features": word_features,
        "char_features": len(vocabulary) - word_features,
        "word_orders": list(word_orders),
        "char_orders": list(char_orders) if char_orders else None,
        "weighting": weighting,
        "C": c,
        f"valid_{selection}_by_C": scores["tfidf"],
        f"valid_{selection}_by_C_nb": scores["nb"],
        "seconds": round(time.time() - started, 1),
    }
    log.info(
        "n-gram model: %d features, %s, C=%g, valid %s %.4f (%.0f s)",
        len(vocabulary),
        weighting,
        c,
        selection,
        found,
        report["seconds"],
    )
    return model, report


def nb_ratios(features, labels, classes, alpha=1.0):
    """The naive Bayes log-count ratios of each class, `[classes,
    features]`, or None when a class is missing from training.

    For class k, with `p` the count of training texts of class k that hold
    each feature plus `alpha` and `q` the same over the other texts, the
    ratio is `ln((p / |p|_1) / (q / |q|_1))` (Wang & Manning, 2012). Two
    classes need one row: the second class's (the first's is its
    negative).
    """
    present = np.unique(labels)
    if classes < 2 or len(present) < classes:
        return None
    held = (features > 0).astype("float64").tocsr()
    rows = []
    for k in range(1 if classes == 2 else 0, classes):
        inside = labels == k
        p = np.asarray(held[inside].sum(axis=0)).ravel() + alpha
        q = np.asarray(held[~inside].sum(axis=0)).ravel() + alpha
        rows.append(np.log((p / p.sum()) / (q / q.sum())))
    return np.array(rows)


def _fit_grid(features, labels, classes, grid, seed, ratios, workers=None):
    """`_fit_linear` for each `(weighting, C)` of `grid`, in its order.

    The fits run side by side, one per core, each with one thread for
    its BLAS and OpenMP work. One fit at a time with the libraries' own
    threads leaves most of their time waiting: on a 2-core machine this
    way takes about half as long (`bench/whole_job.py` times the n-gram
    step of a run). The results are the same fits, to about 1e-6 (sums
    in another order).
    """
    import os
    from concurrent.futures import ThreadPoolExecutor

    from threadpoolctl import threadpool_limits

    def fit_one(pair):
        weighting, c = pair
        scaling = None if weighting == "tfidf" else ratios
        return _fit_linear(features, labels, classes, c, seed, scaling)

    workers = workers or min(len(grid), os.cpu_count() or 1)
    with threadpool_limits(1):
        if workers <= 1:
            return [fit_one(pair) for pair in grid]
        with ThreadPoolExecutor(workers) as pool:
            return list(pool.map(fit_one, grid))


def _fit_linear(features, labels, classes, c, seed, ratios=None):
    """A softmax layer's kernel `[features, classes]` and bias, fitted by
    scikit-learn's logistic regression at `C=c`.

    Without `ratios`: one (multinomial) logistic regression on the
    features. Two classes keep one row `w` with `p1 = sigmoid(x w + b)`,
    the softmax of `[0, x w + b]`.

    With `ratios` (`nb_ratios`), naive-Bayes-weighted logistic regression:
    for each class k (the second only, for two classes) a logistic
    regression of "class k or not" on the features scaled by `r_k`; the
    scaling moves into the kernel (`x (r_k * w_k) = (x * r_k) w_k`), so the
    graph's features are the same, and the softmax of the classes'
    one-against-the-rest scores gives the probabilities.
    """
    import scipy.sparse
    from sklearn.linear_model import LogisticRegression

    kernel = np.zeros((features.shape[1], classes), "float32")
    bias = np.zeros(classes, "float32")
    if ratios is not None:
        first = 1 if classes == 2 else 0
        for row, k in enumerate(range(first, classes)):
            fitted = LogisticRegression(C=c, max_iter=2000, random_state=seed)
            fitted.fit(
                features @ scipy.sparse.diags(ratios[row]),
                (labels == k).astype(int),
            )
            kernel[:, k] = ratios[row] * fitted.coef_[0]
            bias[k] = fitted.intercept_[0]
        return kernel, bias
    fitted = LogisticRegression(C=c, max_iter=2000, random_state=seed)
    fitted.fit(features, labels)
    present = list(fitted.classes_)
    coef, intercept = fitted.coef_, fitted.intercept_
    if len(present) == 2:
        kernel[:, present[1]] = coef[0]
        bias[present[1]] = intercept[0]
    else:
        for row, label in enumerate(present):
            kernel[:, label] = coef[row]
            bias[label] = intercept[row]
    # A class absent from training never wins.
    for missing in set(range(classes)) - set(present):
        bias[missing] = -1e4
    return kernel, bias


def linear_probabilities(features, kernel, bias):
    """The softmax of `features @ kernel + bias` (features: SciPy sparse)."""
    logits = np.asarray(features @ kernel, "float64") + bias
    logits -= logits.max(axis=-1, keepdims=True)
    exp = np.exp(logits)
    return exp / exp.sum(axis=-1, keepdims=True)


def choose_offsets(labels, probabilities, scorer, rounds=2):
    """Log-offsets added to each class's log-probability, on validation.

    The first class keeps 0; each other class tries `OFFSET_GRID` in turn
    (smallest first), `rounds` times over, and an offset is kept only when
    it raises the score: all zeros unless the metric gains. A metric of
    chosen classes (F1 of the ironic tweets, macro-F1 over uneven classes)
    is not maximised by the argmax of calibrated probabilities; these
    offsets move the decision boundary to where validation says it pays.

    Returns:
        `(offsets, score)`: a float array, one per class, and the score.
    """
    probabilities = np.asarray(probabilities, dtype="float64")
    logs = np.log(np.maximum(probabilities, 1e-12))
    offsets = np.zeros(probabilities.shape[-1])
    best = scorer(labels, logs.argmax(-1))
    for _ in range(rounds):
        for column in range(1, len(offsets)):
            for value in sorted(OFFSET_GRID, key=abs):
                trial = offsets.copy()
                trial[column] = value
                found = scorer(labels, (logs + trial).argmax(-1))
                if found > best:
                    best, offsets = found, trial
    return offsets, best


def _halves(labels, rng):
    """Two halves of the indices of `labels`, each class split evenly."""
    first, second = [], []
    for label in np.unique(labels):
        where = rng.permutation(np.flatnonzero(labels == label))
        cut = (len(where) + rng.integers(2)) // 2
        first.extend(where[:cut])
        second.extend(where[cut:])
    return np.sort(first), np.sort(second)


def offsets_hold_up(labels, probabilities, scorer, repeats=5, seed=0):
    """Whether choosing class offsets on validation generalises within it.

    Validation is cut into two halves (each class split evenly) `repeats`
    times; offsets chosen on one half (`choose_offsets`) are scored on the
    other against no offsets, both ways round. On a small validation split
    the offsets that fit all of it can fit its noise: they then lose on the
    half they were not chosen on, and the mean gain is not above 0.

    Returns:
        `(kept, gain)`: True when the mean held-out gain is above 0, and
        that gain.
    """
    labels = np.asarray(labels)
    probabilities = np.asarray(probabilities, "float64")
    logs = np.log(np.maximum(probabilities, 1e-12))
    rng = np.random.default_rng(seed)
    gains = []
    for _ in range(repeats):
        for fit, held in itertools.permutations(_halves(labels, rng)):
            offsets, _ = choose_offsets(labels[fit], probabilities[fit], scorer)
            plain = scorer(labels[held], logs[held].argmax(-1))
            moved = scorer(labels[held], (logs[held] + offsets).argmax(-1))
            gains.append(moved - plain)
    gain = float(np.mean(gains))
    return gain > 0, gain


def _best_weight(found):
    """The weight of the best score in `found` (`{w: (offsets, score)}`);
    ties: the one nearest 0.5, then the smaller."""
    return max(WEIGHT_GRID, key=lambda w: (found[w][1], -abs(w - 0.5), -w))


def log_loss(labels, probabilities):
    """The mean cross-entropy of the true classes' probabilities."""
    probabilities = np.asarray(probabilities, "float64")
    picked = probabilities[np.arange(len(labels)), np.asarray(labels)]
    return float(-np.mean(np.log(np.maximum(picked, 1e-12))))


def _candidates(labels, recurrent, ngram, scorer, with_offsets):
    """`{share: (offsets, score)}` of each share's mix on validation, with
    class offsets (`choose_offsets`) or without."""
    found = {}
    for w in WEIGHT_GRID:
        mixed = (1 - w) * recurrent + w * ngram
        if with_offsets:
            found[w] = choose_offsets(labels, mixed, scorer)
        else:
            zero = np.zeros(recurrent.shape[-1])
            found[w] = (zero, scorer(labels, mixed.argmax(-1)))
    return found


def _choose_share(labels, recurrent, ngram, scorer, with_offsets, pick):
    """`(share, offsets, check)`: `pick` (`{share: (offsets, score)}` ->
    share) over `_candidates`; offsets are kept only when they hold up on
    halves of validation (`offsets_hold_up`, reported in `check`), else
    the share is picked again without offsets."""
    found = _candidates(labels, recurrent, ngram, scorer, with_offsets)
    weight = pick(found)
    offsets, check = found[weight][0], None
    if any(offsets):
        kept, gain = offsets_hold_up(
            labels, (1 - weight) * recurrent + weight * ngram, scorer
        )
        check = {"held_out_gain": round(gain, 4), "kept": kept}
        if not kept:
            # The offsets fit this split's noise: none, and the share
            # picked again without them.
            found = _candidates(labels, recurrent, ngram, scorer, False)
            weight = pick(found)
            offsets = found[weight][0]
    return weight, offsets, check


def _by_metric(labels, recurrent, ngram, scorer, selection):
    """The share that scores best on validation by `selection` (offsets
    chosen for each share on F1 metrics, and checked on halves): the rule
    before `choose_weight` chose by loss, kept for `bench/mix_rules.py`
    to compare."""
    return _choose_share(
        labels, recurrent, ngram, scorer, selection != "accuracy", _best_weight
    )


def choose_weight(
    labels, recurrent, ngram, selection="accuracy", class_names=None
):
    """The n-gram side's share of the mix and the class offsets, chosen on
    validation.

    The share is the one of `WEIGHT_GRID` whose mix has the lowest
    validation cross-entropy (`log_loss`; ties: nearest 0.5, then the
    smaller) among the shares whose mix scores on validation, by
    `selection`, at least as well as the better side alone: the mix is
    never below either side on validation. The loss reads every
    probability, where a score reads only which class wins: the share
    that maximises the score jumps with a few texts near the boundary.
    `bench/mix_rules.py` compares this rule with the score's best share
    on halves of validation (`docs/results/mix-rules.md`: neither is
    ahead on every data set).

    For F1 selections each share's mix first gets class offsets
    (`choose_offsets`), which move the decision boundary; those of the
    chosen share are kept only when they hold up on halves of validation
    (`offsets_hold_up`), else the share is chosen again without offsets.
    Accuracy, which the probabilities' argmax already aims at, gets none.

    Args:
        labels: the validation label indices.
        recurrent: the recurrent side's validation probabilities.
        ngram: the n-gram side's validation probabilities.
        selection: the metric (`seqkit.models.selection`).
        class_names: the classes (an `f1:` selection names some).

    Returns:
        `(weight, offsets, report)`: the share, the class offsets (a
        float array, one per class), and a report: how the share was
        chosen (`rule`), each side's score and loss alone and the mix's.
    """
    from seqkit.models.selection import selection_scorer

    recurrent, ngram = np.asarray(recurrent), np.asarray(ngram)
    labels = np.asarray(labels)
    classes = recurrent.shape[-1]
    if class_names is None:
        class_names = [str(i) for i in range(classes)]
    scorer = selection_scorer(selection, class_names)

    def scored(weight, offsets):
        mixed = (1 - weight) * recurrent + weight * ngram
        logs = np.log(np.maximum(mixed, 1e-12))
        return scorer(labels, (logs + offsets).argmax(-1))

    sides = {
        "recurrent": scorer(labels, recurrent.argmax(-1)),
        "ngram": scorer(labels, ngram.argmax(-1)),
    }
    floor = max(sides.values())
    losses = {
        w: log_loss(labels, (1 - w) * recurrent + w * ngram)
        for w in WEIGHT_GRID
    }

    def lowest_loss(found):
        # Never empty: share 0 (1) scores at least the recurrent (n-gram)
        # side alone.
        feasible = [w for w in WEIGHT_GRID if found[w][1] >= floor]
        return min(feasible, key=lambda w: (losses[w], abs(w - 0.5), w))

    weight, offsets, check = _choose_share(
        labels, recurrent, ngram, scorer, selection != "accuracy", lowest_loss
    )
    unconstrained = min(WEIGHT_GRID, key=lambda w: (losses[w], abs(w - 0.5), w))
    rule = "log_loss"
    if weight != unconstrained:
        rule = (
            f"log_loss among the shares whose {selection} reaches the "
            "better side's"
        )
    report = {
        "selection": selection,
        "rule": rule,
        "weight": weight,
        "offsets": {
            name: round(float(value), 2)
            for name, value in zip(class_names, offsets, strict=True)
        },
        f"valid_{selection}": {
            **{k: round(v, 4) for k, v in sides.items()},
            "mixed": round(scored(weight, offsets), 4),
        },
        "valid_log_loss": {
            "recurrent": round(losses[0.0], 4),
            "ngram": round(losses[1.0], 4),
            "mixed": round(losses[weight], 4),
        },
    }
    if check is not None:
        report["offsets_check"] = check
    return weight, offsets, report


def mix_with_ngram(classifier, tokenizer, splits, labels, selection, seed):
    """Fits the n-gram classifier beside `classifier` and mixes the two.

    The n-gram side's C, its share of the mix and the class offsets are
    chosen on the validation split by `selection` (`None`: accuracy for
    two classes of similar size, else macro-F1); a share of 0 with no
    offsets leaves `classifier` alone.

    Args:
        classifier: the trained recurrent classifier (text or documents).
        tokenizer: the tokenizer its vectorizer uses.
        splits: the data splits (`train` and `valid` are read).
        labels: `{"train": label ids, "valid": label ids}`.
        selection: a selection (`seqkit.models.selection`) or None.
        seed: the solver's seed.

    Returns:
        `(model, report)`: the `MixedClassifier` (or `classifier`) and what
        was chosen, with the validation scores of each side and the mix.
    """
    from seqkit.models.ngram import MixedClassifier
    from seqkit.models.predict import predict_outputs

    if selection is None:
        from seqkit.models.sentiment.adapt import choose_selection

        selection = choose_selection(splits.train.labels)
    ngram, report = fit_ngram(
        tokenizer,
        list(classifier.class_names),
        (splits.train.texts, labels["train"]),
        (splits.valid.texts, labels["valid"]),
        selection=selection,
        seed=seed,
    )
    valid_texts = splits.valid.texts
    weight, offsets, weighing = choose_weight(
        labels["valid"],
        predict_outputs(classifier, valid_texts)["probabilities"],
        predict_outputs(ngram, valid_texts)["probabilities"],
        selection,
        list(classifier.class_names),
    )
    report.update(weighing)
    log.info(
        "n-gram share %.2f: valid %s recurrent %.4f, n-gram %.4f, mixed %.4f",
        weight,
        selection,
        *report[f"valid_{selection}"].values(),
    )
    if any(offsets):
        log.info("class offsets (log scale): %s", report["offsets"])
    if weight == 0.0 and not any(offsets):
        return classifier, report
    mixed = MixedClassifier(
        classifier,
        ngram,
        weight,
        offsets=[float(v) for v in offsets],
        name="mixed",
    )
    return mixed, report
