"""Lesson 10a, the CNN's backward passes and training: max-pool backward and a loop convolution
backward (the two exercises, graded against nnlib's MaxPool2D and Conv2D on the same inputs and
by a numerical gradient), the loops that im2col/col2im replace, and the 99% network trained live
(build_live_cnn, train_live_cnn)."""
import time

import numpy as np

from ..conv import Conv2D, Flatten, MaxPool2D
from ..gradcheck import numerical_gradient
from ..layers import Dropout, Linear, ReLU
from ..losses import CrossEntropyLoss
from ..model import Sequential
from ..optim import Adam
from ..train import evaluate, fit
from .exercise import Case, Exercise, Mistake
from .l06a_own_network import yours_or_solution  # noqa: F401  (the notebook shows yours beside nnlib's)
from .l10_convolution import correlate

# ---------------------------------------------------------------- max pooling, 2 x 2 windows, stride 2


def maxpool(x):
    """2 x 2 max pooling with stride 2 of one channel x (H, W): (H // 2, W // 2), leftovers dropped."""
    x = np.asarray(x, dtype=np.float64)
    return MaxPool2D(2).forward(x[np.newaxis, np.newaxis])[0, 0]


def maxpool_backward(x, grad):
    """nnlib's MaxPool2D(2).backward on one channel: dLoss/dx (H, W) from grad (H // 2, W // 2)."""
    pool = MaxPool2D(2)
    pool.forward(np.asarray(x, dtype=np.float64)[np.newaxis, np.newaxis])
    return pool.backward(np.asarray(grad, dtype=np.float64)[np.newaxis, np.newaxis])[0, 0]


def _route(x, grad, pick, share=1.0, stride=2):
    """A max-pool backward with loops where pick(window) -> a (2, 2) mask says which cells get grad."""
    dx = np.zeros_like(x, dtype=np.float64)
    for r in range(grad.shape[0]):
        for q in range(grad.shape[1]):
            window = x[stride * r:stride * r + 2, stride * q:stride * q + 2]
            dx[stride * r:stride * r + 2, stride * q:stride * q + 2] += pick(window) * grad[r, q] * share
    return dx


def _without_offset(x, grad):
    """A slip: each window's winner, found right, written at its place (i, j) INSIDE the window, i.e. into
    dx[i, j], instead of at dx[2r + i, 2q + j]."""
    dx = np.zeros_like(x, dtype=np.float64)
    for r in range(grad.shape[0]):
        for q in range(grad.shape[1]):
            i, j = np.unravel_index(np.argmax(x[2 * r:2 * r + 2, 2 * q:2 * q + 2]), (2, 2))
            dx[i, j] += grad[r, q]
    return dx


def _first(window):
    mask = np.zeros(window.shape)
    mask[np.unravel_index(np.argmax(window), window.shape)] = 1
    return mask


def _last(window):
    mask = np.zeros(window.shape)
    flat = window.size - 1 - np.argmax(window.ravel()[::-1])
    mask[np.unravel_index(flat, window.shape)] = 1
    return mask


