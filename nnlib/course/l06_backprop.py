"""Lesson 06, backprop and training: gradient-descent paths, decision-surface snapshots, their widgets,
and the checks for the learner's backward functions."""
import ipywidgets as widgets
import numpy as np

from . import exercise
from ..activations import softmax
from ..gradcheck import gradient_check
from ..layers import Linear, Sigmoid
from ..losses import CrossEntropyLoss
from ..model import Sequential
from .plots import decision_surface
from ..train import fit
from .widgets import FigureWidget, slider

# ---------------------------------------------------------------- gradient descent on f(w) = w²


def gradient_descent_path(lr, w0=4.0, steps=20):
    """Gradient descent on f(w) = w², whose slope is f'(w) = 2w: w ← w - lr · 2w.

    Returns the path (steps + 1,): w0 and the weight after every step.
    Each step multiplies w by (1 - 2 lr), so lr < 0.5 creeps straight down,
    0.5 < lr < 1 zig-zags inwards, lr = 1 bounces forever, lr > 1 blows up.
    """
    path = [float(w0)]
    for _ in range(steps):
        w = path[-1]
        path.append(w - lr * 2 * w)
    return np.array(path)


def regime(path):
    """Name what a path does: "converges", "slow crawl", "bounces forever" or "diverges"."""
    shrink = abs(path[-1]) / abs(path[0])
    if np.isclose(shrink, 1.0):
        return "bounces forever"
    if shrink > 1:
        return "diverges"
    return "converges" if shrink < 0.05 else "slow crawl"


class DescentExplorer:
    """Learning-rate slider -> the path of gradient descent drawn on f(w) = w², and a Label naming the regime."""

    def __init__(self, lr=0.1, w0=4.0, steps=20):
        self.w0, self.steps = w0, steps
        self.lr = slider("learning rate η", lr, 0.01, 1.1, step=0.01)
        self.label = widgets.Label()
        self.figure = FigureWidget(figsize=(5.5, 3.6))
        ax = self.figure.axes
        (self.curve,) = ax.plot([], [], color="tab:blue", label="f(w) = w²")
        (self.path,) = ax.plot([], [], "o-", color="tab:red", markersize=4, label="gradient-descent steps")
        ax.set_xlabel("weight w")
        ax.set_ylabel("f(w)")
        ax.legend(loc="upper center", fontsize="small")
        self.lr.observe(self.update, names="value")
        self.box = widgets.VBox([self.lr, self.label, self.figure.image])
        self.update()

    def update(self, change=None):
        path = gradient_descent_path(self.lr.value, self.w0, self.steps)
        name = regime(path)
        reach = max(abs(self.w0), float(np.max(np.abs(path)))) * 1.1
        w = np.linspace(-reach, reach, 200)
        self.curve.set_data(w, w**2)
        self.path.set_data(path, path**2)
        ax = self.figure.axes
        ax.set_xlim(-reach, reach)
        ax.set_ylim(-0.05 * reach**2, 1.05 * reach**2)
        ax.set_title(f"η = {self.lr.value:.2f}: {name}")
        self.label.value = f"η = {self.lr.value:.2f}: after {self.steps} steps w = {path[-1]:.4g} → {name}"
        self.figure.refresh()

    def _ipython_display_(self):
        from IPython.display import display
        display(self.box)


def build_descent_explorer(lr=0.1):
    return DescentExplorer(lr)


# ---------------------------------------------------------------- watching a decision boundary learn

MOONS_LIMITS = ((-1.6, 2.6), (-1.1, 1.6))


def train_with_snapshots(model, x, labels, epochs, every, lr, batch_size=20, rng=None, steps=61):
    """Train a classifier with nnlib.fit and record the decision surface every `every` epochs.

    model: a Sequential whose output is (batch, 2) logits; x: (n, 2); labels: (n,) ints.
    Returns {"epoch": (k,), "loss": (k,), "accuracy": (k,), "surface": (k, steps, steps),
    "xx", "yy": (steps, steps)}; surface holds P(class 1) at each grid point.
    Snapshot 0 is the untrained network.
    """
    rng = np.random.default_rng(0) if rng is None else rng
    loss = CrossEntropyLoss()

    def prob_one(points):
        return softmax(model.forward(points))[:, 1]

    def snapshot():
        xx, yy, zz = decision_surface(prob_one, *MOONS_LIMITS, steps=steps)
        output = model.forward(x)
        record["surface"].append(zz)
        record["loss"].append(loss.forward(output, labels))
        record["accuracy"].append(float(np.mean(output.argmax(axis=1) == labels)))
        return xx, yy

    record = {"epoch": [0], "loss": [], "accuracy": [], "surface": []}
    xx, yy = snapshot()
    for done in range(every, epochs + 1, every):
        fit(model, loss, x, labels, epochs=every, batch_size=batch_size, lr=lr, rng=rng, progress=False)
        record["epoch"].append(done)
        snapshot()
    result = {key: np.array(value) for key, value in record.items()}
    result["xx"], result["yy"] = xx, yy
    return result


