"""Lesson 06b, training by gradient descent: gradient-descent paths and momentum on f(w) = w², loss against
accuracy along one weight, decision-surface snapshots, their widgets, and the checks of one momentum step
and one full training step."""
import ipywidgets as widgets
import numpy as np

from ..activations import sigmoid, softmax
from ..layers import Linear, Tanh
from ..losses import CrossEntropyLoss
from ..model import Sequential
from ..optim import SGD
from .exercise import Case, Exercise, Mistake
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
    """Name what a path does: "converges", "slow crawl" (small steps, one side of the valley), "slow zig-zag"
    (steps across the valley, shrinking slowly), "bounces forever" or "diverges"."""
    shrink = abs(path[-1]) / abs(path[0])
    if np.isclose(shrink, 1.0):
        return "bounces forever"
    if shrink > 1:
        return "diverges"
    if shrink < 0.05:
        return "converges"
    return "slow zig-zag" if path[0] * path[1] < 0 else "slow crawl"


class DescentExplorer:
    """Learning-rate slider -> the path of gradient descent drawn on f(w) = w², and a Label naming the regime."""

    def __init__(self, lr=0.1, w0=4.0, steps=20):
        self.w0, self.steps = w0, steps
        self.lr = slider("learning rate η", lr, 0.01, 1.1, step=0.01)
        self.label = widgets.Label()
        self.figure = FigureWidget(figsize=(5.5, 3.6), dpi=100)
        ax = self.figure.axes
        (self.curve,) = ax.plot([], [], color="tab:blue", label="f(w) = w²")
        (self.path,) = ax.plot([], [], "o-", color="tab:red", markersize=4, label="gradient-descent steps")
        ax.set_xlabel("weight w")
        ax.set_ylabel("f(w)")
        ax.legend(loc="upper center", fontsize=9)
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
        self.index = slider("snapshot", 0, 0, last, integer=True)
        self.play = widgets.Play(value=0, min=0, max=last, interval=300, description="play")
        widgets.jslink((self.play, "value"), (self.index, "value"))
        self.label = widgets.Label()
        self.figure = FigureWidget(figsize=(5, 3.8), dpi=100)
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


# ---------------------------------------------------------------- momentum on f(w) = w²


def momentum_path(lr, momentum, w0=4.0, steps=50):
    """Gradient descent with momentum on f(w) = w² (slope 2w), as nnlib's SGD does it.

    Each step: velocity v ← momentum · v − lr · 2w, then w ← w + v (v starts at 0).
    momentum = 0 is plain gradient descent. Returns the path (steps + 1,).
    """
    w, velocity, path = float(w0), 0.0, [float(w0)]
    for _ in range(steps):
        velocity = momentum * velocity - lr * 2 * w
        w = w + velocity
        path.append(w)
    return np.array(path)


# ---------------------------------------------------------------- why we descend the loss, not the accuracy

# Six points on a line and their classes; the model is p = sigmoid(w · x + 1), one weight w.
STAIRS_X = np.array([-3.0, -2.0, -1.2, -0.5, 0.8, 2.5])
STAIRS_LABELS = np.array([1, 1, 0, 1, 0, 0])


def loss_and_accuracy_along(ws, x=STAIRS_X, labels=STAIRS_LABELS, b=1.0):
    """Binary cross-entropy and accuracy of p = sigmoid(w x + b) for each weight w in ws.

    Returns (loss (k,), accuracy (k,)). A point's predicted class flips only where w x + b
    crosses 0, so the accuracy is a staircase in w: flat (slope 0) between the flips.
    The loss changes with every w: it has a slope everywhere.
    """
    ws = np.asarray(ws, dtype=np.float64)
    z = ws[:, np.newaxis] * x + b                      # (k, points)
    p = sigmoid(z)
    # log p and log(1 - p) from z directly, so that no p of exactly 0 or 1 is logged
    log_p, log_not_p = -np.logaddexp(0, -z), -np.logaddexp(0, z)
    loss = -np.mean(labels * log_p + (1 - labels) * log_not_p, axis=1)
    accuracy = np.mean((p > 0.5) == labels, axis=1)
    return loss, accuracy


# ---------------------------------------------------------------- exercise: one step of SGD with momentum


