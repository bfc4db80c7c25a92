"""Lesson 07, MNIST inference: pure views, figure helpers, the digit explorer widget, the exercise check.

Images are flattened float32 rows (784,) with values in [0, 1], as from nnlib.load_mnist().
"""
import ast
import contextlib
import functools
import inspect
import io
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
from .exercise import failed, not_done, passed
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

def _silenced(check):
    """check(fn, quiet=False): with quiet=True the check prints nothing (for hidden solutions)."""
    @functools.wraps(check)
    def wrapper(fn, quiet=False):
        if not quiet:
            return check(fn)
        with contextlib.redirect_stdout(io.StringIO()):
            return check(fn)
    return wrapper


def _has_loop(fn):
    """True if fn's source contains a for/while loop or a comprehension (None if the source is unknown)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError):
        return None
    loops = (ast.For, ast.While, ast.ListComp, ast.GeneratorExp, ast.SetComp, ast.DictComp)
    return any(isinstance(node, loops) for node in ast.walk(tree))


def _as_number(got):
    """got as a float, or None when it is not one number (None, a list, a dict, an array of several values)."""
    if isinstance(got, (bool, np.bool_)) or got is None or isinstance(got, (str, bytes, dict, list, tuple, set)):
        return None
    try:
        array = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return float(array) if array.shape == () else None


def _accuracy_problem(name, description, got, output, labels):
    """None if got is the accuracy of output against labels, else a sentence naming the likely cause."""
    expected = accuracy(output, labels)
    if got is None:
        return f"{name} returned None on {description}: did you forget `return`?"
    number = _as_number(got)
    if number is None:
        shape = np.shape(got) if isinstance(got, np.ndarray) else None
        if shape is not None and shape != ():
            return (f"{name} on {description}: expected one number (the fraction correct), "
                    f"got an array of shape {shape}. Did you forget np.mean, or compare arrays of different shapes?")
        return (f"{name} on {description}: expected one number (the fraction correct), "
                f"got a {type(got).__name__}: {got!r:.60}.")
    if np.isclose(number, expected):
        return None
    labels = np.asarray(labels)
    integer_labels = labels.argmax(axis=1) if labels.ndim == 2 else labels
    without_axis = np.mean(np.argmax(output) == integer_labels)
    if np.isclose(number, without_axis):
        return (f"{name} on {description}: got {number:.4f}, expected {expected:.4f}. "
                "argmax needs axis=1 to pick one class per row: np.argmax(output) without axis returns "
                "one number for the whole batch (an index into the flattened array).")
    if labels.ndim == 2 and np.isclose(number, np.mean(np.asarray(output).argmax(axis=1) == labels)):
        return (f"{name} on {description}: got {number:.4f}, expected {expected:.4f}. These labels are one-hot rows "
                f"of shape {labels.shape}: comparing them with {len(labels)} predictions broadcasts to a "
                f"{labels.shape} table. Turn them into integers first: labels.argmax(axis=1).")
    if np.isclose(number, 100 * expected):
        return (f"{name} on {description}: got {number:.4g}, a percentage; return the fraction "
                f"between 0 and 1 ({expected:.4f}).")
    if np.isclose(number, expected * len(output)):
        return (f"{name} on {description}: got {number:.4g}, the number of right rows; divide by the number of "
                f"rows (np.mean instead of np.sum) to get the fraction {expected:.4f}.")
    return f"{name} on {description}: expected {expected:.4f} (as nn.accuracy), got {number:.4f}."


@_silenced
def check_batch_accuracy(fn):
    """Check fn(output, labels) -> fraction correct, against nn.accuracy.

    output: (batch, 10) scores; labels: integer labels (batch,) or one-hot rows (batch, 10).
    Must be batched (no Python loop over samples) and raise ValueError when the
    number of labels does not match the number of rows. quiet=True prints nothing.
    """
    name = "batch_accuracy"
    rng = np.random.default_rng(7)
    output = rng.standard_normal((50, 10)).astype(np.float32)
    labels = output.argmax(axis=1)
    labels[::3] = (labels[::3] + 1) % 10  # 17 of 50 wrong: accuracy 0.66
    one_hot = to_one_hot(labels, 10)
    perfect = to_one_hot(np.array([3, 1, 4, 1, 5]), 10) * 5.0
    cases = [
        ("50 rows of scores and integer labels", output, labels),
        ("the same labels one-hot, shape (50, 10)", output, one_hot),
        ("5 rows that are all right", perfect, np.array([3, 1, 4, 1, 5])),
    ]
    if _has_loop(fn):
        return failed(f"{name} has a loop over the samples; use whole-array operations "
                      "(argmax(axis=1), ==, mean) so NumPy does the looping in C.")
    for description, case_output, case_labels in cases:
        try:
            got = fn(case_output.copy(), case_labels.copy())
        except NotImplementedError:
            return not_done(name)
        except ValueError as error:
            if "broadcast" in str(error) and case_labels.ndim == 2:
                return failed(f"{name} raised ValueError on {description}: {str(error).strip()}. These labels are one-hot rows "
                              f"of shape {case_labels.shape}, which cannot be compared with {len(case_labels)} "
                              "predictions. Turn them into integers first: labels.argmax(axis=1).")
            if "broadcast" in str(error):
                return failed(f"{name} raised ValueError on {description}: {str(error).strip()}. Two arrays of different "
                              "lengths were compared: did you take argmax over axis=0 (10 numbers, one per class) "
                              "instead of axis=1 (one per row)?")
            return failed(f"{name} raised ValueError on {description}: {error}")
        except Exception as error:  # the learner's code failed: say where, not a traceback
            return failed(f"{name} raised {type(error).__name__} on {description}: {error}")
        problem = _accuracy_problem(name, description, got, case_output, case_labels)
        if problem:
            return failed(problem)
    try:
        got = fn(output, labels[:40])
    except ValueError:
        pass
    except Exception as error:
        return failed(f"{name} on 50 rows but 40 labels: expected a ValueError, got {type(error).__name__}: {error}")
    else:
        return failed(f"{name} on 50 rows of output but only 40 labels: expected a ValueError "
                      f"(the shapes (50,) and (40,) do not match), but it returned {got!r}.")
    return passed(f"{name} agrees with nn.accuracy, for integer and one-hot labels, without a loop, "
                  "and refuses labels of the wrong length.")


# ---------------------------------------------------------------- exercise: the training loop

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
        return self._model.backward(grad, *args, **kwargs)

    def predict(self, x):
        return np.asarray(self.forward(x)).argmax(axis=1)

    def __getattr__(self, name):
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

    def backward(self):
        return self._loss.backward()

    def __getattr__(self, name):
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


@functools.lru_cache(maxsize=1)
def _fit_data():
    (x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, flatten=True, one_hot_label=False)
    return x_train[:FIT_TRAIN].copy(), t_train[:FIT_TRAIN].copy(), x_test[:FIT_TEST].copy(), t_test[:FIT_TEST].copy()


def _small_net(seed=0):
    rng = np.random.default_rng(seed)
    return Sequential([Linear(784, 32, rng=rng, dtype=np.float32), ReLU(), Linear(32, 10, rng=rng, dtype=np.float32)])


def _history_problem(name, got, epochs):
    """(train, test) lists of floats from my_fit's result, or a sentence saying what is wrong with it."""
    shape_hint = "two lists, training accuracy and test accuracy, one number per epoch"
    if got is None:
        return None, (f"{name} returned None: end it with `return train_accuracy, test_accuracy` ({shape_hint}).")
    if isinstance(got, dict) or not isinstance(got, (tuple, list)) or len(got) != 2:
        what = f"a {type(got).__name__}" + (f" of length {len(got)}" if isinstance(got, (tuple, list)) else "")
        return None, f"{name} returned {what}; expected {shape_hint}: `return train_accuracy, test_accuracy`."
    lists = []
    for which, values in zip(("training", "test"), got):
        if isinstance(values, (str, bytes, dict)) or np.ndim(values) != 1:
            return None, (f"{name}'s {which} accuracy should be a list with one number per epoch, "
                          f"got {type(values).__name__} {values!r:.60}.")
        if len(values) == 0:
            return None, (f"{name} recorded no accuracy: the {which} list is empty. After each epoch's batches, "
                          "append nn.accuracy(model.forward(x), t) and nn.accuracy(model.forward(x_test), t_test).")
        if len(values) != epochs:
            where = (" (record it once per epoch, after the batch loop, not inside it)" if len(values) > epochs
                     else " (record it in every epoch, inside the epoch loop)")
            return None, (f"{name} returned {len(values)} {which} accuracies for {epochs} epochs: "
                          f"wrong length of history; expected one number per epoch{where}.")
        try:
            numbers = [float(v) for v in values]
        except (TypeError, ValueError):
            return None, f"{name}'s {which} accuracy should hold numbers, got {values!r:.60}."
        if not all(0 <= v <= 1 for v in numbers):
            return None, (f"{name}'s {which} accuracies {[round(v, 3) for v in numbers]} should be fractions "
                          "between 0 and 1 (nn.accuracy gives those; no percentages, no counts).")
        lists.append(numbers)
    return lists, None


