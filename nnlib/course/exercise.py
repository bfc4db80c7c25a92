"""The one exercise engine: every check in the course is an `Exercise` declared as data.

An exercise says what the learner writes and how to grade it:

    SOFTMAX = Exercise(
        "softmax", lesson="03", solution=nn.softmax,
        cases=[Case("a row spread over 1000", np.array([[1000.0, 0.0]])), ...],
        mistakes=[Mistake("you normalised over axis 0 ...", answer=lambda x: ...), ...],
        success="softmax is right, and it never overflows.")
    check_softmax = SOFTMAX.check            # the notebook calls l03.check_softmax(softmax);

`SOFTMAX.check(fn)` runs fn on every case and grades, in this order:
  1. fn still raises NotImplementedError: one ⏳ line, "not done yet".
  2. fn raised: which case, the error in one line, and the hint of a mistake whose
     `raises(error)` is true.
  3. fn wrote into an argument it was handed: one sentence (a backward never mutates grad).
  4. the answer has the wrong form (None, a list, a tuple of the wrong length, the wrong
     shape or type): one sentence, never a traceback.
  5. the answer's values differ from the solution's: the first differing value and where,
     plus the hint of the mistake that explains it: a mistake whose mistaken function
     `answer` gives the same result on this case, or whose symptom `when(attempt)` holds.
  6. every case right: `after(fn)` may add a last test (a gradient check); then one ✅ line.
Mistakes with `even_if_right=True` are looked at on right answers too (a Python loop
where the lesson asks for whole-array code).

quiet=True prints nothing on a pass (a hidden solution's cell stays silent under the
learner's attempt) but still prints a failure; quiet checks are not recorded for
`summary`, so a solution never marks the learner's exercise as done.

Every mistake's `answer` is a working example of that mistake, so tests/test_exercises.py
runs each one through its check and asserts its own hint is the one shown.
"""
import contextlib
import dataclasses
import inspect
import io
import warnings
from typing import Any, Callable

import numpy as np

__all__ = ["Case", "Mistake", "Attempt", "Exercise", "Slip", "EXERCISES", "summary", "lesson_exercises"]


class Slip(Exception):
    """What an exercise's `run` raises when it sees the learner's code do something wrong while it
    watches (write into the gradient it was handed, pass the output to backward). The check says
    "{name} on {case}: {message}" with the matching mistake's hint, not "raised": the learner's
    code did not raise, the check stopped it."""


class Case:
    """One input the learner's function is run on: Case("x (4, 3)", x) calls fn(x).

    description: how the check names the input in its messages.
    """

    def __init__(self, description, *args, **kwargs):
        self.description, self.args, self.kwargs = description, args, kwargs

    def __repr__(self):
        return f"Case({self.description!r})"


@dataclasses.dataclass
class Attempt:
    """What one case gave: what a `Mistake.when` or `Exercise.accept` looks at."""
    fn: Callable
    case: Case
    got: Any = None            # the learner's answer (what `run` returned)
    expected: Any = None       # the solution's answer on the same case
    error: BaseException | None = None   # what fn raised, if it raised


@dataclasses.dataclass(frozen=True)
class Mistake:
    """A mistake learners make, and the hint it earns.

    answer: the mistaken function itself (same arguments as the learner's). The check
        names this mistake when the learner's answer equals answer's on the failing case;
        tests run it through the check. Always given: it is the mistake's example.
    when: instead of equality, a symptom: when(attempt) -> bool (for mistakes with many
        forms, e.g. "the loss came out negative").
    raises: for a mistake that makes the learner's code raise: raises(error) -> bool.
    even_if_right: look for it on right answers too (a loop where whole arrays were asked for).
    """
    hint: str
    answer: Callable
    when: Callable | None = None
    raises: Callable | None = None
    even_if_right: bool = False


