"""Lesson 07, MNIST inference: pure views, figure helpers, the digit explorer widget, the exercise check.

Images are flattened float32 rows (784,) with values in [0, 1], as from nnlib.load_mnist().
"""
import ast
import dataclasses
import functools
import inspect
import re
import textwrap
import time

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from ..activations import softmax
from ..layers import Linear, ReLU
from ..losses import CrossEntropyLoss
from ..mnist import load_mnist
from ..model import Sequential
from ..optim import SGD
from ..labels import to_one_hot
from ..train import accuracy
from .exercise import Case, Exercise, Mistake, Slip
from .plots import picture_grid
from .widgets import FigureWidget, slider

SIDE = 28  # MNIST images are 28 x 28 pixels


# ---------------------------------------------------------------- pure functions

def confusion_matrix(labels, predicted, classes=10):
    """Counts (classes, classes): row = true digit, column = predicted digit.

    labels, predicted: integer arrays (n,). The matrix sums to n and its
    diagonal holds the correct predictions.
    """
    labels, predicted = np.asarray(labels), np.asarray(predicted)
    if labels.shape != predicted.shape or labels.ndim != 1:
        raise ValueError(f"confusion_matrix: need two label arrays of the same shape (n,), got {labels.shape} and {predicted.shape}.")
    # One bincount over the pair index true * classes + predicted: no loop over samples.
    counts = np.bincount(labels * classes + predicted, minlength=classes * classes)
    return counts.reshape(classes, classes)


