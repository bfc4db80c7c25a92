"""Lesson 04, the forward pass (前向传播): the XOR playground and the forward-pass exercise check.

Pure functions return data; build_xor_playground() wires nine sliders to them and redraws a FigureWidget.
The network everywhere here: x (batch, 2) -> Linear(2 -> 2) -> Sigmoid -> Linear(2 -> 1) -> Sigmoid,
a "2-2-1" network (2 inputs, 2 hidden units, 1 output).
"""
import ipywidgets as widgets
import numpy as np

from ..activations import sigmoid
from .numbers import fmt_beside
from .exercise import Case, Exercise, Mistake
from ..layers import Linear, Sigmoid
from ..model import Sequential
from .plots import decision_surface
from ..toy_data import xor_data
from ..train import accuracy
from .widgets import FigureWidget, slider

# Hidden unit 1 acts like OR, hidden unit 2 like AND; the output is "OR and not AND" = XOR.
XOR_SOLUTION = {
    "W1": np.array([[5.0, 5.0], [5.0, 5.0]]),
    "b1": np.array([-2.5, -7.5]),
    "W2": np.array([[5.0], [-5.0]]),
    "b2": np.array([-2.5]),
}
# The playground starts one sign away from it: the output computes OR, 3 of 4 right.
PLAYGROUND_START = {**XOR_SOLUTION, "W2": np.array([[5.0], [5.0]])}

LIMITS = (-0.5, 1.5)


def xor_points():
    """The four XOR points: x (4, 2) and labels (4,) of 0/1 (Build Your Own Network's data without its bias column)."""
    x, y = xor_data()
    return x[:, :2], y[:, 0].astype(np.int64)


def build_network(W1, b1, W2, b2):
    """Sequential([Linear(2 -> 2), Sigmoid, Linear(2 -> 1), Sigmoid]) with the given weights.

    W1: (2, 2), b1: (2,), W2: (2, 1), b2: (1,).
    """
    return Sequential([Linear.from_weights(W1, b1), Sigmoid(), Linear.from_weights(W2, b2), Sigmoid()])


def playground_view(W1, b1, W2, b2, steps=81):
    """What the playground shows for these weights.

    Returns a dict: "zz" (steps, steps) the network's output over the square
    [-0.5, 1.5]^2 (rows follow x2, columns x1); "outputs" (4,) its output on the
    XOR points; "accuracy" the fraction of XOR points on the right side of 0.5.
    """
    net = build_network(W1, b1, W2, b2)
    _, _, zz = decision_surface(net.forward, xlim=LIMITS, ylim=LIMITS, steps=steps)
    x, labels = xor_points()
    outputs = net.forward(x)
    return {"zz": zz, "outputs": outputs[:, 0], "accuracy": accuracy(outputs, labels)}


class XorPlayground:
    """Nine sliders, one per weight, over the decision regions of the 2-2-1 network on XOR."""

    def __init__(self, start=PLAYGROUND_START):
        W1, b1, W2, b2 = (np.asarray(start[k], dtype=np.float64) for k in ("W1", "b1", "W2", "b2"))

        def s(description, value):
            return slider(description, float(value), -10.0, 10.0, 0.5)

        # W1[i, j] connects input x_i to hidden unit h_j.
        self.w11, self.w21 = s("x₁→h₁", W1[0, 0]), s("x₂→h₁", W1[1, 0])
        self.w12, self.w22 = s("x₁→h₂", W1[0, 1]), s("x₂→h₂", W1[1, 1])
        self.b11, self.b12 = s("b of h₁", b1[0]), s("b of h₂", b1[1])
        self.v1, self.v2 = s("h₁→y", W2[0, 0]), s("h₂→y", W2[1, 0])
        self.b2 = s("b of y", b2[0])
        self.sliders = [self.w11, self.w21, self.b11, self.w12, self.w22, self.b12, self.v1, self.v2, self.b2]
        self.label = widgets.Label()
        self.figure = FigureWidget(figsize=(4.5, 4))
        ax = self.figure.axes
        x, labels = xor_points()
        self.image = ax.imshow(np.zeros((2, 2)), origin="lower", extent=LIMITS * 2,
                               cmap="RdBu", vmin=0, vmax=1, alpha=0.7, aspect="equal")   # the input square stays square
        ax.scatter(x[:, 0], x[:, 1], c=labels, cmap="RdBu", vmin=0, vmax=1, edgecolors="k", s=120)
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
        self.figure.fig.colorbar(self.image, ax=ax, label="network output y")
        for widget in self.sliders:
            widget.observe(self.update, names="value")
        columns = widgets.HBox([
            widgets.VBox([widgets.Label("hidden unit h₁"), self.w11, self.w21, self.b11]),
            widgets.VBox([widgets.Label("hidden unit h₂"), self.w12, self.w22, self.b12]),
            widgets.VBox([widgets.Label("output y"), self.v1, self.v2, self.b2]),
        ])
        self.box = widgets.VBox([columns, self.label, self.figure.image])
        self.update()

    def set_weights(self, W1, b1, W2, b2):
        """Move the nine sliders to these weights (W1 (2, 2), b1 (2,), W2 (2, 1), b2 (1,)); redraws."""
        W1, b1, W2, b2 = (np.asarray(v, dtype=np.float64) for v in (W1, b1, W2, b2))
        values = (W1[0, 0], W1[1, 0], b1[0], W1[0, 1], W1[1, 1], b1[1], W2[0, 0], W2[1, 0], b2[0])
        for widget, value in zip(self.sliders, values):
            widget.value = float(value)

    def weights(self):
        """The sliders' current values as (W1 (2, 2), b1 (2,), W2 (2, 1), b2 (1,))."""
        W1 = np.array([[self.w11.value, self.w12.value], [self.w21.value, self.w22.value]])
        b1 = np.array([self.b11.value, self.b12.value])
        W2 = np.array([[self.v1.value], [self.v2.value]])
        return W1, b1, W2, np.array([self.b2.value])

    def update(self, change=None):
        view = playground_view(*self.weights())
        self.image.set_data(view["zz"])
        correct = round(view["accuracy"] * 4)
        outputs = ", ".join(fmt_beside(v, 0.5) for v in view["outputs"])   # a shown 0.50 never hides its class
        self.label.value = f"accuracy {correct}/4   outputs on (0,0), (0,1), (1,0), (1,1): [{outputs}]"
        self.figure.axes.set_title(f"XOR: {correct} of 4 points right")
        self.figure.refresh()


