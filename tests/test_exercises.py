"""Every exercise the course declares, run through the one engine (nnlib/course/exercise.py).

For each exercise: its solution passes silently with quiet=True; every mistake in its table,
run as the learner's function, fails and earns its own hint (so the cases separate the right
answer from each mistake). Wording is not pinned: only that the hint shown is the mistake's own.
"""
import importlib
import pkgutil

import numpy as np
import pytest

import nnlib.course
from nnlib.course import exercise
from nnlib.course.exercise import Case, Exercise, Mistake

for module in pkgutil.walk_packages(nnlib.course.__path__, "nnlib.course."):
    importlib.import_module(module.name)   # each lesson module declares its exercises on import

DECLARED = [ex for (lesson, _), ex in exercise.EXERCISES.items() if lesson != "test"]
MISTAKES = [(ex, i) for ex in DECLARED for i in range(len(ex.mistakes))]


def _id(value):
    return f"{value.lesson}-{value.name}" if isinstance(value, Exercise) else str(value)


@pytest.mark.parametrize("ex", DECLARED, ids=_id)
def test_solution_passes_silently(ex, capsys):
    assert ex.check(ex.solution, quiet=True), capsys.readouterr().out
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("ex, index", MISTAKES, ids=lambda v: _id(v) if isinstance(v, Exercise) else f"mistake{v}")
def test_each_mistake_earns_its_own_hint(ex, index, capsys):
    mistake = ex.mistakes[index]
    assert not ex.check(mistake.answer)
    out = capsys.readouterr().out
    assert out.startswith("❌"), out
    assert mistake.hint in out, f"expected the hint {mistake.hint!r}, the check said:\n{out}"


def test_exercise_names_are_unique_in_the_course():
    names = [ex.name for ex in DECLARED]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


# ---------------------------------------------------------------- the engine itself, on a toy exercise

def _softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _over_axis_0(x):
    e = np.exp(x - x.max(axis=0))
    return e / e.sum(axis=0)


TOY = Exercise(
    "toy_softmax", lesson="test", solution=_softmax,
    cases=[Case("a row spread over 1000", np.array([[1000.0, 0.0, 500.0], [1.0, 2.0, 3.0]]))],
    mistakes=[Mistake("AXIS-0", answer=_over_axis_0),
              Mistake("MATMUL", answer=lambda x: x @ x, raises=lambda e: "matmul" in str(e)),
              Mistake("LOOP", answer=lambda x: np.array([_softmax(r) for r in x]),
                      when=lambda a: a.fn.__name__ == "<lambda>", even_if_right=True)],
    success="toy_softmax is right.")
PAIR = Exercise("toy_pair", lesson="test", solution=lambda x: (x.sum(0), x.T), parts=("s", "t"),
                cases=[Case("x (2, 3)", np.arange(6.0).reshape(2, 3))],
                mistakes=[Mistake("WRONG-AXIS", answer=lambda x: (x.sum(1), x.T))], success="pair right")


def _todo(x):
    raise NotImplementedError


def _grade(ex, fn):
    status, message = ex._grade(fn)
    return status, message


@pytest.mark.parametrize("fn, status, words", [
    (_todo, "todo", "not done yet"),
    (lambda x: None, "fail", "return"),
    (lambda x: x.tolist(), "fail", "NumPy array of shape (2, 3)"),
    (lambda x: _softmax(x).T, "fail", "swapped"),
    (lambda x: (x, x), "fail", "tuple of 2"),
    (lambda x: {"p": x}, "fail", "dict"),
    (lambda x: np.round(_softmax(x)).astype(int) * 0 + 1, "fail", "whole numbers"),
    (3, "fail", "without brackets"),
])
def test_a_wrong_form_gets_one_sentence(fn, status, words):
    got, message = _grade(TOY, fn)
    assert (got, words in message) == (status, True), message


def test_an_argument_written_into_is_named():
    def softmax(x):
        x -= x.max(axis=-1, keepdims=True)
        return _softmax(x)
    status, message = _grade(TOY, softmax)
    assert status == "fail" and "changed its argument 1 (x)" in message


