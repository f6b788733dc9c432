"""Held-out perplexity: the seqkit LSTM LM against a Kneser-Ney trigram.

Both models read the same token streams: the LM run's tokenizer and
vocabulary (words outside it become `[UNK]`), one stream per document,
`[EOS]` before the first line and after every line. Both predict every
token of a stream but the first `[EOS]`; the trigram model's context is
the two previous tokens of the same document. The baseline is
interpolated Kneser-Ney: the estimator of
`nltk.lm.KneserNeyInterpolated(order=3)`, with its tables counted once
(`bench/kneser_ney.py`; tested equal to nltk's), trained on the same
training files, with the discounts 0.1 (nltk's default), 0.75 and 0.9;
the best on the test text is reported, which favours the baseline.

    python bench/lm_baseline.py --run RUN --corpus DIR/train.txt \\
        --test DIR/test.txt

Prints a JSON object: tokens, the trigram model's perplexity, the LSTM's
(forward direction, and backward when the run has it), their ratio and
the seconds each took.
"""

import argparse
import json
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def trigram_perplexity(train_streams, test_streams, discount=0.1):
    """Fits the Kneser-Ney trigram model; returns `(perplexity, tokens)`."""
    from kneser_ney import KneserNeyTrigram

    model = KneserNeyTrigram(train_streams, discount)
    total, count = 0.0, 0
    for stream in test_streams:
        for index in range(1, len(stream)):
            p = model.score(stream[index], stream[max(0, index - 2) : index])
            if p <= 0:
                raise RuntimeError(
                    f"the trigram model gives {stream[index]!r} p=0"
                )
            total -= math.log(p)
            count += 1
    return math.exp(total / count), count


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", required=True, help="a seqkit LM run")
    parser.add_argument("--corpus", required=True, nargs="+")
    parser.add_argument("--test", required=True)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--bptt", type=int, default=70)
    parser.add_argument(
        "--discounts",
        type=float,
        nargs="+",
        default=[0.1, 0.75, 0.9],
        help="Kneser-Ney discounts to try (nltk's default is 0.1); the "
        "best on the test text is reported, which favours the baseline",
    )
    args = parser.parse_args()

    from seqkit.data.lm_corpus import read_corpus
    from seqkit.models.lm.transfer import load_language_model
    from seqkit.preprocessing import Vocabulary
    from seqkit.training.recipes.lm import BPTTRunner, encode_documents

    lm = load_language_model(args.run)
    words = lm.vectorizer.get_vocabulary()[2:]
    vocabulary = Vocabulary(words)
    streams = {
        name: encode_documents(lm.vectorizer, vocabulary, read_corpus(paths))
        for name, paths in (("train", args.corpus), ("test", [args.test]))
    }
    tokens = vocabulary.tokens
    text = {
        name: [[tokens[i] for i in ids] for ids in docs]
        for name, docs in streams.items()
    }
    result = {"run": args.run, "test": args.test}
    started = time.time()
    result["trigram_kn_by_discount"] = {}
    for discount in args.discounts:
        perplexity, result["tokens"] = trigram_perplexity(
            text["train"], text["test"], discount
        )
        result["trigram_kn_by_discount"][str(discount)] = round(perplexity, 3)
    result["trigram_kn"] = min(result["trigram_kn_by_discount"].values())
    result["trigram_seconds"] = round(time.time() - started, 1)
    started = time.time()
    lm.compile(optimizer="adam")
    runner = BPTTRunner(lm, clipnorm=1.0)
    _, _, per_direction = runner.epoch(
        streams["test"], args.batch_size, args.bptt, None, training=False
    )
    for direction, (loss, count) in per_direction.items():
        if count != result["tokens"]:
            raise RuntimeError(
                f"the LM scored {count} tokens, the trigram model "
                f"{result['tokens']}"
            )
        result[f"lstm_{direction}"] = round(math.exp(loss), 3)
    result["lstm_seconds"] = round(time.time() - started, 1)
    result["trigram_over_lstm_forward"] = round(
        result["trigram_kn"] / result["lstm_forward"], 3
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
