"""Lesson 05, loss functions (损失函数): the people data, the loss-over-one-weight view, its widget, and the exercises.

The small network of the view is one sigmoid neuron on the people of the
*Basic Network in Python* tutorial:
p = sigmoid(w₁ · x₁ + w₂ · x₂ + b), with w₂ and b fixed and w₁ on a slider.
x: (4, 2) = (weight - 135 lb, height - 66 in); y: (4, 1), 1 = female.
"""
import contextlib

import ipywidgets as widgets
import numpy as np

from ..activations import sigmoid
from ..layers import Linear, Sigmoid
from ..losses import CrossEntropyLoss, MSELoss, to_one_hot
from .data import height_weight
from .numbers import fmt
from .exercise import Case, Exercise, Mistake
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
        self.loss_label.value = f"{loss} at w₁ = {fmt(w1, 2)}: {fmt(value, 4)}"
        self.slope_label.value = f"slope dL/dw₁ = {fmt(slope, 4, 'g')}"
        self.figure.refresh()

    def _ipython_display_(self):
        from IPython.display import display
        display(self.box)


def build_loss_explorer(w1=0.25, loss="MSE"):
    """The lesson's widget: see LossExplorer."""
    return LossExplorer(w1, loss)


# ---------------------------------------------------------------- exercise: mse

def _not_one_number(attempt):
    return isinstance(attempt.got, (np.ndarray, list, tuple)) and np.ndim(attempt.got) > 0


def _mse(pred, target):
    return MSELoss().forward(pred, target.reshape(pred.shape))   # nnlib does not guess a reshape


def _errors(pred, target):
    """pred - target with the target reshaped, as a right answer does: (batch, outputs)."""
    return pred - target.reshape(pred.shape)


MSE = Exercise(
    "mse", lesson="05", solution=_mse,
    cases=[
        Case("pred (3, 1) and target (3, 1)", np.array([[0.9], [0.2], [0.4]]), np.array([[1.0], [0.0], [1.0]])),
        Case("pred (3, 1) and target (3,)", np.array([[0.9], [0.2], [0.4]]), np.array([1.0, 0.0, 1.0])),
        Case("pred (3, 2) and target (3, 2)", np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]),
             np.array([[1.0, 0.0], [0.0, 4.0], [5.0, 5.0]])),
        Case("the Basic Network in Python tutorial's example, y_true [1, 0, 0, 1] and y_pred all 0 (expected 0.5)",
             np.zeros((4, 1)), np.array([1.0, 0.0, 0.0, 1.0])),
    ],
    mistakes=[
        Mistake("Average every squared error into one number with np.mean.",
                answer=lambda pred, target: _errors(pred, target) ** 2,
                when=_not_one_number),
        Mistake("That is the SUM of the squared errors: divide by the number of elements (pred.size), "
                "i.e. take the mean, np.mean((pred - target) ** 2).",
                answer=lambda pred, target: np.sum(_errors(pred, target) ** 2)),
        Mistake("That is half the sum of squares, the loss of Deep Learning from Scratch; this lesson's MSE "
                "(nnlib's) is the mean: divide the sum by the number of elements (pred.size) instead.",
                answer=lambda pred, target: 0.5 * np.sum(_errors(pred, target) ** 2)),
        Mistake("That is the square root of the MSE (the RMSE): leave out np.sqrt.",
                answer=lambda pred, target: np.sqrt(np.mean(_errors(pred, target) ** 2))),
        Mistake("That is the mean ABSOLUTE error: square the differences, ** 2, instead of np.abs.",
                answer=lambda pred, target: np.mean(np.abs(_errors(pred, target)))),
        Mistake("That is the mean of the plain differences: square them first, ** 2.",
                answer=lambda pred, target: np.mean(_errors(pred, target))),
        Mistake("That is the sum divided by the number of rows: the mean divides by the number of elements, "
                "pred.size, or use np.mean.",
                answer=lambda pred, target: np.sum(_errors(pred, target) ** 2) / len(pred)),
        Mistake("That is the mean of a (batch, batch) table: pred (batch, 1) minus target (batch,) broadcasts to "
                "every prediction minus every target. Reshape the target first: target.reshape(pred.shape).",
                answer=lambda pred, target: np.mean((pred - target) ** 2)),
        Mistake("Reshape the target to the prediction's shape, target.reshape(pred.shape): reshape(-1, 1) fits "
                "only one output column.",
                answer=lambda pred, target: np.mean((pred - target.reshape(-1, 1)) ** 2),
                raises=lambda error: isinstance(error, ValueError) and "broadcast" in str(error)),
        Mistake("A mean of squares is never negative; did you forget ** 2?",
                answer=lambda pred, target: np.sum(_errors(pred, target)),
                when=lambda attempt: attempt.got < 0),
    ],
    success="mse matches nnlib.MSELoss, and it does not fall into the broadcasting trap.")