class BoundaryPlayer:
    """An epoch slider (with a Play button) over recorded snapshots -> the decision surface and a Label."""

    def __init__(self, record, x, labels):
        self.record = record
        last = len(record["epoch"]) - 1
        self.index = widgets.IntSlider(value=0, min=0, max=last, description="snapshot", continuous_update=True)
        self.play = widgets.Play(value=0, min=0, max=last, interval=300, description="play")
        widgets.jslink((self.play, "value"), (self.index, "value"))
        self.label = widgets.Label()
        self.figure = FigureWidget(figsize=(5, 3.8))
        ax = self.figure.axes
        xx, yy = record["xx"], record["yy"]
        self.image = ax.imshow(record["surface"][0], origin="lower", cmap="RdBu", vmin=0, vmax=1, alpha=0.7,
                               extent=(xx.min(), xx.max(), yy.min(), yy.max()), aspect="auto")
        ax.scatter(x[:, 0], x[:, 1], c=labels, cmap="RdBu", edgecolors="k", s=18, vmin=0, vmax=1)
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
        self.figure.fig.colorbar(self.image, ax=ax, label="P(class 1)")
        self.index.observe(self.update, names="value")
        self.box = widgets.VBox([widgets.HBox([self.play, self.index]), self.label, self.figure.image])
        self.update()

    def update(self, change=None):
        i = self.index.value
        epoch, loss, acc = self.record["epoch"][i], self.record["loss"][i], self.record["accuracy"][i]
        self.image.set_data(self.record["surface"][i])
        self.figure.axes.set_title(f"two moons after {epoch} epochs")
        self.label.value = f"epoch {epoch}: loss {loss:.3f}, accuracy {acc:.0%}"
        self.figure.refresh()

    def _ipython_display_(self):
        from IPython.display import display
        display(self.box)


def build_boundary_player(record, x, labels):
    return BoundaryPlayer(record, x, labels)


# ---------------------------------------------------------------- exercises: backward by hand

def _report_gradient_check(name, errors, blame):
    """None when every relative error is tiny, else a sentence naming the parameters that are off."""
    off = {key: value for key, value in errors.items() if not value < 1e-6}
    if not off:
        return None
    listed = ", ".join(f"{key} (relative error {value:.2g})" for key, value in off.items())
    return f"{name}: the gradient check disagrees for {listed}. {blame(off)}"


def check_sigmoid_backward(fn):
    """fn(x, grad) -> dLoss/dx of a sigmoid layer; x and grad (batch, features), result the same shape.

    Runs a gradient check of Linear(3 -> 4), your sigmoid, Linear(4 -> 2), cross-entropy.
    """
    rng = np.random.default_rng(5)
    x, grad = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    grad_before = grad.copy()
    try:
        dx = fn(x, grad)
    except NotImplementedError:
        return exercise.not_done("sigmoid_backward")
    except Exception as error:
        return exercise.failed(f"sigmoid_backward raised {type(error).__name__} on x (4, 3), grad (4, 3): {error}")
    problem = exercise.shape_problem(dx, (4, 3))
    if problem:
        return exercise.failed(f"sigmoid_backward on x (4, 3), grad (4, 3): {problem} dx has the shape of x.")
    if not np.array_equal(grad, grad_before):
        return exercise.failed("sigmoid_backward changed the grad it was handed; compute a new array instead.")

    sigmoid_layer = Sigmoid()
    sigmoid_layer.backward = lambda g: np.asarray(fn(sigmoid_layer.x, g), dtype=np.float64)
    model = Sequential([Linear(3, 4, rng), sigmoid_layer, Linear(4, 2, rng)])
    errors = gradient_check(model, CrossEntropyLoss(), rng.normal(size=(5, 3)), np.array([0, 1, 1, 0, 1]))
    problem = _report_gradient_check(
        "sigmoid_backward", errors,
        lambda off: "Everything below the sigmoid gets its gradient through your function, so its dx is off: "
                    "dx = grad · σ(x) · (1 − σ(x)).",
    )
    if problem:
        return exercise.failed(problem)
    return exercise.passed("sigmoid_backward passes the gradient check: backprop and numerical slopes agree.")


