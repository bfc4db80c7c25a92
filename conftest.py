"""Repository-wide pytest settings.

nbval in lax mode fails a notebook cell on an exception, but not on a warning
printed to stderr. The course promises notebooks without warnings, so any
stderr output of a cell fails that cell too.

Lesson 10a trains its 99% CNN live for about two minutes unless NNLIB_SKIP_LIVE_TRAINING=1, when it
loads the trained network instead. Every notebook run of the tests (nbval, the learner simulation, the
browser) sets it; the live training itself is tested once, alone, by tests/test_live_cnn.py (`-m alone`).

The README's test command runs two pytest processes (pytest-xdist) on a two-core machine. Each starts
kernels and servers; if every kernel also started one BLAS thread per core, four or more threads would
fight for two cores and a lesson's "trained in under 30 s" could fail only because of the test harness.
So the parallel phase gives everything it starts one BLAS thread. A learner's kernel, and the `-m alone`
phase (run without xdist), use NumPy's default threads.
"""
import os

import pytest

os.environ.setdefault("NNLIB_SKIP_LIVE_TRAINING", "1")   # inherited by every kernel and server the tests start
if os.environ.get("PYTEST_XDIST_WORKER"):                  # set in the workers of `pytest -n 2`
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    outputs = getattr(item, "test_outputs", None)  # set by nbval for notebook cells
    for out in outputs or []:
        if out.get("output_type") == "stream" and out.get("name") == "stderr":
            raise AssertionError(f"the cell wrote to stderr (a warning?):\n{out.get('text', '')}")
    return result


def pytest_collection_modifyitems(config, items):
    """Tests marked `alone` need the machine to themselves (they train a network for minutes, or measure a
    speed): they run only when asked for (`-m alone`), as the README's test command does after the others."""
    if "alone" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="needs the machine to itself: run with -m alone")
    for item in items:
        if item.get_closest_marker("alone"):
            item.add_marker(skip)
