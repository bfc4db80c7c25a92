"""Lesson 01 (the neuron): truth tables, decision lines, the neuron widget and the exercise checks.

The four inputs of a logic gate are always in this order: (0,0), (0,1), (1,0), (1,1).
The step says 0 at exactly z = 0 (step(0) = 0, as nnlib's step), everywhere in the course.
"""

import ipywidgets as widgets
import numpy as np

from ..activations import sigmoid, step
from .numbers import fmt
from .exercise import Case, Exercise, Mistake
from .plots import grid
from ..neuron import Neuron
from .widgets import FigureWidget, slider

GATE_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
GATES = {
    "AND": (0, 0, 0, 1),
    "OR": (0, 1, 1, 1),
    "NAND": (1, 1, 1, 0),
    "NOR": (1, 0, 0, 0),
    "XOR": (0, 1, 1, 0),
}


def exact_z(z):
    """z with float noise removed: the sliders and the grid move in steps of 0.1, so every z here is a multiple
    of 0.01, but float sums are not exact (0.3 + 0.4 - 0.7 is 1e-16, not 0). Rounding to 12 decimals puts a point
    that lies on the line z = 0 exactly on it, where step(0) = 0, as the lesson's arithmetic says."""
    return np.round(z, 12) + 0.0   # + 0.0 turns -0.0 into 0.0


def truth_table(w1, w2, b):
    """The perceptron step(w1*x1 + w2*x2 + b) on the four gate inputs: (4,) array of 0/1 ints."""
    return step(exact_z(GATE_INPUTS @ np.array([w1, w2], dtype=float) + b)).astype(int)


def format_z(z):
    """z for a label, never contradicting step(z): 2 decimals, more digits when 2 would show 0.00 for a z that
    is not exactly 0 (e.g. 'z = -0.004'), and never '-0.00'."""
    z = float(exact_z(z))
    if z != 0 and abs(z) < 0.005:
        return fmt(z, 1, "g")
    return fmt(z, 2)


def which_gate(w1, w2, b):
    """The name of the gate (a key of GATES) these weights compute, or None."""
    table = tuple(truth_table(w1, w2, b).tolist())
    return next((name for name, outputs in GATES.items() if outputs == table), None)


def gate_text(w1, w2, b):
    """What the gate Label shows, e.g. 'AND ✓' or 'outputs 0 1 0 0: not a named gate'."""
    name = which_gate(w1, w2, b)
    if name:
        return f"{name} ✓"
    outputs = " ".join(str(v) for v in truth_table(w1, w2, b))
    return f"outputs {outputs} on (0,0) (0,1) (1,0) (1,1): not AND, OR, NAND or NOR"


def search_weights(target, values=np.linspace(-2, 2, 41)):
    """Every (w1, w2, b) on a grid whose perceptron gives the truth table `target`.

    target: 4 outputs for (0,0), (0,1), (1,0), (1,1); values: the grid for each of w1, w2, b.
    Returns (n, 3): one row (w1, w2, b) per solution; n = 0 when none exists.
    """
    w1, w2, b = (a.ravel() for a in np.meshgrid(values, values, values, indexing="ij"))
    weights = np.column_stack([w1, w2])                  # (combos, 2)
    z = exact_z(GATE_INPUTS @ weights.T + b)             # (4, combos): all combos at once
    works = (step(z) == np.asarray(target)[:, None]).all(axis=0)
    return np.column_stack([w1, w2, b])[works]


def on_the_line(solutions):
    """For each row (w1, w2, b) of `solutions` (n, 3): True when a gate input lies exactly on its line z = 0."""
    solutions = np.asarray(solutions, dtype=float).reshape(-1, 3)
    z = exact_z(GATE_INPUTS @ solutions[:, :2].T + solutions[:, 2])   # (4, n)
    return (z == 0).any(axis=0)


