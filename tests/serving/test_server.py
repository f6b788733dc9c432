"""`seqkit serve` end to end: a subprocess spoken to over plain HTTP.

The requests are exactly TensorFlow Serving's REST formats.
"""

import http.client
import random
import shutil
import threading
import time

import numpy as np
import pytest

from seqkit.models.predict import predict_texts
from seqkit.runs import load_run
from seqkit.testing.server_process import ServerProcess, send, wait_for

TEXTS = [
    "a gorgeous , witty , seductive movie .",
    "the plot is nothing but boilerplate clichés",
    "an overlong , tedious mess",
    "one of the year's best films",
    "flat",
    "Not bad!!! 3.5 stars... isn't it?",
]
PREDICT = "/v1/models/sentiment:predict"


@pytest.fixture(scope="module")
def expected(attention_run):
    results = predict_texts(load_run(attention_run), TEXTS)
    names = ["thumbs down", "thumbs up"]
    return {
        r["text"]: ([r["probabilities"][n] for n in names], r["label"])
        for r in results
    }


@pytest.fixture(scope="module")
def server(exported, tmp_path_factory):
    source, _ = exported
    base = tmp_path_factory.mktemp("serve") / "sentiment"
    shutil.copytree(source, base)
    process = ServerProcess(base, "--poll-seconds", 0.2)
    yield process, base
    process.stop()


def _check(prediction, text, expected):
    probabilities, label = expected[text]
    np.testing.assert_allclose(
        prediction["probabilities"], probabilities, atol=1e-5
    )
    assert prediction["label"] == label


def test_row_and_columnar_predict(server, expected):
    process, _ = server
    status, body = process.request(
        "POST", PREDICT, {"instances": [TEXTS[0], {"text": TEXTS[1]}]}
    )
    assert status == 200, body
    for text, prediction in zip(TEXTS[:2], body["predictions"]):
        _check(prediction, text, expected)
        assert len(prediction["attention"]) == len(prediction["tokens"])

    status, body = process.request(
        "POST",
        PREDICT,
        {"signature_name": "serving_default", "inputs": {"text": TEXTS}},
    )
    assert status == 200, body
    outputs = body["outputs"]
    for row, text in enumerate(TEXTS):
        _check(
            {k: outputs[k][row] for k in ("probabilities", "label")},
            text,
            expected,
        )
    assert outputs["tokens"][4][:2] == ["flat", ""]


def test_status_metadata_and_versions(server):
    process, _ = server
    status, body = process.request("GET", "/v1/models/sentiment")
    assert status == 200
    assert body["model_version_status"][0]["state"] == "AVAILABLE"
    status, body = process.request("GET", "/v1/models/sentiment/metadata")
    assert status == 200
    signature = body["metadata"]["signature_def"]["signature_def"][
        "serving_default"
    ]
    assert signature["inputs"]["text"]["dtype"] == "DT_STRING"
    assert signature["outputs"]["probabilities"]["dtype"] == "DT_FLOAT"
    assert set(signature["outputs"]) == {
        "probabilities",
        "label",
        "attention",
        "tokens",
    }
    assert body["metadata"]["seqkit"]["class_names"] == [
        "thumbs down",
        "thumbs up",
    ]
    version = body["model_spec"]["version"]
    status, _ = process.request(
        "POST",
        f"/v1/models/sentiment/versions/{version}:predict",
        {"instances": ["fine"]},
    )
    assert status == 200
    for path, code in [
        ("/v1/models/sentiment/versions/99:predict", 404),
        ("/v1/models/other:predict", 404),
        ("/v1/models/sentiment/versions/x:predict", 400),
        ("/v1/models/sentiment:classify", 400),
    ]:
        status, body = process.request("POST", path, {"instances": ["a"]})
        assert status == code and "error" in body, (path, body)
    status, body = process.request("GET", "/v1/models/sentiment:predict")
    assert status == 405 and "allowed: POST" in body["error"]
    status, body = process.request("GET", "/health")
    assert status == 200 and body["status"] == "ok"


BAD_REQUESTS = [
    (b'{"instances": ["a"', 400, "malformed JSON"),
    (b'{"instance": ["a"]}', 400, "unknown keys"),
    (b'{"instances": [1, 2]}', 400, "expected a string"),
    (b'{"instances": []}', 400, "empty list"),
    (b'{"inputs": {"text": "a"}}', 400, "must be a list"),
    (b'{"instances": ["\xff\xfe"]}', 400, "not valid UTF-8"),
    (b"{" + b" " * (10 * 1024 * 1024) + b"}", 413, "over the limit"),
]


