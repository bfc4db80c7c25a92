"""Lesson 05, loss functions (损失函数): the people data, the loss-over-one-weight view, its widget, and the exercise checks.

The small network of the view is one sigmoid neuron on the people of the
*Basic Network in Python* tutorial:
p = sigmoid(w₁ · x₁ + w₂ · x₂ + b), with w₂ and b fixed and w₁ on a slider.
x: (4, 2) = (weight - 135 lb, height - 66 in); y: (4, 1), 1 = female.
"""
import contextlib
import io
import warnings

import ipywidgets as widgets
import numpy as np

from . import exercise
from ..activations import sigmoid
from ..layers import Linear, Sigmoid
from ..losses import CrossEntropyLoss, MSELoss, to_one_hot
from .data import height_weight
from .widgets import FigureWidget, slider

W2, B = -0.1, 0.0          # the fixed weight and bias of the neuron
LOSSES = ("MSE", "cross-entropy")
W1_RANGE = (-0.4, 0.4)     # the slider's range, and the x-axis of the curve
OFFSET = (135.0, 66.0)     # x is (weight - 135 lb, height - 66 in): centred numbers keep the neuron's input small


def people_table():
    """The people data set as rows (name, weight lb, height in, x₁, x₂, label, "female"/"male")."""
    x, y, names = height_weight()
    return [(name, x1 + OFFSET[0], x2 + OFFSET[1], x1, x2, int(label), "female" if label else "male")
            for name, (x1, x2), label in zip(names, x, y[:, 0])]


def loss_and_slope(w1, loss="MSE"):
    """(loss, dLoss/dw₁) of the one-neuron network at weight w₁, both floats.

    loss: "MSE" (sigmoid output, nnlib.MSELoss) or "cross-entropy"
    (binary cross-entropy: nnlib.CrossEntropyLoss on the two logits [0, z],
    because softmax([0, z])[1] = sigmoid(z)). The slope comes from each
    loss's backward and the chain rule through the neuron (lesson 06 explains
    both); tests check it against the rise over run of the curve.
    """
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}.")
    x, y, _ = height_weight()
    neuron = Linear.from_weights([[w1], [W2]], [B])
    z = neuron.forward(x)                                    # (4, 1)
    if loss == "MSE":
        squash, mse = Sigmoid(), MSELoss()
        value = mse.forward(squash.forward(z), y)
        grad_z = squash.backward(mse.backward())             # (4, 1)
    else:
        ce = CrossEntropyLoss(from_logits=True)
        value = ce.forward(np.hstack([np.zeros_like(z), z]), y[:, 0].astype(np.int64))
        grad_z = ce.backward()[:, 1:]                        # only the second logit depends on w₁
    neuron.backward(grad_z)
    return value, float(neuron.dW[0, 0])


def loss_curve(w1_values, loss="MSE"):
    """The loss at every w₁ in w1_values (n,): an array (n,)."""
    return np.array([loss_and_slope(w, loss)[0] for w in np.ravel(w1_values)])


def tangent_line(w1, w1_values, loss="MSE"):
    """The tangent of the loss curve at w₁, evaluated at w1_values (n,): L(w₁) + slope · (w - w₁)."""
    value, slope = loss_and_slope(w1, loss)
    return value + slope * (np.asarray(w1_values, dtype=np.float64) - w1)


def predictions(w1):
    """The neuron's output probabilities for the four people at weight w₁: (4,)."""
    x, _, _ = height_weight()
    return sigmoid(x @ np.array([w1, W2]) + B)


