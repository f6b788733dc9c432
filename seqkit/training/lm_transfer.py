"""`--init-from LM_RUN`: training a classifier whose encoder starts as a
language model's, by the ULMFiT recipe (gradual unfreezing or another
strategy over the layer groups).

What the classifier takes from the language model (its vocabulary,
embedding matrix and recurrent weights) is `seqkit.models.lm.transfer`.
"""

import logging

log = logging.getLogger(__name__)


def fit_from_lm(member, data, settings, out, checkpoints, fit, **fit_options):
    """Trains an LM-initialised classifier by `settings.init_method`.

    Each step of the strategy (`seqkit.training.finetune.STRATEGIES`)
    sets which layer groups train and runs `fit` (`fit_member`) with its
    own checkpoint folder `checkpoints/step-N`, so an interrupted run
    resumes inside the step it was in and skips the finished ones. Groups
    without weights (max or mean pooling) are left out.

    Returns:
        `(state, history)` of the last step; the history holds every
        step's epochs, each row naming its step.
    """
    from seqkit.training.finetune import STRATEGIES, set_trainable

    groups = [
        (name, layers)
        for name, layers in member.layer_groups()
        if any(layer.weights for layer in layers)
    ]
    names = [name for name, _ in groups]
    steps = STRATEGIES[settings.init_method](names)
    history, state = [], None
    for number, step in enumerate(steps):
        set_trainable(groups, step.groups)
        log.info(
            "step %d of %d: training %s", number + 1, len(steps), step.name
        )
        state, rows = fit(
            member,
            data,
            settings,
            out,
            checkpoints / f"step-{number}",
            **fit_options,
        )
        history.extend({"step": step.name, **row} for row in rows)
    set_trainable(groups, names)
    return state, history
