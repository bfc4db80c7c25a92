"""Lesson 08, optimisers and initialisation: descent paths of nnlib's optimisers on 2-D
surfaces, the race widget, activation histograms per layer, and the Adam exercise check."""
import ipywidgets as widgets
import numpy as np

from ..activations import relu, sigmoid, tanh
from ..layers import Linear, ReLU, initial_std
from ..losses import CrossEntropyLoss
from ..model import Sequential
from ..optim import OPTIMIZERS, make_optimizer
from .exercise import Case, Exercise, Mistake
from .plots import grid
from .widgets import FigureWidget, slider

# ---------------------------------------------------------------- two surfaces to descend


def bowl(p):
    """f(x, y) = x²/20 + y²: a long, narrow bowl (Deep Learning from Scratch's example).

    p: (..., 2) points -> (...,) values. Steep across (y), nearly flat along (x).
    """
    p = np.asarray(p, dtype=np.float64)
    return p[..., 0] ** 2 / 20 + p[..., 1] ** 2


def bowl_gradient(p):
    """(x / 10, 2 y): the slope of the bowl in each direction."""
    p = np.asarray(p, dtype=np.float64)
    return np.stack([p[..., 0] / 10, 2 * p[..., 1]], axis=-1)


def valley(p):
    """f(x, y) = (1 - x)² + 10 (y - x²)²: a curved valley (a gentle Rosenbrock), lowest at (1, 1)."""
    p = np.asarray(p, dtype=np.float64)
    x, y = p[..., 0], p[..., 1]
    return (1 - x) ** 2 + 10 * (y - x**2) ** 2


def valley_gradient(p):
    p = np.asarray(p, dtype=np.float64)
    x, y = p[..., 0], p[..., 1]
    return np.stack([-2 * (1 - x) - 40 * x * (y - x**2), 20 * (y - x**2)], axis=-1)


SURFACES = {  # name: (f, gradient, start, x range, y range)
    "bowl x²/20 + y²": (bowl, bowl_gradient, (-7.0, 2.0), (-8, 8), (-3, 3)),
    "curved valley": (valley, valley_gradient, (-1.5, 2.0), (-2, 2), (-1, 3)),
}
FORMULAS = {"bowl x²/20 + y²": "x²/20 + y²", "curved valley": "(1 − x)² + 10 (y − x²)²"}
MINIMA = {"bowl x²/20 + y²": (0.0, 0.0), "curved valley": (1.0, 1.0)}
RACE_DEFAULTS = {"log_lr": -1.0, "momentum": 0.9, "beta1": 0.9, "beta2": 0.999, "steps": 40}

def descend(name, surface, lr, steps=40, momentum=0.9, betas=(0.9, 0.999), start=None):
    """The path of nnlib's optimiser `name` on a surface of SURFACES: (steps + 1, 2) points.

    The point p is the only "weight": each step puts the surface's gradient at
    p into the gradient array and calls the optimiser's step(), exactly as a
    network's training loop does. A path that runs off to infinity stops
    growing at 1e6 (and the rest of it stays there), so it can still be drawn.
    """
    _, gradient, default_start, _, _ = SURFACES[surface]
    p = np.array(default_start if start is None else start, dtype=np.float64)
    grad = np.zeros(2)
    optimiser = make_optimizer(name, [(p, grad)], lr, momentum, betas)
    path = [p.copy()]
    for _ in range(steps):
        if np.abs(p).max() > 1e6:
            path.append(path[-1])
            continue
        grad[...] = gradient(p)
        optimiser.step()
        path.append(p.copy())
    return np.array(path)


def race(surface, lr, momentum=0.9, beta1=0.9, beta2=0.999, steps=40):
    """Every optimiser's path on one surface: {name: (steps + 1, 2)}."""
    return {name: descend(name, surface, lr, steps, momentum, (beta1, beta2)) for name in OPTIMIZERS}


def distances(paths, surface):
    """How far each path ends from the surface's lowest point: {name: distance} (inf once it diverged)."""
    minimum = np.array(MINIMA[surface])
    return {name: float(np.linalg.norm(path[-1] - minimum)) if np.abs(path[-1]).max() <= 1e3 else float("inf")
            for name, path in paths.items()}


def _number(value):
    """A value rounded for display, never shown as -0.00."""
    return f"{value:.2f}".replace("-0.00", "0.00")


def race_summary(paths, surface):
    """One HTML table row per optimiser: where it ended and its distance to the lowest point."""
    rows = []
    for name, distance in distances(paths, surface).items():
        end = paths[name][-1]
        if np.isfinite(distance):
            rows.append(f"<tr><td>{name}</td><td>({_number(end[0])}, {_number(end[1])})</td>"
                        f"<td>{distance:.2f}</td></tr>")
        else:
            rows.append(f"<tr><td>{name}</td><td>far away</td><td>diverged</td></tr>")
    return ("<table><tr><th>optimiser</th><th>ends at</th><th>distance to the minimum</th></tr>" + "".join(rows)
            + "</table>")


