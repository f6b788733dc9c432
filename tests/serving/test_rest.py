"""TensorFlow Serving request and answer formats, without a server."""

import base64
import json

import numpy as np
import pytest

from seqkit.serving.rest import (
    RequestError,
    TensorInfo,
    format_predict,
    parse_predict,
    signature_json,
    to_json,
)

TEXT = {
    "serving_default": (
        {"text": TensorInfo("string", (None,), "DT_STRING")},
        {"probabilities": TensorInfo("float32", (None, 2), "DT_FLOAT")},
    )
}
TWO_INPUTS = {
    "serving_default": (
        {
            "image": TensorInfo("float32", (None, 2, 2)),
            "length": TensorInfo("int32", (None,)),
        },
        {},
    )
}


def parse(document, signatures=TEXT):
    body = document if isinstance(document, bytes) else json.dumps(document)
    if isinstance(body, str):
        body = body.encode("utf-8")
    return parse_predict(body, signatures)


def test_row_form_takes_bare_values_and_named_objects():
    request = parse({"instances": ["good", {"text": "bad"}, {"b64": "b2s="}]})
    assert not request.columnar and request.rows == 3
    assert request.signature_name == "serving_default"
    assert request.inputs["text"].tolist() == [b"good", b"bad", b"ok"]


def test_columnar_form_bare_and_named():
    bare = parse({"inputs": ["a", "b"]})
    named = parse({"inputs": {"text": ["a", "b"]}})
    assert bare.columnar and named.columnar
    assert bare.inputs["text"].tolist() == named.inputs["text"].tolist()


def test_numeric_inputs_with_shapes():
    request = parse(
        {"instances": [{"image": [[1, 2], [3, 4]], "length": 2}] * 3},
        TWO_INPUTS,
    )
    assert request.inputs["image"].shape == (3, 2, 2)
    assert request.inputs["image"].dtype == np.float32
    assert request.inputs["length"].tolist() == [2, 2, 2]


@pytest.mark.parametrize(
    "document, status, message",
    [
        (b"{oops", 400, "malformed JSON"),
        (b"\xff\xfe{}", 400, "not valid UTF-8"),
        ([1, 2], 400, "received a JSON list"),
        ({"instancez": ["a"]}, 400, "unknown keys ['instancez']"),
        ({}, 400, "exactly one of 'instances' or 'inputs'"),
        ({"instances": ["a"], "inputs": ["a"]}, 400, "exactly one"),
        ({"instances": []}, 400, "'instances' is an empty list"),
        ({"instances": "a"}, 400, "'instances' must be a list"),
        ({"inputs": []}, 400, "input 'text' is an empty list"),
        ({"inputs": "a"}, 400, "must be a list"),
        ({"instances": ["a", 3]}, 400, "text[1]: expected a string"),
        ({"instances": [None]}, 400, "received a JSON null"),
        ({"instances": [{"txt": "a"}]}, 400, "has keys ['txt']"),
        ({"instances": [["a", "b"]]}, 400, "got shape [1, 2]"),
        ({"instances": [["a"], "b"]}, 400, "not all strings"),
        ({"instances": [{"b64": "%%%"}]}, 400, "no valid base64"),
        ({"inputs": {"words": ["a"]}}, 400, "has keys ['words']"),
        ({"instances": ["a"], "signature_name": 3}, 400, "must be a string"),
        ({"instances": ["a"], "signature_name": "x"}, 404, "no signature 'x'"),
    ],
)
def test_bad_requests_name_the_problem(document, status, message):
    with pytest.raises(RequestError) as caught:
        parse(document)
    assert caught.value.status == status
    assert message in caught.value.message


@pytest.mark.parametrize(
    "instances, message",
    [
        ([{"image": [[1, 2], [3, 4]]}], "has keys ['image']"),
        (
            [{"image": [[1, 2], [3, "x"]], "length": 1}],
            "image[0][1][1]: expected a number",
        ),
        ([{"image": [[1, 2]], "length": 1}], "got shape [1, 1, 2]"),
        ([{"image": [[1, 2], [3, 4]], "length": True}], "received a bool"),
        (["a"], "must be an object with the inputs"),
    ],
)
def test_bad_numeric_requests(instances, message):
    with pytest.raises(RequestError, match=None) as caught:
        parse({"instances": instances}, TWO_INPUTS)
    assert message in caught.value.message


def test_answers_in_both_forms():
    outputs = {
        "probabilities": np.array([[0.25, 0.75], [0.5, 0.5]], np.float32),
        "label": np.array([b"pos", b"\xff"], dtype=object),
    }
    rows = format_predict(outputs, columnar=False)
    assert rows == {
        "predictions": [
            {"probabilities": [0.25, 0.75], "label": "pos"},
            {
                "probabilities": [0.5, 0.5],
                "label": {"b64": base64.b64encode(b"\xff").decode()},
            },
        ]
    }
    columns = format_predict(outputs, columnar=True)
    assert columns["outputs"]["probabilities"] == [[0.25, 0.75], [0.5, 0.5]]
    single = {"probabilities": outputs["probabilities"]}
    assert format_predict(single, False) == {
        "predictions": [[0.25, 0.75], [0.5, 0.5]]
    }
    assert format_predict(single, True) == {
        "outputs": [[0.25, 0.75], [0.5, 0.5]]
    }


def test_to_json_keeps_unicode():
    assert to_json(np.array(["é".encode()], dtype=object)) == ["é"]


def test_signature_json_is_tf_serving_shaped():
    inputs, outputs = TEXT["serving_default"]
    document = signature_json(inputs, outputs)
    assert document["method_name"] == "tensorflow/serving/predict"
    text = document["inputs"]["text"]
    assert text["dtype"] == "DT_STRING"
    assert text["tensor_shape"]["dim"] == [{"size": "-1", "name": ""}]
    dims = document["outputs"]["probabilities"]["tensor_shape"]["dim"]
    assert [d["size"] for d in dims] == ["-1", "2"]
