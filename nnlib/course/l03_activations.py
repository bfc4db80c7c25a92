"""Lesson 03, activation functions (激活函数): the views behind its widgets, and its exercise check.

Pure functions return data; build_xxx() wires sliders to them and redraws a FigureWidget.
"""
import ipywidgets as widgets
import numpy as np

from .. import activations as act
from .exercise import compare, run_check, shape_problem
from .widgets import FigureWidget, slider

# name -> (h, h'), all taken from nnlib.activations.
ACTIVATIONS = {
    "step": (act.step, act.step_derivative),
    "sigmoid": (act.sigmoid, act.sigmoid_derivative),
    "tanh": (act.tanh, act.tanh_derivative),
    "ReLU": (act.relu, act.relu_derivative),
    "leaky ReLU": (act.leaky_relu, act.leaky_relu_derivative),
}

# The logits of the book's softmax example (seed 002).
BOOK_LOGITS = np.array([0.3, 2.9, 4.0])


def activation_view(name, z, zmin=-5.0, zmax=5.0, points=201):
    """The curve of one activation and the point at z.

    Returns a dict: "z" (points,) inputs; "h", "dh" (points,) the function and
    its derivative there; "h_at", "dh_at" floats, h(z) and h'(z) at the chosen z.
    """
    h, dh = ACTIVATIONS[name]
    grid = np.linspace(zmin, zmax, points)
    return {"z": grid, "h": h(grid), "dh": dh(grid), "h_at": float(h(z)), "dh_at": float(dh(z))}


def softmax_view(logits, temperature):
    """softmax(logits / temperature): (classes,) probabilities that sum to 1.

    A high temperature flattens the probabilities, a low one sharpens them
    towards the largest logit; the argmax never changes.
    """
    return act.softmax(np.asarray(logits, dtype=np.float64) / temperature)


class ActivationExplorer:
    """Pick an activation, move z: the label shows h(z) and h'(z), the dots move on both curves."""

    def __init__(self, name="sigmoid", z=1.0):
        self.activation = widgets.ToggleButtons(options=list(ACTIVATIONS), value=name, description="h")
        self.z = slider("z (pre-activation)", z, -5.0, 5.0, 0.1)
        self.label = widgets.Label()
        self.figure = FigureWidget(1, 2, figsize=(8, 3))
        left, right = self.figure.axes
        self.curve, = left.plot([], [], color="C0")
        self.slope, = right.plot([], [], color="C1")
        self.dot, = left.plot([], [], "o", color="C3")
        self.dot_slope, = right.plot([], [], "o", color="C3")
        for ax, title in ((left, "h(z)"), (right, "h'(z), the derivative")):
            ax.set_title(title)
            ax.set_xlabel("z")
            ax.grid(alpha=0.3)
        left.set_ylabel("h(z)")
        right.set_ylabel("h'(z)")
        self.activation.observe(self.update, names="value")
        self.z.observe(self.update, names="value")
        self.box = widgets.VBox([self.activation, self.z, self.label, self.figure.image])
        self.update()

    def update(self, change=None):
        view = activation_view(self.activation.value, self.z.value)
        self.curve.set_data(view["z"], view["h"])
        self.slope.set_data(view["z"], view["dh"])
        self.dot.set_data([self.z.value], [view["h_at"]])
        self.dot_slope.set_data([self.z.value], [view["dh_at"]])
        for ax, values in zip(self.figure.axes, (view["h"], view["dh"])):
            low, high = values.min(), values.max()
            pad = 0.1 * (high - low) + 0.05
            ax.set_xlim(view["z"][0], view["z"][-1])
            ax.set_ylim(low - pad, high + pad)
        self.figure.axes[0].set_title(f"{self.activation.value}: h(z)")
        self.label.value = (
            f"{self.activation.value}: h({self.z.value:.2f}) = {view['h_at']:.4f},  "
            f"h'({self.z.value:.2f}) = {view['dh_at']:.4f}"
        )
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
        cells = ", ".join(f"{v:.3f}" for v in p)
        self.html.value = f"p = [{cells}] &nbsp; largest: class {int(p.argmax())}, sum = {p.sum():.3f}"
        self.figure.refresh()


def build_activation_explorer(name="sigmoid", z=1.0):
    return ActivationExplorer(name, z)


def build_softmax_temperature(logits=BOOK_LOGITS, temperature=1.0):
    return SoftmaxTemperature(logits, temperature)


# ---- exercise: a stable, row-wise softmax -------------------------------------------------

def _softmax_problem(description, x):
    """A function of the learner's result that names what is wrong, or returns None."""
    expected = act.softmax(x)

    def problem(got):
        where = f"softmax on {description}"
        problem = shape_problem(got, expected.shape)
        if problem:
            return f"{where}: {problem} Softmax keeps the input's shape."
        got = np.asarray(got, dtype=np.float64)
        if not np.isfinite(got).all():
            return (f"{where}: the result contains NaN or inf: exp overflowed on the large inputs. "
                    "Subtract each row's maximum before taking exp.")
        sums = got.sum(axis=-1)
        if not np.allclose(sums, 1):
            if got.ndim == 2 and np.isclose(got.sum(), 1):
                return (f"{where}: the whole batch sums to 1, but each row should (row sums {np.round(sums, 4)}). "
                        "You summed over the whole batch: use axis=-1, keepdims=True.")
            return f"{where}: each row should sum to 1, but the row sums are {np.round(sums, 4)}."
        return compare(where, got, expected)

    return problem


def check_softmax(fn):
    """Check fn(x) -> softmax of each row of x (batch, classes), stable for large inputs."""
    small = np.array([[0.3, 2.9, 4.0]])
    batch = np.array([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0], [-2.0, 0.0, 5.0]])
    large = np.array([[1010.0, 1000.0, 990.0], [-1000.0, -1010.0, -1020.0]])
    cases = [
        (f"one row {small.tolist()}", (small,), _softmax_problem(f"one row {small.tolist()}", small)),
        (f"a batch of 3 rows {batch.tolist()}", (batch,), _softmax_problem(f"a batch of 3 rows {batch.tolist()}", batch)),
        (f"large inputs {large.tolist()}", (large,), _softmax_problem(f"large inputs {large.tolist()}", large)),
    ]

    def quiet(x):
        # A naive exp overflows with a RuntimeWarning; the check reports that in words instead.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return fn(x.copy())

    return run_check("softmax", quiet, cases,
                     "softmax: stable on large inputs, and every row of a batch sums to 1. Well done!")
