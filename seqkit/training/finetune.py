"""Fine-tuning strategies over layer groups (DeepMoji's chain-thaw, ...).

A model that can be fine-tuned names its layer groups, input first, the
new head last: `[("embedding", [...]), ("bi_lstm_0", [...]), ...,
("attention", [...]), ("head", [...])]` (`TextClassifier.layer_groups`).
A strategy is a small function from the group names to a list of steps;
each step names the groups it trains, and every other group is frozen.

- `last`: the head only (the pretrained encoder stays frozen);
- `full`: every group at once;
- `new`: every group at once, for a model that was not pretrained (the
  baseline the others are measured against); its one step gets the
  epochs of all of chain-thaw's steps together (`step_epochs`), so the
  comparison gives both the same budget;
- `chain-thaw` (Felbo et al. 2017): the head first, then each other group
  alone from the first to the last, then every group;
- `gradual` (Howard & Ruder 2018): the head, then one more group at a
  time from the top down, until every group trains.

Each step starts a fresh optimizer, trains with early stopping on the
validation loss and ends with the step's best weights; a step whose best
validation loss is worse than the loss before it is undone (the weights
from before the step come back). `finetune` returns a report of every
step.
"""

import logging
from dataclasses import dataclass, field

import keras

from seqkit.training.callbacks import unknown_length_fit
from seqkit.training.fit import fit

log = logging.getLogger(__name__)


@dataclass
class Step:
    """One fine-tuning step: the groups that train, all others frozen."""

    name: str
    groups: list


def last_steps(names):
    """The head alone."""
    return [Step("head", [names[-1]])]


def full_steps(names):
    """Every group at once."""
    return [Step("all", list(names))]


def chain_thaw_steps(names):
    """The head, then each other group alone (input first), then all."""
    head, others = names[-1], names[:-1]
    return [
        Step(head, [head]),
        *(Step(name, [name]) for name in others),
        Step("all", list(names)),
    ]


def gradual_steps(names):
    """The head, then one more group at a time from the top down."""
    return [
        Step("+".join(names[-count:]), list(names[-count:]))
        for count in range(1, len(names) + 1)
    ]


STRATEGIES = {
    "last": last_steps,
    "full": full_steps,
    "new": full_steps,
    "chain-thaw": chain_thaw_steps,
    "gradual": gradual_steps,
}


def step_epochs(method, names, epochs):
    """The most epochs of each step of `method` over groups `names`.

    Every step gets `epochs`, except `new`'s one step, which gets the
    budget of all of chain-thaw's steps together: `epochs` times their
    number (6 for DeepMoji's five groups), with the same early stopping.
    """
    if method == "new":
        return epochs * len(chain_thaw_steps(list(names)))
    return epochs


@dataclass
class StepReport:
    """What one step did.

    Attributes:
        step: the step's name.
        groups: the groups it trained.
        epochs: epochs run.
        loss_before: validation loss before the step.
        best_loss: the step's best validation loss.
        kept: whether the step's weights were kept (False: it made the
            validation loss worse and was undone).
    """

    step: str
    groups: list
    epochs: int
    loss_before: float
    best_loss: float
    kept: bool = field(default=True)


def set_trainable(groups, names):
    """Makes the layers of the groups in `names` trainable, others not."""
    for name, layers in groups:
        for layer in layers:
            layer.trainable = name in names


def finetune(model, groups, method, train_step, evaluate=None):
    """Runs a fine-tuning strategy: the one runner of `seqkit finetune`
    and of `--init-from` (`fit_in_steps`).

    Args:
        model: the Keras model whose weights the steps change.
        groups: its layer groups, `[(name, [layers]), ...]`, head last.
        method: a key of `STRATEGIES`.
        train_step: `train_step(number, step) -> (epochs, best_loss)`;
            compiles a fresh optimizer (the trainable flags are already
            set), trains with early stopping and leaves the step's best
            weights in `model`.
        evaluate: `evaluate() -> validation loss` of `model` as it is: each
            step is measured before it and undone when it ends worse. None
            keeps every step (a run resumed inside its steps).

    Returns:
        A list of `StepReport` (`loss_before` None without `evaluate`).

    Raises:
        ValueError: an unknown method, or groups without a head.
    """
    if method not in STRATEGIES:
        raise ValueError(
            f"unknown fine-tuning method {method!r}; choose one of "
            f"{sorted(STRATEGIES)}"
        )
    names = [name for name, _ in groups]
    if not names or names[-1] != "head":
        raise ValueError(
            f"the last layer group must be the head; received {names}"
        )
    steps = STRATEGIES[method](names)
    report = []
    for number, step in enumerate(steps):
        set_trainable(groups, step.groups)
        log.info(
            "step %d of %d: training %s", number + 1, len(steps), step.name
        )
        before, saved = None, None
        if evaluate is not None:
            before = evaluate()
            saved = model.get_weights()
        epochs, best = train_step(number, step)
        kept = before is None or best <= before
        if not kept:
            model.set_weights(saved)
        log.info(
            "step %s (%s): %d epochs, validation loss %s -> %.4f%s",
            step.name,
            ", ".join(step.groups),
            epochs,
            "-" if before is None else f"{before:.4f}",
            best,
            "" if kept else " (worse: undone)",
        )
        report.append(
            StepReport(step.name, step.groups, epochs, before, best, kept)
        )
    set_trainable(groups, names)
    return report