check_mse = MSE.check


# ---------------------------------------------------------------- exercise: cross_entropy
# A correct cross-entropy may keep log(0) away with an epsilon of at most 1e-7: np.log(p + 1e-7)
# (Deep Learning from Scratch) or np.clip(p, 1e-7, 1); every answer such an epsilon explains is right.

EPS = 1e-7
ZERO_IN_LOG = ("Clip the probabilities into [1e-7, 1] (np.clip) or add a small epsilon, np.log(p + 1e-7), "
               "before the log.")


def _one_hot(p, target):
    return to_one_hot(target, p.shape[1]) if target.ndim == 1 else target


def _true_probabilities(case):
    p, target = case.args
    labels = target if target.ndim == 1 else target.argmax(axis=1)
    return p[np.arange(len(p)), labels]


def _right_loss(value, case):
    """Is value a mean cross-entropy that an epsilon of at most 1e-7 in the log explains?

    Per sample the exact loss is -log p_true. np.log(p + EPS) makes it smaller (down to -log(p_true + EPS));
    clipping at EPS or at 1 - EPS makes it a little larger; a true class of probability 0 has an infinite
    exact loss, so there any finite value above the epsilon's lower bound is right (nnlib clips at 1e-12).
    """
    p_true = _true_probabilities(case)
    lower = float(np.mean(-np.log(p_true + EPS)))
    with np.errstate(divide="ignore"):
        upper = float(np.mean(-np.log(p_true))) + 2 * EPS
    value = float(value)
    slack = 1e-9 * (1 + abs(value))
    return bool(np.isfinite(value) and lower - slack <= value <= upper + slack)


def _epsilon_too_big(attempt):
    """A loss a little below the right one, as np.log(p + eps) gives with eps between 1e-7 and 1e-2."""
    p_true = _true_probabilities(attempt.case)
    if not (p_true > 0).all():
        return False
    lowest, lower = (float(np.mean(-np.log(p_true + eps))) for eps in (1e-2, EPS))
    return 0 <= lowest <= float(attempt.got) < lower


def _cross_entropy(p, target, clip=(1e-7, 1.0), divide_by=None, per_sample=False, silenced=False):
    """-sum(t log p) / N with p clipped: right as it is, mistaken with other arguments (no clip, another divisor)."""
    with np.errstate(all="ignore") if silenced else contextlib.nullcontext():
        log_p = np.log(np.clip(p, *clip)) if clip else np.log(p)
        losses = -np.sum(_one_hot(p, target) * log_p, axis=1)
    return losses if per_sample else np.sum(losses) / (divide_by or len(p))


def _labels_only(p, target):
    """-mean(log p_true) for integer labels only: one-hot rows cannot index p."""
    return float(-np.mean(np.log(np.clip(p[np.arange(len(p)), target], 1e-12, 1))))


def _picked_silenced(p, target):
    """-mean(log p_true) with NumPy's warnings silenced: inf where a true class has probability 0."""
    labels = target if target.ndim == 1 else target.argmax(axis=1)
    with np.errstate(all="ignore"):
        return float(-np.mean(np.log(p[np.arange(len(p)), labels])))


def _nnlib_cross_entropy(p, target):
    return CrossEntropyLoss(from_logits=False)(p, target) + 0.0    # + 0.0: a sure batch's -0.0 shows as 0