def decision_line(w1, w2, b, xlim=(-0.5, 1.5), ylim=(-0.5, 1.5)):
    """Points (xs, ys) on the line w1*x1 + w2*x2 + b = 0 inside the box; empty if there is no line."""
    if w2 != 0:
        xs = np.array(xlim, dtype=float)
        return xs, -(w1 * xs + b) / w2
    if w1 != 0:
        return np.full(2, -b / w1), np.array(ylim, dtype=float)
    return np.array([]), np.array([])


def neuron_view(x1, x2, w1, w2, b, xlim=(-0.5, 1.5), ylim=(-0.5, 1.5), steps=101):
    """Everything the neuron widget shows, as data.

    Returns a dict: z (the weighted sum), y_step, y_sigmoid (numbers), text (for the output Label),
    gate (for the gate Label), surface ((steps, steps) step outputs over the input plane),
    line (xs, ys of the decision line), table ((4,) outputs on the gate inputs).
    """
    z = float(exact_z(w1 * x1 + w2 * x2 + b))
    y_step, y_sigmoid = int(step(z)), float(sigmoid(z))
    xx, yy, _ = grid(xlim, ylim, steps)
    surface = step(exact_z(w1 * xx + w2 * yy + b))
    shown = "0 exactly" if z == 0 else f"{format_z(z)} {'>' if z > 0 else '<'} 0"
    return {
        "z": z, "y_step": y_step, "y_sigmoid": y_sigmoid,
        "text": f"z = w₁x₁ + w₂x₂ + b = {shown}   →   step(z) = {y_step},   σ(z) = {fmt(y_sigmoid, 4)}",
        "gate": gate_text(w1, w2, b),
        "surface": surface,
        "line": decision_line(w1, w2, b, xlim, ylim),
        "table": truth_table(w1, w2, b),
    }


class NeuronWidget:
    """Sliders w1, w2, b, x1, x2; Labels output and gate; a FigureWidget figure; all in box."""

    xlim = ylim = (-0.5, 1.5)

    def __init__(self, w1=1.0, w2=0.5, b=-0.7, x1=0.5, x2=1.0):
        self.w1 = slider("w₁", w1, -2, 2, 0.1)
        self.w2 = slider("w₂", w2, -2, 2, 0.1)
        self.b = slider("b", b, -3, 3, 0.1)
        self.x1 = slider("x₁", x1, -0.5, 1.5, 0.1)
        self.x2 = slider("x₂", x2, -0.5, 1.5, 0.1)
        self.output = widgets.Label()
        self.gate = widgets.Label()
        self.figure = FigureWidget(figsize=(4.5, 5), dpi=100)
        ax = self.figure.axes
        extent = (*self.xlim, *self.ylim)
        self.image = ax.imshow(np.zeros((2, 2)), origin="lower", extent=extent, cmap="RdBu", vmin=0, vmax=1,
                               alpha=0.4, aspect="equal")   # the input square stays square
        (self.line,) = ax.plot([], [], "k-", lw=2, label="decision line z = 0")
        self.corners = ax.scatter(GATE_INPUTS[:, 0], GATE_INPUTS[:, 1], s=120, c=np.zeros(4), cmap="RdBu",
                                  vmin=0, vmax=1, edgecolors="k", label="gate inputs (colour = output)")
        (self.point,) = ax.plot([], [], "k*", ms=14, label="input (x₁, x₂)")
        ax.set(xlim=self.xlim, ylim=self.ylim, xlabel="$x_1$", ylabel="$x_2$",
               title="Perceptron output: blue = 1, red = 0")
        ax.tick_params(labelsize=9)
        # Below the axes, so it never hides a gate input such as (1, 1).
        self.figure.fig.legend(loc="outside lower center", fontsize=9)
        self.sliders = [self.w1, self.w2, self.b, self.x1, self.x2]
        for s in self.sliders:
            s.observe(self.update, names="value")
        self.box = widgets.HBox([widgets.VBox([*self.sliders, self.output, self.gate]), self.figure.image])
        self.update()

    def update(self, change=None):
        view = neuron_view(self.x1.value, self.x2.value, self.w1.value, self.w2.value, self.b.value,
                           self.xlim, self.ylim)
        self.output.value = view["text"]
        self.gate.value = view["gate"]
        self.image.set_data(view["surface"])
        self.line.set_data(*view["line"])
        self.corners.set_array(view["table"].astype(float))
        self.point.set_data([self.x1.value], [self.x2.value])
        self.figure.refresh()


