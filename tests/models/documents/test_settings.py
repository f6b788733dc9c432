"""The settings of a document run."""

import pytest


def test_auto_pretrains_only_for_the_bundled_reviews():
    from seqkit.models.documents.settings import DocumentConfig

    assert DocumentConfig().sentence_set == "rt-snippets"
    assert DocumentConfig(train="mine.csv", valid="v.csv").sentence_set is None
    assert DocumentConfig(init_from="runs/sentiment").sentence_set is None
    with pytest.raises(ValueError, match="give one of them"):
        DocumentConfig.from_dict(
            {"init_from": "runs/sentiment", "pretrain_sentences": "rt-snippets"}
        )