def build_xor_playground(start=PLAYGROUND_START):
    return XorPlayground(start)


# ---- exercise: the forward pass of a 2-layer network --------------------------------------

def _forward(x, W1, b1, W2, b2):
    """The right answer: nnlib.Sequential with the same weights."""
    return build_network(W1, b1, W2, b2).forward(x)


def _forward_cases():
    """x, W1, b1, W2, b2 for a square network (in = hidden = 2, so slips like x @ W2 or W1.T give wrong
    numbers, which the check names, rather than a shape error), then a 3 -> 4 -> 2 one."""
    rng = np.random.default_rng(4)
    cases = []
    for batch, n_in, n_hidden, n_out in ((1, 2, 2, 1), (5, 3, 4, 2)):
        x = rng.normal(size=(batch, n_in))
        W1, b1 = rng.normal(size=(n_in, n_hidden)), rng.normal(size=n_hidden)
        W2, b2 = rng.normal(size=(n_hidden, n_out)), rng.normal(size=n_out)
        cases.append(Case(f"x {x.shape}, W1 {W1.shape}, b1 {b1.shape}, W2 {W2.shape}, b2 {b2.shape}",
                          x, W1, b1, W2, b2))
    return cases


X_NOT_H = ("It looks like you fed x to the second layer instead of h: the second layer's input is the hidden "
           "layer's output, h = sigmoid(x @ W1 + b1), so y = sigmoid(h @ W2 + b2).")

FORWARD = Exercise(
    "forward", lesson="04", solution=_forward, cases=_forward_cases,
    mistakes=[
        Mistake(X_NOT_H, answer=lambda x, W1, b1, W2, b2: sigmoid(x @ W2 + b2)),
        Mistake(X_NOT_H, answer=lambda x, W1, b1, W2, b2: sigmoid(x @ W2)),
        Mistake("It looks like you left out the biases b1 and b2.",
                answer=lambda x, W1, b1, W2, b2: sigmoid(sigmoid(x @ W1) @ W2)),
        Mistake("It looks like you left out b1, the hidden layer's bias: h = sigmoid(x @ W1 + b1).",
                answer=lambda x, W1, b1, W2, b2: sigmoid(sigmoid(x @ W1) @ W2 + b2)),
        Mistake("It looks like you left out b2, the output layer's bias: y = sigmoid(h @ W2 + b2).",
                answer=lambda x, W1, b1, W2, b2: sigmoid(sigmoid(x @ W1 + b1) @ W2)),
        Mistake("It looks like you used W1.T, the transposed weights. Here a layer computes x @ W1 with W1 of shape "
                "(in, hidden), one column per hidden unit, so no transpose is needed.",
                answer=lambda x, W1, b1, W2, b2: sigmoid(sigmoid(x @ W1.T + b1) @ W2 + b2)),
        Mistake("It looks like you left out the sigmoid on the output.",
                answer=lambda x, W1, b1, W2, b2: sigmoid(x @ W1 + b1) @ W2 + b2),
        Mistake("It looks like you left out the sigmoid on the hidden layer.",
                answer=lambda x, W1, b1, W2, b2: sigmoid((x @ W1 + b1) @ W2 + b2)),
        Mistake("A matrix product a @ b needs a's last axis to match b's first: x @ W1 is (batch, in) @ (in, hidden), "
                "h @ W2 is (batch, hidden) @ (hidden, out). Check the order of each product and that no weight is "
                "transposed.",
                answer=lambda x, W1, b1, W2, b2: sigmoid(sigmoid(W1 @ x + b1) @ W2 + b2),
                raises=lambda error: isinstance(error, ValueError) and any(
                    word in str(error) for word in ("matmul", "shapes", "broadcast"))),
    ],
    success="forward: your forward pass matches nnlib.Sequential on every input. Well done!")
check_forward = FORWARD.check
