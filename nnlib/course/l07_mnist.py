"""Lesson 07, MNIST inference: pure views, figure helpers, the digit explorer widget, the exercise check.

Images are flattened float32 rows (784,) with values in [0, 1], as from nnlib.load_mnist().
"""
import ast
import inspect
import textwrap
import time

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from ..activations import softmax
from .exercise import failed, not_done, passed
from ..train import accuracy
from .widgets import FigureWidget

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
    n = len(images)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.2 * ncols, 1.45 * nrows + 0.4), squeeze=False)
    for i, ax in enumerate(axes.ravel()):
        ax.set_axis_off()
        if i < n:
            ax.imshow(np.reshape(images[i], (SIDE, SIDE)), cmap="gray_r", vmin=0, vmax=1)
            ax.set_title(titles[i], fontsize=9, color="black" if colors is None else colors[i])
    fig.suptitle(title)
    fig.supxlabel("each image: 28 × 28 pixels, dark = ink", fontsize=9)
    return fig


def show_confusion(matrix):
    """The confusion matrix as a heat map with counts; returns the pyplot figure."""
    fig, ax = plt.subplots(figsize=(5.5, 5))
    ax.imshow(np.log1p(matrix), cmap="Blues")
    for (i, j), count in np.ndenumerate(matrix):
        ax.text(j, i, str(count), ha="center", va="center", fontsize=7,
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
        self.index = widgets.IntSlider(value=index, min=0, max=len(images) - 1, description="test image #",
                                       continuous_update=True, style={"description_width": "initial"})
        self.noise = widgets.FloatSlider(value=0.0, min=0.0, max=1.0, step=0.05, description="noise σ",
                                         continuous_update=True, style={"description_width": "initial"})
        self.shift = widgets.IntSlider(value=0, min=-10, max=10, description="shift → (pixels)",
                                       continuous_update=True, style={"description_width": "initial"})
        self.label = widgets.Label()
        self.verdict = widgets.HTML()
        self.figure = FigureWidget(1, 2, figsize=(7.5, 3.2))
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
        self.figure.axes[0].set_title(f"test image #{i} (true digit {truth})")
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


# ---------------------------------------------------------------- exercise

def _has_loop(fn):
    """True if fn's source contains a for/while loop or a comprehension (None if the source is unknown)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError):
        return None
    loops = (ast.For, ast.While, ast.ListComp, ast.GeneratorExp, ast.SetComp, ast.DictComp)
    return any(isinstance(node, loops) for node in ast.walk(tree))


def _scalar_close(name, description, expected):
    def judge(got):
        shape = np.shape(got)
        if shape != ():
            return (f"{name} on {description}: expected one number (the fraction correct), "
                    f"got an array of shape {shape}. Did you forget np.mean, or compare arrays of different shapes?")
        if not np.isclose(float(got), expected):
            return f"{name} on {description}: expected {expected:.4f} (as nn.accuracy), got {float(got):.4f}."
        return None
    return judge


def check_batch_accuracy(fn):
    """Check fn(output, labels) -> fraction correct, against nn.accuracy.

    output: (batch, 10) scores; labels: integer labels (batch,) or one-hot rows (batch, 10).
    Must be batched (no Python loop over samples) and raise ValueError when the
    number of labels does not match the number of rows.
    """
    name = "batch_accuracy"
    rng = np.random.default_rng(7)
    output = rng.standard_normal((50, 10)).astype(np.float32)
    labels = output.argmax(axis=1)
    labels[::3] = (labels[::3] + 1) % 10  # 17 of 50 wrong: accuracy 0.66
    one_hot = np.eye(10, dtype=np.float32)[labels]
    perfect = np.eye(10, dtype=np.float32)[[3, 1, 4, 1, 5]] * 5.0
    cases = [
        ("50 rows of scores and integer labels", (output, labels),
         _scalar_close(name, "50 rows of scores and integer labels", accuracy(output, labels))),
        ("the same labels one-hot, shape (50, 10)", (output, one_hot),
         _scalar_close(name, "one-hot labels of shape (50, 10) (take their argmax over axis=1)", accuracy(output, one_hot))),
        ("5 rows, all right", (perfect, np.array([3, 1, 4, 1, 5])),
         _scalar_close(name, "5 rows that are all right", 1.0)),
    ]
    if _has_loop(fn):
        return failed(f"{name} has a loop over the samples; use whole-array operations "
                      "(argmax(axis=1), ==, mean) so NumPy does the looping in C.")
    for description, args, judge in cases:
        try:
            problem = judge(fn(*args))
        except NotImplementedError:
            return not_done(name)
        except Exception as error:  # the learner's code failed: say where, not a traceback
            return failed(f"{name} raised {type(error).__name__} on {description}: {error}")
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
