"""Lesson 03, activation functions (激活函数): the views behind its widgets, and its exercise check.

Pure functions return data; build_xxx() wires sliders to them and redraws a FigureWidget.
"""

import ipywidgets as widgets
import numpy as np

from .. import activations as act
from .exercise import answer_type_problem, compare, quietly, run_check, shape_problem
from .widgets import FigureWidget, slider

# name -> (h, h'), all taken from nnlib.activations.
ACTIVATIONS = {
    "step": (act.step, act.step_derivative),
    "sigmoid": (act.sigmoid, act.sigmoid_derivative),
    "tanh": (act.tanh, act.tanh_derivative),
    "ReLU": (act.relu, act.relu_derivative),
    "leaky ReLU": (act.leaky_relu, act.leaky_relu_derivative),
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
        z = self.z.value
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
        self.figure.axes[0].set_title(f"{self.activation.value}: h(z), tangent at z = {z:.2f}")
        self.label.value = (
            f"{self.activation.value}: h({z:.2f}) = {view['h_at']:.4f},  "
            f"h'({z:.2f}) = {view['dh_at']:.4f} (the slope of the dashed tangent)"
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

AXIS0_HINT = ("every column sums to 1 instead of every row: you normalised over axis 0, down the batch. "
              "The classes run along the last axis: use axis=-1 (or axis=1) for both the max and the sum.")
KEEPDIMS_HINT = ("x.max(axis=-1) and e.sum(axis=-1) give one number per row, shape (batch,), and NumPy lines that "
                 "shape up with the columns, not the rows. Add keepdims=True so they stay a column, shape (batch, 1), "
                 "and each row is shifted and divided by its own number.")
WHOLE_BATCH_HINT = ("the whole batch sums to 1, but each row should. You summed over the whole batch: "
                    "use axis=-1, keepdims=True.")
OVERFLOW_HINT = ("exp overflowed on the large inputs: e^1010 is inf, and inf/inf = NaN. Subtract each row's "
                 "maximum before taking exp (x - x.max(axis=-1, keepdims=True)), so the largest exponent is e^0 = 1.")


def global_max_hint(x, rows):
    """The hint for subtracting the batch's maximum: rows (indices) far below it come out NaN."""
    named = " and ".join(f"row {r} {x[r].tolist()}" for r in rows)
    return (f"{named} came out NaN. You subtracted the maximum of the whole batch ({x.max():g}) instead of each "
            f"row's own maximum: every number there is far below {x.max():g}, so exp(...) underflows to 0 for "
            "every entry of the row, and 0/0 = NaN. Subtract x.max(axis=-1, keepdims=True) instead.")


def _softmax_slips(x):
    """(hint, value) pairs: what the usual mistakes return on x (batch, classes)."""
    def attempt(formula):
        with np.errstate(all="ignore"):
            try:
                return formula()
            except ValueError:      # (batch, classes) and (batch,) do not broadcast: that slip raises instead
                return None

    row_max, col_max = x.max(axis=-1, keepdims=True), x.max(axis=0, keepdims=True)
    far_below = [r for r in range(len(x)) if x[r].max() < x.max() - 700]   # exp(-700) is about 1e-304
    slips = [
        (global_max_hint(x, far_below) if far_below else None,
         lambda: np.exp(x - x.max()) / np.exp(x - x.max()).sum(axis=-1, keepdims=True)),
        (OVERFLOW_HINT, lambda: np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True)),
        (WHOLE_BATCH_HINT, lambda: np.exp(x) / np.exp(x).sum()),
        (WHOLE_BATCH_HINT, lambda: np.exp(x - x.max()) / np.exp(x - x.max()).sum()),
        (WHOLE_BATCH_HINT, lambda: np.exp(x - row_max) / np.exp(x - row_max).sum()),
        (AXIS0_HINT, lambda: np.exp(x - col_max) / np.exp(x - col_max).sum(axis=0, keepdims=True)),
        (AXIS0_HINT, lambda: np.exp(x - row_max) / np.exp(x - row_max).sum(axis=0, keepdims=True)),
        (AXIS0_HINT, lambda: np.exp(x) / np.exp(x).sum(axis=0, keepdims=True)),
        (KEEPDIMS_HINT, lambda: np.exp(x - x.max(axis=-1)) / np.exp(x - x.max(axis=-1)).sum(axis=-1)),
        (KEEPDIMS_HINT, lambda: np.exp(x - row_max) / np.exp(x - row_max).sum(axis=-1)),
        (KEEPDIMS_HINT, lambda: np.exp(x - x.max(axis=-1)) / np.exp(x - x.max(axis=-1)).sum(axis=-1, keepdims=True)),
    ]
    return [(hint, value) for hint, formula in slips if hint and (value := attempt(formula)) is not None]


def _softmax_problem(description, x):
    """A function of the learner's result that names what is wrong, or returns None."""
    expected = act.softmax(x)
    slips = _softmax_slips(x)

    def problem(got):
        where = f"softmax on {description}"
        problem = answer_type_problem("softmax", got, expected.shape)
        if problem:
            return problem
        problem = shape_problem(got, expected.shape)
        if problem:
            return f"{where}: {problem} Softmax keeps the input's shape."
        got = np.asarray(got, dtype=np.float64)
        mismatch = compare(where, got, expected)
        if mismatch is None:
            return None
        for hint, value in slips:
            if np.allclose(got, value, equal_nan=True):
                return f"{where}: {hint}"
        if not np.isfinite(got).all():
            bad = [r for r in range(len(got)) if not np.isfinite(got[r]).all()]
            if all(x[r].max() < x.max() - 700 for r in bad):
                return f"{where}: {global_max_hint(x, bad)}"
            return f"{where}: {OVERFLOW_HINT}"
        sums = got.sum(axis=-1)
        if not np.allclose(sums, 1):
            if got.ndim == 2 and np.isclose(got.sum(), 1):
                return f"{where}: {WHOLE_BATCH_HINT} (Row sums {np.round(sums, 4)}.)"
            if got.ndim == 2 and np.allclose(got.sum(axis=0), 1):
                return f"{where}: {AXIS0_HINT} (Row sums {np.round(sums, 4)}.)"
            return f"{where}: each row should sum to 1, but the row sums are {np.round(sums, 4)}."
        return mismatch

    return problem


def _explain_broadcast(fn):
    """fn, but a broadcasting ValueError also says which keepdims is missing."""
    def call(x):
        try:
            return fn(x)
        except ValueError as error:
            if "broadcast" in str(error):
                raise ValueError(f"{error}. {KEEPDIMS_HINT}") from None
            raise
    return call


def check_softmax(fn, quiet=False):
    """Check fn(x) -> softmax of each row of x (batch, classes), stable for large inputs.

    Prints what is wrong (and the likely cause), or one line of praise; quiet=True prints nothing.
    Returns True when fn is right.
    """
    small = np.array([[0.3, 2.9, 4.0]])
    batch = np.array([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0], [-2.0, 0.0, 5.0]])
    large = np.array([[1010.0, 1000.0, 990.0], [-1000.0, -1010.0, -1020.0]])
    cases = [(description, (x,), _softmax_problem(description, x)) for description, x in (
        (f"one row {small.tolist()}", small),
        (f"a batch of 3 rows {batch.tolist()}", batch),
        (f"large inputs {large.tolist()}", large),
    )]
    explained = _explain_broadcast(fn)

    def silent_numpy(x):
        # A naive exp overflows with a RuntimeWarning; the check reports that in words instead.
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            return explained(x.copy())

    return quietly(lambda: run_check("softmax", silent_numpy, cases,
                                     "softmax: stable on large inputs, and every row of a batch sums to 1. Well done!"),
                   quiet)