def fit_in_steps(model, method, fit_step):
    """Trains an LM-initialised classifier step by step (`--init-from`).

    The steps of `method` run through `finetune` over the groups that
    hold weights (max or mean pooling has none), each by `fit_step(number)
    -> (state, history)`, which trains resumably in its own checkpoint
    folder, so an interrupted run resumes inside the step it was in and
    skips the finished ones.

    Returns:
        `(state, history)` of the last step; the history holds every
        step's epochs, each row naming its step.
    """
    groups = [
        (name, layers)
        for name, layers in model.layer_groups()
        if any(layer.weights for layer in layers)
    ]
    state, history = {}, []

    def train_step(number, step):
        found, rows = fit_step(number)
        state.clear()
        state.update(found)
        history.extend({"step": step.name, **row} for row in rows)
        return len(rows), found["best"]

    finetune(model, groups, method, train_step)
    return state, history


def keras_steps(model, train_data, valid_data, learning_rate, epochs, patience):
    """`train_step` and `evaluate` for `finetune`, with Keras's `fit`.

    Each step compiles `model` with a fresh Adam (gradient clipping at
    norm 5), trains up to `epochs` with early stopping on the validation
    loss (`patience`) and ends with the step's best weights.

    Args:
        model: a Keras model (token ids -> probabilities).
        train_data: a `tf.data.Dataset` of `(ids, labels)` batches.
        valid_data: the same for validation.
        learning_rate: Adam's learning rate for every step.
        epochs: the most epochs of a step.
        patience: epochs without improvement before a step stops.

    Returns:
        `(train_step, evaluate)`.
    """

    def compile_fresh():
        model.compile(
            optimizer=keras.optimizers.Adam(learning_rate, clipnorm=5.0),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )

    def evaluate():
        compile_fresh()
        with unknown_length_fit():
            scores = model.evaluate(valid_data, verbose=0, return_dict=True)
        return float(scores["loss"])

    def train_step(number, step):
        compile_fresh()
        state, history = fit(
            model,
            train_data,
            valid_data,
            epochs=epochs,
            patience=patience,
            verbose=0,
        )
        return len(history), state["best"]

    return train_step, evaluate


def distributed_steps(model, distribution, data, settings):
    """`train_step` and `evaluate` for `finetune` under `tf.distribute`.

    The same contract as `keras_steps`, run by the distributed loop of
    `seqkit.training.distributed_fit` (call inside `strategy.scope()`).

    Args:
        model: the Keras model (token ids -> probabilities).
        distribution: `(strategy, cluster)`.
        data: `(train_ids, train_y, valid_ids, valid_y)`.
        settings: with `learning_rate`, `epochs`, `patience`,
            `batch_size` and `seed`.
    """
    from types import SimpleNamespace

    from seqkit.training.distributed_fit import (
        epoch_runner,
        evaluate_distributed,
    )

    strategy, cluster = distribution

    def compile_fresh():
        model.compile(
            optimizer=keras.optimizers.Adam(
                settings.learning_rate, clipnorm=5.0
            ),
            loss="sparse_categorical_crossentropy",
        )
        model.optimizer.build(model.trainable_variables)

    def evaluate():
        return evaluate_distributed(model, strategy, cluster, *data[2:])

    def train_step(number, step):
        compile_fresh()
        run_epoch = epoch_runner(
            model,
            strategy,
            cluster,
            data,
            SimpleNamespace(
                epochs=settings.epochs, batch_size=settings.batch_size
            ),
            settings.seed,
            None,
        )
        state, history = fit(
            model,
            epochs=settings.epochs,
            patience=settings.patience,
            run_epoch=run_epoch,
        )
        return len(history), state["best"]

    return train_step, evaluate
