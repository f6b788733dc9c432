"""The offline copy of TweetEval that CI provides beside the checkout.

CI checks the repository out at some folder X with a copy of the
workplace's shared folder at X/../shared; TweetEval's `datasets/` folder is
copied, byte for byte, to `shared/data/tweeteval`. Its files may not be
committed, so tests that need them skip where the copy is absent.
"""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TWEETEVAL = ROOT / ".." / "shared" / "data" / "tweeteval"


def tweeteval_copy():
    """The folder of the offline copy; skips the test when it is absent."""
    if not (TWEETEVAL / "irony" / "mapping.txt").is_file():
        pytest.skip(
            f"no offline TweetEval copy at {TWEETEVAL.resolve()} (CI puts "
            "one at ../shared/data/tweeteval beside the checkout)"
        )
    return TWEETEVAL


def line_count(path):
    """Lines in a file, counting '\\n' only (TweetEval: one tweet a line)."""
    return Path(path).read_bytes().count(b"\n")
