"""Token ids for the pooled loops: the vectorizer's, in fewer ops."""


class VocabularyIds:
    """`text -> ids [rows, max_length]`, as the vectorizer gives them.

    For the export's pooled-loop path, which pads ids to the model's
    `max_length` anyway: the tokenizer's tokens looked up in a table of
    the vectorizer's vocabulary (id 0 is padding, 1 an unknown word) and
    padded or cut to `max_length` in one op (the tokens the vectorizer's
    `keep` keeps). The vectorizer's own call
    (`keras.layers.TextVectorization`'s lookup) captures three constants
    that each call of the signature binds, maps an empty token to 0 (the
    tokenizers never make one) and pads twice.

    Attributes:
        table: the `tf.lookup.StaticHashTable`; the SavedModel must track
            it.
    """

    def __init__(self, vectorizer):
        import tensorflow as tf

        words = vectorizer.get_vocabulary()  # "", "[UNK]", then the words
        self.tokenizer = vectorizer.tokenizer
        self.max_length = vectorizer.max_length
        self.keep = getattr(vectorizer, "keep", "start")
        self.table = tf.lookup.StaticHashTable(
            tf.lookup.KeyValueTensorInitializer(
                tf.constant(words[2:]),
                tf.range(2, len(words), dtype=tf.int64),
            ),
            default_value=1,
        )

    def __call__(self, text):
        import tensorflow as tf

        from seqkit.preprocessing.text_vectorizer import keep_tokens

        tokens = self.tokenizer(text)
        # The raw op, so that the unknown word's id is a constant of the
        # graph rather than the table's captured default.
        ids = tf.ragged.map_flat_values(
            lambda words: tf.raw_ops.LookupTableFindV2(
                table_handle=self.table.resource_handle,
                keys=words,
                default_value=tf.constant(1, tf.int64),
            ),
            tokens,
        )
        if self.keep != "start":
            ids = keep_tokens(ids, self.max_length, self.keep)
        return ids.to_tensor(0, shape=[None, self.max_length])