class LossExplorer:
    """w₁ slider + loss choice -> loss curve, current point, tangent line, and two Labels."""

    def __init__(self, w1=0.25, loss="MSE"):
        self.w = np.linspace(*W1_RANGE, 161)
        self.w1 = slider("weight w₁", w1, *W1_RANGE, step=0.01)
        self.loss = widgets.ToggleButtons(options=LOSSES, value=loss, description="loss")
        self.loss_label = widgets.Label()
        self.slope_label = widgets.Label()
        self.figure = FigureWidget(figsize=(5.5, 3.6), dpi=100)
        ax = self.figure.axes
        (self.curve,) = ax.plot(self.w, np.zeros_like(self.w), label="loss L(w₁)")
        (self.tangent,) = ax.plot(self.w, np.zeros_like(self.w), "--", color="tab:orange", label="tangent (slope)")
        (self.point,) = ax.plot([w1], [0.0], "o", color="tab:red", label="current w₁")
        ax.set_xlabel("weight w₁")
        ax.set_ylabel("loss")
        ax.set_xlim(*W1_RANGE)
        # outside the axes, below them: the tangent can cross any corner inside, and a legend never covers data
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, fontsize=9, frameon=False)
        self.w1.observe(self.update, names="value")
        self.loss.observe(self.update, names="value")
        self.box = widgets.VBox([self.w1, self.loss, self.loss_label, self.slope_label, self.figure.image])
        self.update()

    def update(self, change=None):
        w1, loss = self.w1.value, self.loss.value
        curve = loss_curve(self.w, loss)
        value, slope = loss_and_slope(w1, loss)
        self.curve.set_ydata(curve)
        self.tangent.set_ydata(tangent_line(w1, self.w, loss))
        self.point.set_data([w1], [value])
        ax = self.figure.axes
        ax.set_ylim(-0.05 * curve.max(), 1.1 * curve.max())
        ax.set_title(f"{loss} over one weight (w₂ = {W2}, b = {B})")
        self.loss_label.value = f"{loss} at w₁ = {w1:.2f}: {value:.4f}"
        self.slope_label.value = f"slope dL/dw₁ = {slope:.4g}"
        self.figure.refresh()

    def _ipython_display_(self):
        from IPython.display import display
        display(self.box)


def build_loss_explorer(w1=0.25, loss="MSE"):
    """The lesson's widget: see LossExplorer."""
    return LossExplorer(w1, loss)


# ---------------------------------------------------------------- exercises
#
# Each check runs the learner's function on a few cases, compares with nnlib,
# and names the likely cause of a wrong answer. check_xxx(fn, quiet=True)
# prints nothing (the hidden solutions pass silently). Kept here rather than
# in exercise.run_check because a case may carry a hint for the error it raises.

EPS = 1e-7   # the largest epsilon a correct cross-entropy may use: np.log(p + 1e-7) or np.clip(p, 1e-7, 1)


def _strict(fn):
    """fn, but every NumPy warning (log(0), 0 * inf, overflow) becomes an error the check can report."""
    def run(*args):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with np.errstate(all="raise"):
                return fn(*args)
    return run


def _number_problem(got, how):
    """None if got is one real number, else a sentence saying what came back instead (how: how to make one number)."""
    if got is None:
        return "returned None, not a number: did you forget `return`?"
    if isinstance(got, (bool, np.bool_)):
        return f"returned {got}, a bool, not the loss: it must return one number."
    if isinstance(got, (int, float, np.integer, np.floating)):
        return None
    if isinstance(got, np.ndarray) and got.ndim == 0 and got.dtype.kind in "iuf":
        return None
    if isinstance(got, (list, tuple, np.ndarray)):
        try:
            shape = np.asarray(got, dtype=np.float64).shape
        except (TypeError, ValueError):
            shape = f"of length {len(got)}"
        kind = "an array" if isinstance(got, np.ndarray) else f"a {type(got).__name__}"
        return f"returned {kind} of shape {shape}, not one number: {how}."
    return f"returned a {type(got).__name__} ({got!r:.60}), not a number: it must return one number."


def _run(name, fn, cases, success, how, quiet):
    """cases: (description, args, judge, hint_on_error); judge(float) -> None or the problem in words."""
    with contextlib.redirect_stdout(io.StringIO()) if quiet else contextlib.nullcontext():
        strict = _strict(fn)
        for description, args, judge, hint_on_error in cases:
            try:
                got = strict(*(np.array(a, copy=True) for a in args))   # copies: the learner's code may write into them
            except NotImplementedError:
                return exercise.not_done(name)
            except Exception as error:  # the learner's code failed: say where and why, not a traceback
                hint = hint_on_error(error) if hint_on_error else None
                return exercise.failed(f"{name} raised {type(error).__name__} on {description}: {str(error).rstrip(' .')}."
                                       + (f" {hint}" if hint else ""))
            problem = _number_problem(got, how) or judge(float(got))
            if problem:
                return exercise.failed(f"{name} on {description}: {problem}")
        return exercise.passed(success)


