"""Lesson 03, activation functions (激活函数): the views behind its widgets, and its exercise check.

Pure functions return data; build_xxx() wires sliders to them and redraws a FigureWidget.
"""

import ipywidgets as widgets
import numpy as np

from .. import activations as act
from .numbers import fmt, fmt_all
from .exercise import Case, Exercise, Mistake
from .widgets import FigureWidget, slider

# The leak the lesson draws. nnlib's default (and the usual value) is 0.01, whose leak is too small to see at the
# scale of the pictures: at 0.01, leaky ReLU looks exactly like ReLU there.
LEAKY_ALPHA = 0.1


def leaky_relu(z):
    """nnlib's leaky_relu with the lesson's alpha = LEAKY_ALPHA."""
    return act.leaky_relu(z, alpha=LEAKY_ALPHA)


def leaky_relu_derivative(z):
    """nnlib's leaky_relu_derivative with the lesson's alpha = LEAKY_ALPHA."""
    return act.leaky_relu_derivative(z, alpha=LEAKY_ALPHA)


# name -> (h, h'), all nnlib.activations (leaky ReLU with alpha = LEAKY_ALPHA).
ACTIVATIONS = {
    "step": (act.step, act.step_derivative),
    "sigmoid": (act.sigmoid, act.sigmoid_derivative),
    "tanh": (act.tanh, act.tanh_derivative),
    "ReLU": (act.relu, act.relu_derivative),
    "leaky ReLU": (leaky_relu, leaky_relu_derivative),
}

# The logits of the softmax example in the DLFS Notes (Deep Learning from Scratch, chapter 3).
BOOK_LOGITS = np.array([0.3, 2.9, 4.0])


def activation_view(name, z, zmin=-5.0, zmax=5.0, points=201):
    """The curve of one activation, the point at z and the tangent there.

    Returns a dict: "z" (points,) inputs; "h", "dh" (points,) the function and
    its derivative there; "h_at", "dh_at" floats, h(z) and h'(z) at the chosen z;
    "tangent" (points,) the line through (z, h(z)) with slope h'(z), over the same inputs.
    """
    h, dh = ACTIVATIONS[name]
    grid = np.linspace(zmin, zmax, points)
    h_at, dh_at = float(h(z)), float(dh(z))
    return {"z": grid, "h": h(grid), "dh": dh(grid), "h_at": h_at, "dh_at": dh_at,
            "tangent": h_at + dh_at * (grid - z)}


KINKED = ("step", "ReLU", "leaky ReLU")   # the activations with a corner or a jump at z = 0


def activation_label(name, z, view=None):
    """The explorer's Label: "ReLU: h(0.50) = 0.5000,  h'(0.50) = 1.0000 (...)"; view: activation_view's, if made."""
    view = activation_view(name, z) if view is None else view
    slope = ("at the kink z = 0 no slope is defined: nnlib uses the left-hand one"
             if z == 0 and name in KINKED else "the slope of the dashed tangent")
    return (f"{name}: h({fmt(z, 2)}) = {fmt(view['h_at'], 4)},  "
            f"h'({fmt(z, 2)}) = {fmt(view['dh_at'], 4)} ({slope})")


def softmax_view(logits, temperature):
    """softmax(logits / temperature): (classes,) probabilities that sum to 1.

    A high temperature flattens the probabilities, a low one sharpens them
    towards the largest logit; the argmax never changes.
    """
    return act.softmax(np.asarray(logits, dtype=np.float64) / temperature)


