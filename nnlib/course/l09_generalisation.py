"""Lesson 09, generalisation: the overfitting experiment and its cures (weight decay,
dropout) precomputed on a grid, the cure widget, batch normalisation side by side,
the validation split, and the dropout exercise check."""
import ipywidgets as widgets
import numpy as np

from . import exercise
from ..layers import BatchNorm, Dropout, Linear, ReLU
from ..losses import CrossEntropyLoss
from ..model import Sequential
from ..optim import SGD, Adam
from ..train import evaluate, fit
from .widgets import FigureWidget

# ---------------------------------------------------------------- the overfitting experiment

WEIGHT_DECAYS = (0.0, 0.03, 0.1, 0.2)   # λ on the cure widget's slider
DROPOUTS = (0.0, 0.1, 0.2, 0.3)          # p on the cure widget's slider


def deep_network(depth=6, hidden=100, dropout=0.0, batchnorm=False, init="he", rng=None):
    """Deep Learning from Scratch's overfitting network: `depth` hidden layers of `hidden` ReLU
    units, 784 -> ... -> 10. dropout > 0 puts Dropout(dropout) after every ReLU; batchnorm
    puts BatchNorm between each hidden Linear and its ReLU. init and rng go to every Linear."""
    layers, width = [], 784
    for _ in range(depth):
        layers.append(Linear(width, hidden, rng=rng, init=init))
        if batchnorm:
            layers.append(BatchNorm(hidden))
        layers.append(ReLU())
        if dropout:
            layers.append(Dropout(dropout, rng=rng))
        width = hidden
    layers.append(Linear(width, 10, rng=rng, init=init))
    return Sequential(layers)


def overfit_run(x, t, x_held, t_held, weight_decay=0.0, dropout=0.0, epochs=40, lr=0.001, seed=0):
    """Train deep_network on (x, t) with Adam (lr, weight_decay), batches of 100, and measure after
    every epoch, in evaluation mode, the accuracy on all of (x, t) and on (x_held, t_held).

    The weights, the batches and the dropout masks come from `seed`, so every run of the grid
    starts from the same network. Returns {"train": (epochs,), "held": (epochs,)}.
    """
    rng = np.random.default_rng(seed)
    model = deep_network(dropout=dropout, rng=rng)
    loss = CrossEntropyLoss()
    train_accuracy = []

    def measure(history):
        train_accuracy.append(evaluate(model, loss, x, t)[1])

    history = fit(model, loss, x, t, epochs=epochs, batch_size=100, rng=rng, progress=False,
                  optimizer=Adam(model.parameters(), lr=lr, weight_decay=weight_decay),
                  validation=(x_held, t_held), callback=measure)
    return {"train": np.array(train_accuracy), "held": np.array(history["val_accuracy"])}


def overfit_grid(x, t, x_held, t_held, weight_decays=WEIGHT_DECAYS, dropouts=DROPOUTS, plain=None, **settings):
    """overfit_run for each strength of each cure, one cure at a time (the other off):
    {("weight decay", λ): run, ("dropout", p): run}. The run without any cure is computed
    once (or pass it as plain, made with the same settings)."""
    if plain is None:
        plain = overfit_run(x, t, x_held, t_held, **settings)
    runs = {}
    for cure, strengths in (("weight decay", weight_decays), ("dropout", dropouts)):
        for strength in strengths:
            if strength == 0:
                runs[cure, strength] = plain
            elif cure == "weight decay":
                runs[cure, strength] = overfit_run(x, t, x_held, t_held, weight_decay=strength, **settings)
            else:
                runs[cure, strength] = overfit_run(x, t, x_held, t_held, dropout=strength, **settings)
    return runs


def gap(run, last=5):
    """Training minus held-out accuracy, averaged over the last `last` epochs (a fraction)."""
    return float(np.mean(run["train"][-last:]) - np.mean(run["held"][-last:]))


def cure_summary(cure, strength, run, last=5):
    """One line: the strength and the final accuracies and gap (means over the last epochs)."""
    symbol = "λ" if cure == "weight decay" else "p"
    train, held = np.mean(run["train"][-last:]), np.mean(run["held"][-last:])
    return (f"{cure} {symbol} = {strength:g}: training {train:.1%}, held-out {held:.1%}, "
            f"gap {round(100 * float(train - held), 1) + 0.0:.1f} points")   # + 0.0: never "-0.0"