class RaceWidget:
    """Sliders for lr (as log10), momentum and Adam's betas, a surface dropdown; paths over the contours."""

    colours = {"SGD": "tab:red", "momentum": "tab:blue", "AdaGrad": "tab:green", "RMSProp": "tab:purple",
               "Adam": "tab:orange"}

    def __init__(self, log_lr=RACE_DEFAULTS["log_lr"], momentum=RACE_DEFAULTS["momentum"],
                 beta1=RACE_DEFAULTS["beta1"], beta2=RACE_DEFAULTS["beta2"], surface="bowl x²/20 + y²",
                 steps=RACE_DEFAULTS["steps"]):
        self.surface = widgets.Dropdown(options=list(SURFACES), value=surface, description="surface")
        self.log_lr = slider("log₁₀ lr", log_lr, -3, 0.5, 0.05, readout_format=".2f")
        self.lr_label = widgets.Label()
        self.momentum = slider("momentum", momentum, 0.0, 0.99, 0.01)
        self.beta1 = slider("Adam β₁", beta1, 0.0, 0.99, 0.01)
        self.beta2 = slider("Adam β₂", beta2, 0.5, 0.999, 0.001, readout_format=".3f")
        self.steps = steps
        self.table = widgets.HTML()
        self.figure = FigureWidget(figsize=(6, 4.2))
        ax = self.figure.axes
        self.lines = {name: ax.plot([], [], "o-", ms=3, lw=1.5, color=colour, label=name)[0]
                      for name, colour in self.colours.items()}
        self.minimum = ax.plot([], [], "k*", ms=12, label="minimum")[0]
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        self.contours = None
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9)
        self.controls = [self.surface, self.log_lr, self.momentum, self.beta1, self.beta2]
        for control in self.controls:
            control.observe(self.update, names="value")
        self.box = widgets.HBox([widgets.VBox([*self.controls, self.lr_label, self.table]), self.figure.image])
        self.update()

    def update(self, change=None):
        name = self.surface.value
        f, _, start, xlim, ylim = SURFACES[name]
        lr = 10 ** self.log_lr.value
        self.lr_label.value = f"lr = {lr:.4g}"
        paths = race(name, lr, self.momentum.value, self.beta1.value, self.beta2.value, self.steps)
        ax = self.figure.axes
        if self.contours is not None:
            self.contours.remove()
        xx, yy, _ = grid(xlim, ylim, 120)
        zz = f(np.stack([xx, yy], axis=-1))
        self.contours = ax.contour(xx, yy, zz, levels=np.geomspace(max(zz.min(), 1e-3), zz.max(), 14),
                                   colors="grey", linewidths=0.6)
        for optimiser, path in paths.items():
            self.lines[optimiser].set_data(path[:, 0], path[:, 1])
        ax.set(xlim=xlim, ylim=ylim, title=f"f = {FORMULAS[name]}: {self.steps} steps from {start}, lr = {lr:.3g}")
        self.minimum.set_data([MINIMA[name][0]], [MINIMA[name][1]])
        self.table.value = race_summary(paths, name)
        self.figure.refresh()


def build_race_widget(**defaults):
    """The optimiser race; display(view.box) to show it."""
    return RaceWidget(**defaults)


# ---------------------------------------------------------------- initialisation: activations per layer

ACTIVATIONS = {"sigmoid": sigmoid, "tanh": tanh, "ReLU": relu}
INITS = {"std 1": 1.0, "std 0.01": 0.01, "Xavier": "xavier", "He": "he"}


def layer_activations(init, activation, layers=5, units=100, samples=1000, rng=None):
    """Push 1000 random inputs through `layers` layers of `units` units with weights
    drawn as `init` (a key of INITS) and `activation` (a key of ACTIVATIONS), no biases.

    Returns (layers, samples, units): the activations after each layer.
    """
    rng = np.random.default_rng(0) if rng is None else rng
    h = rng.standard_normal((samples, units))
    std = initial_std(INITS[init], units, units)
    outputs = []
    for _ in range(layers):
        W = rng.standard_normal((units, units)) * std
        h = ACTIVATIONS[activation](h @ W)
        outputs.append(h)
    return np.array(outputs)