class ActivationExplorer:
    """Pick an activation, move z: the label shows h(z) and h'(z); the left panel draws the
    tangent at z (its slope is h'(z)), the right panel the derivative with the same point."""

    def __init__(self, name="sigmoid", z=1.0):
        self.activation = widgets.ToggleButtons(options=list(ACTIVATIONS), value=name, description="h")
        self.z = slider("z (pre-activation)", z, -5.0, 5.0, 0.1)
        self.label = widgets.Label()
        self.figure = FigureWidget(1, 2, figsize=(8, 3.6))
        left, right = self.figure.axes
        self.curve, = left.plot([], [], color="C0", label="h(z)")
        self.tangent, = left.plot([], [], "--", color="C3", label="tangent at z: slope h'(z)")
        self.dot, = left.plot([], [], "o", color="C3")
        self.slope, = right.plot([], [], color="C1", label="h'(z), the slope at each z")
        self.dot_slope, = right.plot([], [], "o", color="C3")
        right.set_title("h'(z): the derivative")
        for ax in (left, right):
            ax.set_xlabel("z")
            ax.grid(alpha=0.3)
        left.set_ylabel("h(z)")
        right.set_ylabel("h'(z)")
        # Below the panels, so the legend never covers a curve.
        self.figure.fig.legend(handles=[self.curve, self.tangent, self.slope], loc="outside lower center", ncols=3)
        self.activation.observe(self.update, names="value")
        self.z.observe(self.update, names="value")
        self.box = widgets.VBox([self.activation, self.z, self.label, self.figure.image])
        self.update()

    def update(self, change=None):
        z = round(self.z.value, 9) + 0.0   # a slider's float noise (1e-17) is not a z of its own; never -0.0
        view = activation_view(self.activation.value, z)
        self.curve.set_data(view["z"], view["h"])
        self.tangent.set_data(view["z"], view["tangent"])
        self.slope.set_data(view["z"], view["dh"])
        self.dot.set_data([z], [view["h_at"]])
        self.dot_slope.set_data([z], [view["dh_at"]])
        for ax, values in zip(self.figure.axes, (view["h"], view["dh"])):
            low, high = values.min(), values.max()
            pad = 0.1 * (high - low) + 0.05
            ax.set_xlim(view["z"][0], view["z"][-1])
            ax.set_ylim(low - pad, high + pad)   # the tangent is clipped to the curve's range
        self.figure.axes[0].set_title(f"{self.activation.value}: h(z), tangent at z = {fmt(z, 2)}")
        self.label.value = activation_label(self.activation.value, z, view)
        self.figure.refresh()


class SoftmaxTemperature:
    """A temperature slider over the bar chart of softmax(logits / T)."""

    def __init__(self, logits=BOOK_LOGITS, temperature=1.0):
        self.logits = np.asarray(logits, dtype=np.float64)
        self.temperature = slider("temperature T", temperature, 0.1, 5.0, 0.1)
        self.html = widgets.HTML()
        self.figure = FigureWidget(figsize=(5, 3))
        ax = self.figure.axes
        names = [f"class {i}\n(logit {v:g})" for i, v in enumerate(self.logits)]
        self.bars = ax.bar(names, np.zeros(len(self.logits)), color="C0")
        ax.set_ylim(0, 1)
        ax.set_ylabel("probability")
        ax.set_xlabel("class")
        self.temperature.observe(self.update, names="value")
        self.box = widgets.VBox([self.temperature, self.html, self.figure.image])
        self.update()

    def update(self, change=None):
        p = softmax_view(self.logits, self.temperature.value)
        for bar, height in zip(self.bars, p):
            bar.set_height(height)
        self.figure.axes.set_title(f"softmax(logits / T), T = {self.temperature.value:.1f}")
        cells = fmt_all(p, 3)
        self.html.value = f"p = [{cells}] &nbsp; largest: class {int(p.argmax())}, sum = {fmt(p.sum(), 3)}"
        self.figure.refresh()


def build_activation_explorer(name="sigmoid", z=1.0):
    return ActivationExplorer(name, z)


def build_softmax_temperature(logits=BOOK_LOGITS, temperature=1.0):
    return SoftmaxTemperature(logits, temperature)


# ---- exercise: a stable, row-wise softmax -------------------------------------------------

def _shifted_by(shift):
    """softmax with each row shifted by shift(x) (a column) instead of its maximum."""
    def softmax(x):
        e = np.exp(x - shift(x))
        return e / e.sum(axis=-1, keepdims=True)
    return softmax


def _far_below_the_batch_max(attempt):
    """Only rows whose maximum is far below the whole batch's came out NaN (exp(-700) is about 1e-304)."""
    x, bad = attempt.case.args[0], ~np.isfinite(attempt.got).all(axis=-1)
    return bad.any() and (x.max(axis=-1)[bad] < x.max() - 700).all()


