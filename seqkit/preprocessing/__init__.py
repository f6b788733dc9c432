"""Text -> ids: the in-graph word tokenizer, vocabulary, vectorizer layer
and pretrained word vectors.

Importing this package registers `TextVectorizer`, `WordTokenizer` and
`TweetTokenizer` for Keras serialization, so import it before
`keras.saving.load_model` on a model that holds them.
"""

from seqkit.preprocessing.errors import (
    MissingExtraError,
    VectorsFileError,
    VocabularyError,
)
from seqkit.preprocessing.glove import load_glove_6b_50d
from seqkit.preprocessing.sentences import (
    DocumentVectorizer,
    split_sentences,
)
from seqkit.preprocessing.text_vectorizer import (
    TextVectorizer,
    count_truncated,
    token_lengths,
)
from seqkit.preprocessing.tweet_tokenizer import TweetTokenizer
from seqkit.preprocessing.vectors import (
    Coverage,
    WordVectors,
    embedding_matrix,
    load_word_vectors,
)
from seqkit.preprocessing.vocabulary import (
    PAD_ID,
    PAD_TOKEN,
    UNK_ID,
    UNK_TOKEN,
    Vocabulary,
    count_tokens,
)
from seqkit.preprocessing.word_tokenizer import WordTokenizer, tokenize

__all__ = [
    "PAD_ID",
    "PAD_TOKEN",
    "UNK_ID",
    "UNK_TOKEN",
    "Coverage",
    "DocumentVectorizer",
    "MissingExtraError",
    "TextVectorizer",
    "TweetTokenizer",
    "VectorsFileError",
    "Vocabulary",
    "VocabularyError",
    "WordTokenizer",
    "WordVectors",
    "count_tokens",
    "count_truncated",
    "embedding_matrix",
    "load_glove_6b_50d",
    "load_word_vectors",
    "split_sentences",
    "token_lengths",
    "tokenize",
]