class CureWidget:
    """A slider per cure (weight decay λ, dropout p) over precomputed runs: each panel shows the
    training and held-out accuracy per epoch for the chosen strength, over the uncured run in grey."""

    symbols = {"weight decay": "weight decay λ", "dropout": "dropout p"}

    def __init__(self, runs):
        self.runs = runs
        self.cures = ("weight decay", "dropout")
        self.sliders, self.labels, self.lines = {}, {}, {}
        self.figure = FigureWidget(1, 2, figsize=(10, 3.4), dpi=100, sharey=True)
        for ax, cure in zip(self.figure.axes, self.cures):
            strengths = sorted(s for c, s in runs if c == cure)
            plain = runs[cure, strengths[0]]
            epochs = np.arange(1, len(plain["train"]) + 1)
            ax.plot(epochs, plain["train"], color="lightgrey", lw=1, label="no cure: training")
            ax.plot(epochs, plain["held"], color="lightgrey", lw=1, ls="--", label="no cure: held-out")
            self.lines[cure] = (ax.plot([], [], color="tab:blue", lw=2, label="training")[0],
                                ax.plot([], [], color="tab:orange", lw=2, ls="--", label="held-out")[0])
            ax.set(xlabel="epoch", ylim=(0, 1.02))
            ax.grid(alpha=0.3)
            ax.legend(loc="lower right", fontsize=9)
            self.sliders[cure] = widgets.SelectionSlider(
                options=strengths, value=strengths[-1], description=self.symbols[cure],
                continuous_update=True, style={"description_width": "initial"})
            self.labels[cure] = widgets.Label()
            self.sliders[cure].observe(self.update, names="value")
        self.figure.axes[0].set_ylabel("accuracy")
        self.box = widgets.VBox([
            widgets.HBox([widgets.VBox([self.sliders[c], self.labels[c]]) for c in self.cures]),
            self.figure.image,
        ])
        self.update()

    def update(self, change=None):
        for ax, cure in zip(self.figure.axes, self.cures):
            strength = self.sliders[cure].value
            run = self.runs[cure, strength]
            epochs = np.arange(1, len(run["train"]) + 1)
            train_line, held_line = self.lines[cure]
            train_line.set_data(epochs, run["train"])
            held_line.set_data(epochs, run["held"])
            ax.set_title(f"{self.symbols[cure]} = {strength:g}")
            self.labels[cure].value = cure_summary(cure, strength, run)
        self.figure.refresh()


def build_cure_widget(runs):
    """The weight decay and dropout explorer over overfit_grid's runs; display(view.box) to show it."""
    return CureWidget(runs)


# ---------------------------------------------------------------- batch normalisation side by side


def batchnorm_race(x, t, x_held, t_held, init, epochs=10, lr=0.01, seed=0):
    """Train deep_network(depth=5) with plain SGD with and without BatchNorm from the SAME
    initial weights (both built from one seed) on the SAME batches (one shuffling seed):
    {False: history, True: history} (fit's histories, held-out data as validation)."""
    histories = {}
    for batchnorm in (False, True):
        model = deep_network(depth=5, batchnorm=batchnorm, init=init, rng=np.random.default_rng(seed))
        histories[batchnorm] = fit(model, CrossEntropyLoss(), x, t, epochs=epochs, batch_size=100,
                                   optimizer=SGD(model.parameters(), lr), rng=np.random.default_rng(seed + 1),
                                   progress=False, validation=(x_held, t_held))
    return histories


# ---------------------------------------------------------------- validation data


def validation_split(x, t, n_validation, rng):
    """Shuffle (x, t) with rng and cut off n_validation samples: ((x_train, t_train), (x_val, t_val)).
    Every sample lands in exactly one of the two parts."""
    if not 0 < n_validation < len(x):
        raise ValueError(f"validation_split: n_validation must be between 1 and {len(x) - 1}, got {n_validation}.")
    order = rng.permutation(len(x))
    val, train = order[:n_validation], order[n_validation:]
    return (x[train], t[train]), (x[val], t[val])


# ---------------------------------------------------------------- exercise: inverted dropout's forward

MASK_SEED = 3   # every case hands the learner a fresh np.random.default_rng(MASK_SEED)


def _dropout_forward(x, p, rng):
    return x * (rng.random(x.shape) >= p) / (1 - p)


def _survivors(attempt):
    """The share of entries that are 0, and the survivors' out / x."""
    x, out = attempt.case.args[0], np.asarray(attempt.got, dtype=np.float64)
    return np.mean(out == 0), out[out != 0] / x[out != 0]


def _scaled_by(attempt, scale):
    ratio = _survivors(attempt)[1]
    return ratio.size > 0 and np.allclose(ratio, scale)


def _ignores_rng(attempt):
    """The same generator gives another mask, or another generator the same: the mask is not drawn from rng."""
    x, p = attempt.case.args
    if attempt.got.shape != x.shape:
        return False
    again, other = (attempt.fn(x.copy(), p, np.random.default_rng(seed)) for seed in (MASK_SEED, MASK_SEED + 1))
    some_dropped = 0 < np.mean(attempt.got == 0) < 1
    return not np.array_equal(again, attempt.got) or (some_dropped and np.array_equal(other, attempt.got))