def _rows_do_not_sum_to_1(got):
    return not np.allclose(got.sum(axis=-1), 1)


SOFTMAX = Exercise(
    "softmax", lesson="03", solution=act.softmax,
    cases=[Case("one row [[0.3, 2.9, 4.0]]", np.array([[0.3, 2.9, 4.0]])),
           Case("a batch of 2 rows [[1, 2, 3], [1, 1, 1]]", np.array([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]])),
           Case("large inputs [[1010, 1000, 990], [-1000, -1010, -1020]]",
                np.array([[1010.0, 1000.0, 990.0], [-1000.0, -1010.0, -1020.0]])),
           Case("a row spread over 1000, [[1000, 0, 500]]", np.array([[1000.0, 0.0, 500.0]])),
           Case("a row spread over 2000, [[2000, 0, 1000]]", np.array([[2000.0, 0.0, 1000.0]]))],
    mistakes=[
        Mistake("Softmax keeps the input's shape: one probability per logit, (batch, classes).",
                answer=lambda x: act.softmax(x)[0], when=lambda attempt: isinstance(attempt.got, np.ndarray)
                and attempt.got.shape != attempt.expected.shape),
        Mistake("x.max(axis=-1) and e.sum(axis=-1) give one number per row, shape (batch,), and NumPy lines that "
                "shape up with the columns, not the rows. Add keepdims=True so they stay a column, shape (batch, 1), "
                "and each row is shifted and divided by its own number.",
                answer=lambda x: np.exp(x - x.max(axis=-1)) / np.exp(x - x.max(axis=-1)).sum(axis=-1),
                raises=lambda error: "broadcast" in str(error)),
        Mistake("The rows far below the batch's largest number came out NaN. You subtracted the maximum of the whole "
                "batch instead of each row's own maximum: every number there is far below it, so exp(...) underflows "
                "to 0 for every entry of the row, and 0/0 = NaN. Subtract x.max(axis=-1, keepdims=True) instead.",
                answer=_shifted_by(lambda x: x.max()), when=_far_below_the_batch_max),
        Mistake("You subtracted each row's mean: the largest exponent is then e^(max - mean), e^1000 here, which still "
                "overflows. Subtract each row's maximum, so the largest exponent is e^0 = 1.",
                answer=_shifted_by(lambda x: x.mean(axis=-1, keepdims=True))),
        Mistake("You subtracted each row's minimum: the largest exponent is then e^(max - min), e^1000 here, which "
                "overflows. Subtract each row's maximum, so the largest exponent is e^0 = 1.",
                answer=_shifted_by(lambda x: x.min(axis=-1, keepdims=True))),
        Mistake("exp overflowed on the large inputs: e^1010 is inf, and inf/inf = NaN. Subtract each row's maximum "
                "before taking exp (x - x.max(axis=-1, keepdims=True)), so the largest exponent is e^0 = 1.",
                answer=_shifted_by(lambda x: 0), when=lambda attempt: not np.isfinite(attempt.got).all()),
        Mistake("The whole batch sums to 1, but each row should. You summed over the whole batch: "
                "use axis=-1, keepdims=True.", answer=lambda x: np.exp(x) / np.sum(np.exp(x)),
                when=lambda attempt: np.isclose(attempt.got.sum(), 1) and _rows_do_not_sum_to_1(attempt.got)),
        Mistake("Every column sums to 1 instead of every row: you normalised over axis 0, down the batch. The classes "
                "run along the last axis: use axis=-1 (or axis=1) for both the max and the sum.",
                answer=lambda x: np.exp(x - x.max(axis=0)) / np.exp(x - x.max(axis=0)).sum(axis=0),
                when=lambda attempt: np.allclose(attempt.got.sum(axis=0), 1) and _rows_do_not_sum_to_1(attempt.got)),
        Mistake("Each row should sum to 1, but yours do not: divide each row's exponentials by that row's sum.",
                answer=lambda x: x, when=lambda attempt: _rows_do_not_sum_to_1(attempt.got)),
    ],
    success="softmax: stable on large inputs, and every row of a batch sums to 1. Well done!")
check_softmax = SOFTMAX.check