def _mse_judge(pred, target):
    """Judge of mse(pred, target): nnlib.MSELoss's value, and the causes of the usual wrong values."""
    diff = pred - target.reshape(pred.shape)
    expected = MSELoss().forward(pred, target.reshape(pred.shape))   # nnlib does not guess a reshape
    n, rows = diff.size, len(pred)
    wrong_values = [
        (np.sum(diff ** 2), f"the SUM of the {n} squared errors: divide by the number of elements ({n}), "
                            "i.e. take the mean, np.mean((pred - target) ** 2)"),
        (0.5 * np.sum(diff ** 2), "half the sum of squares, the loss of Deep Learning from Scratch; this lesson's "
                                  f"MSE (nnlib's) is the mean: divide the sum by the number of elements ({n}) instead"),
        (np.sqrt(expected), "the square root of the MSE (the RMSE): leave out np.sqrt"),
        (np.mean(np.abs(diff)), "the mean ABSOLUTE error: square the differences, ** 2, instead of np.abs"),
        (np.mean(diff), "the mean of the plain differences: square them first, ** 2"),
    ]
    if rows != n:
        wrong_values.append((np.sum(diff ** 2) / rows,
                             f"the sum divided by the number of rows ({rows}): the mean divides by the number of "
                             f"elements ({n}), pred.size, or use np.mean"))
    if target.shape != pred.shape:
        table = pred - target   # what NumPy does without the reshape
        wrong_values.append((np.mean(table ** 2),
                             f"the mean of a {table.shape} table: pred {pred.shape} minus target {target.shape} "
                             "broadcasts to every prediction minus every target. Reshape the target first: "
                             "target.reshape(pred.shape)"))

    def judge(got):
        if np.isclose(got, expected, rtol=1e-6, atol=1e-12):
            return None
        said = f"expected {expected:.6g}, got {got:.6g}"
        for value, cause in wrong_values:
            if np.isclose(got, value, rtol=1e-6, atol=1e-12):
                return f"{said}, {cause}."
        if got < 0:
            return f"{said}: a mean of squares is never negative; did you forget ** 2?"
        return f"{said}."
    return judge


def check_mse(fn, quiet=False):
    """fn(pred, target) -> mean squared error, one number; compared with nnlib.MSELoss."""
    pred = np.array([[0.9], [0.2], [0.4]])
    cases = [
        ("pred (3, 1) and target (3, 1)", (pred, np.array([[1.0], [0.0], [1.0]]))),
        ("pred (3, 1) and target (3,)", (pred, np.array([1.0, 0.0, 1.0]))),
        ("pred (3, 2) and target (3, 2)",
         (np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), np.array([[1.0, 0.0], [0.0, 4.0], [5.0, 5.0]]))),
        ("the Basic Network in Python tutorial's example, y_true [1, 0, 0, 1] and y_pred all 0 (expected 0.5)",
         (np.zeros((4, 1)), np.array([1.0, 0.0, 0.0, 1.0]))),
    ]
    return _run("mse", fn, [(d, args, _mse_judge(*args), None) for d, args in cases],
                "mse matches nnlib.MSELoss, and it does not fall into the broadcasting trap.",
                "average every squared error into one number with np.mean", quiet)


def _log_of_zero_hint(error):
    if isinstance(error, FloatingPointError):
        return ("np.log(0) is -inf, and 0 · (-inf) is NaN: a probability of exactly 0 must not reach the log. "
                "Clip the probabilities into [1e-7, 1] with np.clip, or add a small epsilon: np.log(p + 1e-7).")
    return None


def _target_hint(kind):
    def hint(error):
        return _log_of_zero_hint(error) or (
            "Here target is integer labels (batch,): turn them into one-hot rows first, "
            "nn.to_one_hot(target, p.shape[1]) (check target.ndim == 1)." if kind == "labels" else
            "Here target is one-hot rows (batch, classes), the same shape as the probabilities.")
    return hint