def _loop_problem(name, x, t, calls, epochs, batch_size):
    """A sentence about how the batches were cut and fed, or None if every epoch saw every image once."""
    n = len(x)
    row_index = {row.tobytes(): i for i, row in enumerate(x)}
    batches = []
    for images, target, _ in calls:
        if images is None:
            return (f"{name}: the loss got an output that the model did not just compute; feed the loss "
                    "loss.forward(model.forward(x[batch]), t[batch]).")
        images = np.asarray(images, dtype=np.float32).reshape(len(images), -1)
        index = [row_index.get(row.tobytes(), -1) for row in images]
        if -1 in index:
            return f"{name} fed the model images that are not rows of x; take them as x[batch]."
        index = np.array(index)
        target = np.asarray(target)
        if target.ndim == 2:  # one-hot rows are fine too
            target = target.argmax(axis=1)
        if len(target) != len(index) or not np.array_equal(target, t[index]):
            return (f"{name}'s labels do not belong to its images: the loss got the labels of other images "
                    "than the ones the model saw. Index both with the same batch: x[batch] and t[batch].")
        batches.append(index)
    sizes = [len(b) for b in batches]
    if max(sizes) > batch_size:
        return (f"{name} fed a batch of {max(sizes)} images, but batch_size is {batch_size}; "
                "take batch = order[start:start + batch_size].")
    seen, expected = sum(sizes), epochs * n
    full = (n // batch_size) * batch_size
    if seen == epochs * full and full < n:
        return (f"{name} skips the last partial batch: {n} images in batches of {batch_size} leave {n - full} over "
                f"({n} = {n // batch_size} × {batch_size} + {n - full}), and your loop fed only {full} images per epoch. "
                f"Use range(0, len(x), batch_size): the last slice order[{full}:{full + batch_size}] simply holds "
                f"the {n - full} images left.")
    if seen > expected:
        return (f"{name}'s batches overlap: the loss saw {seen} images in {epochs} epochs of {n} "
                f"(expected {expected}), so some images came more than once per epoch. Move the start by "
                "batch_size each time, range(0, len(x), batch_size), and take order[start:start + batch_size].")
    if seen < expected:
        return (f"{name} fed the loss {seen} images in {epochs} epochs of {n} (expected {expected}): every epoch "
                "must use every image once. Loop over the epochs, and in each over range(0, len(x), batch_size).")
    order = np.concatenate(batches).reshape(epochs, n)
    for epoch, row in enumerate(order):
        if not np.array_equal(np.sort(row), np.arange(n)):
            return (f"{name}'s batches overlap: in epoch {epoch + 1} some images came twice and others never. "
                    "Take consecutive slices of one permutation: order[start:start + batch_size].")
    if np.array_equal(order[0], np.arange(n)):
        return (f"{name} does not shuffle: epoch 1 fed the images in their stored order 0, 1, 2, … "
                "Start each epoch with order = rng.permutation(len(x)) and cut the batches from order.")
    if all(np.array_equal(row, order[0]) for row in order[1:]):
        return (f"{name} is not shuffled each epoch: every epoch fed the images in the same order. "
                "Call rng.permutation(len(x)) inside the epoch loop, so each epoch gets a new order.")
    return None


def _run_fit(fn, model, loss, optimizer, x, t, x_test, t_test, epochs, batch_size, rng):
    """Call fn; return (result, None) or (None, a sentence for the learner); NotImplementedError passes through."""
    try:
        return fn(model, loss, optimizer, x, t, x_test, t_test, epochs, batch_size, rng), None
    except NotImplementedError:
        raise
    except Exception as error:  # the learner's code failed: say where, not a traceback
        return None, f"{getattr(fn, '__name__', 'my_fit')} raised {type(error).__name__}: {error}"


def _calls_problem(name, call, count, batches, where, never):
    """What is wrong when `call` ran `count` times in `batches` mini-batches (it should run once per batch)."""
    if count == 0:
        return f"{name} never called {never}"
    if count != batches:
        return f"{name} called {call} {count} times for {batches} mini-batches: call it once per batch, {where}."
    return None


@_silenced
def check_fit(fn):
    """Check fn(model, loss, optimizer, x, t, x_test, t_test, epochs, batch_size, rng) -> (train_acc, test_acc).

    Runs fn on 2000 MNIST training images (500 test images), 2 epochs, batches of 64,
    a 784-32-10 ReLU network and SGD(lr=0.1), watching every forward, loss, backward
    and step. quiet=True prints nothing.
    """
    name = "my_fit"
    epochs, batch_size = 2, 64
    x, t, x_test, t_test = _fit_data()
    events = []
    model = _SpyModel(_small_net(), events)
    before = [value.copy() for value, _ in model.parameters()]
    loss = _SpyLoss(model)
    optimizer = _SpyOptimizer(SGD(model.parameters(), lr=0.1), events)
    try:
        got, error = _run_fit(fn, model, loss, optimizer, x.copy(), t.copy(), x_test.copy(), t_test.copy(),
                              epochs, batch_size, np.random.default_rng(1))
    except NotImplementedError:
        return not_done(name)
    if error:
        return failed(error)
    if not loss.calls:
        return failed(f"{name} never called the loss it was given: for each batch compute "
                      "loss.forward(model.forward(x[batch]), t[batch]).")
    problem = _loop_problem(name, x, t, loss.calls, epochs, batch_size)
    if problem:
        return failed(problem)
    batches = len(loss.calls)
    problem = _calls_problem(
        name, "model.backward", model.backward_calls, batches, "right after the loss",
        never="model.backward(...): without it no gradient is computed, so optimizer.step() has nothing to follow. "
              "After the loss, call model.backward(loss.backward()).")
    if problem:
        return failed(problem)
    changed = any(not np.array_equal(value, old) for (value, _), old in zip(model.parameters(), before))
    if optimizer.steps == 0 and changed:
        return failed(f"{name} changed the weights without the optimizer it was given: call optimizer.step() "
                      "once per batch (a new nn.SGD inside my_fit ignores the caller's learning rate and momentum).")
    problem = _calls_problem(
        name, "optimizer.step()", optimizer.steps, batches, "inside the batch loop",
        never="optimizer.step(): the weights are unchanged after training. "
              "Call optimizer.step() after model.backward(...), once per batch.")
    if problem:
        return failed(problem)
    per_batch = ["loss", "model.backward", "optimizer.step"]
    if events != per_batch * batches:
        first = events[:3]
        return failed(f"{name} calls them in the wrong order: for each batch it must be loss, then model.backward, "
                      f"then optimizer.step (a step before backward follows the previous batch's gradient); "
                      f"your first batch did {', '.join(first)}.")
    if not changed:
        return failed(f"{name} called optimizer.step() but the weights did not change: the gradients were zero. "
                      "Call model.backward(loss.backward()) before each optimizer.step().")
    lists, problem = _history_problem(name, got, epochs)
    if problem:
        return failed(problem)
    train_accuracy, test_accuracy = lists
    final_test = accuracy(model._model.forward(x_test), t_test)
    final_train = accuracy(model._model.forward(x), t)
    last_batches = loss.calls[-(batches // epochs):]
    running = (sum(np.sum(pred.argmax(axis=1) == target) for _, target, pred in last_batches)
               / sum(len(target) for _, target, _ in last_batches))
    if np.isclose(train_accuracy[-1], final_test) and np.isclose(test_accuracy[-1], final_train) \
            and not np.isclose(final_test, final_train):
        return failed(f"{name}'s two lists look swapped: return the training accuracy first, "
                      "then the test accuracy.")
    if not np.isclose(test_accuracy[-1], final_test):
        return failed(f"{name}'s last test accuracy is {test_accuracy[-1]:.4f}, but the trained model gets "
                      f"{final_test:.4f} on x_test: measure nn.accuracy(model.forward(x_test), t_test) at the end "
                      "of each epoch, after its batches.")
    if not (np.isclose(train_accuracy[-1], final_train) or np.isclose(train_accuracy[-1], running)):
        return failed(f"{name}'s last training accuracy is {train_accuracy[-1]:.4f}, but the trained model gets "
                      f"{final_train:.4f} on x: measure nn.accuracy(model.forward(x), t) at the end of each epoch.")
    return passed(f"{name} shuffles every epoch, feeds every image once per epoch in batches of {batch_size}, "
                  f"takes one step per batch and records both accuracies: test accuracy {test_accuracy[-1]:.3f} "
                  f"after {epochs} epochs on {len(x)} images.")


def try_fit(fn, model, loss, optimizer, x, t, x_test, t_test, epochs, batch_size, rng):
    """Run the learner's fn for the lesson's plot; (train_acc, test_acc) lists, or None after one plain sentence."""
    name = getattr(fn, "__name__", "my_fit")
    try:
        got, error = _run_fit(fn, model, loss, optimizer, x, t, x_test, t_test, epochs, batch_size, rng)
    except NotImplementedError:
        print(f"⏳ {name}: not done yet, so there is nothing to plot. Write {name} above, then run this cell again.")
        return None
    if error:
        print(f"❌ {error} (run l07.check_fit({name}) to find out why).")
        return None
    lists, problem = _history_problem(name, got, epochs)
    if problem:
        print(f"❌ nothing to plot: {problem}")
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
