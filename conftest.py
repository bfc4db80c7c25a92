"""Repository-wide pytest settings.

nbval in lax mode fails a notebook cell on an exception, but not on a warning
printed to stderr. The course promises notebooks without warnings, so any
stderr output of a cell fails that cell too.

Lesson 10a trains its 99% CNN live for about two minutes unless NNLIB_SKIP_LIVE_TRAINING=1, when it
loads the trained network instead. Every notebook run of the tests (nbval, the learner simulation, the
browser) sets it; the live training itself is tested once, alone, by tests/test_live_cnn.py (`-m training`).
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
    """Tests marked `training` train a network for minutes and need the machine to themselves: they run only
    when asked for by name (`-m training`), as the README's test command does in a phase of its own."""
    if "training" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="trains for minutes: run alone with -m training")
    for item in items:
        if "training" in item.keywords:
            item.add_marker(skip)
