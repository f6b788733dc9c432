"""Argument checks shared by the samplers."""

import math

import numpy as np


def _is_int(value):
    return isinstance(value, int | np.integer) and not isinstance(
        value, bool | np.bool_
    )


def _is_number(value):
    return _is_int(value) or isinstance(value, float | np.floating)


def check_step(step):
    if not callable(step):
        raise ValueError(
            "step must be a function step(tokens, state) -> "
            f"(log_probs, new_state), got {step!r}"
        )


def check_positive_int(name, value):
    if not _is_int(value) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


def check_optional_positive_int(name, value):
    if value is None:
        return None
    if not _is_int(value) or value < 1:
        raise ValueError(
            f"{name} must be a positive int or None, got {value!r}"
        )
    return int(value)


def check_positive_float(name, value):
    if not _is_number(value) or not (0 < value < math.inf):
        raise ValueError(
            f"{name} must be a positive finite number, got {value!r}"
        )
    return float(value)


def check_finite_float(name, value):
    if not _is_number(value) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def check_end_id(end_id):
    if end_id is not None and (not _is_int(end_id) or end_id < 0):
        raise ValueError(
            f"end_id must be a non-negative int or None, got {end_id!r}"
        )
    return None if end_id is None else int(end_id)


def check_start_tokens(start_tokens):
    tokens = np.asarray(start_tokens)
    if tokens.ndim != 1:
        raise ValueError(
            "start_tokens must be 1-D (one token per row), got an array of "
            f"shape {tokens.shape}"
        )
    if tokens.size and not np.issubdtype(tokens.dtype, np.integer):
        raise ValueError(
            f"start_tokens must hold ints, got dtype {tokens.dtype}"
        )
    return tokens.astype(np.int64)


def check_log_probs(log_probs, rows):
    """The step's log-probabilities as float64, shape [rows, vocabulary]."""
    values = np.asarray(log_probs, dtype=np.float64)
    if values.ndim != 2 or values.shape[0] != rows or values.shape[1] == 0:
        raise ValueError(
            "step must return log_probs of shape (rows, vocabulary) with "
            f"rows={rows}, got shape {values.shape}"
        )
    if np.isnan(values).any():
        raise ValueError("step returned log_probs holding NaN")
    return values