class Exercise:
    """An exercise declared as data; `check(fn, quiet=False)` grades a learner's function.

    name: the learner's function's name. lesson: "03", for `summary`.
    solution: the right function; its answer on each case is the expected one.
    cases: a list of Case, or a function returning one (for data that is slow to make).
    mistakes: Mistake rows, looked at in order; the first that matches is named.
    success: the praise, one line.
    parts: names of the parts when the answer is a tuple ("dx", "dW", "db").
    run: run(fn, case) -> the answer to grade (default fn(*case.args, **case.kwargs), on
        copies of the arrays); for an exercise that watches what fn does (a training loop). It may
        put what it saw into words (a str, "a ValueError naming both widths"), compared as text.
    accept: accept(attempt) -> bool, when more than one answer is right (an epsilon in a log);
        it may return a sentence instead of False, saying what is wrong with this answer.
    after: after(fn) -> None or a sentence, a last test once every case is right.
    strict: NumPy warnings (log(0), overflow) raise, so the check can explain them.
    rtol, atol: how close a value must be to the solution's.
    """

    def __init__(self, name, *, lesson, solution, cases, success, mistakes=(), parts=None, run=None,
                 accept=None, after=None, strict=False, rtol=1e-6, atol=1e-9):
        self.name, self.lesson, self.solution, self.success = name, lesson, solution, success
        self._cases, self.mistakes, self.parts = cases, list(mistakes), parts
        self.run = run or _call
        self.accept, self.after, self.strict, self.rtol, self.atol = accept, after, strict, rtol, atol
        if (lesson, name) in EXERCISES:
            raise ValueError(f"lesson {lesson} declares the exercise {name!r} twice")
        EXERCISES[(lesson, name)] = self

    def __repr__(self):
        return f"Exercise({self.name!r}, lesson {self.lesson}, {len(self.mistakes)} mistakes)"

    @property
    def cases(self):
        if callable(self._cases):
            self._cases = list(self._cases())
        return self._cases

    def check(self, fn, quiet=False):
        """Grade fn: print one line (✅, ⏳) or what is wrong (❌); return True when right.

        quiet=True prints nothing when fn is right (a hidden solution) and is not recorded by `summary`.
        """
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            status, message = self._grade(fn)
        mark = {"pass": "✅", "todo": "⏳", "fail": "❌"}[status]
        if not (quiet and status == "pass"):
            print(f"{buffer.getvalue()}{mark} {message}")
        if not quiet:
            RESULTS[(self.lesson, self.name)] = status
        return status == "pass"

    # ------------------------------------------------------------ grading

    def _grade(self, fn):
        """("pass" | "todo" | "fail", the message)."""
        if not callable(fn):
            return "fail", (f"check the function itself, not {type(fn).__name__} {fn!r:.40}: "
                            f"pass {self.name} without brackets, e.g. check_{self.name}({self.name}).")
        for case in self.cases:
            attempt = Attempt(fn, case, expected=self._answer(self.solution, case))
            try:
                attempt.got, changed = self._run(fn, case)
            except NotImplementedError:
                return "todo", (f"{self.name}: not done yet. Replace `raise NotImplementedError` with your code, "
                                "then run this cell again.")
            except Slip as slip:
                attempt.error = slip
                return "fail", self._with_hint(f"{self.name} on {case.description}: {str(slip).rstrip('.')}.", attempt)
            except Exception as error:  # the learner's code failed: say where and why, not a traceback
                attempt.error = error
                text = str(error).strip().rstrip(".") or "(no message)"
                return "fail", self._with_hint(f"{self.name} raised {type(error).__name__} on {case.description}: "
                                               f"{text}.", attempt)
            if changed is not None:
                return "fail", (f"{self.name} changed {changed} it was handed on {case.description} (with `+=`, "
                                "`*=` or an assignment into it); compute a new array instead and leave its "
                                "arguments as they were.")
            problem = self._problem(attempt)
            if problem:
                return "fail", self._with_hint(f"{self.name} on {case.description}: {problem}", attempt)
            hint = self._hint(attempt, right=True)
            if hint:
                return "fail", f"{self.name} gives the right numbers on {case.description}, but {hint}"
        if self.after:
            problem = self.after(fn)
            if problem:
                return "fail", problem
        return "pass", self.success

    def _answer(self, fn, case):
        with _quiet_numpy():
            return self.run(fn, _copies(case))

    def _run(self, fn, case):
        """(the answer, None) or (the answer, "its argument 2") when fn wrote into an argument."""
        copy = _copies(case)
        context = _strict_numpy() if self.strict else _quiet_numpy()
        with context:
            got = self.run(fn, copy)
        for i, (before, after) in enumerate(zip(case.args, copy.args), 1):
            if isinstance(before, np.ndarray) and isinstance(after, np.ndarray) and not np.array_equal(
                    before, after, equal_nan=True):
                return got, f"its argument {i} ({_argument_name(fn, i - 1)})"
        return got, None

    def _problem(self, attempt):
        """None if the attempt is right, else what is wrong in one sentence."""
        if self.accept is not None:
            form = _form_problem(self.name, attempt.got, attempt.expected, self.parts, values=False)
            if form:
                return form
            verdict = self.accept(attempt)
            if isinstance(verdict, str):
                return verdict
            return None if verdict else f"expected {_show(attempt.expected)}, got {_show(attempt.got)}."
        return _form_problem(self.name, attempt.got, attempt.expected, self.parts) or _value_problem(
            attempt.got, attempt.expected, self.parts, self.rtol, self.atol)

    def _with_hint(self, message, attempt):
        hint = self._hint(attempt)
        return f"{message} {hint}" if hint else message

    def _hint(self, attempt, right=False):
        """The hint of the first mistake that explains the attempt, or None."""
        for mistake in self.mistakes:
            if right and not mistake.even_if_right:
                continue
            if _matches(self, mistake, attempt):
                return mistake.hint
        return None


