"""Lesson 01 (the neuron): truth tables, decision lines, the neuron widget and the exercise checks.

The four inputs of a logic gate are always in this order: (0,0), (0,1), (1,0), (1,1).
"""

import ipywidgets as widgets
import numpy as np

from ..activations import sigmoid, step
from .exercise import failed, not_done, passed, quietly, shape_problem
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
    xx, yy, _ = grid(xlim, ylim, steps)
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
        self.figure = FigureWidget(figsize=(4.5, 5), dpi=100)
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


# ---- exercise checks ---------------------------------------------------------------------------

def wrong_type(got, wanted):
    """A sentence if got is not a number or array at all (None, a list, a dict, text), else None."""
    if got is None:
        return f"it returned None: did you forget `return`? It must return {wanted}."
    if isinstance(got, (list, tuple)):
        return (f"it returned a Python {type(got).__name__}; it must return {wanted}. "
                "NumPy's @ and + on arrays give that directly, no list needed.")
    if isinstance(got, (dict, set, str, bytes)):
        return f"it returned a {type(got).__name__}; it must return {wanted}."
    return None


# Each case: description, x, w, b. Arrays, as the exercise promises. The square batch is where
# w @ x runs without an error but computes the wrong thing; the (3, 2) batch is where it fails.
NEURON_CASES = [
    ("the Basic Network in Python neuron", np.array([2.0, 3.0]), np.array([0.0, 1.0]), 4.0),
    ("negative weights", np.array([1.0, 2.0]), np.array([-1.0, 0.5]), -1.0),
    ("a batch of 2 inputs (x of shape (2, 2))", np.array([[1.0, 2.0], [0.5, -1.0]]), np.array([0.5, -1.0]), 0.25),
    ("a batch of 3 inputs (x of shape (3, 2))", np.array([[2.0, 3.0], [-1.0, 0.5], [0.0, 0.0]]),
     np.array([0.5, -1.0]), 0.25),
]

ORDER_HINT = "multiply x @ w: x's rows are samples, so each row meets w and gives that sample's weighted sum."


def _check_neuron_forward(fn):
    name = "neuron_forward"
    wanted = "a number for one input x of shape (inputs,) and a NumPy array of shape (batch,) for a batch"
    for description, x, w, b in NEURON_CASES:
        where = f"{name} on {description}, x={x.tolist()}, w={w.tolist()}, b={b}"
        try:
            got = fn(x.copy(), w.copy(), b)
        except NotImplementedError:
            return not_done(name)
        except Exception as error:  # the learner's code failed: say where and why, not a traceback
            if x.ndim == 2 and isinstance(error, ValueError) and _is_shape_error(error):
                return failed(f"{where}: NumPy could not multiply x of shape {x.shape} and w of shape {w.shape} "
                              f"in the order your code asks (w @ x pairs w with the columns of x); {ORDER_HINT}")
            return failed(f"{name} raised {type(error).__name__} on {description}: {error}")
        problem = wrong_type(got, wanted) or compare_neuron(got, x, w, b, Neuron(w, b).forward(x))
        if problem:
            return failed(f"{where}: {problem}")
    return passed("neuron_forward matches nnlib.Neuron: weighted sum, bias, sigmoid.")


def check_neuron_forward(fn, quiet=False):
    """fn(x, w, b) -> sigmoid(x · w + b); x: (inputs,) gives a number, x: (batch, inputs) gives (batch,).

    Prints what is wrong and its likely cause, or one line of praise (nothing with quiet=True);
    returns True when fn is right.
    """
    return quietly(lambda: _check_neuron_forward(fn), quiet)


def _is_shape_error(error):
    message = str(error)
    return "matmul" in message or "not aligned" in message or "could not be broadcast" in message


