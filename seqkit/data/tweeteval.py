"""TweetEval: seven tweet classification tasks with fixed splits.

TweetEval (Barbieri et al., Findings of EMNLP 2020) gathers SemEval tweet
tasks under one format, with official train / validation / test splits and
an official metric per task. The files are in no package: they are raw
files of the public repository `cardiffnlp/tweeteval`, folder `datasets/`,
pinned here at one commit and by the sha256 of every file. Six tasks are
registered, `tweeteval-emoji`, `-emotion`, `-hate`, `-irony`, `-offensive`
and `-stance` (the five stance topics pooled, with a `topic` column), and
each stance topic alone, `tweeteval-stance-abortion`, `-atheism`,
`-climate`, `-feminist` and `-hillary` (TweetEval's stance figure is the
mean of the five topics' scores); the `sentiment` task is left out (its
training texts were not available to check).

The repository states no licence; each task keeps the terms of its SemEval
source: fetch the files (`seqkit data fetch tweeteval-TASK`, offline with
`--from DIR` or `$SEQKIT_DATA_MIRROR`), never commit them.

The layout of `datasets/TASK/` (stance: `datasets/stance/TOPIC/`, with
one `datasets/stance/mapping.txt`): `{train,val,test}_text.txt`, one tweet
per line (user names replaced by `@user`, nothing else changed);
`{train,val,test}_labels.txt`, one integer label per line; `mapping.txt`,
tab-separated `id, name` (emoji: `id, emoji, name`; the label is the
emoji itself).
"""

import dataclasses
from pathlib import Path

from seqkit.data.errors import DataError
from seqkit.data.readers import _decode, _split_lines
from seqkit.data.repository import RepoDataSet
from seqkit.data.split_files import Prepared, write_splits

REPO = "cardiffnlp/tweeteval"
COMMIT = "4fbd22cd78421f05b1ecdb4fc5725bc7a7bd8f66"
FOLDER = "datasets"
LICENCE = "none stated; SemEval terms: fetch, never commit"
# seqkit's split names -> the prefixes of TweetEval's files.
SPLIT_FILES = {"train": "train", "valid": "val", "test": "test"}
SPLIT = "official"
SPLIT_METHOD = (
    "official TweetEval split, kept as published: {train,val,test}_*.txt "
    "-> train/valid/test.csv, rows in file order (stance: topics in "
    "alphabetical order), no resplitting; label ids -> names by mapping.txt"
)
# Topic -> tweets in its train, valid and test split.
STANCE_TOPIC_SIZES = {
    "abortion": (587, 66, 280),
    "atheism": (461, 52, 220),
    "climate": (355, 40, 169),
    "feminist": (597, 67, 285),
    "hillary": (620, 69, 295),
}
STANCE_TOPICS = tuple(STANCE_TOPIC_SIZES)