def _whole_lines(attempt):
    """"row" or "column" when each one is kept or dropped as a whole (one coin flip per sample, or per unit)."""
    zero = np.asarray(attempt.got) == 0
    return next((line for axis, line in ((1, "row"), (0, "column"))
                 if 0 < zero.mean() < 1 and (zero == zero.take([0], axis)).all()), None)


def _dropout_verdict(attempt):
    """True, or what is wrong with this dropout: the masks are random, so their statistics are graded."""
    (x, p), (dropped, ratio) = attempt.case.args, _survivors(attempt)
    if _ignores_rng(attempt):
        return "run twice with the same generator, it drew different masks (or the same mask with another one)."
    if p == 0:
        changed = np.mean(~np.isclose(attempt.got, x))
        return changed == 0 or f"with p = 0 nothing is dropped, yet {changed:.0%} of the entries differ from x."
    if _whole_lines(attempt):
        return f"each {_whole_lines(attempt)} of its answer is dropped or kept as a whole."
    if abs(dropped - p) > 0.02:
        return f"it dropped {dropped:.0%} of the entries, expected about {p:.0%}."
    if not np.allclose(ratio, 1 / (1 - p)):
        return (f"each surviving entry should be x / (1 - p) = {1 / (1 - p):.4g} x, got between {ratio.min():.4g} x "
                f"and {ratio.max():.4g} x.")
    return True


DROPOUT_FORWARD = exercise.Exercise(
    "dropout_forward", lesson="09", solution=_dropout_forward, accept=_dropout_verdict,
    run=lambda fn, case: fn(*case.args, np.random.default_rng(MASK_SEED)),
    cases=lambda: [exercise.Case(f"x (400, 250) with p = {p}", np.random.default_rng(9).uniform(0.5, 1.5, (400, 250)),
                                 p) for p in (0.2, 0.5, 0.0)],
    mistakes=[
        exercise.Mistake("Return one array, the output, and keep the mask to yourself here.",
                         answer=lambda x, p, rng: (_dropout_forward(x, p, rng), x != 0),
                         when=lambda a: isinstance(a.got, tuple)),
        exercise.Mistake("Draw the mask from the generator you are handed, rng.random(x.shape), not from np.random: "
                         "the same rng must give the same mask (that is how nn.seed makes a run repeatable).",
                         answer=lambda x, p, rng: x * (np.random.random(x.shape) >= p) / (1 - p), when=_ignores_rng),
        exercise.Mistake("With p = 0 it must return x unchanged (nothing dropped, scale 1 / (1 - 0) = 1).",
                         answer=lambda x, p, rng: x * (rng.random(x.shape) >= max(p, 0.2)) / (1 - max(p, 0.2)),
                         when=lambda a: a.case.args[1] == 0),
        exercise.Mistake("Every entry gets its own coin flip, a fresh one for every sample: draw the mask with "
                         "rng.random(x.shape), not one value per row or per column of x.",
                         answer=lambda x, p, rng: x * (rng.random(x.shape[1]) >= p) / (1 - p),
                         when=lambda a: _whole_lines(a) is not None),
        exercise.Mistake("p is the probability of DROPPING, so keep an entry where rng.random(...) >= p.",
                         answer=lambda x, p, rng: x * (rng.random(x.shape) < p) / (1 - p),
                         when=lambda a: a.case.args[1] != 0.5 and abs(_survivors(a)[0] - (1 - a.case.args[1])) < 0.02),
        exercise.Mistake("The survivors are not scaled: divide them by (1 - p), so that each entry keeps its expected "
                         "value and nothing needs changing at test time.",
                         answer=lambda x, p, rng: x * (rng.random(x.shape) >= p), when=lambda a: _scaled_by(a, 1)),
        exercise.Mistake("You divided by p, the probability of dropping: divide by 1 - p, the probability of keeping.",
                         answer=lambda x, p, rng: x * (rng.random(x.shape) >= p) / p,
                         when=lambda a: _scaled_by(a, 1 / a.case.args[1])),
        exercise.Mistake("You multiplied by (1 - p): that is the old test-time scaling; inverted dropout divides by "
                         "(1 - p) while training instead.",
                         answer=lambda x, p, rng: x * (rng.random(x.shape) >= p) * (1 - p),
                         when=lambda a: _scaled_by(a, 1 - a.case.args[1])),
    ],
    success="dropout_forward drops about p of the entries and scales the rest by 1 / (1 - p): inverted dropout, "
            "as nn.Dropout does it.")
check_dropout_forward = DROPOUT_FORWARD.check
