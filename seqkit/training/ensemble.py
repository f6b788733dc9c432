"""The members of a text classifier and their average: one model, or an
ensemble, generic over the function that builds a member.

`fit_member` trains one classifier on encoded data with early stopping and
resumable epoch checkpoints, by Keras's `fit` on one device or by the
distributed loop under a `tf.distribute` strategy; `train_members` trains
`config.ensemble` of them with consecutive seeds.
"""

import contextlib
import logging
import shutil

import numpy as np

from seqkit.training.fit import fit

log = logging.getLogger(__name__)

# Training batches run this many to one call of the compiled train step:
# Keras's per-step Python work (callbacks, metrics, iterator) is paid once
# per group. With 32 length buckets (seqkit.data.pipelines.BUCKETS) it took
# the sentiment model's epoch on a 2-core CPU from 3.63 s to 3.12 s
# (medians of 5 interleaved epochs; either alone: 3.37 s and 3.50 s).
STEPS_PER_EXECUTION = 16


def _class_weights(labels, classes):
    from sklearn.utils.class_weight import compute_class_weight

    weights = compute_class_weight(
        "balanced", classes=np.arange(classes), y=labels
    )
    return {i: float(w) for i, w in enumerate(weights)}


def compiled_ids_model(classifier, config, distributed=False):
    """The classifier's ids model, compiled the way `fit_member` trains it.

    Adam at `config.learning_rate` with gradient clipping at norm 5, the
    sparse cross-entropy, accuracy, and `STEPS_PER_EXECUTION` batches to a
    call of the train step (one under a distribution strategy).
    """
    import keras

    model = classifier.ids_model()
    model.compile(
        optimizer=keras.optimizers.Adam(config.learning_rate, clipnorm=5.0),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=1 if distributed else STEPS_PER_EXECUTION,
    )
    return model


def fit_member(
    classifier,
    data,
    config,
    out,
    checkpoints,
    resume,
    seed,
    verbose,
    distribution=None,
):
    """Trains one classifier on encoded data and loads its best weights.

    One `seqkit.training.fit.fit` with the member's checkpoints: with
    `resume`, training continues after the last complete epoch in
    `checkpoints/last` (weights, optimizer state and history), and a
    member whose `checkpoints/done` marker exists (finished before an
    interruption of a later member) is not trained again. With
    `distribution` (a `(strategy, cluster)` pair; call inside
    `strategy.scope()`), each epoch runs the distributed loop of
    `seqkit.training.distributed_fit`.

    Returns:
        `(state, history)`: the best-weights state (best value, best epoch,
        epochs since) and the per-epoch history.
    """
    from seqkit.data.pipelines import bucketed_dataset

    train_ids, train_y, valid_ids, valid_y = data
    model = compiled_ids_model(
        classifier, config, distributed=bool(distribution)
    )
    class_weight = None
    if config.class_weight == "balanced":
        class_weight = _class_weights(train_y, len(classifier.class_names))
    options = {
        "epochs": config.epochs,
        "patience": config.patience,
        "monitor": config.monitor,
        "checkpoints": checkpoints,
        "resume": resume,
        "verbose": verbose,
    }
    if distribution is not None:
        from seqkit.training.distributed_fit import epoch_runner

        model.optimizer.build(model.trainable_variables)
        strategy, cluster = distribution
        run_epoch = epoch_runner(
            model, strategy, cluster, data, config, seed, class_weight
        )
        return fit(model, run_epoch=run_epoch, **options)
    valid = bucketed_dataset(valid_ids, valid_y, 256)
    measures = ()
    if config.monitor == "val_macro_f1":
        from seqkit.training.callbacks import ValidationF1

        measures = (ValidationF1(valid),)
    return fit(
        model,
        bucketed_dataset(
            train_ids, train_y, config.batch_size, shuffle=True, seed=seed
        ),
        valid,
        logs=out / "logs" / checkpoints.name,
        class_weight=class_weight,
        measures=measures,
        **options,
    )


def train_members(
    config,
    build,
    data,
    out,
    resume,
    verbose,
    distribution=None,
    lm=None,
):
    """Trains `config.ensemble` classifiers (seeds `seed`, `seed + 1`, ...).

    Each member is `build(settings, seed=..., name=...)` with its own
    settings (`config.member(index)`), trained by `fit_member`.

    With `lm` (the `LanguageModel` of `config.init_from`), each member's
    recurrent layers start as the LM's and training follows
    `config.init_method` (`seqkit.training.finetune.fit_in_steps`).

    With `distribution` (`(strategy, cluster)`), each member is built under
    the strategy's scope and trained by the distributed loop; a worker
    other than the chief keeps its checkpoints in a private folder, seeded
    from the chief's (so a restarted cluster resumes from the same epoch).

    Returns:
        `(model, histories)`: the classifier, or an `EnsembleClassifier`
        averaging them, and each member's per-epoch history.
    """
    import keras

    from seqkit.models import EnsembleClassifier

    members, histories = [], []
    for index in range(config.ensemble):
        seed = config.seed + index
        keras.utils.set_random_seed(seed)
        name = "sentiment_classifier"
        if config.ensemble > 1:
            name = f"{name}_{index}"
        settings = config.member(index)
        checkpoints = out / "checkpoints" / f"member_{index}"
        if config.ensemble > 1:
            log.info("training member %d of %d", index + 1, config.ensemble)
        with (
            _scope(distribution),
            _worker_folder(distribution, checkpoints) as folder,
        ):
            member = build(settings, seed=seed, name=name)
            options = {
                "resume": resume,
                "seed": seed,
                "verbose": verbose,
                "distribution": distribution,
            }
            state, history = _fit(
                member, data, settings, out, folder, lm, options
            )
        log.info(
            "member %d: best %s %.4f at epoch %s",
            index,
            config.monitor,
            state["best"],
            state["best_epoch"],
        )
        members.append(member)
        histories.append(history)
    if len(members) == 1:
        return members[0], histories
    return EnsembleClassifier(members, name="ensemble"), histories


def _fit(member, data, settings, out, folder, lm, options):
    """Trains one member: plainly, or step by step from the LM `lm`."""
    if lm is None:
        return fit_member(member, data, settings, out, folder, **options)
    from seqkit.models.lm.transfer import copy_lm_weights
    from seqkit.training.finetune import fit_in_steps

    member.lm_transfer = copy_lm_weights(lm, member.backbone)
    return fit_in_steps(
        member,
        settings.init_method,
        _step_fitter(member, data, settings, out, folder, options),
    )


def _step_fitter(member, data, settings, out, folder, options):
    """`fit_step(number)` for `fit_in_steps`: step N in `folder/step-N`."""

    def fit_step(number):
        checkpoints = folder / f"step-{number}"
        return fit_member(member, data, settings, out, checkpoints, **options)

    return fit_step


def _scope(distribution):
    if distribution is None:
        return contextlib.nullcontext()
    return distribution[0].scope()


@contextlib.contextmanager
def _worker_folder(distribution, checkpoints):
    """The checkpoint folder this process writes: the chief's own, or a
    private copy for another worker (removed afterwards)."""
    if distribution is None or distribution[1].is_chief:
        yield checkpoints
        return
    private = (
        checkpoints.parents[1]
        / f".worker-{distribution[1].index}"
        / checkpoints.name
    )
    shutil.rmtree(private, ignore_errors=True)
    if checkpoints.exists():
        shutil.copytree(checkpoints, private)
    try:
        yield private
    finally:
        shutil.rmtree(private.parent, ignore_errors=True)