# The sha256 of every file of `datasets/` at COMMIT but README.txt, in the
# format of `sha256sum` (check a copy with `sha256sum -c`).
SHA256SUMS = """\
ac172bfbb0972d875a832224f48602472279be365454e3bce01084689100f4d3  emoji/mapping.txt
c1662b84788f36674ab8f0106f3e2e7d3e258ddf4959086ac7cc75b1e68dd1f6  emoji/test_labels.txt
e4de11de1597842c431dd67868e83322f5a432564dfd8558889ed8ac6a1a5e09  emoji/test_text.txt
daee7da826683dbfa50ad3a29c60bc527e498f06c70eabee3745a99cc37ab3a5  emoji/train_labels.txt
eacb6b0ee1fe2803d72a009c2e731fe07659f604318a979951d2f07c23c564a1  emoji/train_text.txt
21ba456f688668d049ff0fb1fa04469ee684cf4e2467c71d2c3fe5ca2ba1bd1a  emoji/val_labels.txt
3bc3742d6af404cea792671878684d110f3bc02fd79a2e34643789a521d81a26  emoji/val_text.txt
656dea85d149716af96206ca19bec0d94e9dc6de3f5079f5c7c2a241ec76cadb  emotion/mapping.txt
245072348c711961785be6d395997f97cf7fcda3effeae7805664171dc75f913  emotion/test_labels.txt
7e1070f5d3e3fcece5bc73680bff9981e90d8f7b2f1009bfe7a01d059d1c6091  emotion/test_text.txt
987e767d8679e18abdf7de37a6d2bcd0a40a296ddd704e8d515cf0e3033c8d9c  emotion/train_labels.txt
2c62f67aeb3eac1aea0e5a9c3d0f4bc337992581f3f858061786a1fb4d79d95e  emotion/train_text.txt
313730630160b7e0a6b4235b800c76683f4aeeb72d094eb69646630cd5cfe338  emotion/val_labels.txt
e2e30c86b8cbb97944d6543aedc06eace3bb275cb2f381aba787b838b4f23ca5  emotion/val_text.txt
3fc75504ffae64ddc82e13afb5790af7798cd3167d7d35790abe78b39b991896  hate/mapping.txt
c14adca6b3627616a835c5ccea8a1cceb0235cd79417257f093eb0e16a69c62f  hate/test_labels.txt
bc4762876a8dd8baa55c3cd7b03108e3231a5d691e80b8b1ef97c5be31b9da9a  hate/test_text.txt
4e8fde025a453a25c94632794254131dedeac4e57228ad64157c41571cc88f71  hate/train_labels.txt
6572bb3a42143128a5dfa99af8debeb0668e637c34b2d1e3140dac47316fe2c2  hate/train_text.txt
5092badf1a0e70036ea6264bcd0b78afc07d0f4a512fa6af34c2c4973600656b  hate/val_labels.txt
1ff78b1ed4c5ce43284b9eba32eb7d60c6d45d0d1b3b4d6df456ae01640764f1  hate/val_text.txt
70e09046e181179b9870a2f59a3263bbb28c787831779e4ce4a18373d054296b  irony/mapping.txt
08e2095e1725e74907a380614c220204e356bb46e3e8c93deb74e83e5b15ab38  irony/test_labels.txt
53103da934a7308eee82f05f2a9781a8ea3e88604fdc1e02d3101108505c64be  irony/test_text.txt
fc69e6106c0f1f433a91536e08f83c71a391d7b219f7684d42f243a8089af77d  irony/train_labels.txt
a888125a44f7dfaa25b026318748d0e62cc9a300d20f66eafd62011a19eaea23  irony/train_text.txt
ccf429f63b4e8d0e7f425ca09445f7c31f7cea8a1b7c283b015b117c4002fd07  irony/val_labels.txt
8806cf3793e300a485cfae34892fc3a0a2f9a183deb06c750c6531515c83051e  irony/val_text.txt
3e427f483dd5d5be21ae85dcf224c36b3d024af27999939fa0d438d695801c50  offensive/mapping.txt
41d05a7aa0b01f5dafab21b95adb4f979cb4226c046ff315702774d10dac1605  offensive/test_labels.txt
25b08c3333c26190f1023961c4508ec9aab24d4722b1a3ea7a6040724c120547  offensive/test_text.txt
c0b7d6ebdaa4ebcf6fc557ef1e775d92eda160218a0e3b1dd48eb8234dc892a6  offensive/train_labels.txt
78a7a32e38b10af7d8970b008bf17f661c8d0a90dad145fa0fa6a944669650db  offensive/train_text.txt
ed2deb776bd1c52fb8221fadd3360e32d9dfe46842d78053528126e46363a258  offensive/val_labels.txt
816f36d180c35f15a5104838cb73856a0bef42043482fe738f3481b06242a55c  offensive/val_text.txt
c90e6d36d863f876d6661620d37b613b4b07858a5277c8d6623713ee59ca451c  stance/abortion/test_labels.txt
bf0e16a0b8ca4cf0ab90efbc560db3151c288fc842f5e3c6554e8589d521556a  stance/abortion/test_text.txt
e6786a594bd9a083c524a0f420c690351140b52af288f487cb4772d29675b014  stance/abortion/train_labels.txt
a421d5b8fd9f972970b9275b83f65745bf81986d2a412b4caa2ba071f3efa916  stance/abortion/train_text.txt
8df57a50823d5f3683ecf75d824a42e3b08eb52e25e3e2d6928f523097a0c050  stance/abortion/val_labels.txt
0428ab3f2894936f2445a9020763c2bd19ed42986872168bb65886dede5843fd  stance/abortion/val_text.txt
4ef7c9398d265cfac625092c834e43cef9da9cb318e563493abb64f65dfe1b52  stance/atheism/test_labels.txt
16c5336b2cba606ca63a6afcc50241be63a8fccf021628c6505449439b9d54b3  stance/atheism/test_text.txt
a764aac1a75ccb32c4ffc4c03c66dc365cb50f013d3e94549bf775636cbc8373  stance/atheism/train_labels.txt
0e82f1d4a16d79a38a68aee761762cf8a846bc8f7f9395670ca44e2ecf2f58f7  stance/atheism/train_text.txt
638095b3582f927fd1481cdb8d1f9f670f8d27880baf32c0b26c5946fd8f8292  stance/atheism/val_labels.txt
5fe14c4c01f87a45dba640dddbb1d1909a893f9565f159c48fa1ba35bb46c209  stance/atheism/val_text.txt
193c9f2358f61d9efe558324ec89ecaf08e600a44b68128f47838c01d9f98dfd  stance/climate/test_labels.txt
41ee8ee2ad3c36e0629654fdb271f37775197c79be8b299adbeadd2003b63c53  stance/climate/test_text.txt
d6274f55bc95f5a7f2ae591b886c1414a7664aaf4e0c609f4ba6cf377929af18  stance/climate/train_labels.txt
4803211832d318026323a8e5014cff1b95e1c8c3854378101e5d1a8c82582eb7  stance/climate/train_text.txt
0cb133ab9b137292f075210db45f7e293dc52798a4e21e59037bfcfe66c97aa6  stance/climate/val_labels.txt
fc5714703add266801ee2fd98296ea20ec0879e89cdb9f906d9812d9f640f2ba  stance/climate/val_text.txt
ddbde6d253ee47c5d5ef8bc5386270fde45cf088d3be70bba9c382b8a024897a  stance/feminist/test_labels.txt
1bfdbdc2af64fd62dcc775d1288e192ac8ff805ef27ccf3aaac54a98616eefda  stance/feminist/test_text.txt
abd4f196d801423bb0daba8c0ecf5b3efba1f10e8f410c3dfa360b50c8b9c685  stance/feminist/train_labels.txt
c176e6663973c8e78bfa92ba1e8874a70cc5358567d71584a90943bc6525eaab  stance/feminist/train_text.txt
399e0d468d0e4ead7a445f69efdf35876c835acf4cefc00a16f451a5d42e5c13  stance/feminist/val_labels.txt
3518b2ddcf696626a7243d7cea720a975718c7a52a5a086931be87897c1de58b  stance/feminist/val_text.txt
068468f6a72b85dfb65bf10e45f2453fa082d1ea9d7a40e7f560d5b6d75027f3  stance/hillary/test_labels.txt
5c4e020285a62cfd88f264849e1db242ded356c171b1a68dd0050b76635053aa  stance/hillary/test_text.txt
0ea5753d13a717a9e91581d1d89c0b5206c8f905f0a717b2b27d02dbf419250d  stance/hillary/train_labels.txt
0bd735de895cb74d63c224e64e3d955cac99be97aa225f803fe4d2f5978a2c99  stance/hillary/train_text.txt
e5d44c771b7349a4a74309f56ca072fdf8f1c015068d519ca2ed3a931c833606  stance/hillary/val_labels.txt
9714b7dcc8617e095433d7b63df8aa155eb84216b9ac9195105ab83d85cd248d  stance/hillary/val_text.txt
0f8a803dc1773c84279506f25d54b5a9eec7edfc277b41eb75076744dc89b26f  stance/mapping.txt
"""  # noqa: E501