class InitWidget:
    """Dropdowns for the initialisation and the activation -> one histogram per layer, a Label of their spreads."""

    def __init__(self, init="std 1", activation="sigmoid"):
        self.init = widgets.Dropdown(options=list(INITS), value=init, description="weights")
        self.activation = widgets.Dropdown(options=list(ACTIVATIONS), value=activation, description="activation")
        self.label = widgets.Label()
        self.figure = FigureWidget(1, 5, figsize=(10, 2.6), sharey=True)
        for control in (self.init, self.activation):
            control.observe(self.update, names="value")
        self.box = widgets.VBox([widgets.HBox([self.init, self.activation]), self.label, self.figure.image])
        self.update()

    def update(self, change=None):
        outputs = layer_activations(self.init.value, self.activation.value)
        upper = 1.0 if self.activation.value == "sigmoid" else max(1.0, float(np.percentile(outputs, 99.5)))
        lower = -upper if self.activation.value == "tanh" else 0.0
        for i, (ax, h) in enumerate(zip(self.figure.axes, outputs)):
            ax.clear()
            ax.hist(h.ravel(), bins=30, range=(lower, upper), color="tab:blue")
            ax.set_title(f"layer {i + 1}")
            ax.set_xlabel("activation")
        self.figure.axes[0].set_ylabel("count")
        spreads = ", ".join(f"{h.std():.3f}" for h in outputs)
        self.label.value = f"{self.init.value} with {self.activation.value}: std of each layer's activations {spreads}"
        self.figure.refresh()


def build_init_widget(**defaults):
    """The initialisation explorer; display(view.box) to show it."""
    return InitWidget(**defaults)


# ---------------------------------------------------------------- exercise: one Adam step by hand


def _adam_step(W, dW, m, v, t, lr, b1, b2, eps, m_rule=None, v_rule=None, corrected=True, sign=-1, shift=0,
               eps_inside=False):
    """One Adam step (nnlib.Adam's formulas) -> (W, m, v); the rules and switches make the usual slips
    (shift: the bias correction uses t + shift; eps_inside: sqrt(v_hat + eps))."""
    m = m_rule(m, dW, b1) if m_rule else b1 * m + (1 - b1) * dW
    v = v_rule(v, dW, b2) if v_rule else b2 * v + (1 - b2) * dW**2
    m_hat, v_hat = (m / (1 - b1**(t + shift)), v / (1 - b2**(t + shift))) if corrected else (m, v)
    denominator = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps
    return W + sign * lr * m_hat / denominator, m, v


def _adam_m_v_swapped_in_step(W, dW, m, v, t, lr, b1, b2, eps):
    m = b1 * m + (1 - b1) * dW
    v = b2 * v + (1 - b2) * dW**2
    m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
    return W - lr * v_hat / (np.sqrt(m_hat) + eps), m, v


def _adam_m_v_returned_swapped(W, dW, m, v, t, lr, b1, b2, eps):
    W, m, v = _adam_step(W, dW, m, v, t, lr, b1, b2, eps)
    return W, v, m


def _adam_returns_corrected(W, dW, m, v, t, lr, b1, b2, eps):
    W, m, v = _adam_step(W, dW, m, v, t, lr, b1, b2, eps)
    return W, m / (1 - b1**t), v / (1 - b2**t)


def _adam_with(**slip):
    def adam_step(W, dW, m, v, t, lr, b1, b2, eps):
        return _adam_step(W, dW, m, v, t, lr, b1, b2, eps, **slip)
    return adam_step


def _adam_cases():
    """Three steps in a row from W (3, 2), the gradients scaled by 1, 0.01 and 5; m and v carried by the solution."""
    rng = np.random.default_rng(8)
    W, m, v = rng.normal(size=(3, 2)), np.zeros((3, 2)), np.zeros((3, 2))
    cases = []
    for t, scale in enumerate((1.0, 0.01, 5.0), start=1):
        dW = rng.normal(size=(3, 2)) * scale
        settings = (t, 0.01, 0.9, 0.999, 1e-8)
        cases.append(Case(f"step t={t} (dW × {scale:g}), lr = 0.01, b1 = 0.9, b2 = 0.999", W, dW, m, v, *settings))
        W, m, v = _adam_step(W, dW, m, v, *settings)
    # gradients near 1e-5, so v_hat (about 1e-10) is far below eps = 1e-8: where eps sits changes the step tenfold
    tiny = rng.normal(size=(3, 2)) * 1e-5
    cases.append(Case("a fresh start, step t=1 with tiny gradients (dW × 1e-5), eps = 1e-8", W, tiny,
                      np.zeros((3, 2)), np.zeros((3, 2)), 1, 0.01, 0.9, 0.999, 1e-8))
    return cases


def _wrong(index):
    """A symptom: part `index` of the answer (1 = m, 2 = v) has the right shape but wrong values."""
    return lambda attempt: np.shape(attempt.got[index]) == attempt.expected[index].shape and not np.allclose(
        attempt.got[index], attempt.expected[index])


