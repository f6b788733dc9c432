"""TensorFlow Serving's REST formats: parsing requests, writing answers.

Pure functions over bytes, dicts and NumPy arrays (no web framework), so
the rules are tested directly. The formats are those of TensorFlow
Serving's REST API:

- row form: `{"instances": [...]}` answered with `{"predictions": [...]}`;
  with one input, an instance is the input's value or `{"NAME": value}`;
  with several, an instance is an object of them;
- columnar form: `{"inputs": value}` (one input) or `{"inputs": {"NAME":
  value, ...}}`, answered with `{"outputs": ...}`;
- `"signature_name"` picks the signature (default `serving_default`);
- a binary string may be written `{"b64": "<base64>"}`; an output string
  that is not valid UTF-8 is answered the same way.

Every problem raises `RequestError` with the HTTP status and a message
that names the field at fault.
"""

import base64
import binascii
import json
import numbers
from dataclasses import dataclass

import numpy as np

from seqkit.serving.format import SIGNATURE


class RequestError(Exception):
    """A request the server refuses: `status` (400, 404, 413) + message."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class TensorInfo:
    """A signature input or output: dtype name (`"string"`, `"float32"`,
    ...) and shape (a tuple with `None` for unknown sizes)."""

    dtype: str
    shape: tuple
    proto_dtype: str = ""  # TensorFlow's enum name, "DT_FLOAT"


@dataclass
class PredictRequest:
    """A parsed `:predict` body.

    Attributes:
        signature_name: the signature asked for.
        columnar: whether the body used `inputs` (else `instances`).
        inputs: input name -> NumPy array (batch first).
        rows: the batch size.
    """

    signature_name: str
    columnar: bool
    inputs: dict
    rows: int


def parse_body(body):
    """The JSON object of a request body.

    Raises:
        RequestError: 400 for a body that is not UTF-8, not JSON or not an
            object.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RequestError(
            400,
            f"the request body is not valid UTF-8 (byte {error.start}): "
            "JSON requests must be UTF-8 text",
        ) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise RequestError(
            400, f"malformed JSON in the request body: {error}"
        ) from None
    if not isinstance(document, dict):
        raise RequestError(
            400,
            "the request body must be a JSON object with 'instances' or "
            f"'inputs'; received a JSON {_json_type(document)}",
        )
    return document


def parse_predict(body, signatures):
    """Parses a `:predict` body against the model's signatures.

    Args:
        body: the raw request body (bytes).
        signatures: signature name -> `(inputs, outputs)`, each a dict of
            name -> `TensorInfo`.

    Returns:
        A `PredictRequest`.

    Raises:
        RequestError: 400 for any malformed request, 404 for an unknown
            signature.
    """
    document = parse_body(body)
    unknown = sorted(set(document) - {"instances", "inputs", "signature_name"})
    if unknown:
        raise RequestError(
            400,
            f"unknown keys {unknown} in the request: expected 'instances' "
            "or 'inputs' (and optionally 'signature_name')",
        )
    if ("instances" in document) == ("inputs" in document):
        raise RequestError(
            400, "the request must have exactly one of 'instances' or 'inputs'"
        )
    name = document.get("signature_name", SIGNATURE)
    if not isinstance(name, str):
        raise RequestError(400, "'signature_name' must be a string")
    if name not in signatures:
        raise RequestError(
            404,
            f"no signature {name!r} in the model; it has {sorted(signatures)}",
        )
    specs = signatures[name][0]
    if "instances" in document:
        columns = _columns_from_rows(document["instances"], specs)
        columnar = False
    else:
        columns = _columns_from_inputs(document["inputs"], specs)
        columnar = True
    arrays = {
        key: to_array(columns[key], spec, key) for key, spec in specs.items()
    }
    rows = {len(array) for array in arrays.values()}
    if len(rows) != 1:
        raise RequestError(
            400, f"the inputs disagree on the batch size: {sorted(rows)}"
        )
    return PredictRequest(name, columnar, arrays, rows.pop())


def _columns_from_rows(instances, specs):
    if not isinstance(instances, list):
        raise RequestError(
            400,
            "'instances' must be a list; received a JSON "
            f"{_json_type(instances)}",
        )
    if not instances:
        raise RequestError(400, "'instances' is an empty list")
    names = list(specs)
    columns = {name: [] for name in names}
    for index, instance in enumerate(instances):
        named = isinstance(instance, dict) and not _is_b64(instance)
        if len(names) > 1 and not named:
            raise RequestError(
                400,
                f"instances[{index}] must be an object with the inputs {names}",
            )
        if not named:
            columns[names[0]].append(instance)
            continue
        if set(instance) != set(names):
            raise RequestError(
                400,
                f"instances[{index}] has keys {sorted(instance)}; the "
                f"signature's inputs are {names}",
            )
        for name in names:
            columns[name].append(instance[name])
    return columns


