"""The official TweetEval scores, against examples computed by hand."""

import pytest

from seqkit.models.metrics import official_score


def test_irony_scores_the_irony_class_alone():
    labels = ["irony", "irony", "non_irony", "non_irony", "irony"]
    predicted = ["irony", "non_irony", "non_irony", "irony", "irony"]
    # irony: tp 2, fp 1, fn 1 -> precision 2/3, recall 2/3, F1 2/3.
    assert official_score("irony", labels, predicted) == pytest.approx(2 / 3)


def test_macro_f1_over_the_classes_that_occur():
    labels = ["anger", "joy", "joy", "sadness"]
    predicted = ["anger", "joy", "sadness", "sadness"]
    # anger 1; joy: p 1, r 1/2 -> 2/3; sadness: p 1/2, r 1 -> 2/3;
    # optimism occurs in neither list and is left out, as the script does.
    expected = (1 + 2 / 3 + 2 / 3) / 3
    assert official_score("emotion", labels, predicted) == pytest.approx(
        expected
    )
    assert official_score("tweeteval-emotion", labels, predicted) == (
        official_score("emotion", labels, predicted)
    )


def test_stance_averages_against_and_favor():
    labels = ["against", "against", "favor", "favor", "none"]
    predicted = ["against", "none", "favor", "none", "against"]
    # against: tp 1, fp 1, fn 1 -> 1/2; favor: p 1, r 1/2 -> 2/3; none
    # does not count.
    assert official_score("stance", labels, predicted) == pytest.approx(
        (1 / 2 + 2 / 3) / 2
    )


def test_a_class_never_predicted_scores_zero():
    assert (
        official_score("irony", ["irony", "non_irony"], ["non_irony"] * 2) == 0
    )


def test_bad_input():
    with pytest.raises(ValueError, match="2 predictions for 1 labels"):
        official_score("hate", ["hate"], ["hate", "hate"])
    with pytest.raises(ValueError, match="unknown TweetEval task"):
        official_score("sentiment", ["a"], ["a"])
