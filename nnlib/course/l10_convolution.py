"""Lesson 10, convolutional networks: convolution by hand, the output-size widget, the
kernel editor, the course's 99% CNN (its file, WEIGHTS), the shift experiment and
the output-size exercise check."""
from pathlib import Path

import ipywidgets as widgets
import numpy as np

from . import exercise
from ..activations import softmax
from ..conv import Conv2D, output_size
from .plots import picture_grid
from .widgets import FigureWidget, slider

SIDE = 28  # MNIST images are 28 x 28 pixels
ROOT = Path(__file__).resolve().parents[2]
WEIGHTS = ROOT / "data" / "models" / "cnn_mnist.npz"  # the 99% network (scripts/train_cnn.py): nn.load(WEIGHTS)

# ---------------------------------------------------------------- the course's 99% network


def probabilities(model, images, batch_size=1000):
    """Softmax probabilities (n, 10) of a CNN on images (n, 28, 28) or (n, 1, 28, 28), in batches."""
    x = np.asarray(images, dtype=np.float32).reshape(-1, 1, SIDE, SIDE)
    outputs = [model.forward(x[i:i + batch_size]) for i in range(0, len(x), batch_size)]
    return softmax(np.concatenate(outputs)) if outputs else np.zeros((0, 10), dtype=np.float32)


# ---------------------------------------------------------------- convolution by hand


def correlate(image, kernel, stride=1, padding=0):
    """One channel's convolution with two loops, the definition itself (no im2col).

    image: (H, W); kernel: (K, K). out[r, q] = sum(patch * kernel), where the
    patch is the K x K window at (r * stride, q * stride) of the zero-padded image.
    Returns (out_h, out_w) with out = (H + 2P - K) // S + 1 along each axis.
    """
    image = np.pad(np.asarray(image, dtype=np.float64), padding)
    kernel = np.asarray(kernel, dtype=np.float64)
    k = kernel.shape[0]
    out_h = (image.shape[0] - k) // stride + 1
    out_w = (image.shape[1] - k) // stride + 1
    out = np.zeros((out_h, out_w))
    for r in range(out_h):
        for q in range(out_w):
            patch = image[r * stride:r * stride + k, q * stride:q * stride + k]
            out[r, q] = np.sum(patch * kernel)
    return out


def conv_layer_with(kernel, stride=1, padding=0):
    """An nnlib Conv2D(1 -> 1) whose one kernel is `kernel` (K, K) and bias 0, in float64."""
    kernel = np.asarray(kernel, dtype=np.float64)
    layer = Conv2D(1, 1, kernel.shape[0], stride=stride, padding=padding, rng=np.random.default_rng(0),
                   dtype=np.float64)
    layer.W[...] = kernel
    layer.b[...] = 0
    return layer


def feature_map(image, kernel, stride=1, padding=0):
    """nnlib's Conv2D applied to one (H, W) image with one kernel: the (out_h, out_w) feature map."""
    layer = conv_layer_with(kernel, stride, padding)
    return layer.forward(np.asarray(image, dtype=np.float64)[np.newaxis, np.newaxis])[0, 0]


# ---------------------------------------------------------------- output size widget


def shape_formula(size, kernel, stride, padding):
    """The output-size formula with the numbers put in, as text."""
    out = output_size(size, kernel, stride, padding)
    return f"out = (H + 2P − K) // S + 1 = ({size} + 2·{padding} − {kernel}) // {stride} + 1 = {out}"