def _matches(exercise, mistake, attempt):
    """Does this mistake explain the attempt?"""
    try:
        if attempt.error is not None:
            return mistake.raises is not None and bool(mistake.raises(attempt.error))
        if mistake.raises is not None:
            return False
        if mistake.when is not None:
            return bool(mistake.when(attempt))
        try:
            with _quiet_numpy():
                wrong = exercise.run(mistake.answer, _copies(attempt.case))
        except Exception:  # this mistake cannot even be computed on this case
            return False
        return _same_mistake(attempt.got, wrong, attempt.expected, exercise.parts)
    except Exception:  # a symptom that cannot read this answer does not match it
        return False


def _same_mistake(got, wrong, expected, parts):
    """got equals the mistaken answer; for a tuple, on every part where the mistake is wrong."""
    if parts:
        if not (_is_sequence(got) and _is_sequence(wrong)) or len(got) != len(wrong) or len(wrong) != len(parts):
            return _same(got, wrong)
        differ = [i for i in range(len(parts)) if not _same(wrong[i], expected[i])]
        return bool(differ) and all(_same(got[i], wrong[i]) for i in differ)
    return not _same(wrong, expected) and _same(got, wrong)


def _same(a, b, rtol=1e-6, atol=1e-9):
    if _is_sequence(a) or _is_sequence(b):
        return _is_sequence(a) and _is_sequence(b) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, dict) or isinstance(b, dict):
        return isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys() and all(
            _same(a[k], b[k]) for k in a)
    try:
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True))


# ---------------------------------------------------------------- the answer's form and values

def _is_sequence(value):
    return isinstance(value, (tuple, list))


def _is_number(value):
    return (isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))) or (
        isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf")


def _kind(value):
    """'None', 'a dict', 'a Python list of 3 items', 'an array of shape (2, 3)', 'the number 0.5'."""
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}" if value.ndim else f"the number {_show(value)}"
    if _is_number(value):
        return f"the number {_show(value)}"
    if isinstance(value, (bool, np.bool_)):
        return f"{value}, a bool"
    if isinstance(value, tuple):
        return f"a tuple of {len(value)} values"
    if isinstance(value, list):
        return f"a Python list of {len(value)} item{'s' * (len(value) != 1)}"
    return f"a {type(value).__name__}"


def _form_problem(what, got, expected, parts=None, values=True):
    """None if got has expected's form (type, length, shape), else one sentence about what came back."""
    if parts:
        if not _is_sequence(got) or len(got) != len(parts):
            names = ", ".join(parts)
            if got is None:
                return f"returned None: did you forget `return {names}`?"
            return f"returned {_kind(got)}; return the {len(parts)} results in this order: return {names}."
        for name, got_part, expected_part in zip(parts, got, expected):
            problem = _form_problem(name, got_part, expected_part)
            if problem:
                return f"its {name}: {problem}"
        return None
    if isinstance(expected, np.ndarray) and expected.ndim > 0:
        if got is None:
            return "returned None: did you forget the `return` line?"
        if not isinstance(got, np.ndarray):
            if _is_sequence(got):
                return (f"returned {_kind(got)}; return a NumPy array of shape {expected.shape} "
                        "(np.array(...) turns a list into one).")
            return f"returned {_kind(got)}; return a NumPy array of shape {expected.shape}."
        if got.dtype.kind not in "biuf":
            return f"returned an array of {got.dtype} values; it must hold numbers."
        if got.shape != expected.shape:
            transposed = got.shape == expected.shape[::-1] and got.ndim == 2
            return (f"expected shape {expected.shape}, got shape {got.shape}" +
                    (" (rows and columns swapped)." if transposed else "."))
        return None
    if isinstance(expected, (int, np.integer)) and not isinstance(expected, (bool, np.bool_)):
        if isinstance(got, (float, np.floating)):
            return (f"returned {float(got)!r}, a float; return a whole number (an int): "
                    "divide with // (it rounds down), not /.")
        if not isinstance(got, (int, np.integer)) or isinstance(got, (bool, np.bool_)):
            return f"returned {_kind(got)}; return one whole number (an int)."
        return None
    if _is_number(expected):
        if not _is_number(got):
            return f"returned {_kind(got)}, not one number."
        return None
    if _is_sequence(expected) and not isinstance(expected, np.ndarray):
        if not _is_sequence(got) or len(got) != len(expected):
            return f"returned {_kind(got)}; expected {_kind(expected)}."
    if isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            return f"returned {_kind(got)}; expected a dict with keys {sorted(expected)}."
        for key in expected:   # e.g. {"a.grad": -3.0}: a grad that became an object is not a number
            if _is_number(expected[key]) and not _is_number(got[key]):
                return f"{key} is {_kind(got[key])}, not a number."
    return None