def _cross_entropy_judge(p, labels):
    """Judge of cross_entropy: any value an epsilon of at most EPS in the log explains is right.

    Per sample the exact loss is -log p_true. np.log(p + EPS) makes it smaller
    (down to -log(p_true + EPS), the Deep Learning from Scratch answer),
    clipping at EPS or at 1 - EPS makes it a little larger; a true class of
    probability 0 has an infinite exact loss, so there any finite value above
    the epsilon's lower bound is right (nnlib clips at 1e-12: 27.6 per sample).
    """
    batch, classes = p.shape
    p_true = p[np.arange(batch), labels]
    lower = float(np.mean(-np.log(p_true + EPS)))
    with np.errstate(divide="ignore"):
        upper = float(np.mean(-np.log(p_true))) + 2 * EPS
    reference = CrossEntropyLoss(from_logits=False).forward(p, labels)
    zero = np.flatnonzero(p_true == 0)

    def right(value):
        slack = 1e-9 * (1 + abs(value))
        return np.isfinite(value) and lower - slack <= value <= upper + slack

    def judge(got):
        if right(got):
            return None
        if np.isnan(got):
            return ("the loss is NaN: 0 · log(0) = 0 · (-inf) is NaN. Clip the probabilities into [1e-7, 1] "
                    "(np.clip) or add a small epsilon, np.log(p + 1e-7), before the log.")
        if np.isinf(got):
            return ("the loss is infinite: log(0) = -inf. Clip the probabilities into [1e-7, 1] (np.clip) "
                    "or add a small epsilon, np.log(p + 1e-7), before the log.")
        if got < lower and got < 0:
            return (f"the loss came out negative ({got:.4g}); expected {reference:.4g}. The log of a probability is "
                    "at most 0, so the cross-entropy needs a minus sign in front: -np.sum(t * np.log(p)) / N.")
        if batch > 1 and right(got / batch):
            return (f"expected {reference:.4g}, got {got:.4g}, the SUM of the {batch} samples' losses: divide by "
                    f"the batch size N = len(p) = {batch} for the mean per sample.")
        if right(got * classes):
            return (f"expected {reference:.4g}, got {got:.4g}: np.mean over all {batch} × {classes} numbers divides "
                    f"by the classes too. Sum over the classes, divide by the batch size only: "
                    "-np.sum(t * np.log(p)) / len(p).")
        if not zero.size and 0 <= float(np.mean(-np.log(p_true + 1e-2))) <= got < lower:
            return (f"expected {reference:.8g}, got {got:.8g}: a little too small, as if the epsilon added inside the "
                    "log (or the clip) were bigger than 1e-7. Use 1e-7 or smaller: np.log(p + 1e-7) or np.clip(p, 1e-7, 1).")
        if zero.size:
            return (f"the true class of sample {zero[0]} has probability exactly 0, so its loss must be large: "
                    f"at least -log(1e-7) ≈ 16.1 for that sample, a mean of at least {lower:.4g} over the batch; "
                    f"got {got:.4g}. Clip at 1e-7 or smaller (np.clip(p, 1e-7, 1)), not at a bigger number.")
        if not np.any(p_true < 1):
            return f"expected a loss of 0 (every true class has probability 1: no surprise at all), got {got:.4g}."
        return f"expected {reference:.6g} (nnlib's CrossEntropyLoss), got {got:.6g}."
    return judge


def check_cross_entropy(fn, quiet=False):
    """fn(probabilities (batch, classes), target one-hot (batch, classes) or labels (batch,)) -> mean cross-entropy.

    Compared with nnlib.CrossEntropyLoss(from_logits=False), within what an
    epsilon of at most 1e-7 inside the log explains; probabilities of exactly
    0 and 1 must give finite losses and no warnings.
    """
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1]])
    sure = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])          # exact 0 and 1, all correct: loss 0
    wrong = np.array([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]])         # the first sample's true class has probability 0
    labels = np.array([0, 1])
    one_hot = to_one_hot(labels, 3)
    cases = [
        ("probabilities (2, 3) and one-hot targets (2, 3)", (p, one_hot), "one-hot"),
        ("probabilities (2, 3) and integer labels [0, 1]", (p, labels), "labels"),
        ("probabilities of exactly 1 and 0 that are all correct", (sure, one_hot), "one-hot"),
        ("probabilities of exactly 0 and 1 with labels, all correct", (sure, labels), "labels"),
        ("a true class with probability exactly 0", (wrong, labels), "labels"),
    ]
    return _run("cross_entropy", fn,
                [(d, args, _cross_entropy_judge(args[0], labels), _target_hint(kind)) for d, args, kind in cases],
                "cross_entropy matches nnlib, takes labels or one-hot, and stays finite at probabilities 0 and 1.",
                "sum over the classes and average over the batch into one number", quiet)