class ShapeWidget:
    """Sliders for K, S, P on one digit (H = 28): the formula in a Label, the feature map beside the digit."""

    def __init__(self, image, kernel=3, stride=1, padding=0):
        self.image_data = np.asarray(image, dtype=np.float64).reshape(SIDE, SIDE)
        self.kernel = slider("kernel K", kernel, 1, 9, integer=True)
        self.stride = slider("stride S", stride, 1, 4, integer=True)
        self.padding = slider("padding P", padding, 0, 4, integer=True)
        self.label = widgets.Label()
        self.figure = FigureWidget(1, 2, figsize=(7, 3.4))
        for control in (self.kernel, self.stride, self.padding):
            control.observe(self.update, names="value")
        self.box = widgets.VBox([self.kernel, self.stride, self.padding, self.label,
                                 self.figure.image])
        self.update()

    def update(self, change=None):
        k, s, p = self.kernel.value, self.stride.value, self.padding.value
        self.label.value = shape_formula(SIDE, k, s, p)
        blur = np.full((k, k), 1.0 / (k * k))
        out = feature_map(self.image_data, blur, s, p)
        left, right = self.figure.axes
        for ax in (left, right):
            ax.clear()
        left.imshow(np.pad(self.image_data, p), cmap="gray_r", vmin=0, vmax=1)
        left.add_patch(_square(-0.5, -0.5, k))  # the kernel's first position
        left.set_title(f"input {SIDE}×{SIDE}, padded by {p}: {SIDE + 2 * p}×{SIDE + 2 * p}", fontsize=10)
        right.imshow(out, cmap="gray_r", vmin=0, vmax=1)
        right.set_title(f"output {out.shape[0]}×{out.shape[1]} ({k}×{k} average, stride {s})", fontsize=10)
        for ax in (left, right):
            ax.set_xlabel("column")
            ax.set_ylabel("row")
        self.figure.refresh()


def _square(x, y, k):
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), k, k, fill=False, edgecolor="tab:red", linewidth=2)


def build_shape_widget(image, **defaults):
    """The output-size widget; display(view.box) to show it."""
    return ShapeWidget(image, **defaults)


# ---------------------------------------------------------------- kernel editor

KERNELS = {
    "vertical edge": [[1, 0, -1], [1, 0, -1], [1, 0, -1]],
    "horizontal edge": [[1, 1, 1], [0, 0, 0], [-1, -1, -1]],
    "blur": [[1 / 9] * 3] * 3,
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
}
WEIGHT_RANGE = (-5.0, 5.0)   # the weight sliders' range: every preset fits, sharpen's 5 included


def colour_limit(fmap):
    """The feature map's colour scale runs from -limit (blue) to +limit (red): its largest size, at least 1,
    so no value is clipped and a weak map is not blown up."""
    return max(1.0, float(np.abs(fmap).max()))


def _signed(value):
    """A number with its sign and two decimals, never "-0.00" (a tiny negative rounds to +0.00)."""
    return f"{round(float(value), 2) + 0.0:+.2f}"


def kernel_summary(kernel, fmap):
    """One line about a feature map: its shape and range."""
    return (f"kernel sum {_signed(np.sum(kernel))}; feature map {fmap.shape[0]}×{fmap.shape[1]}, "
            f"from {_signed(fmap.min())} to {_signed(fmap.max())}")


class KernelEditor:
    """Nine sliders (the 3x3 weights), a preset dropdown, a digit slider: the digit and its feature map."""

    def __init__(self, images, preset="vertical edge", index=0):
        self.images = np.asarray(images, dtype=np.float64).reshape(-1, SIDE, SIDE)
        self.preset = widgets.Dropdown(options=list(KERNELS), value=preset, description="preset")
        self.index = slider("digit #", index, 0, len(self.images) - 1, integer=True)
        self.weights = [slider(f"w[{i},{j}]", 0.0, *WEIGHT_RANGE, 0.05, readout_format=".3f",
                               layout=widgets.Layout(width="200px"))
                        for i in range(3) for j in range(3)]
        self.label = widgets.Label()
        self.figure = FigureWidget(1, 2, figsize=(7, 3.4))
        left, right = self.figure.axes
        self.digit = left.imshow(self.images[index], cmap="gray_r", vmin=0, vmax=1)
        left.set_title("the digit (28×28)", fontsize=10)
        self.fmap = right.imshow(np.zeros((SIDE, SIDE)), cmap="RdBu_r", vmin=-2, vmax=2)
        right.set_title("feature map (28×28, padding 1): red +, blue −", fontsize=10)
        for ax in (left, right):
            ax.set_xticks([])
            ax.set_yticks([])
        self._loading = False
        self.preset.observe(self.load_preset, names="value")
        self.index.observe(self.update, names="value")
        for w in self.weights:
            w.observe(self.update, names="value")
        grid = widgets.GridBox(self.weights, layout=widgets.Layout(grid_template_columns="repeat(3, 210px)"))
        self.box = widgets.VBox([widgets.HBox([self.preset, self.index]), grid, self.label, self.figure.image])
        self.load_preset()

    def kernel(self):
        return np.array([w.value for w in self.weights]).reshape(3, 3)

    def load_preset(self, change=None):
        """Put the preset's weights on the sliders, exactly (one redraw, not nine)."""
        self._loading = True
        for w, value in zip(self.weights, np.ravel(KERNELS[self.preset.value])):
            w.value = float(value)
        self._loading = False
        self.update()

    def update(self, change=None):
        if self._loading:
            return
        image = self.images[self.index.value]
        kernel = self.kernel()
        fmap = feature_map(image, kernel, padding=1)
        self.digit.set_data(image)
        self.fmap.set_data(fmap)
        limit = colour_limit(fmap)
        self.fmap.set_clim(-limit, limit)
        self.label.value = kernel_summary(kernel, fmap)
        self.figure.refresh()