SHA256 = {
    path: digest
    for digest, path in (line.split() for line in SHA256SUMS.splitlines())
}


@dataclasses.dataclass(frozen=True)
class Task:
    """One TweetEval task: its source, classes, split and official metric.

    Attributes:
        name: the task, as the folder of `datasets/` is named.
        source: the SemEval task the data comes from.
        sizes: tweets in the train, valid and test split.
        classes: the class names, in the order of their label ids.
        metric: the official metric, in words.
        metric_classes: the classes whose F1 scores the official metric
            averages; `None` for macro-F1 (over the classes that occur in
            the labels or the predictions, as the official script does).
        topics: the topic folders (stance only), pooled in this order.
        split: how the data is split: `"official"`, the published files.
        folder: the folder of `datasets/` (default: `name`; a stance
            topic's task: `stance`).
    """

    name: str
    source: str
    sizes: tuple
    classes: tuple
    metric: str
    metric_classes: tuple | None
    topics: tuple = ()
    split: str = SPLIT
    folder: str = None

    def __post_init__(self):
        if self.folder is None:
            object.__setattr__(self, "folder", self.name)

    @property
    def selection(self):
        """The official metric as a `--selection` (`macro_f1` or
        `f1:CLASS[,CLASS]`, see `seqkit.models.selection`)."""
        if self.metric_classes:
            return "f1:" + ",".join(self.metric_classes)
        return "macro_f1"

    @property
    def dataset_name(self):
        """The registry name: `tweeteval-TASK`."""
        return f"tweeteval-{self.name}"

    @property
    def description(self):
        """What `seqkit data list` says of the task."""
        sizes = " / ".join(f"{size:,}" for size in self.sizes)
        topics = ""
        if len(self.topics) > 1:
            topics = f", {len(self.topics)} topics pooled"
        elif self.topics:
            topics = f", the topic {self.topics[0]} alone"
        return (
            f"TweetEval {self.name} ({self.source}): {sizes} tweets "
            f"(train / valid / test, official split){topics}; "
            f"{len(self.classes)} classes; metric: {self.metric}"
        )