def build_neuron_widget(**defaults):
    """The lesson's interactive neuron; display(view.box) to show it."""
    return NeuronWidget(**defaults)


# ---- exercises ----------------------------------------------------------------------------------

ORDER_HINT = "multiply x @ w: x's rows are samples, so each row meets w and gives that sample's weighted sum."


def _w_at_x_unless_square(x, w, b):
    """w @ x where x is not square (the (3, 2) batch, where NumPy refuses), right elsewhere."""
    return sigmoid(w @ x + b) if x.ndim == 2 and x.shape[0] != x.shape[1] else sigmoid(x @ w + b)


def _is_matmul_error(error):
    return isinstance(error, ValueError) and ("matmul" in str(error) or "not aligned" in str(error))


# The square batch is where w @ x runs without an error but computes the wrong thing; the (3, 2) batch is
# where it fails.
NEURON_FORWARD = Exercise(
    "neuron_forward", lesson="01", solution=lambda x, w, b: Neuron(w, b).forward(x),
    cases=[Case("the Basic Network in Python neuron, x=[2, 3], w=[0, 1], b=4",
                np.array([2.0, 3.0]), np.array([0.0, 1.0]), 4.0),
           Case("negative weights, x=[1, 2], w=[-1, 0.5], b=-1", np.array([1.0, 2.0]), np.array([-1.0, 0.5]), -1.0),
           Case("a batch of 2 inputs (x of shape (2, 2))", np.array([[1.0, 2.0], [0.5, -1.0]]),
                np.array([0.5, -1.0]), 0.25),
           Case("a batch of 3 inputs (x of shape (3, 2))", np.array([[2.0, 3.0], [-1.0, 0.5], [0.0, 0.0]]),
                np.array([0.5, -1.0]), 0.25)],
    mistakes=[
        Mistake("You multiplied element by element (x * w), which gives one number per input; add the products "
                "up (x @ w multiplies and adds) before adding b.", answer=lambda x, w, b: sigmoid(x * w + b)),
        Mistake("np.sum without an axis adds up the whole batch into one number; use x @ w "
                "(or np.sum(x * w, axis=-1)) for one weighted sum per sample.",
                answer=lambda x, w, b: sigmoid(np.sum(x * w) + b)),
        Mistake("np.sum(x * w, axis=0) adds down the batch (one input across all samples); use axis=-1, the "
                "inputs of one sample, or x @ w.", answer=lambda x, w, b: sigmoid(np.sum(x * w, axis=0) + b)),
        Mistake("On a batch, x[0] is the first SAMPLE (a row), not the first input, so x[0] * w[0] + x[1] * w[1] "
                "(the same numbers as w @ x) pairs w with the columns of x, one input across all samples; "
                f"{ORDER_HINT}", answer=lambda x, w, b: sigmoid(w @ x + b)),
        Mistake("One sample has a single axis, axis 0, so axis=1 does not exist for it: np.sum(x * w, axis=-1), "
                "the last axis, is the inputs of one sample and of every sample of a batch alike.",
                answer=lambda x, w, b: sigmoid(np.sum(x * w, axis=1) + b),
                raises=lambda error: isinstance(error, np.exceptions.AxisError)),
        Mistake(f"NumPy could not multiply x and w in the order your code asks (w @ x pairs w with the columns "
                f"of x); {ORDER_HINT}", answer=_w_at_x_unless_square, raises=_is_matmul_error),
        Mistake("That is the weighted sum z; apply the sigmoid to it.", answer=lambda x, w, b: x @ w + b),
        Mistake("The bias b is missing: z = x · w + b.", answer=lambda x, w, b: sigmoid(x @ w)),
        Mistake("That is 1 / (1 + e^(+z)): the sigmoid has a minus sign, 1 / (1 + e^(-z)), so a large z gives "
                "nearly 1.", answer=lambda x, w, b: 1 / (1 + np.exp(x @ w + b))),
        Mistake("The weights are missing: multiply each input by its weight.",
                answer=lambda x, w, b: sigmoid(np.sum(x, axis=-1) + b)),
        Mistake("The bias has the wrong sign, as if z = x · w - b. In np.exp(-x @ w + b) the minus covers only "
                "x @ w: write np.exp(-(x @ w + b)).", answer=lambda x, w, b: 1 / (1 + np.exp(-x @ w + b))),
        Mistake("That is the step function (0 or 1); this exercise asks for the sigmoid 1 / (1 + e^(-z)).",
                answer=lambda x, w, b: step(x @ w + b)),
    ],
    success="neuron_forward matches nnlib.Neuron: weighted sum, bias, sigmoid.")