def build_kernel_editor(images, **defaults):
    """The kernel editor; display(view.box) to show it."""
    return KernelEditor(images, **defaults)


# ---------------------------------------------------------------- the trained network's insides


def show_filters(W, title="", ncols=8):
    """The first convolution's kernels W (out, 1, K, K) as small pictures; returns the pyplot figure."""
    limit = np.abs(W).max()
    return picture_grid(W[:, 0], [f"#{i}" for i in range(len(W))], ncols, title, size=(1.1, 1.2),
                        cmap="RdBu_r", vmin=-limit, vmax=limit)


def show_maps(maps, title="", ncols=8):
    """Feature maps (channels, h, w) as a grid of pictures; returns the pyplot figure."""
    return picture_grid(maps, [f"#{i}" for i in range(len(maps))], ncols, title, size=(1.1, 1.2), cmap="magma")


def shift_images(images, shift):
    """Images (n, 28, 28) or (n, 1, 28, 28) rolled `shift` pixels to the right (lesson 07's np.roll)."""
    return np.roll(np.asarray(images), shift, axis=-1)


def shift_accuracy(predict, images, labels, shifts):
    """The accuracy of predict(images (n, 28, 28)) -> (n,) class labels at each shift to the right."""
    images = np.asarray(images).reshape(-1, SIDE, SIDE)
    return [float(np.mean(predict(shift_images(images, s)) == labels)) for s in shifts]


# ---------------------------------------------------------------- exercise: the output size

