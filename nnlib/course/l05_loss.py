"""Lesson 05, loss functions (损失函数): the loss-over-one-weight view, its widget, and the exercise checks.

The small network of the view is one sigmoid neuron on seed 004's people:
p = sigmoid(w₁ · x₁ + w₂ · x₂ + b), with w₂ and b fixed and w₁ on a slider.
x: (4, 2) = (weight - 135 lb, height - 66 in); y: (4, 1), 1 = female.
"""
import warnings

import ipywidgets as widgets
import numpy as np

from . import exercise
from ..activations import sigmoid
from ..layers import Linear, Sigmoid
from ..losses import CrossEntropyLoss, MSELoss
from ..toy_data import height_weight
from .widgets import FigureWidget, slider

W2, B = -0.1, 0.0          # the fixed weight and bias of the neuron
LOSSES = ("MSE", "cross-entropy")
W1_RANGE = (-0.4, 0.4)     # the slider's range, and the x-axis of the curve


def loss_and_slope(w1, loss="MSE"):
    """(loss, dLoss/dw₁) of the one-neuron network at weight w₁, both floats.

    loss: "MSE" (sigmoid output, nnlib.MSELoss) or "cross-entropy"
    (binary cross-entropy: nnlib.CrossEntropyLoss on the two logits [0, z],
    because softmax([0, z])[1] = sigmoid(z)). The slope comes from each
    loss's backward and the chain rule through the neuron (lesson 06).
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
        self.figure = FigureWidget(figsize=(5.5, 3.6))
        ax = self.figure.axes
        (self.curve,) = ax.plot(self.w, np.zeros_like(self.w), label="loss L(w₁)")
        (self.tangent,) = ax.plot(self.w, np.zeros_like(self.w), "--", color="tab:orange", label="tangent (slope)")
        (self.point,) = ax.plot([w1], [0.0], "o", color="tab:red", label="current w₁")
        ax.set_xlabel("weight w₁")
        ax.set_ylabel("loss")
        ax.set_xlim(*W1_RANGE)
        ax.legend(loc="upper left", fontsize="small")
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

def _strict(fn):
    """fn, but every NumPy warning (log(0), 0 * inf, overflow) becomes an error the check can report."""
    def run(*args):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with np.errstate(all="raise"):
                return fn(*args)
    return run


def check_mse(fn):
    """fn(pred, target) -> mean squared error, a number; compared with nnlib.MSELoss."""
    pred = np.array([[0.9], [0.2], [0.4]])
    cases = []
    for description, args in [
        ("pred (3, 1) and target (3, 1)", (pred, np.array([[1.0], [0.0], [1.0]]))),
        ("pred (3, 1) and target (3,) — reshape, do not broadcast to (3, 3)", (pred, np.array([1.0, 0.0, 1.0]))),
        ("pred (2, 2) and target (2, 2)", (np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, 0.0], [0.0, 4.0]]))),
        ("seed 004's example, y_true [1, 0, 0, 1] and y_pred all 0 (expected 0.5)", (np.zeros((4, 1)), np.array([1.0, 0.0, 0.0, 1.0]))),
    ]:
        cases.append((description, args, MSELoss().forward(*args)))
    return exercise.run_check("mse", _strict(fn), cases, "mse matches nnlib.MSELoss, and it does not fall into the broadcasting trap.")


def _near_zero(what):
    def judge(got):
        try:
            value = float(got)
        except (TypeError, ValueError):
            return f"cross_entropy: expected a number, got {got!r:.80}."
        if not (np.isfinite(value) and abs(value) < 1e-6):
            return (f"cross_entropy on probabilities of exactly 1 for every true class ({what}): expected a loss of 0 "
                    f"(no surprise at all), got {value:.4g}. Is 0 * log(0) turning into NaN?")
        return None
    return judge


def _finite_and_large(what):
    def judge(got):
        try:
            value = float(got)
        except (TypeError, ValueError):
            return f"cross_entropy on {what}: expected a number, got {got!r:.80}."
        if not np.isfinite(value):
            return f"cross_entropy on {what}: expected a large but finite loss, got {value}. Clip the probabilities away from 0 before taking log."
        if value < 10:
            return f"cross_entropy on {what}: the true class has probability 0, so the loss must be large (above 10), got {value:.4g}."
        return None
    return judge


def check_cross_entropy(fn):
    """fn(probabilities (batch, classes), target one-hot (batch, classes) or labels (batch,)) -> mean cross-entropy.

    Compared with nnlib.CrossEntropyLoss(from_logits=False); probabilities of
    exactly 0 and 1 must give finite losses and no warnings.
    """
    reference = CrossEntropyLoss(from_logits=False)
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1]])
    sure = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])          # exact 0 and 1, all correct: loss 0
    wrong = np.array([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]])         # the first sample's true class has probability 0
    labels = np.array([0, 1])
    one_hot = np.eye(3)[labels]
    cases = [
        ("probabilities (2, 3) and one-hot targets (2, 3)", (p, one_hot), reference.forward(p, one_hot)),
        ("probabilities (2, 3) and integer labels [0, 1]", (p, labels), reference.forward(p, labels)),
        ("probabilities of exactly 1 and 0 that are all correct", (sure, one_hot), _near_zero("one-hot targets")),
        ("probabilities of exactly 0 and 1 with labels, all correct", (sure, labels), _near_zero("integer labels")),
        ("a true class with probability exactly 0", (wrong, labels), _finite_and_large("a true class with probability exactly 0")),
    ]
    return exercise.run_check(
        "cross_entropy", _strict(fn), cases,
        "cross_entropy matches nnlib, takes labels or one-hot, and stays finite at probabilities 0 and 1.",
    )
