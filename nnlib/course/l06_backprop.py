"""Lesson 06, backpropagation: the rounding error of numerical slopes, pictures of computational graphs,
and the check of the learner's sigmoid backward (with hints that name the usual slips).

Lesson 06a (your own network, every backward written by you) lives in l06a_own_network.py,
lesson 06b (training) in l06b_training.py.
"""

import ipywidgets as widgets
import numpy as np

from .exercise import Case, Exercise, Mistake
from .plots import arrow_between
from ..activations import sigmoid
from ..gradcheck import gradient_check
from ..layers import Linear, Sigmoid
from ..losses import CrossEntropyLoss
from ..model import Sequential
from .widgets import FigureWidget, slider

# ---------------------------------------------------------------- numerical slopes and their rounding error


def central_difference_errors(f, df, w, hs):
    """|central difference - exact slope| of f at w for each step h in hs.

    f, df: a function and its exact derivative; hs: step sizes (k,). Returns (k,) errors.
    Large h: the error is the curve's bend (about h² |f'''| / 6). Tiny h: f(w + h) and
    f(w - h) agree in almost all of their 16 digits, and subtracting them keeps only the
    rounding noise (about 1e-16 |f| / h). The error against h is a V on log-log axes.
    """
    hs = np.asarray(hs, dtype=np.float64)
    return np.array([abs((f(w + h) - f(w - h)) / (2 * h) - df(w)) for h in hs])


# ---------------------------------------------------------------- the chain rule's slope is the slope of the loss


def neuron_loss_and_slope(w, x=1.5, b=0.1, t=1.0):
    """One sigmoid neuron with squared error, L(w) = (σ(w x + b) − t)², and dL/dw by the chain rule.

    w may be a number or an array of weights; returns (L, dL/dw) of the same shape:
    dL/dw = 2 (p − t) · p (1 − p) · x with p = σ(w x + b).
    """
    w = np.asarray(w, dtype=np.float64)
    p = sigmoid(w * x + b)
    return (p - t) ** 2, 2 * (p - t) * p * (1 - p) * x


class SlopeExplorer:
    """A slider for the weight w -> the loss curve L(w) of one neuron, the point (w, L) and the tangent whose
    slope is dL/dw from the chain rule; a Label with the numbers and which way is downhill."""

    def __init__(self, w=0.8, x=1.5, b=0.1, t=1.0):
        self.x, self.b, self.t = x, b, t
        self.w = slider("weight w", w, -4.0, 4.0, step=0.05)
        self.label = widgets.Label()
        self.figure = FigureWidget(figsize=(5.5, 3.4), dpi=100)
        ax = self.figure.axes
        ws = np.linspace(-4, 4, 201)
        ax.plot(ws, neuron_loss_and_slope(ws, x, b, t)[0], color="tab:blue", label="loss L(w)")
        (self.tangent,) = ax.plot([], [], color="tab:red", label="tangent, slope ∂L/∂w")
        (self.point,) = ax.plot([], [], "o", color="tab:red")
        ax.set_xlim(-4, 4)
        ax.set_ylim(-0.05, 1.05)
        ax.set_xlabel("weight w")
        ax.set_ylabel("L = (σ(w·x + b) − t)²")
        ax.set_title(f"one neuron, x = {x}, b = {b}, t = {t}")
        ax.legend(loc="lower left", fontsize=9)
        self.w.observe(self.update, names="value")
        self.box = widgets.VBox([self.w, self.label, self.figure.image])
        self.update()

    def update(self, change=None):
        w = self.w.value
        loss, slope = (float(v) for v in neuron_loss_and_slope(w, self.x, self.b, self.t))
        span = np.array([w - 1.0, w + 1.0])
        self.tangent.set_data(span, loss + slope * (span - w))
        self.point.set_data([w], [loss])
        self.figure.refresh()
        way = "increase w" if slope < 0 else "decrease w" if slope > 0 else "flat"
        self.label.value = f"w = {w:.2f}: L = {loss:.5f}, ∂L/∂w by the chain rule = {slope:.5f} → downhill: {way}"

    def _ipython_display_(self):
        from IPython.display import display
        display(self.box)


def build_slope_explorer(w=0.8):
    return SlopeExplorer(w)


# ---------------------------------------------------------------- pictures of graphs


def draw_graph(ax, nodes, edges):
    """Draw a computational graph with its forward values and backward gradients.

    nodes: {name: (x, y, label, value, grad)}: position, the text in the box, the value
    written above it (forward pass, black) and dL/d(node) written below it (backward, red).
    edges: (from, to) pairs, drawn as arrows in forward direction.
    """
    boxes = {}
    for name, (x, y, label, value, grad) in nodes.items():
        boxes[name] = ax.text(x, y, label, ha="center", va="center", fontsize=11,
                              bbox=dict(boxstyle="round", facecolor="lightyellow", edgecolor="gray"))
        ax.text(x, y + 0.32, f"{value:.4g}", ha="center", va="bottom", fontsize=10)
        ax.text(x, y - 0.32, f"∂L/∂· = {grad:.4g}", ha="center", va="top", fontsize=10, color="tab:red")
    for start, end in edges:
        arrow_between(ax, boxes[start], boxes[end])
    xs = [node[0] for node in nodes.values()]
    ys = [node[1] for node in nodes.values()]
    ax.set_xlim(min(xs) - 0.7, max(xs) + 0.7)
    ax.set_ylim(min(ys) - 0.8, max(ys) + 0.8)
    ax.axis("off")