CROSS_ENTROPY = Exercise(
    "cross_entropy", lesson="05", solution=_nnlib_cross_entropy,
    cases=[
        Case("probabilities (2, 3) and one-hot targets (2, 3)", np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1]]),
             to_one_hot(np.array([0, 1]), 3)),
        Case("probabilities (2, 3) and integer labels [0, 1]", np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1]]),
             np.array([0, 1])),
        Case("probabilities of exactly 1 and 0 that are all correct", np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]),
             to_one_hot(np.array([0, 1]), 3)),
        Case("probabilities of exactly 0 and 1 with labels, all correct", np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]),
             np.array([0, 1])),
        Case("a true class with probability exactly 0", np.array([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]]), np.array([0, 1])),
    ],
    accept=lambda attempt: _right_loss(attempt.got, attempt.case),
    strict=True,
    mistakes=[
        Mistake("np.log(0) is -inf, and 0 · (-inf) is NaN: a probability of exactly 0 must not reach the log. "
                "Clip the probabilities into [1e-7, 1] with np.clip, or add a small epsilon: np.log(p + 1e-7).",
                answer=lambda p, target: _cross_entropy(p, target, clip=None),
                raises=lambda error: isinstance(error, FloatingPointError)),
        Mistake("Here target is integer labels (batch,): turn them into one-hot rows first, "
                "nn.to_one_hot(target, p.shape[1]) (check target.ndim == 1).",
                answer=lambda p, target: float(-np.sum(target * np.log(np.clip(p, 1e-12, 1))) / len(p)),
                raises=lambda error: isinstance(error, ValueError) and "broadcast" in str(error)),
        Mistake("Here target is one-hot rows (batch, classes), the same shape as the probabilities.",
                answer=_labels_only, raises=lambda error: isinstance(error, IndexError)),
        Mistake("Sum over the classes and average over the batch into one number.",
                answer=lambda p, target: _cross_entropy(p, target, per_sample=True),
                when=_not_one_number),
        Mistake("The loss is NaN: 0 · log(0) = 0 · (-inf) is NaN. " + ZERO_IN_LOG,
                answer=lambda p, target: _cross_entropy(p, target, clip=None, silenced=True),
                when=lambda attempt: np.isnan(attempt.got)),
        Mistake("The loss is infinite: log(0) = -inf. " + ZERO_IN_LOG,
                answer=_picked_silenced, when=lambda attempt: np.isinf(attempt.got)),
        Mistake("The loss came out negative. The log of a probability is at most 0, so the cross-entropy needs a "
                "minus sign in front: -np.sum(t * np.log(p)) / N.",
                answer=lambda p, target: -_cross_entropy(p, target), when=lambda attempt: attempt.got < 0),
        Mistake("That is the SUM of the samples' losses: divide by the batch size N = len(p) for the mean per sample.",
                answer=lambda p, target: _cross_entropy(p, target, divide_by=1),
                when=lambda attempt: len(attempt.case.args[0]) > 1 and _right_loss(
                    attempt.got / len(attempt.case.args[0]), attempt.case)),
        Mistake("np.mean over all the batch × classes numbers divides by the classes too. Sum over the classes, "
                "divide by the batch size only: -np.sum(t * np.log(p)) / len(p).",
                answer=lambda p, target: _cross_entropy(p, target, divide_by=p.size),
                when=lambda attempt: _right_loss(attempt.got * attempt.case.args[0].shape[1], attempt.case)),
        Mistake("A little too small, as if the epsilon added inside the log (or the clip) were bigger than 1e-7. "
                "Use 1e-7 or smaller: np.log(p + 1e-7) or np.clip(p, 1e-7, 1).",
                answer=lambda p, target: _cross_entropy(p + 1e-4, target, clip=None),
                when=_epsilon_too_big),
        Mistake("A true class has probability exactly 0 here, so its loss must be large: at least -log(1e-7) ≈ 16.1 "
                "for that sample. Clip at 1e-7 or smaller (np.clip(p, 1e-7, 1)), not at a bigger number.",
                answer=lambda p, target: _cross_entropy(p, target, clip=(0.1, 1.0)),
                when=lambda attempt: (_true_probabilities(attempt.case) == 0).any()),
        Mistake("Every true class has probability 1 here: no surprise at all, so the loss is 0.",
                answer=lambda p, target: _cross_entropy(p, target, clip=(1e-7, 0.99)),
                when=lambda attempt: (_true_probabilities(attempt.case) == 1).all()),
    ],
    success="cross_entropy matches nnlib, takes labels or one-hot, and stays finite at probabilities 0 and 1.")
check_cross_entropy = CROSS_ENTROPY.check
