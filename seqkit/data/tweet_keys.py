"""The key that groups copies of one tweet before a split.

VADER's rated tweets hold the same tweet several times over, in capitals
or with more exclamation marks ("Damn! running late sucks!", "DAMN!!!
running late SUCKS!!!"): its authors rated such variants to measure
intensity. Splitting by exact text would put copies of one tweet on both
sides of a split; `tweet_group_key` gives them one key, and
`prepare_vader_tweets` splits by key.

The key redoes the tweet tokenizer's standardization
(`seqkit.preprocessing.TweetTokenizer.standardize`) on Python strings:
`seqkit.data` may not import `seqkit.preprocessing`, and a split must not
depend on TensorFlow. Each pattern below is the tokenizer's, written for
Python's `re` (its `\\w` stands for RE2's `[\\pL\\pN_]`, and RE2's `\\s` is
`[\\t\\n\\f\\r ]`).
"""

import re
import unicodedata

_EMOJI_MODIFIERS = re.compile("[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]")
_URL = re.compile(r"(?i)(?:https?://|www\.)[^\t\n\f\r ]+")
_MENTION = re.compile(r"(^|[^\w@])@\w+")
_APOSTROPHES = re.compile("[\u2018\u2019\u02bc]")
_REPEATS = re.compile(r"(.)\1{2,}", re.DOTALL)
# Unicode categories (their first letter) that the key keeps: letters,
# marks and symbols (emoji among them).
_KEPT_CATEGORIES = ("L", "M", "S")


def tweet_group_key(text):
    """The key that groups copies of one tweet before a split.

    The tweet tokenizer's standardization (`TweetTokenizer` with its
    defaults, as `seqkit train sentiment --tokenizer tweet` uses it) is
    redone on the string: NFC normalization; emoji variation selectors and
    skin-tone modifiers removed; URLs (`http://`, `https://` or `www.` up
    to the next ASCII space) replaced by `<url>` and @mentions by
    `<user>`; `str.lower()`; the apostrophes U+2018, U+2019 and U+02BC made
    `'`; every run of one character longer than 2 cut to 2. The key is
    that string with every character dropped that is not a letter, mark or
    symbol (Unicode category `L*`, `M*` or `S*`): punctuation, digits,
    spaces and control characters all go.

    Two texts that the tweet tokenizer maps to the same tokens, once the
    tokens made only of punctuation are dropped, always share a key: the
    tokens hold every character of the standardized text but the spaces,
    and the tokens that are dropped (punctuation) or replaced (numbers, by
    `<number>`) hold only characters the key drops too. The key is coarser
    than that (it also ignores digits inside words and where one token
    ends and the next begins), which can only group more.

    The key is a pure function of the text, made with `re`, `str.lower`
    and `unicodedata` of the standard library; outside ASCII it follows
    the Unicode tables of the running Python.

    Args:
        text: a tweet.

    Returns:
        The key, a string; empty for a text of punctuation and digits only.

    Example:

    ```python
    from seqkit.data import tweet_group_key

    assert tweet_group_key("Damn! running late sucks!") == (
        tweet_group_key("DAMN!!! running  late SUCKS.")
    )
    tweet_group_key("@bob Sooooo good :) http://t.co/x 10")
    # '<user>soogood<url>'
    ```
    """
    text = unicodedata.normalize("NFC", text)
    text = _EMOJI_MODIFIERS.sub("", text)
    text = _URL.sub(" <url> ", text)
    text = _MENTION.sub(r"\1 <user> ", text)
    text = _APOSTROPHES.sub("'", text.lower())
    text = _REPEATS.sub(r"\1\1", text)
    return "".join(
        char
        for char in text
        if unicodedata.category(char).startswith(_KEPT_CATEGORIES)
    )