OUTPUT_SIZE = exercise.Exercise(
    "my_output_size", lesson="10", solution=output_size,
    cases=[exercise.Case(f"H={h}, K={k}, S={s}, P={p}", h, k, s, p) for h, k, s, p in [
        (28, 7, 1, 3), (28, 3, 1, 1), (28, 3, 1, 0), (28, 5, 2, 2), (7, 3, 2, 0), (28, 2, 2, 0), (10, 4, 3, 1)]],
    mistakes=[  # formulas learners really write
        exercise.Mistake("Did you forget the `return` line?", answer=lambda h, k, s, p: None,
                         when=lambda a: a.got is None),
        exercise.Mistake("You forgot the + 1: a kernel as wide as the input still fits once.",
                         answer=lambda h, k, s, p: (h + 2 * p - k) // s),
        exercise.Mistake("The padding goes on both sides, so it adds 2P, not P.",
                         answer=lambda h, k, s, p: (h + p - k) // s + 1),
        exercise.Mistake("You left out the padding: it adds 2P pixels to the input.",
                         answer=lambda h, k, s, p: (h - k) // s + 1),
        exercise.Mistake("You left out the stride: the kernel jumps S pixels, so divide by S.",
                         answer=lambda h, k, s, p: h + 2 * p - k + 1),
        exercise.Mistake("The kernel's size is subtracted (− K): it must fit inside the padded input.",
                         answer=lambda h, k, s, p: (h + 2 * p + k) // s + 1),
        exercise.Mistake("It is + 1, not − 1: count the positions, the first one included.",
                         answer=lambda h, k, s, p: (h + 2 * p - k) // s - 1),
        exercise.Mistake("Brackets: divide the whole (H + 2P − K) by S, not only K.",
                         answer=lambda h, k, s, p: h + 2 * p - k // s + 1),
    ],
    success="my_output_size is right: the same as nnlib's output_size on every case.")
check_output_size = OUTPUT_SIZE.check


# ---------------------------------------------------------------- exercise: a convolution with loops


def _correlate_cases():
    rng = np.random.default_rng(10)
    return [exercise.Case("a 5×5 patch and the vertical-edge kernel", np.arange(25.0).reshape(5, 5),
                          np.array(KERNELS["vertical edge"], dtype=float))] + [
        exercise.Case(f"a random {h}×{w} image and a random {k}×{k} kernel", rng.random((h, w)),
                      rng.standard_normal((k, k))) for h, w, k in [(6, 8, 3), (7, 5, 2)]]


def _swapped_patches(image, kernel):
    """A slip: the patch of out[r, q] taken at row q, column r."""
    k = len(kernel)
    out = np.zeros((image.shape[0] - k + 1, image.shape[1] - k + 1))
    for r in range(out.shape[0]):
        for q in range(out.shape[1]):
            out[r, q] = np.sum(image[q:q + k, r:r + k] * kernel)
    return out


def _shape(attempt):
    return attempt.got.shape if isinstance(attempt.got, np.ndarray) else None


CORRELATE = exercise.Exercise(
    "my_correlate", lesson="10", solution=correlate, cases=_correlate_cases,
    mistakes=[
        exercise.Mistake("One position short on each axis: loop over range(H - K + 1), the last position included.",
                         answer=lambda image, kernel: correlate(image, kernel)[:-1, :-1],
                         when=lambda a: _shape(a) == tuple(n - 1 for n in a.expected.shape)),
        exercise.Mistake("The output has the input's shape; without padding a K×K kernel fits only H - K + 1 times "
                         "down and W - K + 1 times across.",
                         answer=lambda image, kernel: np.pad(correlate(image, kernel), (0, len(kernel) - 1)),
                         when=lambda a: _shape(a) == a.case.args[0].shape),
        exercise.Mistake("The image need not be square: the rows go to H - K + 1 (image.shape[0]), the columns to "
                         "W - K + 1 (image.shape[1]).",
                         answer=lambda image, kernel: correlate(image, kernel)[:, :len(image) - len(kernel) + 1],
                         when=lambda a: a.expected.shape[0] != a.expected.shape[1] and _shape(a) in [
                             (n, n) for n in a.expected.shape]),
        exercise.Mistake("Rows and columns are swapped: out[r, q] comes from the patch at row r (going down, H) and "
                         "column q (going across, W).",
                         answer=lambda image, kernel: correlate(image, kernel).T,
                         when=lambda a: _shape(a) == a.expected.T.shape and (
                             _shape(a) != a.expected.shape or np.allclose(a.got, a.expected.T))),
        exercise.Mistake("A patch came out smaller than the kernel, so patch * kernel could not be multiplied: "
                         "the patch under out[r, q] is image[r:r + K, q:q + K], rows from r and columns from q. "
                         "With r and q swapped (image[q:q + K, r:r + K]) a patch runs off the image's edge when "
                         "the image is not square.",
                         answer=_swapped_patches,
                         raises=lambda error: isinstance(error, ValueError) and "broadcast" in str(error)),
        exercise.Mistake("You flipped the kernel (the mathematicians' convolution); deep learning and nnlib do not "
                         "flip: multiply patch[i, j] with kernel[i, j].",
                         answer=lambda image, kernel: correlate(image, kernel[::-1, ::-1])),
        exercise.Mistake("You summed the patch without multiplying by the kernel: np.sum(patch * kernel).",
                         answer=lambda image, kernel: correlate(image, np.ones_like(kernel))),
        exercise.Mistake("patch @ kernel is a matrix product (rows times columns); the convolution multiplies the "
                         "entries that lie on each other: np.sum(patch * kernel).",
                         answer=lambda image, kernel: np.sum(  # every patch, as an (out_h, out_w, K, K) view
                             np.lib.stride_tricks.sliding_window_view(image, kernel.shape) @ kernel, axis=(2, 3))),
    ],
    success="my_correlate is right: the same feature maps as the definition (and nnlib's Conv2D).")
check_correlate = CORRELATE.check