def compare_neuron(got, x, w, b, expected):
    """None if got matches the neuron's output, else a sentence naming the likely mistake."""
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    expected = np.asarray(expected)
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return f"expected numbers, got {type(got).__name__} {got!r:.80}."
    shape_guesses = [
        (sigmoid(x * w + b), "you multiplied element by element (x * w), which gives one number per input; "
                             "add the products up (x @ w multiplies and adds) before adding b."),
        (sigmoid(np.sum(x * w) + b), "np.sum without an axis adds up the whole batch into one number; "
                                     "use x @ w (or np.sum(x * w, axis=-1)) for one weighted sum per sample."),
    ]
    if got.shape != expected.shape:
        for value, hint in shape_guesses:
            if got.shape == value.shape and np.allclose(got, value):
                return f"expected shape {expected.shape}, got shape {got.shape}: {hint}"
        return shape_problem(got, expected.shape)
    if np.allclose(got, expected):
        return None
    z = x @ w + b
    guesses = [
        (z, "that is the weighted sum z; apply the sigmoid to it."),
        (sigmoid(x @ w), "the bias b is missing: z = x · w + b."),
        (sigmoid(-z), "that is 1 / (1 + e^(+z)): the sigmoid has a minus sign, 1 / (1 + e^(-z)), "
                      "so a large z gives nearly 1."),
        (sigmoid(np.sum(x, axis=-1) + b), "the weights are missing: multiply each input by its weight."),
        (sigmoid(x @ w - b), "the bias has the wrong sign, as if z = x · w - b. In np.exp(-x @ w + b) the minus "
                             "covers only x @ w: write np.exp(-(x @ w + b))."),
        (step(z), "that is the step function (0 or 1); this exercise asks for the sigmoid 1 / (1 + e^(-z))."),
    ]
    if x.ndim == 2 and x.shape[0] == x.shape[1]:
        guesses.insert(0, (sigmoid(w @ x + b), f"that is w @ x, which pairs w with the columns of x (one input "
                                               f"across all samples); {ORDER_HINT}"))
    for value, hint in guesses:
        if np.allclose(got, value):
            return f"expected {np.round(expected, 6).tolist()}, got {np.round(got, 6).tolist()}: {hint}"
    return f"expected {np.round(expected, 6).tolist()}, got {np.round(got, 6).tolist()}."


def nor_answer_problem(answer):
    """None if answer is three numbers (w1, w2, b), else one plain sentence about what came back."""
    name = "nor_weights"
    if answer is None:
        return f"{name} returned None: did you forget `return`? Return three numbers: return (w1, w2, b)."
    if isinstance(answer, (str, bytes)) or (isinstance(answer, (list, tuple))
                                            and any(isinstance(v, (str, bytes)) for v in answer)):
        return f"{name} returned text ({answer!r:.60}); return numbers such as -1.0, not strings such as '-1.0'."
    if isinstance(answer, (dict, set, frozenset)):
        return (f"{name} returned a {type(answer).__name__} ({answer!r:.60}); return a tuple of three numbers instead: "
                "return (w1, w2, b).")
    try:
        count = len(answer)
    except TypeError:
        return f"{name} returned {type(answer).__name__} {answer!r:.60}; return three numbers: return (w1, w2, b)."
    if count == 2 and np.ndim(answer[0]) == 1 and len(answer[0]) == 2:
        return (f"{name} returned (w, b) with the two weights in one array; return three separate numbers: "
                "return (w[0], w[1], b).")
    if count != 3:
        return (f"{name} returned {count} value{'s' * (count != 1)}; return exactly three, (w1, w2, b): "
                "a weight for each of the two inputs, then the bias.")
    try:
        values = np.array([float(v) for v in answer])
    except (TypeError, ValueError):
        return f"{name} returned {answer!r:.80}; each of w1, w2 and b must be one number."
    if not np.isfinite(values).all():
        return f"{name} returned {answer!r:.80}; w1, w2 and b must be finite numbers (no NaN or infinity)."
    return None


def _check_nor_weights(fn):
    name = "nor_weights"
    try:
        answer = fn()
    except NotImplementedError:
        return not_done(name)
    except Exception as error:
        return failed(f"{name} raised {type(error).__name__}: {error}")
    problem = nor_answer_problem(answer)
    if problem:
        return failed(problem)
    w1, w2, b = (float(v) for v in answer)
    table = truth_table(w1, w2, b)
    nor = np.array(GATES["NOR"])
    if tuple(table.tolist()) == GATES["NOR"]:
        return passed(f"w1={w1:g}, w2={w2:g}, b={b:g} compute NOR.")
    said = (f"{name}: w1={w1:g}, w2={w2:g}, b={b:g} give outputs {table.tolist()} on (0,0) (0,1) (1,0) (1,1); "
            f"NOR needs {nor.tolist()}.")
    z = GATE_INPUTS @ np.array([w1, w2]) + b
    on_the_line = [tuple(int(v) for v in GATE_INPUTS[i]) for i in np.flatnonzero((z == 0) & (nor == 1))]
    if on_the_line:
        return failed(f"{said} At {on_the_line[0]} the weighted sum is exactly z = 0, and the step says 1 only "
                      "when z > 0: that input must be strictly on the positive side.")
    if tuple(table.tolist()) == GATES["OR"]:
        return failed(f"{said} These compute OR. NOR is 'not OR': every output flipped. "
                      "Remember how NAND came from AND.")
    wrong = [tuple(int(v) for v in GATE_INPUTS[i]) for i in np.flatnonzero(table != nor)]
    return failed(f"{said} Wrong for input(s) {wrong}.")


def check_nor_weights(fn, quiet=False):
    """fn() -> (w1, w2, b) whose perceptron computes NOR (1 only for input (0, 0)).

    Prints what is wrong, or one line of praise (nothing with quiet=True); returns True when right.
    """
    return quietly(lambda: _check_nor_weights(fn), quiet)
