"""Repository-wide pytest settings.

nbval in lax mode fails a notebook cell on an exception, but not on a warning
printed to stderr. The course promises notebooks without warnings, so any
stderr output of a cell fails that cell too.
"""
import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    outputs = getattr(item, "test_outputs", None)  # set by nbval for notebook cells
    for out in outputs or []:
        if out.get("output_type") == "stream" and out.get("name") == "stderr":
            raise AssertionError(f"the cell wrote to stderr (a warning?):\n{out.get('text', '')}")
    return result