_MACRO = "macro-F1"
TASKS = {
    task.name: task
    for task in [
        Task(
            name="emoji",
            source="SemEval-2018 Task 2, US English",
            sizes=(45_000, 5_000, 50_000),
            classes=tuple(
                "\u2764 \U0001f60d \U0001f602 \U0001f495 \U0001f525 "
                "\U0001f60a \U0001f60e \u2728 \U0001f499 \U0001f618 "
                "\U0001f4f7 \U0001f1fa\U0001f1f8 \u2600 \U0001f49c "
                "\U0001f609 \U0001f4af \U0001f601 \U0001f384 \U0001f4f8 "
                "\U0001f61c".split()
            ),
            metric=_MACRO,
            metric_classes=None,
        ),
        Task(
            name="emotion",
            source="SemEval-2018 Task 1, Affect in Tweets",
            sizes=(3_257, 374, 1_421),
            classes=("anger", "joy", "optimism", "sadness"),
            metric=_MACRO,
            metric_classes=None,
        ),
        Task(
            name="hate",
            source="SemEval-2019 Task 5, HatEval",
            sizes=(9_000, 1_000, 2_970),
            classes=("not-hate", "hate"),
            metric=_MACRO,
            metric_classes=None,
        ),
        Task(
            name="irony",
            source="SemEval-2018 Task 3, subtask A",
            sizes=(2_862, 955, 784),
            classes=("non_irony", "irony"),
            metric="F1 of the irony class",
            metric_classes=("irony",),
        ),
        Task(
            name="offensive",
            source="SemEval-2019 Task 6, OffensEval subtask A",
            sizes=(11_916, 1_324, 860),
            classes=("not-offensive", "offensive"),
            metric=_MACRO,
            metric_classes=None,
        ),
        Task(
            name="stance",
            source="SemEval-2016 Task 6",
            sizes=(2_620, 294, 1_249),
            classes=("none", "against", "favor"),
            metric="mean of F1(against) and F1(favor), topics pooled",
            metric_classes=("against", "favor"),
            topics=STANCE_TOPICS,
        ),
        *(
            Task(
                name=f"stance-{topic}",
                source="SemEval-2016 Task 6",
                sizes=sizes,
                classes=("none", "against", "favor"),
                metric="mean of F1(against) and F1(favor)",
                metric_classes=("against", "favor"),
                topics=(topic,),
                folder="stance",
            )
            for topic, sizes in STANCE_TOPIC_SIZES.items()
        ),
    ]
}


def get_task(name):
    """The `Task` called `name` (`"irony"` or `"tweeteval-irony"`).

    Raises:
        DataError: no TweetEval task has that name (the message lists them).
    """
    try:
        return TASKS[name.removeprefix("tweeteval-")]
    except KeyError:
        raise DataError(
            f"unknown TweetEval task {name!r}; known: {', '.join(TASKS)}"
        ) from None


def _task_files(task):
    """The `datasets/` paths a task reads: its folder's, or for one stance
    topic that topic's and the shared `stance/mapping.txt`."""
    if len(task.topics) == 1:
        prefixes = (f"{task.folder}/{task.topics[0]}/",)
        extra = {f"{task.folder}/mapping.txt"}
    else:
        prefixes, extra = (f"{task.folder}/",), set()
    return [
        path for path in SHA256 if path.startswith(prefixes) or path in extra
    ]


def _dataset(task):
    return RepoDataSet(
        name=task.dataset_name,
        repo=REPO,
        commit=COMMIT,
        folder=FOLDER,
        files=tuple((path, SHA256[path]) for path in _task_files(task)),
        root=task.folder,
        cache_name="tweeteval",
        description=task.description,
        licence=LICENCE,
        bundle=False,
    )


DATASETS = {task.dataset_name: _dataset(task) for task in TASKS.values()}