def _value_problem(got, expected, parts, rtol, atol):
    """None if got's values match expected's, else 'expected 0.5 at index (1, 2), got 0.25.'"""
    if parts:
        for name, got_part, expected_part in zip(parts, got, expected):
            problem = _value_problem(got_part, expected_part, None, rtol, atol)
            if problem:
                return f"{name}: {problem}"
        return None
    if isinstance(expected, dict):
        for key in expected:
            problem = _value_problem(got[key], expected[key], None, rtol, atol)
            if problem:
                return f"{key}: {problem}"
        return None
    if _is_sequence(expected):
        for i, (got_part, expected_part) in enumerate(zip(got, expected)):
            problem = _value_problem(got_part, expected_part, None, rtol, atol)
            if problem:
                return f"item {i}: {problem}"
        return None
    if isinstance(expected, str) or isinstance(got, str):   # an observation that `run` put into words
        return None if got == expected else f"expected {expected}, got {got}."
    got_array = np.asarray(got, dtype=np.float64)
    expected_array = np.asarray(expected, dtype=np.float64)
    wrong = ~np.isclose(got_array, expected_array, rtol=rtol, atol=atol, equal_nan=True)
    if not wrong.any():
        return None
    index = tuple(int(i) for i in np.argwhere(wrong)[0])
    where = f" at index {index}" if index else ""
    said = f"expected {_show(expected_array[index])}{where}, got {_show(got_array[index])}"
    if np.isnan(got_array[index]):
        return f"{said} (did something overflow, or divide 0 by 0?)."
    if isinstance(got, np.ndarray) and got.dtype.kind in "biu" and expected_array.dtype.kind == "f":
        return (f"{said}: your array holds whole numbers ({got.dtype}), so the fractions were cut off; "
                "make it a float array.")
    return f"{said}."


def _show(value):
    """A number or array as the learner reads it: 0.7311, not np.float64(0.7310585786300049)."""
    if isinstance(value, (tuple, list)) and not isinstance(value, np.ndarray):
        return "(" + ", ".join(_show(v) for v in value) + ")"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) + "}"
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return repr(value)[:60]
    if array.ndim == 0:
        return f"{float(array) + 0.0:.6g}"            # + 0.0: never "-0"
    with np.printoptions(precision=4, suppress=True, threshold=12, edgeitems=2):
        return np.array2string(np.round(array, 4) + 0.0, separator=", ")   # -1e-9 shows as 0., not -0.


# ---------------------------------------------------------------- running the learner's code

def _call(fn, case):
    return fn(*case.args, **case.kwargs)


def _copies(case):
    """The case with copies of its arrays: the learner's code may write into what it is handed."""
    def copy(value):
        return value.copy() if isinstance(value, np.ndarray) else value
    new = Case(case.description, *map(copy, case.args), **{k: copy(v) for k, v in case.kwargs.items()})
    return new


def _argument_name(fn, index):
    try:
        return list(inspect.signature(fn).parameters)[index]
    except (TypeError, ValueError, IndexError):
        return f"argument {index + 1}"


@contextlib.contextmanager
def _quiet_numpy():
    """A learner's overflow is reported by the check, not printed as a RuntimeWarning under it."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


@contextlib.contextmanager
def _strict_numpy():
    """Every NumPy warning (log(0), 0 * inf, overflow) becomes an error the check can explain."""
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        yield


# ---------------------------------------------------------------- the lesson's summary

EXERCISES: dict = {}   # (lesson, name) -> Exercise, in the order they were declared
RESULTS: dict = {}     # (lesson, name) -> "pass" | "fail" | "todo": the last check the learner ran


def lesson_exercises(lesson):
    """The exercises a lesson declares, in order."""
    return [exercise for (number, _), exercise in EXERCISES.items() if number == lesson]


def summary(lesson):
    """Print each exercise of the lesson as ✅ right, ❌ not right yet, ⏳ not done or not checked; return the counts.

    The last cell of every lesson calls it, so a ❌ halfway down is not missed after Run All.
    """
    counts = {"pass": 0, "fail": 0, "todo": 0}
    lines = []
    for exercise in lesson_exercises(lesson):
        status = RESULTS.get((lesson, exercise.name), "todo")
        counts[status] += 1
        mark, note = {"pass": ("✅", "right"), "fail": ("❌", "not right yet: see its check's message above"),
                      "todo": ("⏳", "not done yet (or its check cell not run)")}[status]
        lines.append(f"{mark} {exercise.name}: {note}")
    total = len(lines)
    print(f"Lesson {lesson}: {counts['pass']} of {total} exercises right.")
    print("\n".join(lines))
    return counts