def test_bad_input_never_harms_later_answers(server, expected):
    process, _ = server
    reference = {"instances": TEXTS}
    _, before = process.request("POST", PREDICT, reference)
    for body, code, message in BAD_REQUESTS:
        status, answer = process.request("POST", PREDICT, body)
        assert status == code, (body[:40], answer)
        assert message in answer["error"]
    long_text = ("a tedious , overlong film " * 4000)[:100_000]
    status, answer = process.request(
        "POST", PREDICT, {"instances": [long_text, TEXTS[0]]}
    )
    assert status == 200, answer
    _check(answer["predictions"][1], TEXTS[0], expected)
    assert sum(answer["predictions"][0]["probabilities"]) == pytest.approx(1)
    # max_length, decided from the tiny split's longest snippet.
    assert len(answer["predictions"][0]["tokens"]) == 45
    _, after = process.request("POST", PREDICT, reference)
    assert after == before
    assert process.process.poll() is None


def test_32_clients_50_requests_each(server, expected):
    process, _ = server
    failures = []

    def client(seed):
        rng = random.Random(seed)
        connection = http.client.HTTPConnection("127.0.0.1", process.port, 60)
        try:
            for _ in range(50):
                texts = rng.sample(TEXTS, rng.randint(1, 3))
                status, body = send(
                    connection, "POST", PREDICT, {"instances": texts}
                )
                if status != 200:
                    failures.append(body)
                    continue
                for text, prediction in zip(texts, body["predictions"]):
                    try:
                        _check(prediction, text, expected)
                    except AssertionError as error:
                        failures.append(str(error))
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    records = [r for r in process.access_records() if r["path"] == PREDICT]
    assert sum(r["status"] == 200 for r in records) >= 1600


def test_new_versions_are_picked_up_and_broken_ones_skipped(server):
    process, base = server
    staging = base / ".staging"
    shutil.copytree(base / "1", staging)
    staging.rename(base / "2")

    def serving(version):
        _, body = process.request("GET", "/health")
        return body.get("version") == version

    assert wait_for(lambda: serving(2))
    status, _ = process.request(
        "POST",
        "/v1/models/sentiment/versions/2:predict",
        {"instances": ["good"]},
    )
    assert status == 200
    status, _ = process.request(
        "POST",
        "/v1/models/sentiment/versions/1:predict",
        {"instances": ["good"]},
    )
    assert status == 404

    broken = base / ".broken"
    broken.mkdir()
    (broken / "saved_model.pb").write_bytes(b"not a SavedModel")
    broken.rename(base / "3")

    def reported():
        _, body = process.request("GET", "/v1/models/sentiment/versions/3")
        states = body.get("model_version_status", [])
        return states and states[0]["status"]["error_message"]

    assert wait_for(reported)
    _, body = process.request("GET", "/v1/models/sentiment/versions/3")
    assert (
        "3: cannot load the SavedModel"
        in body["model_version_status"][0]["status"]["error_message"]
    )
    assert serving(2)
    status, _ = process.request("POST", PREDICT, {"instances": ["good"]})
    assert status == 200


def test_sigterm_lets_in_flight_requests_finish(exported, expected):
    base, _ = exported
    process = ServerProcess(base)
    # 30,000 texts of 100 characters: seconds of work on this machine, so
    # the request is in flight when the signal arrives (the log's order
    # below proves it was).
    texts = [("a tedious , overlong film " * 5)[:100]] * 30_000 + TEXTS
    answers = []

    def ask():
        answers.append(process.request("POST", PREDICT, {"instances": texts}))

    asker = threading.Thread(target=ask)
    asker.start()
    time.sleep(0.3)
    assert process.stop(timeout=120) == 0
    asker.join()
    status, body = answers[0]
    assert status == 200
    assert len(body["predictions"]) == len(texts)
    for text, prediction in zip(TEXTS, body["predictions"][-len(TEXTS) :]):
        _check(prediction, text, expected)
    log = process.log()
    assert log.index("shutting down") < log.index('"status": 200')
    assert "stopped" in log
