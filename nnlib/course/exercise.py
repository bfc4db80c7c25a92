"""Helpers for exercise checks: compare a learner's answer, explain what is wrong in plain words.

A check returns True when the answer is right (and prints one line of praise),
False otherwise (and prints what was expected and what came back). A stub that
still raises NotImplementedError gets "not done yet", not an error.
quiet=True prints nothing: a hidden solution passes its check silently, so
nothing shines under the learner's own attempt.
"""
import contextlib
import io

import numpy as np


def not_done(name, quiet=False):
    if not quiet:
        print(f"⏳ {name}: not done yet. Replace `raise NotImplementedError` with your code, then run this cell again.")
    return False


def passed(message, quiet=False):
    if not quiet:
        print(f"✅ {message}")
    return True


def failed(message, quiet=False):
    if not quiet:
        print(f"❌ {message}")
    return False


def quietly(check, quiet):
    """Run check() and return its result; with quiet=True print nothing when it passes.

    For checks that print as they go: a hidden solution's cell stays silent,
    but a failure is still printed, so a broken solution says why.
    """
    if not quiet:
        return check()
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        ok = check()
    if not ok:
        print(buffer.getvalue(), end="")
    return ok


def answer_type_problem(name, got, expected_shape=None, part=False):
    """None if got is a NumPy array, else one plain sentence about what came back instead.

    name: what the learner wrote ("softmax"), or with part=True one of the things
    it returns ("linear_backward's dx"). expected_shape, when given, is named too.
    """
    if isinstance(got, np.ndarray) and got.ndim > 0:
        return None
    array = "a NumPy array" if expected_shape is None else f"a NumPy array of shape {tuple(expected_shape)}"
    if part:
        kind = "None" if got is None else f"a {type(got).__name__}"
        return f"{name} is {kind}; it must be {array}."
    if got is None:
        return f"{name} returned None: did you forget the `return` line?"
    if isinstance(got, tuple):
        return f"{name} returned a tuple of {len(got)} values; return one {array[2:]}."
    if isinstance(got, list):
        return f"{name} returned a Python list; return {array} (np.array(...) turns a list into one)."
    if isinstance(got, (int, float, np.number, np.ndarray)):
        return f"{name} returned a single number ({float(got):.4g}); return {array}."
    return f"{name} returned a {type(got).__name__}; return {array}."


def shape_problem(got, expected_shape):
    """None if got is numbers of shape expected_shape, else a sentence saying what is off."""
    try:
        shape = np.asarray(got, dtype=np.float64).shape
    except (TypeError, ValueError):
        return f"expected an array of numbers, got {type(got).__name__} {got!r:.80}."
    if shape != tuple(expected_shape):
        return f"expected shape {tuple(expected_shape)}, got shape {shape}."
    return None


def compare(what, got, expected, rtol=1e-6, atol=1e-9):
    """None if got matches expected (shape and values), else a sentence saying how it differs."""
    expected = np.asarray(expected)
    problem = shape_problem(got, expected.shape)
    if problem:
        return f"{what}: {problem}"
    got_array = np.asarray(got, dtype=np.float64)
    if np.isnan(got_array).any() and not np.isnan(expected).any():
        return f"{what}: the result contains NaN (did something overflow?)."
    wrong = ~np.isclose(got_array, expected, rtol=rtol, atol=atol)
    if wrong.any():
        index = tuple(int(i) for i in np.argwhere(wrong)[0])
        where = f" at index {index}" if index else ""
        return f"{what}: expected {expected[index]:.6g}{where}, got {got_array[index]:.6g}."
    return None


def run_check(name, fn, cases, success, quiet=False):
    """Run fn on each case and compare.

    cases: (description, args, expected) triples; expected may also be a
    function of the result that returns None or a sentence saying what is wrong.
    """
    for description, args, expected in cases:
        try:
            got = fn(*args)
        except NotImplementedError:
            return not_done(name, quiet)
        except Exception as error:  # the learner's code failed: say where, not a traceback
            return failed(f"{name} raised {type(error).__name__} on {description}: {error}", quiet)
        problem = expected(got) if callable(expected) else compare(f"{name} on {description}", got, expected)
        if problem:
            return failed(problem, quiet)
    return passed(success, quiet)