def check_linear_backward(fn):
    """fn(x, W, grad) -> (dx, dW, db) of y = x @ W + b.

    x (batch, in), W (in, out), grad (batch, out) -> dx (batch, in), dW (in, out), db (out,).
    Runs a gradient check of your Linear(3 -> 4), sigmoid, your Linear(4 -> 2), cross-entropy.
    """
    rng = np.random.default_rng(6)
    x, W, grad = rng.normal(size=(5, 3)), rng.normal(size=(3, 2)), rng.normal(size=(5, 2))
    grad_before = grad.copy()
    try:
        result = fn(x, W, grad)
    except NotImplementedError:
        return exercise.not_done("linear_backward")
    except Exception as error:
        return exercise.failed(f"linear_backward raised {type(error).__name__} on x (5, 3), W (3, 2), grad (5, 2): {error}")
    if not (isinstance(result, tuple) and len(result) == 3):
        return exercise.failed(f"linear_backward must return three arrays (dx, dW, db), got {type(result).__name__}.")
    for name, got, shape in zip(("dx", "dW", "db"), result, ((5, 3), (3, 2), (2,))):
        problem = exercise.shape_problem(got, shape)
        if problem:
            return exercise.failed(f"linear_backward on x (5, 3), W (3, 2), grad (5, 2): {name}: {problem} "
                                   f"{name} has the shape of {dict(dx='x', dW='W', db='b')[name]}.")
    if not np.array_equal(grad, grad_before):
        return exercise.failed("linear_backward changed the grad it was handed; compute new arrays instead.")

    def learner_linear(n_in, n_out):
        layer = Linear(n_in, n_out, rng)

        def backward(g):
            dx, dW, db = fn(layer.x, layer.W, g)
            layer.dW[...] = dW
            layer.db[...] = db
            return np.asarray(dx, dtype=np.float64)

        layer.backward = backward
        return layer

    model = Sequential([learner_linear(3, 4), Sigmoid(), learner_linear(4, 2)])
    errors = gradient_check(model, CrossEntropyLoss(), rng.normal(size=(6, 3)), np.array([0, 1, 1, 0, 1, 0]))
    hints = {"W": "dW = x.T @ grad", "b": "db = grad summed over the batch (axis 0)", "input": "dx = grad @ W.T"}

    def blame(off):
        # layers[2]'s W and b get their gradients straight from your dW and db; a wrong dx shows up
        # only below it (layers[0] and the input), because it is what flows down.
        last = [key.split()[-1] for key in off if key.startswith("layers[2]")]
        culprits = [name for name in ("W", "b") if name in last] or ["input"]
        return "Off: " + ", ".join(culprits) + ". Check " + "; ".join(hints[name] for name in culprits) + "."

    problem = _report_gradient_check("linear_backward", errors, blame)
    if problem:
        return exercise.failed(problem)
    return exercise.passed("linear_backward passes the gradient check for W, b and the input.")


# ---------------------------------------------------------------- a picture of the chain rule

def draw_chain(ax, nodes):
    """Draw a chain of computations as boxes left to right.

    nodes: (name, value, gradient) triples, e.g. ("z = w·x + b", 1.3, -0.072); the value is
    written above each box (forward pass), dL/d(node) below it in red (backward pass).
    """
    for i, (name, value, grad) in enumerate(nodes):
        ax.text(i, 0, name, ha="center", va="center", fontsize=10,
                bbox=dict(boxstyle="round", facecolor="lightyellow", edgecolor="gray"))
        ax.text(i, 0.45, f"{value:.4g}", ha="center", color="black")
        ax.text(i, -0.45, f"∂L/∂· = {grad:.4g}", ha="center", color="tab:red", fontsize=9)
        if i:
            ax.annotate("", xy=(i - 0.38, 0.12), xytext=(i - 0.62, 0.12), arrowprops=dict(arrowstyle="->"))
            ax.annotate("", xy=(i - 0.62, -0.12), xytext=(i - 0.38, -0.12),
                        arrowprops=dict(arrowstyle="->", color="tab:red"))
    ax.set_xlim(-0.6, len(nodes) - 0.4)
    ax.set_ylim(-0.8, 0.8)
    ax.set_xticks(range(len(nodes)))
    ax.set_xticklabels([f"step {i + 1}" for i in range(len(nodes))])
    ax.set_yticks([-0.45, 0.45])
    ax.set_yticklabels(["backward\n(gradients)", "forward\n(values)"])
    ax.set_xlabel("computation, in forward order")
