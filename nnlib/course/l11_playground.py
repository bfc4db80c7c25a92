"""Lesson 11, the Playground: the lesson's two exercises.

The Playground itself is an application (nnlib/apps/playground.py); this module declares what the
lesson asks the learner to write with it: the gradient of the L1 penalty, and settings with which a
small network masters the spiral.
"""
import dataclasses

import numpy as np

from ..apps import playground
from .exercise import Case, Exercise, Mistake

# ---------------------------------------------------------------- exercise 1: the L1 gradient


def _l1_gradient(W, rate):
    return playground.penalty_gradient(W, "L1", rate)   # the Playground's own L1 step


L1_GRADIENT = Exercise(
    "l1_gradient", lesson="11", solution=_l1_gradient,
    cases=[Case("W = [[0.5, -2, 0], [-0.25, 3, 0.001]] and rate 0.1",
                np.array([[0.5, -2.0, 0.0], [-0.25, 3.0, 1e-3]], dtype=np.float32), 0.1)],
    mistakes=[
        Mistake("That is L2's gradient (rate * W). The slope of |w| is +1 for w > 0 and -1 for w < 0: np.sign(W).",
                answer=lambda W, rate: playground.penalty_gradient(W, "L2", rate)),
        Mistake("That is the penalty of each weight, rate * |w|, not its slope. The slope of |w| is np.sign(W).",
                answer=lambda W, rate: rate * np.abs(W)),
        Mistake("Multiply by the rate: the penalty is rate * sum(|W|).", answer=lambda W, rate: np.sign(W)),
        Mistake("The sign is flipped: the gradient points uphill, toward larger |w|; the optimiser subtracts it.",
                answer=lambda W, rate: -rate * np.sign(W)),
        Mistake("W / |W| is 0 / 0 where a weight is exactly 0; np.sign(W) gives the 0 the slope needs there.",
                answer=lambda W, rate: rate * W / np.abs(W)),
    ],
    success="l1_gradient: rate * sign(W), the same as the Playground's L1 step.")
check_l1_gradient = L1_GRADIENT.check

# ---------------------------------------------------------------- exercise 2: a small network for the spiral

SPIRAL_BUDGET, SPIRAL_EPOCHS, SPIRAL_TARGET = 40, 200, 0.9
WAVES = ("x1", "x2", "sin(x1)", "sin(x2)")
SETTINGS = [field.name for field in dataclasses.fields(playground.Config) if field.name != "data"]


@dataclasses.dataclass
class SpiralRun:
    """What a dict of spiral settings gave: why it makes no network within the budget (problem),
    or the Playground trained on it (trained) and its test accuracy."""
    settings: object
    problem: str | None = None
    trained: playground.Playground | None = None
    size: int = 0                # the network's weights and biases
    accuracy: float = 0.0


_RUNS = {}   # repr(settings) -> SpiralRun: training is deterministic, and a check meets the solution every time


def train_on_spiral(settings):
    """The SpiralRun of a dict of Playground settings (what spiral_settings() returns)."""
    if not isinstance(settings, dict):
        return SpiralRun(settings, f"returned {'None' if settings is None else type(settings).__name__}, not a dict.")
    key = repr(sorted(settings.items(), key=repr))
    if key not in _RUNS:
        _RUNS[key] = _train(dict(settings))
    return _RUNS[key]


def _train(settings):
    data = settings.pop("data", "spiral")
    if data != "spiral":
        return SpiralRun(settings, f'"data" is {data!r}.')
    unknown = [name for name in settings if name not in SETTINGS]
    if unknown:
        return SpiralRun(settings, f"there is no setting {', '.join(map(repr, unknown))}.")
    try:
        trained = playground.Playground(data="spiral", **settings)
    except (TypeError, ValueError) as error:   # a value the Playground refuses: its own sentence says why
        return SpiralRun(settings, str(error))
    size = sum(value.size for value, _ in trained.model.parameters())
    if size > SPIRAL_BUDGET:
        return SpiralRun(settings, f"this network has {size} weights and biases; the challenge allows at most "
                                   f"{SPIRAL_BUDGET}.", trained, size)
    trained.step(SPIRAL_EPOCHS)
    return SpiralRun(settings, None, trained, size, trained.accuracy())


def _verdict(attempt):
    """True when the challenge is met, else what is wrong, in one sentence."""
    run = attempt.got
    if run.problem or run.accuracy >= SPIRAL_TARGET:
        return run.problem or True
    return (f"test accuracy {run.accuracy:.0%} after {SPIRAL_EPOCHS} epochs with {run.size} weights and biases; "
            f"the target is {SPIRAL_TARGET:.0%}.")


def _missed(symptom):
    """A network within the budget that trained and missed the target, with this symptom(config, run)."""
    return lambda attempt: attempt.got.problem is None and symptom(attempt.got.trained.config, attempt.got)


SPIRAL_CHALLENGE = Exercise(
    "spiral_settings", lesson="11", solution=lambda: {"hidden": (6,), "features": WAVES},
    cases=[Case("the spiral")], run=lambda fn, case: train_on_spiral(fn()), accept=_verdict,
    mistakes=[
        Mistake('spiral_settings must return a dict of settings, e.g. {"hidden": (4, 4), "features": ("x1", "x2")}.',
                answer=lambda: [("hidden", (6,))], when=lambda a: not isinstance(a.got.settings, dict)),
        Mistake('The challenge is the spiral: leave out "data" or set it to "spiral".',
                answer=lambda: {"data": "circle"}, when=lambda a: a.got.problem.startswith('"data"')),
        Mistake(f"The settings are {SETTINGS}.", answer=lambda: {"layers": (6,)},
                when=lambda a: a.got.problem.startswith("there is no setting")),
        Mistake("Use fewer neurons or layers, and let the inputs do more of the work.",
                answer=lambda: {"hidden": (8, 8), "features": WAVES}, when=lambda a: a.got.size > SPIRAL_BUDGET),
        Mistake("A network with linear activations only draws a straight boundary (experiment 1).",
                answer=lambda: {"hidden": (6,), "features": WAVES, "activation": "linear"},
                when=_missed(lambda c, run: all(c.activation_of(k) == "linear" for k in range(len(c.hidden))))),
        Mistake("This learning rate is too high (experiment 3, at the end): the tanh output saturates and stops "
                "learning. "
                "Try 0.03 to 0.3.", answer=lambda: {"hidden": (6,), "features": WAVES, "lr": 10.0},
                when=_missed(lambda c, run: c.lr >= 1 or run.trained.diverged)),
        Mistake("With so few neurons, give the network inputs that already wave across the plane: sin x₁, sin x₂.",
                answer=lambda: {"hidden": (4, 4)},
                when=_missed(lambda c, run: not {"sin(x1)", "sin(x2)"} & set(c.features))),
        Mistake("Close: try another optimiser or learning rate, or one more neuron.",
                answer=lambda: {"hidden": (4,), "features": WAVES}, when=_missed(lambda c, run: run.accuracy >= 0.8)),
        Mistake("Spend the weights differently: which inputs does the spiral need, and how many neurons?",
                answer=lambda: {"hidden": (1,), "features": WAVES}, when=_missed(lambda c, run: True)),
    ],
    success=f"spiral_settings: {SPIRAL_TARGET:.0%} test accuracy or more on the spiral, with at most "
            f"{SPIRAL_BUDGET} weights and biases.")
check_spiral_challenge = SPIRAL_CHALLENGE.check
