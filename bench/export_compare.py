"""Two or more exports of one model, timed side by side on raw strings.

Loads each SavedModel (`NAME=FOLDER`) in one process and times its
serving signature on the bundled test split, the way
`bench/perf_suite.py` times the export: the 1,276 test texts in batches
of 64, and the first 300 one at a time. The exports take turns, in an
order reversed every round; the table gives medians over the rounds and
each export's ratio to the first. It also prints the largest difference
between the first export's probabilities and each other's.

    python bench/export_compare.py before=models/a/1 after=models/b/1 \\
        [--rounds 7]

TensorFlow runs with the intra-op threads the suite uses (half the
cores).
"""

import argparse
import statistics
import sys
import time
from pathlib import Path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exports", nargs="+", help="NAME=FOLDER, 2 or more")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    exports = {}
    for item in args.exports:
        name, sep, folder = item.partition("=")
        if not sep or not name or not folder:
            parser.error(f"expected NAME=FOLDER; received {item!r}")
        if not (Path(folder) / "saved_model.pb").is_file():
            parser.error(f"{folder}: no saved_model.pb (a version folder?)")
        exports[name] = folder
    if len(exports) < 2:
        parser.error("give at least two exports")

    from seqkit.environment import configure_training_threads

    configure_training_threads(True)
    import numpy as np
    import tensorflow as tf

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from perf_suite import load_data

    texts = load_data()[-1]["test"]
    batches = [texts[i : i + 64] for i in range(0, len(texts), 64)]
    singles = [[text] for text in texts[:300]]
    signatures = {
        name: tf.saved_model.load(folder).signatures["serving_default"]
        for name, folder in exports.items()
    }

    def predict(name, batch):
        outputs = signatures[name](text=tf.constant(batch))
        return outputs["probabilities"].numpy()

    for name in signatures:  # warm-up: the first call fills any tables
        for batch in batches[:3] + singles[:20]:
            predict(name, batch)
    kinds = {"batches of 64": batches, "one at a time": singles}
    speeds = {(name, kind): [] for name in signatures for kind in kinds}
    for round_index in range(args.rounds):
        order = list(signatures)
        if round_index % 2:
            order.reverse()
        for name in order:
            for kind, items in kinds.items():
                started = time.perf_counter()
                for batch in items:
                    predict(name, batch)
                elapsed = time.perf_counter() - started
                speeds[(name, kind)].append(sum(map(len, items)) / elapsed)
    first = next(iter(signatures))
    print("| export | " + " | ".join(f"texts/s, {k}" for k in kinds) + " |")
    print("|---|" + "---|" * len(kinds))
    for name in signatures:
        cells = []
        for kind in kinds:
            speed = statistics.median(speeds[(name, kind)])
            ratio = speed / statistics.median(speeds[(first, kind)])
            cells.append(f"{speed:,.1f} ({ratio:.2f}x)")
        print(f"| {name} | " + " | ".join(cells) + " |")
    for name in list(signatures)[1:]:
        difference = max(
            float(np.abs(predict(first, b) - predict(name, b)).max())
            for b in batches + singles[:50]
        )
        print(
            f"largest probability difference, {first} vs {name}: "
            f"{difference:.2e}"
        )


if __name__ == "__main__":
    main()
