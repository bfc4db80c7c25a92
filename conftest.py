"""Repository-wide pytest settings.

nbval in lax mode fails a notebook cell on an exception, but not on a warning
printed to stderr. The course promises notebooks without warnings, so any
stderr output of a cell fails that cell too.

Lesson 10a trains its 99% CNN live for about two minutes unless NNLIB_SKIP_LIVE_TRAINING=1, when it
loads the trained network instead. Every notebook run of the tests (nbval, the learner simulation, the
browser) sets it; the live training itself is tested once, alone, by tests/test_live_cnn.py (`-m alone`).
"""
import os

import pytest

os.environ.setdefault("NNLIB_SKIP_LIVE_TRAINING", "1")   # inherited by every kernel and server the tests start


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