check_neuron_forward = NEURON_FORWARD.check


def _as_three(answer):
    """An array of three numbers, read as the tuple (w1, w2, b) the exercise asks for."""
    return tuple(answer.tolist()) if isinstance(answer, np.ndarray) and answer.ndim == 1 else answer


def _computes_nor(attempt):
    """True when the weights compute NOR, else what their truth table is."""
    w1, w2, b = (float(v) for v in attempt.got)
    with np.errstate(all="ignore"):
        table = truth_table(w1, w2, b)
    nor = np.array(GATES["NOR"])
    if np.isfinite([w1, w2, b]).all() and (table == nor).all():
        return True
    wrong = ", ".join(str(tuple(int(v) for v in GATE_INPUTS[i])) for i in np.flatnonzero(table != nor))
    return (f"w1={w1:g}, w2={w2:g}, b={b:g} give outputs {table.tolist()}; NOR needs {nor.tolist()}"
            + (f", wrong for input(s) {wrong}." if wrong else "."))


def _has_text(answer):
    return isinstance(answer, (str, bytes)) or (
        isinstance(answer, (tuple, list)) and any(isinstance(v, (str, bytes)) for v in answer))


NOR_WEIGHTS = Exercise(
    "nor_weights", lesson="01", solution=lambda: (-1.0, -1.0, 0.5), parts=("w1", "w2", "b"),
    run=lambda fn, case: _as_three(fn()), accept=_computes_nor,
    cases=[Case("the gate inputs (0,0) (0,1) (1,0) (1,1)")],
    mistakes=[
        Mistake("Return numbers such as -1.0, not strings such as '-1.0'.", answer=lambda: ("-1", "-1", "0.5"),
                when=lambda attempt: _has_text(attempt.got)),
        Mistake("You returned (w, b) with the two weights in one array; return three separate numbers: "
                "return (w[0], w[1], b).", answer=lambda: (np.array([-1.0, -1.0]), 0.5),
                when=lambda attempt: len(attempt.got) == 2 and np.shape(attempt.got[0]) == (2,)),
        Mistake("w1, w2 and b must be finite numbers (no NaN or infinity).", answer=lambda: (-np.inf, -1.0, 0.5),
                when=lambda attempt: len(attempt.got) == 3 and not np.isfinite(np.array(attempt.got, float)).all()),
        Mistake("At (0, 0) the weighted sum is exactly z = 0, and the step says 1 only when z > 0: that input must "
                "be strictly on the positive side.", answer=lambda: (-1.0, -1.0, 0.0),
                when=lambda attempt: float(attempt.got[2]) == 0),
        Mistake("These compute OR. NOR is 'not OR': every output flipped. Remember how NAND came from AND.",
                answer=lambda: (1.0, 1.0, -0.5),
                when=lambda attempt: tuple(truth_table(*attempt.got).tolist()) == GATES["OR"]),
    ],
    success="your w1, w2, b compute NOR.")
check_nor_weights = NOR_WEIGHTS.check