_M_RULE = "m should be b1 * m + (1 - b1) * dW."
_V_RULE = "v should be b2 * v + (1 - b2) * dW**2."

ADAM_STEP = Exercise(
    "adam_step", lesson="08", solution=_adam_step, cases=_adam_cases, parts=("W", "m", "v"),
    mistakes=[
        Mistake("m and v came back swapped: return them in the order W, m, v (m the running mean of dW, "
                "v the running mean of dW**2).", answer=_adam_m_v_returned_swapped),
        Mistake("m and v are swapped in the step: W moves by m_hat / (sqrt(v_hat) + eps), the mean gradient over "
                "the root of the mean squared gradient (the square root of m_hat, which can be negative, gives nan).",
                answer=_adam_m_v_swapped_in_step),
        Mistake(f"{_M_RULE} Did you use (1 - b1) * dW?", answer=_adam_with(m_rule=lambda m, dW, b1: b1 * m + dW)),
        Mistake(f"{_V_RULE} Square the gradient: dW * dW, not dW.",
                answer=_adam_with(v_rule=lambda v, dW, b2: b2 * v + (1 - b2) * dW)),
        Mistake("You returned the bias-corrected m_hat and v_hat as m and v. They are only for this step's move; "
                "the running m and v carry on to the next step uncorrected (the correction divides by (1 - b1**t) "
                "again next time): return W, m, v.", answer=_adam_returns_corrected),
        Mistake(_M_RULE, answer=_adam_with(m_rule=lambda m, dW, b1: (1 - b1) * m + b1 * dW), when=_wrong(1)),
        Mistake(_V_RULE, answer=_adam_with(v_rule=lambda v, dW, b2: (1 - b2) * dW**2), when=_wrong(2)),
        Mistake("That is the step without bias correction: divide m by (1 - b1**t) and v by (1 - b2**t) first, "
                "or the first steps are far too small.", answer=_adam_with(corrected=False)),
        Mistake("The step counter is off by one: t already counts from 1 (the first step has t = 1), so correct "
                "with (1 - b1**t) and (1 - b2**t), not t + 1.", answer=_adam_with(shift=1)),
        Mistake("The step counter is off by one: with t - 1 the first step divides by 1 - b1**0 = 0 (nan). t already "
                "counts from 1: correct with (1 - b1**t) and (1 - b2**t).", answer=_adam_with(shift=-1)),
        Mistake("eps belongs outside the square root: m_hat / (np.sqrt(v_hat) + eps), not np.sqrt(v_hat + eps). "
                "Inside, it swamps tiny gradients: here v_hat is about 1e-10, and sqrt(1e-10 + 1e-8) is ten times "
                "sqrt(1e-10), so the step shrinks tenfold.", answer=_adam_with(eps_inside=True)),
        Mistake("The weights moved uphill: subtract the step (W - ...), do not add it.", answer=_adam_with(sign=1)),
    ],
    success="adam_step matches nnlib.Adam for three steps and a step with tiny gradients, bias correction included.")
check_adam_step = ADAM_STEP.check


# ---------------------------------------------------------------- the optimisers on MNIST

MNIST_SETTINGS = {  # Deep Learning from Scratch's comparison (ch. 6): each optimiser at a learning rate that suits it
    "SGD": 0.01, "momentum": 0.01, "AdaGrad": 0.01, "RMSProp": 0.001, "Adam": 0.001,
}


def optimiser_curves(x, t, iterations=400, batch_size=128, hidden=100, seed=0):
    """Train the same 784-100-100-10 ReLU network (the same initial weights, the same
    batches) with each optimiser of MNIST_SETTINGS: {name: loss per iteration (iterations,)}.

    x: (samples, 784) float32 images; t: (samples,) labels.
    """
    batches = np.random.default_rng(seed + 1).integers(0, len(x), size=(iterations, batch_size))
    curves = {}
    for name, lr in MNIST_SETTINGS.items():
        init = np.random.default_rng(seed)
        model = Sequential([Linear(784, hidden, init), ReLU(), Linear(hidden, hidden, init), ReLU(),
                            Linear(hidden, 10, init)])
        loss = CrossEntropyLoss()
        optimiser = make_optimizer(name, model.parameters(), lr)
        losses = []
        for batch in batches:
            losses.append(loss.forward(model.forward(x[batch]), t[batch]))
            model.backward(loss.backward())
            optimiser.step()
        curves[name] = np.array(losses)
    return curves


def smooth(values, window=20):
    """A running mean over `window` points: (len(values) - window + 1,)."""
    values = np.asarray(values, dtype=np.float64)
    return np.convolve(values, np.ones(window) / window, mode="valid")