def _learner_layer_backward(layer, compute):
    """Replace layer.backward by the learner's version, whatever keywords nnlib passes (input_grad=...)."""
    def backward(grad, input_grad=True):
        result = compute(grad)
        return result if input_grad else None
    layer.backward = backward
    return layer


def _gradient_check_problem(name, model, x, labels, blame):
    """None when a gradient check of model with cross-entropy on (x, labels) agrees everywhere,
    else a sentence naming the parameters that are off (and blame(off)'s advice)."""
    try:
        errors = gradient_check(model, CrossEntropyLoss(), x, labels)
    except Exception as error:  # the learner's code failed on this batch: say so, not a traceback
        return f"{name} raised {type(error).__name__} in the gradient check (a batch of {len(x)}): {error}."
    off = {key: value for key, value in errors.items() if not value < 1e-6}
    if not off:
        return None
    listed = ", ".join(f"{key} (relative error {value:.2g})" for key, value in off.items())
    return f"{name}: the gradient check disagrees for {listed}. {blame(off)}"


# ---------------------------------------------------------------- exercise (a): sigmoid backward

def _sigmoid_backward(x, grad):
    s = sigmoid(x)
    return grad * s * (1 - s)


def _sigmoid_gradient_check(fn):
    """None, or a sentence: a gradient check of Linear(3 -> 4), fn as the sigmoid's backward, Linear(4 -> 2)."""
    rng = np.random.default_rng(7)
    sigmoid_layer = _learner_layer_backward(
        Sigmoid(), lambda g: np.asarray(fn(sigmoid_layer.x, g), dtype=np.float64))
    model = Sequential([Linear(3, 4, rng=rng, dtype=np.float64), sigmoid_layer,
                        Linear(4, 2, rng=rng, dtype=np.float64)])
    return _gradient_check_problem(
        "sigmoid_backward", model, rng.normal(size=(5, 3)), np.array([0, 1, 1, 0, 1]),
        lambda off: "Everything below the sigmoid gets its gradient through your function, so its dx is off: "
                    "dx = grad * s * (1 - s).")


def _sigmoid_case():
    rng = np.random.default_rng(5)
    return [Case("x (4, 3), grad (4, 3)", rng.normal(size=(4, 3)), rng.normal(size=(4, 3)))]


SIGMOID_BACKWARD = Exercise(
    "sigmoid_backward", lesson="06", solution=_sigmoid_backward, cases=_sigmoid_case,
    after=_sigmoid_gradient_check,
    mistakes=[
        Mistake("The sigmoid acts on each element on its own, so its backward is an elementwise product "
                "(NumPy's *, written ⊙), not a matrix product @: dx = grad * s * (1 - s).",
                answer=lambda x, grad: grad @ _sigmoid_backward(x, np.ones_like(x)),
                raises=lambda error: "matmul" in str(error)),
        Mistake("dx has the shape of x (an elementwise product of grad and σ'(x)).",
                answer=lambda x, grad: (grad * sigmoid(x)).sum(axis=0),
                when=lambda attempt: (isinstance(attempt.got, np.ndarray)
                                      and attempt.got.shape != attempt.expected.shape)),
        Mistake("It looks like you used x * (1 - x): that is σ'(z) written with the sigmoid's OUTPUT s = σ(z) "
                "(as the Build Your Own Network tutorial's sigmoid_derivative does), but here x is the "
                "sigmoid's INPUT. Compute s = σ(x) first: dx = grad * s * (1 - s).",
                answer=lambda x, grad: grad * x * (1 - x)),
        Mistake("It looks like you returned σ'(x) alone, without the incoming grad. The chain rule multiplies "
                "the local slope by the gradient from above: dx = grad * s * (1 - s).",
                answer=lambda x, grad: _sigmoid_backward(x, np.ones_like(x))),
        Mistake("It looks like you multiplied grad by σ(x) only. The slope of the sigmoid is "
                "σ'(x) = σ(x) · (1 − σ(x)): dx = grad * s * (1 - s).",
                answer=lambda x, grad: grad * sigmoid(x)),
        Mistake("It looks like you returned grad unchanged. Every layer multiplies the gradient from above "
                "by its own local slope: dx = grad * σ'(x) = grad * s * (1 - s).",
                answer=lambda x, grad: grad.copy()),
        Mistake("dx = grad * s * (1 - s) with s = σ(x).",
                answer=lambda x, grad: grad * sigmoid(x) * (1 + sigmoid(x)),
                when=lambda attempt: (isinstance(attempt.got, np.ndarray)
                                      and attempt.got.shape == attempt.expected.shape)),
    ],
    success="sigmoid_backward is right, and passes the gradient check: backprop and numerical slopes agree.")
check_sigmoid_backward = SIGMOID_BACKWARD.check