def _transposed(window):
    index = np.argmax(window)
    mask = np.zeros(window.shape)
    mask[index % 2, index // 2] = 1  # row and column of the flat index swapped
    return mask


def _maxpool_cases():
    ties = np.array([[1.0, 5.0, 2.0, 2.0, 0.0],
                     [5.0, 3.0, 2.0, 2.0, 9.0],
                     [0.0, -1.0, 4.0, 8.0, 1.0],
                     [-2.0, 7.0, 6.0, 3.0, 0.0]])
    rng = np.random.default_rng(100)
    return [
        Case("a 4×5 x with ties (a 5 twice, a window of four 2s; the last column is left over), grad [[1, 2], "
             "[3, 4]]", ties, np.array([[1.0, 2.0], [3.0, 4.0]])),
        Case("a random 6×6 x of small integers (many ties) and a random grad (3, 3)",
             rng.integers(0, 4, (6, 6)).astype(float), rng.standard_normal((3, 3))),
        Case("a random 5×4 x (no ties; the last row is left over) and a random grad (2, 2)",
             rng.standard_normal((5, 4)), rng.standard_normal((2, 2))),
    ]


def _maxpool_numerically(fn):
    """None, or a sentence: fn against the numerical gradient of sum(maxpool(x) * grad), on x without ties."""
    rng = np.random.default_rng(101)
    x, grad = rng.permutation(36).reshape(6, 6) / 7.0, rng.standard_normal((3, 3))
    numeric = numerical_gradient(lambda: float(np.sum(maxpool(x) * grad)), x)
    if not np.allclose(fn(x.copy(), grad.copy()), numeric, atol=1e-6):
        return ("my_maxpool_backward disagrees with the numerical gradient of sum(maxpool(x) * grad) on a 6×6 x "
                "without ties: route each grad[r, q] to its window's largest cell.")
    return None


MAXPOOL_BACKWARD = Exercise(
    "my_maxpool_backward", lesson="10a", solution=maxpool_backward, cases=_maxpool_cases,
    after=_maxpool_numerically,
    mistakes=[
        Mistake("Every cell of the window got grad[r, q]. Only the largest cell decided the output (moving the "
                "others a little changes nothing), so only that cell gets the gradient; the others get 0.",
                answer=lambda x, g: _route(x, g, lambda w: np.ones(w.shape))),
        Mistake("You divided grad[r, q] among the 4 cells of the window: that is the backward of AVERAGE pooling "
                "(each cell counts 1/4 in an average). Max pooling sends all of grad[r, q] to the largest cell.",
                answer=lambda x, g: _route(x, g, lambda w: np.ones(w.shape), share=0.25)),
        Mistake("Every cell equal to the maximum got grad[r, q], so a window with a tie passes on twice the "
                "gradient. Give it to ONE cell, the first in reading order, as np.argmax does (and nnlib and "
                "PyTorch): np.unravel_index(np.argmax(window), window.shape).",
                answer=lambda x, g: _route(x, g, lambda w: (w == w.max()).astype(float))),
        Mistake("On a tie you picked the LAST of the equal cells; nnlib and PyTorch pick the first in reading "
                "order (left to right, then top to bottom), which is what np.argmax returns.",
                answer=lambda x, g: _route(x, g, _last)),
        Mistake("The winner got 1 instead of grad[r, q]: the mask says where the gradient goes, and what goes "
                "there is grad[r, q] (the chain rule: the output IS that cell, so its gradient passes unchanged).",
                answer=lambda x, g: _route(x, np.ones_like(g), _first)),
        Mistake("The winner's row and column are swapped: np.argmax(window) is a flat index i * 2 + j, so the "
                "row is index // 2 and the column index % 2 (np.unravel_index(index, (2, 2)) does it).",
                answer=lambda x, g: _route(x, g, _transposed)),
        Mistake("The windows overlap: window (r, q) starts at row 2r and column 2q (stride 2), "
                "x[2 * r:2 * r + 2, 2 * q:2 * q + 2], not at (r, q).",
                answer=lambda x, g: _route(x, g, _first, stride=1)),
        Mistake("Every window's gradient landed in the top-left 2×2 corner of dx: np.argmax gives the winner's "
                "place (i, j) INSIDE its window, and window (r, q) starts at row 2r, column 2q of x, so the "
                "gradient goes to dx[2 * r + i, 2 * q + j].",
                answer=_without_offset),
    ],
    success="my_maxpool_backward is right: the same dx as nnlib's MaxPool2D.backward, and as the numerical gradient.")
check_maxpool_backward = MAXPOOL_BACKWARD.check


# ---------------------------------------------------------------- the convolution's backward, by loops


def conv_backward(x, W, grad):
    """nnlib's Conv2D(1 -> 1, K x K, stride 1, no padding).backward on one channel: (dx (H, W), dW (K, K))."""
    W = np.asarray(W, dtype=np.float64)
    layer = Conv2D(1, 1, W.shape[0], rng=np.random.default_rng(0), dtype=np.float64)
    layer.W[...] = W
    layer.b[...] = 0
    layer.forward(np.asarray(x, dtype=np.float64)[np.newaxis, np.newaxis])
    dx = layer.backward(np.asarray(grad, dtype=np.float64)[np.newaxis, np.newaxis])
    return dx[0, 0], layer.dW[0, 0].copy()


def conv_backward_loops(x, W, grad, positions=None, keep="add", weigh=True, kernel_for_dx=None, dw_from="patch"):
    """The loop backward, with switches that make the learners' slips (the mistakes table's answers).

    positions: which (r, q) to visit (default all); keep: "add" (+=), "last" (= keeps the last position's)
    or "last in dx" (+= into dW, = into dx);
    weigh: multiply by grad[r, q]; kernel_for_dx: the kernel put into dx (default W);
    dw_from: "patch" (right) or "kernel" (W * grad, a slip).
    """
    K = W.shape[0]
    out_h, out_w = grad.shape
    dx, dW = np.zeros(x.shape), np.zeros(W.shape)
    kernel = W if kernel_for_dx is None else kernel_for_dx
    for r, q in positions or [(r, q) for r in range(out_h) for q in range(out_w)]:
        g = grad[r, q] if weigh else 1.0
        patch = x[r:r + K, q:q + K]
        into_dW = (patch if dw_from == "patch" else W) * g
        into_dx = kernel * grad[r, q]
        if keep == "add":
            dW += into_dW
            dx[r:r + K, q:q + K] += into_dx
        elif keep == "last in dx":
            dW += into_dW
            dx[r:r + K, q:q + K] = into_dx
        else:
            dW = into_dW
            dx[r:r + K, q:q + K] = into_dx
    return dx, dW


def _all_but_last(grad):
    return [(r, q) for r in range(grad.shape[0] - 1) for q in range(grad.shape[1] - 1)]


def _conv_cases():
    rng = np.random.default_rng(1010)
    return [
        Case("x (4, 4) = 0..15, W [[1, 2], [3, 4]], grad (3, 3) of small integers",
             np.arange(16.0).reshape(4, 4), np.array([[1.0, 2.0], [3.0, 4.0]]),
             np.array([[1.0, -1.0, 2.0], [0.0, 3.0, 1.0], [-2.0, 1.0, 1.0]])),
        Case("a random x (5, 7), a random 3×3 W and grad (3, 5)",
             rng.standard_normal((5, 7)), rng.standard_normal((3, 3)), rng.standard_normal((3, 5))),
        Case("a random x (6, 6), a random 3×3 W and grad (4, 4)",
             rng.standard_normal((6, 6)), rng.standard_normal((3, 3)), rng.standard_normal((4, 4))),
    ]


def _is_pair(value):
    return isinstance(value, (tuple, list)) and len(value) == 2 and all(isinstance(v, np.ndarray) for v in value)


def _conv_numerically(fn):
    """None, or a sentence: fn's dx and dW against the numerical gradients of sum(correlate(x, W) * grad)."""
    rng = np.random.default_rng(1011)
    x, W, grad = rng.standard_normal((5, 6)), rng.standard_normal((3, 3)), rng.standard_normal((3, 4))
    loss = lambda: float(np.sum(correlate(x, W) * grad))  # noqa: E731
    dx, dW = fn(x.copy(), W.copy(), grad.copy())
    off = [name for name, got, numeric in (("dx", dx, numerical_gradient(loss, x)), ("dW", dW, numerical_gradient(loss, W)))
           if not np.allclose(got, numeric, atol=1e-6)]
    if off:
        return (f"my_conv_backward's {' and '.join(off)} disagree(s) with the numerical gradient of "
                "sum(correlate(x, W) * grad) on a random 5×6 x: each position (r, q) adds patch * grad[r, q] "
                "to dW and W * grad[r, q] into dx[r:r + K, q:q + K].")
    return None


CONV_BACKWARD = Exercise(
    "my_conv_backward", lesson="10a", solution=conv_backward, cases=_conv_cases, parts=("dx", "dW"),
    after=_conv_numerically,
    mistakes=[
        Mistake("dx and dW came back in the wrong order: return dx, dW (dx has x's shape, dW has W's).",
                answer=lambda x, W, g: conv_backward(x, W, g)[::-1],
                when=lambda a: _is_pair(a.got) and a.got[0].shape == a.expected[1].shape != a.expected[0].shape),
        Mistake("dx looks like it used the flipped kernel W[::-1, ::-1] in the loop (or, the same thing, the "
                "padded grad correlated with W NOT flipped). Pixel x[r + i, q + j] was multiplied by W[i, j] at "
                "position (r, q), so it receives W[i, j] * grad[r, q]: dx[r:r + K, q:q + K] += W * grad[r, q], "
                "with W as it is. (Written as one correlation over the padded grad, it is W that must be flipped.)",
                answer=lambda x, W, g: conv_backward_loops(x, W, g, kernel_for_dx=W[::-1, ::-1])),
        Mistake("dW looks like the sum of the patches without the gradient: out[r, q] depends on W[i, j] through "
                "patch[i, j], so position (r, q) adds patch * grad[r, q] to dW, weighted by grad[r, q].",
                answer=lambda x, W, g: conv_backward_loops(x, W, g, weigh=False)),
        Mistake("dW looks like W * grad summed over the positions: the derivative of patch * W with respect to W "
                "is the PATCH, so dW += x[r:r + K, q:q + K] * grad[r, q] (W itself goes into dx).",
                answer=lambda x, W, g: conv_backward_loops(x, W, g, dw_from="kernel")),
        Mistake("dW and dx hold only the last position's share: `=` replaced what the earlier positions put "
                "there. W is used at every position and a pixel lies in several patches, so their gradients ADD "
                "up: dW += ..., dx[r:r + K, q:q + K] += ....",
                answer=lambda x, W, g: conv_backward_loops(x, W, g, keep="last")),
        Mistake("dx holds only the last position's share where patches overlap: `dx[r:r + K, q:q + K] = ...` "
                "replaced what the earlier positions put there. A pixel lies in several patches, and each "
                "adds its share: dx[r:r + K, q:q + K] += W * grad[r, q] (dW is right).",
                answer=lambda x, W, g: conv_backward_loops(x, W, g, keep="last in dx")),
        Mistake("The last row and column of positions are missing: the output is (H - K + 1) × (W - K + 1), "
                "so loop over range(grad.shape[0]) and range(grad.shape[1]), every position of grad.",
                answer=lambda x, W, g: conv_backward_loops(x, W, g, positions=_all_but_last(g))),
        Mistake("dx (and dW) hold only the first position's share, at the top-left corner: the kernel visits "
                "every (r, q) of grad, and each visit adds its share.",
                answer=lambda x, W, g: conv_backward_loops(x, W, g, positions=[(0, 0)])),
        Mistake("dW looks divided by the number of positions: W is used at every position, so its gradient is "
                "the SUM of their shares, not their mean (the loss already averaged over the batch).",
                answer=lambda x, W, g: (conv_backward(x, W, g)[0], conv_backward(x, W, g)[1] / g.size)),
    ],
    success="my_conv_backward is right: the same dx and dW as nnlib's Conv2D.backward, and as the numerical gradient.")
check_conv_backward = CONV_BACKWARD.check


# ---------------------------------------------------------------- the 99% network, trained live

LIVE_SEED = 0
LIVE_CHANNELS = (16, 32)  # of the two convolutions
LIVE_BATCH = 64
LIVE_EPOCHS = 5
LIVE_LR = 2e-3
LIVE_LR_DECAY = 0.6  # lr times this after every epoch


def build_live_cnn(rng=None):
    """The network the lesson trains live, new random weights; images (batch, 1, 28, 28) in [0, 1]:

        Conv2D(1 -> 16, 3x3, padding=1)  - ReLU - MaxPool2D(2)   -> (batch, 16, 14, 14)
        Conv2D(16 -> 32, 3x3, padding=1) - ReLU - MaxPool2D(2)   -> (batch, 32, 7, 7)
        Flatten - Linear(1568 -> 128) - ReLU - Dropout(0.25) - Linear(128 -> 10)

    rng: a numpy Generator; None draws from the library's generator (nn.seed).
    """
    c1, c2 = LIVE_CHANNELS
    return Sequential([
        Conv2D(1, c1, 3, padding=1, rng=rng), ReLU(), MaxPool2D(2),
        Conv2D(c1, c2, 3, padding=1, rng=rng), ReLU(), MaxPool2D(2),
        Flatten(), Linear(c2 * 7 * 7, 128, rng=rng), ReLU(), Dropout(0.25, rng=rng), Linear(128, 10, rng=rng),
    ])


def train_live_cnn(x, t, x_test, t_test, epochs=LIVE_EPOCHS, callback=None, progress=True, seed=LIVE_SEED):
    """Train build_live_cnn() with Adam (lr 0.002, times 0.6 after every epoch), batch 64, and measure it.

    x: (n, 1, 28, 28) training images in [0, 1], t: (n,) labels; x_test, t_test likewise, used only
    after training, for the test accuracy. callback(history) is called after every epoch (e.g. a
    LivePlot's); progress shows fit's progress bar. seed fixes the weights and the batches.
    Returns (model, history, seconds): the trained network (evaluation mode), fit's history plus
    "lr" (the rate of every epoch) and "test_accuracy" (one number), and the seconds fit took.
    """
    rng = np.random.default_rng(seed)
    model = build_live_cnn(rng=rng)
    optimizer = Adam(model.parameters(), lr=LIVE_LR)
    rates = []

    def every_epoch(history):
        rates.append(optimizer.lr)
        optimizer.lr *= LIVE_LR_DECAY
        return callback(history) if callback is not None else False

    start = time.perf_counter()
    history = fit(model, CrossEntropyLoss(), x, t, epochs=epochs, batch_size=LIVE_BATCH, optimizer=optimizer,
                  rng=rng, progress=progress, callback=every_epoch)
    seconds = time.perf_counter() - start
    history["lr"] = rates
    history["test_accuracy"] = evaluate(model, CrossEntropyLoss(), x_test, t_test)[1]
    return model, history, seconds