def read_task(source, task):
    """The official splits of a TweetEval task, labels mapped to names.

    Every line of the text files is one example, in file order: the text
    is the line as published (only the line break removed; a few `hate`
    tweets are empty and kept, seqkit's readers skip them when training),
    the label the name `mapping.txt` gives its id. Stance pools the five
    topics, in `STANCE_TOPICS` order, and adds the topic to each row.

    Args:
        source: the task's folder (`datasets/TASK`, what
            `fetch("tweeteval-TASK")` returns) or the `datasets` folder.
        task: the task name, `"irony"` or `"tweeteval-irony"`.

    Returns:
        A dict `{"train": rows, "valid": rows, "test": rows}`; a row is
        `(text, label)`, or `(text, label, topic)` for stance.

    Raises:
        DataError: a file is missing or cannot be decoded, a text file
            and its labels differ in length, or a label id is not in
            `mapping.txt` (the message names the file and line).

    Example:

    >>> from seqkit.data import fetch
    >>> from seqkit.data.tweeteval import read_task
    >>> splits = read_task(fetch("tweeteval-irony"), "irony")  # doctest: +SKIP
    >>> len(splits["train"]), splits["train"][0][1]  # doctest: +SKIP
    (2862, 'irony')
    """
    task = get_task(task)
    folder = _task_folder(Path(source), task)
    names = read_mapping(folder / "mapping.txt")
    splits = {split: [] for split in SPLIT_FILES}
    for topic in task.topics or (None,):
        where = folder / topic if topic else folder
        for split, prefix in SPLIT_FILES.items():
            texts = _lines(where / f"{prefix}_text.txt")
            labels_path = where / f"{prefix}_labels.txt"
            ids = _lines(labels_path)
            if len(ids) != len(texts):
                raise DataError(
                    f"{len(ids)} labels for the {len(texts)} tweets of "
                    f"{prefix}_text.txt; expected one label per tweet",
                    path=labels_path,
                )
            for line, (text, label_id) in enumerate(zip(texts, ids), 1):
                label = names.get(label_id.strip())
                if label is None:
                    raise DataError(
                        f"label id {label_id!r} is not in mapping.txt "
                        f"(ids: {', '.join(names)})",
                        path=labels_path,
                        line=line,
                    )
                row = (text, label, topic) if topic else (text, label)
                splits[split].append(row)
    return splits


def read_mapping(path):
    """`{label id: name}` from a `mapping.txt` (`id<TAB>name[<TAB>...]`)."""
    names = {}
    for line, raw in enumerate(_lines(path), 1):
        fields = raw.split("\t")
        if len(fields) < 2 or not fields[1].strip():
            raise DataError(
                "expected a label id and a name, tab-separated",
                path=path,
                line=line,
            )
        names[fields[0].strip()] = fields[1].strip()
    return names


def _lines(path):
    if not path.is_file():
        raise DataError("no such file", path=path)
    return _split_lines(_decode(path, "utf-8"))


def _task_folder(source, task):
    """The task's folder, given it or the `datasets` folder above it."""
    for folder in (source, source / task.folder):
        if (folder / "mapping.txt").is_file():
            return folder
    raise DataError(
        f"expected TweetEval's folder of the {task.name} task (holding "
        f"mapping.txt), or the datasets folder holding {task.folder}/",
        path=source,
    )


def prepare_tweeteval(source, out_dir, task):
    """Writes the official split of a TweetEval task, as published.

    Reads the task with `read_task` (labels as names; stance: the five
    topics pooled) and writes `train.csv`, `valid.csv` and
    `test.csv` (columns `text,label`, stance adds `topic`), rows in file
    order: nothing dropped, deduplicated or resplit. The files may not be
    redistributed: prepare them into the cache, never into `data/`.

    Args:
        source: the task's folder (what `fetch("tweeteval-TASK")`
            returns) or TweetEval's `datasets` folder.
        out_dir: the folder to write to (created if needed).
        task: the task, e.g. `"irony"`.

    Returns:
        A `Prepared` (`seed` is `None`: no split is drawn).

    Raises:
        DataError: a file is missing or malformed (the message names it).
    """
    spec = get_task(task)
    splits = read_task(source, spec.name)
    header = ["text", "label"] + (["topic"] if spec.topics else [])
    counts, files = write_splits(out_dir, splits, header)
    return Prepared(
        source=str(source),
        rows_read=sum(len(rows) for rows in splits.values()),
        dropped={},
        counts=counts,
        seed=None,
        method=SPLIT_METHOD,
        files=files,
    )
