"""`seqkit.runs.Stopwatch`: the seconds of a job's steps."""

import pytest

from seqkit import runs


@pytest.fixture
def clock(monkeypatch):
    """A fake `time.perf_counter` that the test moves by hand."""
    now = [100.0]
    monkeypatch.setattr(runs.time, "perf_counter", lambda: now[0])
    return now


def test_steps_add_up_in_order_with_the_untimed_rest(clock):
    watch = runs.Stopwatch()
    clock[0] += 0.5  # before any step: "other"
    with watch.step("data"):
        clock[0] += 1.25
    with watch.step("training"):
        clock[0] += 10.0
    with watch.step("data"):  # a step run twice adds up
        clock[0] += 0.25
    clock[0] += 2.0
    assert watch.report() == {
        "data": 1.5,
        "training": 10.0,
        "other": 2.5,
        "total": 14.0,
    }
    assert watch.summary() == "14.0 s (data 1.5, training 10.0, other 2.5)"


def test_a_failing_step_still_counts(clock):
    watch = runs.Stopwatch()
    with pytest.raises(RuntimeError):
        with watch.step("fit"):
            clock[0] += 3.0
            raise RuntimeError("stopped")
    assert watch.report()["fit"] == 3.0