def _columns_from_inputs(inputs, specs):
    names = list(specs)
    if isinstance(inputs, dict) and not _is_b64(inputs):
        if set(inputs) != set(names):
            raise RequestError(
                400,
                f"'inputs' has keys {sorted(inputs)}; the signature's "
                f"inputs are {names}",
            )
        columns = inputs
    elif len(names) == 1:
        columns = {names[0]: inputs}
    else:
        raise RequestError(
            400, f"'inputs' must be an object with the inputs {names}"
        )
    for name, value in columns.items():
        if not isinstance(value, list):
            raise RequestError(
                400,
                f"input {name!r} must be a list (one item per example); "
                f"received a JSON {_json_type(value)}",
            )
        if not value:
            raise RequestError(400, f"input {name!r} is an empty list")
    return columns


def to_array(values, spec, name):
    """Converts one input's JSON values to a NumPy batch for `spec`.

    Raises:
        RequestError: 400 naming the input and the first bad item.
    """
    if spec.dtype == "string":
        converted = [_to_bytes(v, f"{name}[{i}]") for i, v in enumerate(values)]
        try:
            array = np.array(converted, dtype=object)
        except ValueError:
            array = None
        if array is None or not all(isinstance(v, bytes) for v in array.flat):
            raise RequestError(
                400,
                f"input {name!r}: the items are not all strings nested to "
                f"one depth (the signature expects shape {_shown(spec)})",
            )
    else:
        _check_numbers(values, name, spec.dtype)
        try:
            array = np.asarray(values, dtype=spec.dtype)
        except (ValueError, OverflowError) as error:
            raise RequestError(
                400, f"input {name!r}: cannot read as {spec.dtype}: {error}"
            ) from None
    _check_shape(array, spec, name)
    return array


def _to_bytes(value, where):
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    if _is_b64(value):
        try:
            return base64.b64decode(value["b64"], validate=True)
        except (binascii.Error, TypeError):
            raise RequestError(
                400, f"{where}: 'b64' holds no valid base64 string"
            ) from None
    if isinstance(value, list):
        return [_to_bytes(v, f"{where}[{i}]") for i, v in enumerate(value)]
    raise RequestError(
        400, f"{where}: expected a string; received a JSON {_json_type(value)}"
    )


def _check_numbers(values, name, dtype, where=None):
    where = where or name
    if isinstance(values, list):
        for i, value in enumerate(values):
            _check_numbers(value, name, dtype, f"{where}[{i}]")
        return
    if isinstance(values, bool) and dtype != "bool":
        raise RequestError(400, f"{where}: expected a number; received a bool")
    if not isinstance(values, (numbers.Number, bool)):
        raise RequestError(
            400,
            f"{where}: expected a number ({dtype}); received a JSON "
            f"{_json_type(values)}",
        )


def _check_shape(array, spec, name):
    expected = spec.shape
    if array.ndim != len(expected) or any(
        size is not None and size != got
        for size, got in zip(expected[1:], array.shape[1:])
    ):
        raise RequestError(
            400,
            f"input {name!r}: got shape {list(array.shape)}, the signature "
            f"expects {_shown(spec)} (batch first)",
        )


def _shown(spec):
    return (
        "["
        + ", ".join("None" if s is None else str(s) for s in spec.shape)
        + "]"
    )


def _is_b64(value):
    return isinstance(value, dict) and list(value) == ["b64"]


def _json_type(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, numbers.Number):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    return "object"


def format_predict(outputs, columnar):
    """The JSON answer for a batch's outputs (name -> NumPy array).

    One output is answered bare (`{"predictions": [v, ...]}`); several as
    one object per row (row form) or per output (columnar form), as
    TensorFlow Serving does.
    """
    values = {name: to_json(array) for name, array in outputs.items()}
    if columnar:
        if len(values) == 1:
            return {"outputs": next(iter(values.values()))}
        return {"outputs": values}
    if len(values) == 1:
        return {"predictions": next(iter(values.values()))}
    rows = len(next(iter(values.values())))
    return {
        "predictions": [
            {name: column[row] for name, column in values.items()}
            for row in range(rows)
        ]
    }


def to_json(array):
    """A NumPy array as JSON values (bytes as text, or `{"b64": ...}`)."""
    array = np.asarray(array)
    if array.dtype.kind in "OSU":
        return _strings_to_json(array.tolist())
    return array.tolist()


def _strings_to_json(value):
    if isinstance(value, list):
        return [_strings_to_json(v) for v in value]
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return {"b64": base64.b64encode(value).decode("ascii")}
    return value


def signature_json(inputs, outputs, tensor_names=None):
    """A signature in the `GetModelMetadata` form of TensorFlow Serving."""
    tensor_names = tensor_names or {}

    def tensor(name, info):
        return {
            "dtype": info.proto_dtype or "DT_" + info.dtype.upper(),
            "tensor_shape": {
                "dim": [
                    {"size": str(-1 if size is None else size), "name": ""}
                    for size in info.shape
                ],
                "unknown_rank": False,
            },
            "name": tensor_names.get(name, name),
        }

    return {
        "inputs": {name: tensor(name, info) for name, info in inputs.items()},
        "outputs": {name: tensor(name, info) for name, info in outputs.items()},
        "method_name": "tensorflow/serving/predict",
    }