def _momentum_step(w, velocity, grad, lr, momentum):
    """nnlib's SGD with momentum: velocity ← momentum · velocity − lr · grad, then w ← w + velocity."""
    velocity = momentum * velocity - lr * grad
    return w + velocity, velocity


def _moving_by(velocity_rule):
    """A momentum_step whose velocity is velocity_rule(velocity, grad, lr, momentum), moving w by it."""
    def momentum_step(w, velocity, grad, lr, momentum):
        velocity = velocity_rule(velocity, grad, lr, momentum)
        return w + velocity, velocity
    return momentum_step


def _old_velocity(w, velocity, grad, lr, momentum):
    return w + velocity, momentum * velocity - lr * grad


def _other_sign_convention(w, velocity, grad, lr, momentum):
    velocity = momentum * velocity + lr * grad
    return w - velocity, velocity


def _w_minus_velocity(w, velocity, grad, lr, momentum):
    velocity = momentum * velocity - lr * grad
    return w - velocity, velocity


def _two_arrays_like(got, expected):
    return len(got) == 2 and all(isinstance(a, np.ndarray) and a.shape == b.shape for a, b in zip(got, expected))


def _momentum_cases():
    rng = np.random.default_rng(9)
    w, velocity, grad = rng.normal(size=(3, 2)), rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    return [Case("w, velocity, grad (3, 2), lr = 0.1, momentum = 0.9", w, velocity, grad, 0.1, 0.9)]


_RULE = "velocity = momentum * velocity - lr * grad"
_UPHILL = f"Your step goes uphill: the velocity must move against the slope, {_RULE} (a minus before lr)."

MOMENTUM_STEP = Exercise(
    "momentum_step", lesson="06b", solution=_momentum_step, cases=_momentum_cases, parts=("w", "velocity"),
    mistakes=[
        Mistake("That is the other common sign convention (velocity = momentum * velocity + lr * grad; "
                "w = w - velocity). Here, as in nnlib, the velocity is the step itself, minus included, and the "
                f"velocity handed in follows that convention: {_RULE}; w = w + velocity.",
                answer=_other_sign_convention),
        Mistake(_UPHILL, answer=_moving_by(lambda v, g, lr, m: m * v + lr * g)),
        Mistake(_UPHILL, answer=_w_minus_velocity),
        Mistake("w moved by the OLD velocity. Update the velocity first, then move by the new one: "
                f"{_RULE}; w = w + velocity.", answer=_old_velocity),
        Mistake(f"Your velocity forgets the past: that is plain SGD. Keep a share of the old velocity: {_RULE}.",
                answer=_moving_by(lambda v, g, lr, m: -lr * g)),
        Mistake(f"momentum multiplies the old velocity only, not the new gradient step: {_RULE}.",
                answer=_moving_by(lambda v, g, lr, m: m * (v - lr * g))),
        Mistake(f"The gradient step needs the learning rate: {_RULE}.",
                answer=_moving_by(lambda v, g, lr, m: m * v - g)),
        Mistake(f"{_RULE}; w = w + velocity.", answer=_moving_by(lambda v, g, lr, m: lr * v - m * g),
                when=lambda attempt: _two_arrays_like(attempt.got, attempt.expected)),   # any other slip: the rule
    ],
    success="momentum_step does what nnlib's SGD does with momentum.")
check_momentum_step = MOMENTUM_STEP.check


# ---------------------------------------------------------------- exercise: one training step by hand


def _train_step(model, loss, optimizer, x, labels):
    """One step of training: forward, loss, backward, step; returns the loss's value."""
    output = model.forward(x)
    value = loss.forward(output, labels)
    model.backward(loss.backward())
    optimizer.step()
    return value


def _without_step(model, loss, optimizer, x, labels):
    value = loss.forward(model.forward(x), labels)
    model.backward(loss.backward())
    return value


def _step_before_backward(model, loss, optimizer, x, labels):
    value = loss.forward(model.forward(x), labels)
    optimizer.step()
    model.backward(loss.backward())
    return value


def _backward_of_the_output(model, loss, optimizer, x, labels):
    output = model.forward(x)
    value = loss.forward(output, labels)
    model.backward(output)
    optimizer.step()
    return value