def confident_mistakes(probabilities, labels, k=8):
    """Indices (at most k,) of the wrong predictions, the most confident first.

    probabilities: (n, classes) rows summing to 1; labels: (n,) integers.
    """
    probabilities = np.asarray(probabilities)
    predicted = probabilities.argmax(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    confidence = probabilities[wrong, predicted[wrong]]
    return wrong[np.argsort(-confidence, kind="stable")[:k]]


def first_layer_images(W):
    """The weights into each hidden unit as a picture: W (784, hidden) -> (hidden, 28, 28)."""
    W = np.asarray(W)
    return W.T.reshape(-1, SIDE, SIDE)


def transform_image(image, noise=0.0, shift=0, seed=0):
    """A (784,) image moved `shift` pixels to the right (np.roll, wrapping around)
    plus Gaussian noise of standard deviation `noise` (seeded), clipped to [0, 1].

    Returns the new image (784,) in the input's dtype.
    """
    image = np.asarray(image)
    picture = np.roll(image.reshape(SIDE, SIDE), int(shift), axis=1)
    if noise:
        rng = np.random.default_rng(seed)
        picture = picture + noise * rng.standard_normal(picture.shape)
    return np.clip(picture, 0, 1).astype(image.dtype).ravel()


def digit_view(model, image, noise=0.0, shift=0, seed=0):
    """What the explorer shows for one image: (picture (28, 28), probabilities (10,), predicted label).

    model: a network from 784 inputs to 10 logits (e.g. nnlib.Sequential).
    """
    moved = transform_image(image, noise, shift, seed)
    probabilities = softmax(model.forward(moved[np.newaxis, :]))[0]
    return moved.reshape(SIDE, SIDE), probabilities, int(probabilities.argmax())


def explorer_title(index, truth, noise, shift):
    """The digit explorer's title: which image, its true digit, and the current noise and shift."""
    return f"test image #{index} (true digit {truth})\nnoise σ = {noise:.2f}, shift {shift:+d} px"


def best_time(fn, repeat=3):
    """(fastest of `repeat` runs in seconds, fn's result). The fastest run is the
    least disturbed by whatever else the machine is doing."""
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


# ---------------------------------------------------------------- figures

def show_digits(images, titles, ncols=8, title="", colors=None):
    """A grid of (784,) or (28, 28) images with a title above each; returns the pyplot figure."""
    fig = picture_grid([np.reshape(image, (SIDE, SIDE)) for image in images], titles, ncols, title, colors,
                       cmap="gray_r", vmin=0, vmax=1)
    fig.supxlabel("each image: 28 × 28 pixels, dark = ink", fontsize=9)
    return fig


def show_confusion(matrix):
    """The confusion matrix as a heat map with counts; returns the pyplot figure."""
    fig, ax = plt.subplots(figsize=(6.5, 6), dpi=100)
    ax.imshow(np.log1p(matrix), cmap="Blues")
    for (i, j), count in np.ndenumerate(matrix):
        ax.text(j, i, str(count), ha="center", va="center", fontsize=9,
                color="white" if i == j else "black")
    ax.set_xticks(range(len(matrix)))
    ax.set_yticks(range(len(matrix)))
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    ax.set_title("Confusion matrix on the 10 000 test images")
    return fig


# ---------------------------------------------------------------- widget

class DigitExplorer:
    """Sliders over test images, noise and shift; the digit, its probabilities as bars, and a verdict.

    Attributes: index, noise, shift (sliders), label (Label), verdict (HTML),
    figure (FigureWidget), box (what to display).
    """

    def __init__(self, model, images, labels, index=0):
        self.model, self.images, self.labels = model, images, np.asarray(labels)
        self.index = slider("test image #", index, 0, len(images) - 1, integer=True)
        self.noise = slider("noise σ", 0.0, 0.0, 1.0, 0.05)
        self.shift = slider("shift → (pixels)", 0, -10, 10, integer=True)
        self.label = widgets.Label()
        self.verdict = widgets.HTML()
        self.figure = FigureWidget(1, 2, figsize=(7.5, 3.4), dpi=100)
        ax_image, ax_bars = self.figure.axes
        self.picture = ax_image.imshow(np.zeros((SIDE, SIDE)), cmap="gray_r", vmin=0, vmax=1)
        ax_image.set_xlabel("x (pixel)")
        ax_image.set_ylabel("y (pixel)")
        self.bars = ax_bars.bar(range(10), np.zeros(10), color="lightgray")
        ax_bars.set_xticks(range(10))
        ax_bars.set_ylim(0, 1)
        ax_bars.set_xlabel("digit")
        ax_bars.set_ylabel("probability")
        ax_bars.set_title("softmax output")
        for control in (self.index, self.noise, self.shift):
            control.observe(self.update, names="value")
        self.box = widgets.VBox([widgets.HBox([self.index, self.noise, self.shift]),
                                 self.figure.image, self.label, self.verdict])
        self.update()

    def update(self, change=None):
        i = self.index.value
        picture, probabilities, predicted = digit_view(self.model, self.images[i], self.noise.value, self.shift.value)
        truth = int(self.labels[i])
        self.picture.set_data(picture)
        self.figure.axes[0].set_title(explorer_title(i, truth, self.noise.value, self.shift.value), fontsize=10)
        for digit, (bar, p) in enumerate(zip(self.bars, probabilities)):
            bar.set_height(p)
            bar.set_color("lightgray" if digit != predicted else ("tab:green" if predicted == truth else "tab:red"))
        self.figure.refresh()
        self.label.value = f"#{i}: true {truth}, predicted {predicted} with p = {probabilities[predicted]:.3f}"
        right = predicted == truth
        self.verdict.value = (f"<b style='color:{'green' if right else 'red'}'>"
                              f"{'right ✓' if right else 'wrong ✗'}</b>")

    def _ipython_display_(self):
        from IPython.display import display
        display(self.box)


def build_digit_explorer(model, images, labels, index=0):
    """The lesson's explorer: see DigitExplorer."""
    return DigitExplorer(model, images, labels, index)


# ---------------------------------------------------------------- exercise: batched accuracy

def _has_loop(fn):
    """True if fn's source contains a for/while loop or a comprehension (None if the source is unknown)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError):
        return None
    loops = (ast.For, ast.While, ast.ListComp, ast.GeneratorExp, ast.SetComp, ast.DictComp)
    return any(isinstance(node, loops) for node in ast.walk(tree))


def _accuracy_cases():
    rng = np.random.default_rng(7)
    output = rng.standard_normal((50, 10)).astype(np.float32)
    labels = output.argmax(axis=1)
    labels[::3] = (labels[::3] + 1) % 10  # 17 of 50 wrong: accuracy 0.66
    return [Case("50 rows of scores and integer labels", output, labels),
            Case("the same labels one-hot, shape (50, 10)", output, to_one_hot(labels, 10)),
            Case("5 rows that are all right", to_one_hot(np.array([3, 1, 4, 1, 5]), 10) * 5.0,
                 np.array([3, 1, 4, 1, 5]))]


def _refuses_wrong_lengths(fn):
    """The last test of batch_accuracy: 50 rows but 40 labels must raise ValueError."""
    output, labels = _accuracy_cases()[0].args
    what = "batch_accuracy on 50 rows of output but only 40 labels: expected a ValueError"
    try:
        got = fn(output, labels[:40])
    except ValueError:
        return None
    except Exception as error:  # the learner's code failed otherwise: say so in one line
        return f"{what}, got {type(error).__name__}: {error}"
    return f"{what} (the shapes (50,) and (40,) do not match), but it returned {got!r:.60}."


def _integer_labels(labels):
    return labels.argmax(axis=1) if labels.ndim == 2 else labels


def _looped(output, labels):
    labels = _integer_labels(labels)
    if len(labels) != len(output):
        raise ValueError("one label per row")
    return sum(int(np.argmax(row) == label) for row, label in zip(output, labels)) / len(output)


BATCH_ACCURACY = Exercise(
    "batch_accuracy", lesson="07", solution=accuracy, cases=_accuracy_cases, after=_refuses_wrong_lengths,
    mistakes=[
        Mistake("These labels are one-hot rows (a row of 10 per sample), which cannot be compared with one "
                "prediction per row. Turn them into integers first: labels.argmax(axis=1).",
                answer=lambda output, labels: np.mean(output.argmax(axis=1) == labels),
                raises=lambda error: "broadcast" in str(error) and re.search(r"\(\d+, ?\d+\)", str(error))),
        Mistake("Two arrays of different lengths were compared: did you take argmax over axis=0 (10 numbers, one "
                "per class) instead of axis=1 (one per row)?",
                answer=lambda output, labels: np.mean(output.argmax(axis=0) == labels),
                raises=lambda error: "broadcast" in str(error)),
        Mistake("argmax needs axis=1 to pick one class per row: np.argmax(output) without axis returns one number "
                "for the whole batch (an index into the flattened array).",
                answer=lambda output, labels: np.mean(np.argmax(output) == _integer_labels(labels))),
        Mistake("That is a percentage; return the fraction between 0 and 1.",
                answer=lambda output, labels: 100 * accuracy(output, labels)),
        Mistake("That is the number of right rows; divide by the number of rows (np.mean instead of np.sum) to get "
                "the fraction.", answer=lambda output, labels: len(output) * accuracy(output, labels)),
        Mistake("Did you forget np.mean, or compare arrays of different shapes?",
                answer=lambda output, labels: output.argmax(axis=1) == _integer_labels(labels),
                when=lambda attempt: np.ndim(attempt.got) > 0),
        Mistake("Did you forget `return`?", answer=lambda output, labels: None,
                when=lambda attempt: attempt.got is None),
        Mistake("it has a loop over the samples; use whole-array operations (argmax(axis=1), ==, mean) so NumPy "
                "does the looping in C.", answer=_looped, even_if_right=True,
                when=lambda attempt: np.isclose(attempt.got, attempt.expected) and _has_loop(attempt.fn)),
    ],
    success="batch_accuracy agrees with nn.accuracy, for integer and one-hot labels, without a loop, "
            "and refuses labels of the wrong length.")
check_batch_accuracy = BATCH_ACCURACY.check


# ---------------------------------------------------------------- exercise: the training loop

class WrongGradient(Slip):
    """The check's word for a backward handed something other than dLoss/doutput."""


class _SpyModel:
    """A model that remembers which input produced each output, and counts backward calls."""

    def __init__(self, model, events):
        self._model = model
        self.inputs = {}  # id(output) -> (output, input); the output is kept so its id stays unique
        self.backward_calls = 0
        self.events = events  # shared with the loss and the optimizer: their calls in order

    def forward(self, x):
        output = self._model.forward(x)
        self.inputs[id(output)] = (output, np.asarray(x))
        return output

    __call__ = forward

    def backward(self, grad, *args, **kwargs):
        self.backward_calls += 1
        self.events.append("model.backward")
        if any(grad is output for output, _ in self.inputs.values()):
            raise WrongGradient("model.backward was handed the network's output, not the loss's gradient")
        return self._model.backward(grad, *args, **kwargs)

    def __getattr__(self, name):   # everything else (predict, parameters, layers) is the real model's
        return getattr(self._model, name)


class _SpyLoss:
    """A cross-entropy loss that records (input images, targets, output) of every call."""

    def __init__(self, model):
        self._loss = CrossEntropyLoss()
        self._model = model
        self.calls = []

    def forward(self, pred, target):
        value = self._loss.forward(pred, target)
        known = self._model.inputs.get(id(pred))
        images = known[1] if known is not None and known[0] is pred else None
        self.calls.append((images, np.array(target), np.array(pred)))
        self._model.events.append("loss")
        return value

    __call__ = forward

    def __getattr__(self, name):   # backward and the rest are the real loss's
        return getattr(self._loss, name)


class _SpyOptimizer:
    def __init__(self, optimizer, events):
        self._optimizer = optimizer
        self.steps = 0
        self.events = events

    def step(self):
        self.steps += 1
        self.events.append("optimizer.step")
        return self._optimizer.step()

    def __getattr__(self, name):
        return getattr(self._optimizer, name)


FIT_TRAIN, FIT_TEST = 2000, 500  # the check's slice of MNIST: small, so it runs in a fraction of a second
FIT_EPOCHS, FIT_BATCH = 2, 64


@functools.lru_cache(maxsize=1)
def _fit_data():
    (x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, flatten=True, one_hot_label=False)
    return x_train[:FIT_TRAIN].copy(), t_train[:FIT_TRAIN].copy(), x_test[:FIT_TEST].copy(), t_test[:FIT_TEST].copy()


def _small_net(seed=0):
    rng = np.random.default_rng(seed)
    return Sequential([Linear(784, 32, rng=rng, dtype=np.float32), ReLU(), Linear(32, 10, rng=rng, dtype=np.float32)])


def _accuracy_lists(returned, epochs):
    """(the two lists of floats, None) from what my_fit returned, or (None, (slip, what is wrong))."""
    if returned is None:
        return None, ("returned None", "it returned None.")
    if isinstance(returned, dict) or not isinstance(returned, (tuple, list)) or len(returned) != 2:
        what = f"a {type(returned).__name__}" + (f" of length {len(returned)}" if isinstance(returned, (tuple, list))
                                                  else "")
        return None, ("not two lists", f"it returned {what}.")
    lists = []
    for which, values in zip(("training", "test"), returned):
        if isinstance(values, (str, bytes, dict)) or np.ndim(values) != 1:
            return None, ("not a list", f"its {which} accuracy should be a list with one number per epoch, "
                                        f"got {type(values).__name__} {values!r:.60}.")
        if len(values) == 0:
            return None, ("empty", f"the {which} list is empty.")
        if len(values) != epochs:
            return None, ("too long" if len(values) > epochs else "too short",
                          f"it returned {len(values)} {which} accuracies for {epochs} epochs: wrong length of history.")
        try:
            numbers = [float(v) for v in values]
        except (TypeError, ValueError):
            return None, ("not numbers", f"its {which} accuracy should hold numbers, got {values!r:.60}.")
        if not all(0 <= v <= 1 for v in numbers):
            return None, ("not fractions", f"its {which} accuracies {[round(v, 3) for v in numbers]} should be "
                                           "fractions between 0 and 1.")
        lists.append(numbers)
    return lists, None


@dataclasses.dataclass
class _FitRun:
    """What my_fit did, as the spies saw it: the observation check_fit grades."""
    returned: object          # what my_fit returned
    feeds: list               # each loss call: (images the model saw or None, labels, output)
    events: list              # "loss", "model.backward", "optimizer.step", in the order they ran
    backward_calls: int
    steps: int
    changed: bool             # did the weights change?
    final_train: float        # the trained model's accuracy on x and on x_test
    final_test: float

    @functools.cached_property
    def slip(self):
        """(the slip's name, what is wrong in one sentence), or (None, None) when my_fit is right."""
        return _fit_slip(self, *_fit_data()[:2], FIT_EPOCHS, FIT_BATCH)


def _watch_fit(fn):
    """Run fn on the check's data with spies on the model, the loss and the optimizer: a _FitRun."""
    x, t, x_test, t_test = (array.copy() for array in _fit_data())
    events = []
    model = _SpyModel(_small_net(), events)
    before = [value.copy() for value, _ in model.parameters()]
    loss = _SpyLoss(model)
    optimizer = _SpyOptimizer(SGD(model.parameters(), lr=0.1), events)
    returned = fn(model, loss, optimizer, x, t, x_test, t_test, FIT_EPOCHS, FIT_BATCH, np.random.default_rng(1))
    x, t, x_test, t_test = _fit_data()
    changed = any(not np.array_equal(value, old) for (value, _), old in zip(model.parameters(), before))
    return _FitRun(returned, loss.calls, events, model.backward_calls, optimizer.steps, changed,
                   accuracy(model._model.forward(x), t), accuracy(model._model.forward(x_test), t_test))


def _fit_slip(run, x, t, epochs, batch_size):
    """The first thing my_fit did wrong, as (slip, sentence), or (None, None)."""
    if not run.feeds:
        return "no loss", "it never called the loss it was given."
    n, row_index, batches = len(x), {row.tobytes(): i for i, row in enumerate(x)}, []
    for images, target, _ in run.feeds:
        if images is None:
            return "not the model's output", "the loss got an output that the model did not just compute."
        images = np.asarray(images, dtype=np.float32).reshape(len(images), -1)
        index = np.array([row_index.get(row.tobytes(), -1) for row in images])
        if (index == -1).any():
            return "not rows of x", "it fed the model images that are not rows of x."
        target = _integer_labels(target)   # one-hot rows are fine too
        if len(target) != len(index) or not np.array_equal(target, t[index]):
            return "other labels", ("its labels do not belong to its images: the loss got the labels of other "
                                    "images than the ones the model saw.")
        batches.append(index)
    sizes = [len(b) for b in batches]
    seen, expected, full = sum(sizes), epochs * n, (n // batch_size) * batch_size
    if max(sizes) > batch_size:
        return "too big", f"it fed a batch of {max(sizes)} images, but batch_size is {batch_size}."
    if seen == epochs * full and full < n:
        return "last batch skipped", (f"{n} images in batches of {batch_size} leave {n - full} over ({n} = "
                                      f"{n // batch_size} × {batch_size} + {n - full}), and your loop fed only "
                                      f"{full} images per epoch.")
    if seen > expected:
        return "overlap", (f"the loss saw {seen} images in {epochs} epochs of {n} (expected {expected}), so some "
                           "images came more than once per epoch.")
    if seen < expected:
        return "too few", f"it fed the loss {seen} images in {epochs} epochs of {n} (expected {expected})."
    order = np.concatenate(batches).reshape(epochs, n)
    for epoch, row in enumerate(order):
        if not np.array_equal(np.sort(row), np.arange(n)):
            return "twice in an epoch", f"in epoch {epoch + 1} some images came twice and others never."
    if np.array_equal(order[0], np.arange(n)):
        return "no shuffle", "epoch 1 fed the images in their stored order 0, 1, 2, …"
    if all(np.array_equal(row, order[0]) for row in order[1:]):
        return "same order", "every epoch fed the images in the same order."
    count = len(run.feeds)
    if run.backward_calls == 0:
        return "no backward", "it never called model.backward(...)."
    if run.backward_calls != count:
        return "backward count", f"it called model.backward {run.backward_calls} times for {count} mini-batches."
    if run.steps == 0:
        if run.changed:
            return "own optimizer", "it changed the weights without the optimizer it was given."
        return "no step", "it never called optimizer.step(): the weights are unchanged after training."
    if run.steps != count:
        return "step count", f"it called optimizer.step() {run.steps} times for {count} mini-batches."
    if run.events != ["loss", "model.backward", "optimizer.step"] * count:
        return "order", f"it calls them in the wrong order: its first batch did {', '.join(run.events[:3])}."
    if not run.changed:
        return "zero gradients", "it called optimizer.step() but the weights did not change: the gradients were zero."
    lists, slip = _accuracy_lists(run.returned, epochs)
    if slip:
        return slip
    (train_accuracy, test_accuracy), last_epoch = lists, run.feeds[-(count // epochs):]
    running = (sum(np.sum(output.argmax(axis=1) == _integer_labels(target)) for _, target, output in last_epoch)
               / sum(len(target) for _, target, _ in last_epoch))     # the last epoch's batches, as they were fed
    if np.isclose(train_accuracy[-1], run.final_test) and np.isclose(test_accuracy[-1], run.final_train) \
            and not np.isclose(run.final_test, run.final_train):
        return "swapped", "its two lists look swapped."
    if not np.isclose(test_accuracy[-1], run.final_test):
        return "last test", (f"its last test accuracy is {test_accuracy[-1]:.4f}, but the trained model gets "
                             f"{run.final_test:.4f} on x_test.")
    if not (np.isclose(train_accuracy[-1], run.final_train) or np.isclose(train_accuracy[-1], running)):
        return "last train", (f"its last training accuracy is {train_accuracy[-1]:.4f}, but the trained model gets "
                              f"{run.final_train:.4f} on x.")
    return None, None


def _fit(model, loss, optimizer, x, t, x_test, t_test, epochs, batch_size, rng, slip=None):
    """The right training loop; `slip` switches on one mistake a learner makes (see FIT's mistakes)."""
    train_accuracy, test_accuracy = [], []
    fixed = rng.permutation(len(x))
    if slip == "own loss":
        loss = CrossEntropyLoss()
    if slip == "own optimizer":
        optimizer = SGD(model.parameters(), lr=0.1)
    for epoch in range(1 if slip == "one epoch" else epochs):
        if slip == "measured first":
            train_accuracy.append(accuracy(model.forward(x), t))
            test_accuracy.append(accuracy(model.forward(x_test), t_test))
        order = {"no shuffle": np.arange(len(x)), "same order": fixed}.get(slip, rng.permutation(len(x)))
        end = len(x) - len(x) % batch_size if slip == "last batch skipped" else len(x)
        for start in range(0, end, batch_size // 2 if slip == "overlap" else batch_size):
            batch = order[start:start + batch_size + (slip == "too big")]
            if slip == "resample":   # a fresh sample each batch, not slices of one permutation
                batch = rng.permutation(len(x))[:len(batch)]
            output = model.forward(x[batch] / 255 if slip == "divide again" else x[batch])
            labels = t[start:start + len(batch)] if slip == "other labels" else t[batch]
            loss.forward(softmax(output) if slip == "probabilities" else output, labels)
            if slip == "step first":
                optimizer.step()
            if slip == "output to backward":
                model.backward(output)
            elif slip not in ("no backward", "once per epoch"):
                model.backward(loss.backward())
            if slip == "zero gradients":
                for _, grad in model.parameters():
                    grad[...] = 0
            if slip not in ("step first", "no step", "once per epoch", "step once per epoch"):
                optimizer.step()
            if slip == "per batch":
                train_accuracy.append(accuracy(output, t[batch]))
                test_accuracy.append(accuracy(model.forward(x_test), t_test))
        if slip == "once per epoch":  # backward and step indented one level too little
            model.backward(loss.backward())
        if slip in ("once per epoch", "step once per epoch"):
            optimizer.step()
        if slip == "last batch accuracy":
            train_accuracy.append(accuracy(output, t[batch]))
            test_accuracy.append(accuracy(model.forward(x_test), t_test))
        elif slip not in ("measured first", "per batch", "after the loop"):
            train_accuracy.append(accuracy(model.forward(x), t))
            test_accuracy.append(accuracy(model.forward(x_test), t_test))
    if slip == "after the loop":
        train_accuracy.append(accuracy(model.forward(x), t))
        test_accuracy.append(accuracy(model.forward(x_test), t_test))
    return train_accuracy, test_accuracy


def _fit_with(slip=None, returns=None):
    """A my_fit with one slip: in its loop, or in what it returns (returns(train_accuracy, test_accuracy))."""
    def my_fit(*args):
        lists = _fit(*args, slip=slip)
        return returns(*lists) if returns else lists
    return my_fit


@functools.lru_cache(maxsize=1)
def _fit_solution_run():
    return _watch_fit(_fit)


def _slip_is(name):
    """The symptom of one slip: the first thing wrong in the run is `name`."""
    return lambda attempt: attempt.got.slip[0] == name


_LISTS = "two lists, training accuracy and test accuracy, one number per epoch"

FIT = Exercise(
    "my_fit", lesson="07", solution=_fit,
    cases=[Case(f"{FIT_TRAIN} MNIST training images ({FIT_TEST} test), {FIT_EPOCHS} epochs in batches of {FIT_BATCH}, "
                "a 784-32-10 network and SGD(lr=0.1)")],
    run=lambda fn, case: _fit_solution_run() if fn is _fit else _watch_fit(fn),
    accept=lambda attempt: attempt.got.slip[1] or True,
    mistakes=[Mistake("Hand backward the slope of the loss, model.backward(loss.backward()): the output is not a "
                      "gradient, and training on it goes nowhere (lowering the learning rate does not help).",
                      answer=_fit_with("output to backward"), raises=lambda error: isinstance(error, WrongGradient))] + [
        Mistake(hint, answer=answer, when=_slip_is(slip)) for slip, answer, hint in [
        ("no loss", _fit_with("own loss"), "For each batch compute loss.forward(model.forward(x[batch]), t[batch])."),
        ("not the model's output", _fit_with("probabilities"),
         "Feed the loss the model's output as it is: loss.forward(model.forward(x[batch]), t[batch])."),
        ("not rows of x", _fit_with("divide again"), "Take the images as x[batch]."),
        ("other labels", _fit_with("other labels"), "Index both with the same batch: x[batch] and t[batch]."),
        ("too big", _fit_with("too big"), "Take batch = order[start:start + batch_size]."),
        ("last batch skipped", _fit_with("last batch skipped"),
         "my_fit skips the last partial batch. Use range(0, len(x), batch_size): the last slice "
         "order[start:start + batch_size] simply holds the images left."),
        ("overlap", _fit_with("overlap"),
         "my_fit's batches overlap: move the start by batch_size each time, range(0, len(x), batch_size), and take "
         "order[start:start + batch_size]."),
        ("too few", _fit_with("one epoch"),
         "Every epoch must use every image once. Loop over the epochs, and in each over range(0, len(x), batch_size)."),
        ("twice in an epoch", _fit_with("resample"),
         "my_fit's batches overlap: take consecutive slices of one permutation, order[start:start + batch_size]."),
        ("no shuffle", _fit_with("no shuffle"),
         "my_fit does not shuffle: start each epoch with order = rng.permutation(len(x)) and cut the batches from "
         "order."),
        ("same order", _fit_with("same order"),
         "my_fit is not shuffled each epoch: call rng.permutation(len(x)) inside the epoch loop, so each epoch gets "
         "a new order."),
        ("no backward", _fit_with("no backward"),
         "Without it no gradient is computed, so optimizer.step() has nothing to follow. After the loss, call "
         "model.backward(loss.backward())."),
        ("backward count", _fit_with("once per epoch"), "Call model.backward once per batch, right after the loss."),
        ("own optimizer", _fit_with("own optimizer"),
         "Call optimizer.step() once per batch (a new nn.SGD inside my_fit ignores the caller's learning rate and "
         "momentum)."),
        ("no step", _fit_with("no step"), "Call optimizer.step() after model.backward(...), once per batch."),
        ("step count", _fit_with("step once per epoch"),
         "Call optimizer.step() once per batch, inside the batch loop."),
        ("order", _fit_with("step first"),
         "For each batch it must be loss, then model.backward, then optimizer.step (a step before backward follows "
         "the previous batch's gradient)."),
        ("zero gradients", _fit_with("zero gradients"),
         "Call model.backward(loss.backward()) before each optimizer.step(), and do not zero the gradients between "
         "them."),
        ("returned None", _fit_with(returns=lambda *lists: None),
         f"End it with `return train_accuracy, test_accuracy` ({_LISTS})."),
        ("not two lists", _fit_with(returns=lambda train, test: {"train": train, "test": test}),
         f"Expected {_LISTS}: `return train_accuracy, test_accuracy`."),
        ("not a list", _fit_with(returns=lambda train, test: (train[-1], test[-1])),
         "Keep a list for each and append to it once per epoch."),
        ("empty", _fit_with(returns=lambda *lists: ([], [])),
         "my_fit recorded no accuracy. After each epoch's batches, append nn.accuracy(model.forward(x), t) and "
         "nn.accuracy(model.forward(x_test), t_test)."),
        ("too long", _fit_with("per batch"),
         "Expected one number per epoch: record it once per epoch, after the batch loop, not inside it."),
        ("too short", _fit_with("after the loop"),
         "Expected one number per epoch: record it in every epoch, inside the epoch loop."),
        ("not numbers", _fit_with(returns=lambda train, test: ([f"{a:.1%}" for a in train], test)),
         "Append the numbers nn.accuracy gives, not text."),
        ("not fractions", _fit_with(returns=lambda train, test: ([100 * a for a in train], [100 * a for a in test])),
         "nn.accuracy gives those; no percentages, no counts."),
        ("swapped", _fit_with(returns=lambda train, test: (test, train)),
         "Return the training accuracy first, then the test accuracy."),
        ("last test", _fit_with("measured first"),
         "Measure nn.accuracy(model.forward(x_test), t_test) at the end of each epoch, after its batches."),
        ("last train", _fit_with("last batch accuracy"),
         "Measure nn.accuracy(model.forward(x), t) at the end of each epoch."),
    ]],
    success=f"my_fit shuffles every epoch, feeds every image once per epoch in batches of {FIT_BATCH}, takes one "
            "step per batch and records both accuracies.")
check_fit = FIT.check


def try_fit(fn, model, loss, optimizer, x, t, x_test, t_test, epochs, batch_size, rng):
    """Run the learner's fn for the lesson's plot; (train_acc, test_acc) lists, or None after one plain sentence."""
    name = getattr(fn, "__name__", "my_fit")
    try:
        returned = fn(model, loss, optimizer, x, t, x_test, t_test, epochs, batch_size, rng)
    except NotImplementedError:
        print(f"⏳ {name}: not done yet, so there is nothing to plot. Write {name} above, then run this cell again.")
        return None
    except Exception as error:  # the learner's code failed: say where, not a traceback
        print(f"❌ {name} raised {type(error).__name__}: {error} (run l07.check_fit({name}) to find out why).")
        return None
    lists, slip = _accuracy_lists(returned, epochs)
    if slip:
        print(f"❌ nothing to plot from {name}: {slip[1]} Run l07.check_fit({name}) to find out why.")
        return None
    return lists


def show_accuracy_curves(train_accuracy, test_accuracy):
    """Training and test accuracy per epoch as two lines; returns the pyplot figure."""
    epochs = np.arange(1, len(train_accuracy) + 1)
    fig, ax = plt.subplots(figsize=(7, 3.6), dpi=100, layout="constrained")
    ax.plot(epochs, train_accuracy, "o-", label="training images")
    ax.plot(epochs, test_accuracy, "s-", label="test images")
    ax.set_xticks(epochs)
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy")
    ax.set_title("Your training loop: accuracy after each epoch")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=9)  # outside the axes: never over a line
    return fig