def test_a_raised_error_is_one_line_with_its_hint():
    status, message = _grade(TOY, lambda x: x @ x)
    assert status == "fail" and "raised ValueError" in message and "MATMUL" in message


def test_even_if_right_mistakes_are_found_on_right_answers():
    def looped(x):
        return np.array([_softmax(r) for r in x])
    assert _grade(TOY, looped)[0] == "pass"
    status, message = _grade(TOY, lambda x: np.array([_softmax(r) for r in x]))
    assert status == "fail" and "LOOP" in message


def test_tuple_parts_are_matched_part_by_part():
    status, message = _grade(PAIR, lambda x: (x.sum(1), x.T))
    assert status == "fail" and "s:" in message and "WRONG-AXIS" in message
    assert "return s, t" in _grade(PAIR, lambda x: x.T)[1]
    assert _grade(PAIR, lambda x: (x.sum(0), x))[1].startswith("toy_pair on x (2, 3): its t:")


def test_quiet_prints_nothing_on_a_pass_and_is_not_recorded(capsys):
    exercise.RESULTS.pop(("test", "toy_softmax"), None)
    assert TOY.check(_softmax, quiet=True)
    assert capsys.readouterr().out == "" and ("test", "toy_softmax") not in exercise.RESULTS
    assert not TOY.check(_over_axis_0, quiet=True)
    assert "AXIS-0" in capsys.readouterr().out


def test_summary_lists_every_exercise_of_the_lesson(capsys):
    exercise.RESULTS.pop(("test", "toy_pair"), None)
    TOY.check(_over_axis_0)
    capsys.readouterr()
    counts = exercise.summary("test")
    out = capsys.readouterr().out
    assert counts == {"pass": 0, "fail": 1, "todo": 1}
    assert "❌ toy_softmax" in out and "⏳ toy_pair" in out
    TOY.check(_softmax)
    assert exercise.summary("test")["pass"] == 1


def test_no_numpy_warning_escapes_a_check(recwarn):
    TOY.check(lambda x: np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True))
    assert not recwarn.list


def _width_seen(fn, case):
    try:
        fn(*case.args)
    except ValueError as error:
        return "a ValueError" if "3" in str(error) else f"a ValueError saying {str(error)!r}"
    return "no error"


def _refuse(x):
    raise ValueError("expected 3 features")


def test_run_may_grade_an_observation_in_words():
    ex = Exercise("toy_refuse", lesson="test", solution=_refuse, run=_width_seen,
                  cases=[Case("x of width 5", np.ones(5))], success="refused")
    assert _grade(ex, _refuse)[0] == "pass"
    status, message = _grade(ex, lambda x: x)
    assert status == "fail" and "expected a ValueError, got no error." in message


def test_accept_may_say_what_is_wrong():
    ex = Exercise("toy_positive", lesson="test", solution=lambda: 1.0, cases=[Case("no input")],
                  accept=lambda a: a.got > 0 or f"{a.got:g} is not above 0.", success="positive")
    assert _grade(ex, lambda: 2.0)[0] == "pass"
    assert _grade(ex, lambda: -2.0) == ("fail", "toy_positive on no input: -2 is not above 0.")


def test_a_slip_seen_by_run_is_reported_as_what_the_code_did_not_as_an_error():
    class Wrote(exercise.Slip):
        pass

    def watch(fn, case):
        x = case.args[0].copy()
        result = fn(x)
        if not np.array_equal(x, case.args[0]):
            raise Wrote("it wrote into x")
        return result
    watched = Exercise("toy_watched", lesson="test", solution=lambda x: x * 2, run=watch,
                       cases=[Case("x [1, 2]", np.array([1.0, 2.0]))],
                       mistakes=[Mistake("WROTE", answer=lambda x: np.multiply(x, 2, out=x),
                                         raises=lambda error: isinstance(error, Wrote))], success="ok")
    status, message = watched._grade(lambda x: np.multiply(x, 2, out=x))
    assert status == "fail" and "raised" not in message
    assert message.startswith("toy_watched on x [1, 2]: it wrote into x.") and "WROTE" in message
