"""Data: readers, validation, public data sets and prepared splits.

Reading and checking files needs only the standard library; nothing here
imports TensorFlow or Keras.
"""

from seqkit.data.cache import cache_dir
from seqkit.data.errors import DataError
from seqkit.data.examples import Examples
from seqkit.data.prepare import (
    PREPARERS,
    bundled_splits,
    hash_split,
    prepare_pang_lee_reviews,
    prepare_rt_snippets,
    prepare_vader_tweets,
)
from seqkit.data.readers import (
    FORMATS,
    read_delimited,
    read_examples,
    read_folder,
    read_jsonl,
    read_text_lines,
)
from seqkit.data.registry import (
    DATASETS,
    DataSet,
    fetch,
    get_dataset,
    is_cached,
    member_paths,
)
from seqkit.data.split_files import Prepared
from seqkit.data.splits import Splits, load_splits
from seqkit.data.tweet_keys import tweet_group_key

__all__ = [
    "DATASETS",
    "FORMATS",
    "PREPARERS",
    "DataError",
    "DataSet",
    "Examples",
    "Prepared",
    "Splits",
    "bundled_splits",
    "cache_dir",
    "fetch",
    "get_dataset",
    "hash_split",
    "is_cached",
    "load_splits",
    "member_paths",
    "prepare_rt_snippets",
    "prepare_pang_lee_reviews",
    "prepare_vader_tweets",
    "read_delimited",
    "read_examples",
    "read_folder",
    "read_jsonl",
    "read_text_lines",
    "tweet_group_key",
]