def _backward_of_the_loss_value(model, loss, optimizer, x, labels):
    value = loss.forward(model.forward(x), labels)
    model.backward(value)
    optimizer.step()
    return value


def _without_return(model, loss, optimizer, x, labels):
    _train_step(model, loss, optimizer, x, labels)


class _Spy:
    """Stands in for a model, a loss or an optimiser: calls the real one and writes each call into `events`."""

    def __init__(self, name, real, events, seen):
        self._name, self._real, self._events, self._seen = name, real, events, seen

    def __getattr__(self, attribute):
        method = getattr(self._real, attribute)
        if not callable(method):
            return method

        def spied(*args):
            result = method(*args)
            what = ", ".join(self._describe(arg) for arg in args)
            self._events.append(f"{self._name}.{attribute}({what})")
            if attribute in ("forward", "backward") and isinstance(result, np.ndarray):
                self._seen[id(result)] = (f"{self._name}.{attribute}'s result", result)   # kept: no id reused
            return result
        return spied

    def __call__(self, *args):
        return self.__getattr__("forward")(*args)

    def _describe(self, value):
        return self._seen.get(id(value), ("something else",))[0]


def _watch_train_step(fn, case):
    """Run fn on a small classifier, its loss and SGD (spies), and put into words what it called, in order."""
    x, labels = case.args
    rng = np.random.default_rng(6)
    real_model = Sequential([Linear(3, 4, rng=rng, dtype=np.float64), Tanh(), Linear(4, 2, rng=rng, dtype=np.float64)])
    events, seen = [], {id(x): ("x", x), id(labels): ("labels", labels)}
    model = _Spy("model", real_model, events, seen)
    loss = _Spy("loss", CrossEntropyLoss(), events, seen)
    optimizer = _Spy("optimizer", SGD(real_model.parameters(), lr=0.5), events, seen)
    returned = fn(model, loss, optimizer, x, labels)
    if returned is None:
        said = "returned None"
    elif isinstance(returned, (float, np.floating)) and np.isfinite(returned):
        said = "returned a number"
    else:
        said = f"returned {type(returned).__name__}"
    return " → ".join(events) + f"; {said}"


def _called(name):
    return lambda attempt: name in attempt.got


def _before(first, second):
    """A symptom: `first` was called before `second` (both were called)."""
    def symptom(attempt):
        got = attempt.got
        return first in got and second in got and got.index(first) < got.index(second)
    return symptom


def _train_step_cases():
    rng = np.random.default_rng(16)
    return [Case("a batch x (5, 3) of 2 classes", rng.normal(size=(5, 3)), rng.integers(0, 2, size=5))]


TRAIN_STEP = Exercise(
    "train_step", lesson="06b", solution=_train_step, cases=_train_step_cases, run=_watch_train_step,
    mistakes=[
        Mistake("model.backward was handed the network's OUTPUT. It wants the gradient of the loss with respect "
                "to that output, which loss.backward() returns: model.backward(loss.backward()). The output is "
                "not a slope at all (it knows nothing of the labels), so the weights move in a meaningless "
                "direction, and no learning rate fixes that.",
                answer=_backward_of_the_output, when=_called("model.backward(model.forward's result)")),
        Mistake("model.backward was handed the loss's value, one number. It wants one slope per output number, "
                "the gradient that loss.backward() returns: model.backward(loss.backward()).",
                answer=_backward_of_the_loss_value, raises=lambda error: "got ()" in str(error)),
        Mistake("optimizer.step() ran before model.backward(...): it moved the weights by the gradients of the "
                "PREVIOUS batch (zeros, the first time). Backward first fills dW and db, then step uses them.",
                answer=_step_before_backward, when=_before("optimizer.step", "model.backward")),
        Mistake("Nothing was learned: the weights change only in optimizer.step(). Call it after "
                "model.backward(loss.backward()).", answer=_without_step,
                when=lambda attempt: "optimizer.step" not in attempt.got),
        Mistake("Return the loss's value (what loss.forward returned), so that the loop can print and plot it.",
                answer=_without_return, when=lambda attempt: attempt.got.endswith("returned None")),
    ],
    success="train_step does one full step: forward, loss, backward, step, the order nn.fit uses.")
check_train_step = TRAIN_STEP.check
