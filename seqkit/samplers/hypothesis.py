"""The result type of every sampler."""

from dataclasses import dataclass


@dataclass
class Hypothesis:
    """One decoded sequence and its log-probability.

    Attributes:
        tokens: the generated tokens, as ints; the end token is left out.
        score: the sum of the model's log-probabilities of the generated
            tokens, the end token's included.
        finished: whether the sequence ended with the end token (False: it
            ran into `max_tokens`).

    Example:

    ```python
    from seqkit.samplers import Hypothesis

    best = Hypothesis(tokens=[5, 9], score=-1.5, finished=True)
    best.length  # 3: two tokens and the end token
    best.normalized(length_penalty=1.0)  # -0.5
    ```
    """

    tokens: list[int]
    score: float
    finished: bool = False

    @property
    def length(self):
        """The number of generated tokens, the end token included."""
        return len(self.tokens) + int(self.finished)

    def normalized(self, length_penalty=1.0):
        """The score divided by `length ** length_penalty`.

        Args:
            length_penalty: 0 gives the raw score; larger values favour
                longer sequences more.

        Returns:
            A float, the score that beam search ranks hypotheses by.
        """
        return self.score / max(self.length, 1) ** length_penalty
