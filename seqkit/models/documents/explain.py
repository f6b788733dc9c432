"""Predictions of a document classifier with its sentence and word
attention, per document."""

import numpy as np


def predict_documents(classifier, texts, batch_size=32):
    """The outputs of a `DocumentClassifier` for each document.

    Batches are padded to their own longest document and sentence, so the
    attention arrays of different batches differ in width; this returns
    them per document, cut to the document's kept sentences and words.

    Returns:
        `(probabilities [n, classes], attention)`: `attention` is a list of
        `(sentence_weights [s], word_weights [s, w] or None)`, one per
        document.
    """
    from keras import ops

    probabilities, attention = [], []
    for first in range(0, len(texts), batch_size):
        chunk = np.array(texts[first : first + batch_size], dtype=object)
        ids = np.asarray(classifier.documents(chunk))
        outputs = classifier(chunk, training=False)
        probabilities.append(ops.convert_to_numpy(outputs["probabilities"]))
        sentences = ops.convert_to_numpy(outputs["sentence_attention"])
        words = outputs.get("word_attention")
        words = None if words is None else ops.convert_to_numpy(words)
        for row, document in enumerate(ids):
            count = int(np.any(document != 0, axis=1).sum())
            word_weights = None
            if words is not None:
                word_weights = words[row, :count]
            attention.append((sentences[row, :count], word_weights))
    return np.concatenate(probabilities), attention


def explain_documents(classifier, texts, top_k=None, batch_size=32):
    """Predictions with sentence and word attention, per document.

    Returns:
        A list of dicts: `text`, `label`, `probabilities`, `top_k` and
        `sentences`: `[{"text", "weight", "words": [[token, weight],
        ...]}]` for the kept sentences (after truncation).
    """
    probabilities, attention = predict_documents(classifier, texts, batch_size)
    names = classifier.class_names
    documents = classifier.documents
    tokenizer = classifier.vectorizer.tokenizer
    limit = documents.max_words
    k = len(names) if top_k is None else max(1, min(int(top_k), len(names)))
    results = []
    for row, text in enumerate(texts):
        p = probabilities[row].astype(float)
        order = np.argsort(-p, kind="stable")
        kept = [
            s.decode("utf-8") for s in documents.sentences([text])[0].numpy()
        ]
        sentence_weights, word_weights = attention[row]
        sentences = []
        tokenized = tokenizer.tokenize(kept) if kept else []
        for index, sentence in enumerate(kept):
            tokens = tokenized[index][:limit]
            entry = {
                "text": sentence,
                "weight": round(float(sentence_weights[index]), 6),
            }
            if word_weights is not None:
                entry["words"] = [
                    [token, round(float(word_weights[index, i]), 6)]
                    for i, token in enumerate(tokens)
                ]
            sentences.append(entry)
        results.append(
            {
                "text": text,
                "label": names[order[0]],
                "probabilities": {
                    n: round(float(v), 6) for n, v in zip(names, p)
                },
                "top_k": [[names[i], round(float(p[i]), 6)] for i in order[:k]],
                "sentences": sentences,
            }
        )
    return results
