"""Lesson 01 (the neuron): truth tables, decision lines, the neuron widget and the exercise checks.

The four inputs of a logic gate are always in this order: (0,0), (0,1), (1,0), (1,1).
"""
import ipywidgets as widgets
import numpy as np

from ..activations import sigmoid, step
from .exercise import failed, not_done, passed, run_check, shape_problem
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


def truth_table(w1, w2, b):
    """The perceptron step(w1*x1 + w2*x2 + b) on the four gate inputs: (4,) array of 0/1 ints."""
    return Neuron([w1, w2], b, activation=step).forward(GATE_INPUTS).astype(int)


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
    z = GATE_INPUTS @ weights.T + b                      # (4, combos): all combos at once
    works = (step(z) == np.asarray(target)[:, None]).all(axis=0)
    return np.column_stack([w1, w2, b])[works]


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
    z = w1 * x1 + w2 * x2 + b
    y_step, y_sigmoid = float(step(z)), float(sigmoid(z))
    xx, yy = np.meshgrid(np.linspace(*xlim, steps), np.linspace(*ylim, steps))
    surface = step(w1 * xx + w2 * yy + b)
    return {
        "z": z, "y_step": y_step, "y_sigmoid": y_sigmoid,
        "text": f"z = w₁x₁ + w₂x₂ + b = {z:.2f}   →   step(z) = {y_step:g},   σ(z) = {y_sigmoid:.3f}",
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
        self.figure = FigureWidget(figsize=(4.5, 4))
        ax = self.figure.axes
        extent = (*self.xlim, *self.ylim)
        self.image = ax.imshow(np.zeros((2, 2)), origin="lower", extent=extent, cmap="RdBu", vmin=0, vmax=1,
                               alpha=0.4, aspect="auto")
        (self.line,) = ax.plot([], [], "k-", lw=2, label="decision line z = 0")
        self.corners = ax.scatter(GATE_INPUTS[:, 0], GATE_INPUTS[:, 1], s=120, c=np.zeros(4), cmap="RdBu",
                                  vmin=0, vmax=1, edgecolors="k", label="gate inputs (colour = output)")
        (self.point,) = ax.plot([], [], "k*", ms=14, label="input (x₁, x₂)")
        ax.set(xlim=self.xlim, ylim=self.ylim, xlabel="$x_1$", ylabel="$x_2$",
               title="Perceptron output: blue = 1, red = 0")
        ax.legend(loc="upper right", fontsize=7)
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


# ---- exercise checks ---------------------------------------------------------------------------

def check_neuron_forward(fn):
    """fn(x, w, b) -> sigmoid(x · w + b); x: (inputs,) gives a number, x: (batch, inputs) gives (batch,)."""
    name = "neuron_forward"
    x_batch = np.array([[2.0, 3.0], [-1.0, 0.5], [0.0, 0.0]])

    def explain(x, w, b):
        def problem(got):
            expected = Neuron(w, b).forward(x)
            mistake = compare_neuron(got, x, w, b, expected)
            return mistake and f"{name} on x={np.asarray(x).tolist()}, w={w}, b={b}: {mistake}"
        return problem

    cases = [
        ("the seed 004 neuron", ([2.0, 3.0], [0.0, 1.0], 4.0), explain([2.0, 3.0], [0.0, 1.0], 4.0)),
        ("negative weights", ([1.0, 2.0], [-1.0, 0.5], -1.0), explain([1.0, 2.0], [-1.0, 0.5], -1.0)),
        ("a batch of 3 inputs", (x_batch, [0.5, -1.0], 0.25), explain(x_batch, [0.5, -1.0], 0.25)),
    ]
    return run_check(name, fn, cases, "neuron_forward matches nnlib.Neuron: weighted sum, bias, sigmoid.")


def compare_neuron(got, x, w, b, expected):
    """None if got matches the neuron's output, else a sentence naming the likely mistake."""
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    expected = np.asarray(expected)
    problem = shape_problem(got, expected.shape)
    if problem:
        return problem
    got = np.asarray(got, dtype=float)
    if np.allclose(got, expected):
        return None
    guesses = [
        (x @ w + b, "that is the weighted sum z; apply the sigmoid to it."),
        (sigmoid(x @ w), "the bias b is missing: z = x · w + b."),
        (sigmoid(np.sum(x, axis=-1) + b), "the weights are missing: multiply each input by its weight."),
        (sigmoid(x @ w - b), "the bias is subtracted; add it."),
    ]
    for value, hint in guesses:
        if np.allclose(got, value):
            return f"expected {np.round(expected, 6).tolist()}, got {np.round(got, 6).tolist()}: {hint}"
    return f"expected {np.round(expected, 6).tolist()}, got {np.round(got, 6).tolist()}."


def check_nor_weights(fn):
    """fn() -> (w1, w2, b) whose perceptron computes NOR (1 only for input (0, 0))."""
    name = "nor_weights"
    try:
        w1, w2, b = fn()
    except NotImplementedError:
        return not_done(name)
    except (TypeError, ValueError) as error:
        return failed(f"{name} must return three numbers (w1, w2, b): {error}")
    table = truth_table(w1, w2, b)
    if tuple(table.tolist()) != GATES["NOR"]:
        wrong = [tuple(int(v) for v in GATE_INPUTS[i]) for i in np.flatnonzero(table != GATES["NOR"])]
        return failed(f"{name}: w1={w1}, w2={w2}, b={b} give outputs {table.tolist()} on (0,0) (0,1) (1,0) (1,1); "
                      f"NOR needs {list(GATES['NOR'])}. Wrong for input(s) {wrong}.")
    return passed(f"w1={w1}, w2={w2}, b={b} compute NOR.")
