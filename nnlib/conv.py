"""Convolutional layers (卷积层) on images of shape (batch, channels, height, width).

A convolution slides a small kernel over the image; at each position it
multiplies the kernel with the patch under it and sums. im2col turns that into
matrix products: it copies every patch of an image into a column of a matrix,
so the kernels (one row each) multiply all patches at once, for every image in
one call. col2im adds the columns back onto the image, which is what the
gradient needs.

Output size along each axis, for input size H, padding P, kernel K, stride S:

    out = (H + 2P - K) // S + 1

Layers: Conv2D, MaxPool2D, Flatten (same contract as nnlib.layers: forward
keeps what backward needs, backward(grad) returns dLoss/dx and fills dW, db).
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .layers import Layer, random_source
from .validate import as_images, check_finite, whole_number


def _pair(value, name, who, minimum):
    """An int or an (int, int) pair as a (height, width) tuple of ints >= minimum."""
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2 or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= minimum
                                 for v in pair):
        raise ValueError(f"{who}: {name} must be an integer >= {minimum} or a pair of them, got {value!r}.")
    return int(pair[0]), int(pair[1])


def _short(pair):
    """(2, 2) as 2 and (2, 3) as (2, 3), for a layer's repr."""
    return pair[0] if pair[0] == pair[1] else pair


def output_size(size, kernel, stride=1, padding=0):
    """(size + 2 * padding - kernel) // stride + 1: the number of kernel positions along one axis."""
    return (size + 2 * padding - kernel) // stride + 1


def _output_shape(x_shape, kernel, stride, padding, who):
    """(out_height, out_width), or a ValueError that shows the formula when either is < 1."""
    sizes = []
    for axis, size, k, s, p in zip(("height", "width"), x_shape[2:], kernel, stride, padding):
        out = output_size(size, k, s, p)
        if out < 1:
            raise ValueError(
                f"{who}: input of shape {tuple(x_shape)} is too small: output {axis} = (H + 2P - K) // S + 1 "
                f"= ({size} + 2*{p} - {k}) // {s} + 1 = {out}. Use a smaller kernel, more padding, "
                f"or a larger image."
            )
        sizes.append(out)
    return tuple(sizes)


def im2col(x, kernel, stride=1, padding=0):
    """Copy every kernel-sized patch of each image into one column of a matrix.

    x:       (batch, channels, height, width)
    kernel:  (kh, kw); stride, padding: ints or (height, width) pairs.
    Returns cols: (batch, channels * kh * kw, out_h * out_w), one matrix per
    image, where out_h = (height + 2 * padding - kh) // stride + 1 (out_w likewise).
    In image n's matrix, row c * kh * kw + i * kw + j holds pixel (i, j) of the
    patch in channel c, the same order as W.reshape(out_channels, -1), and
    column r * out_w + q is the patch under output pixel (r, q); so
    W.reshape(out_channels, -1) @ cols (a product per image) is the convolution,
    already in the output's layout (batch, out_channels, out_h * out_w).
    Why this layout: the images stay (batch, channels, height, width) (NCHW, as
    in PyTorch) inside as well as outside, so neither the product's result nor
    the gradient needs a transpose. The alternative, channels last inside (NHWC)
    with one big product (batch * out_h * out_w, channels * kh * kw) @ W_m.T,
    pays two transposed copies per layer and per pass for a larger product.

    sliding_window_view gives every window of the whole (padded) batch as a
    view, (batch, channels, out_h, out_w, kh, kw), without copying anything;
    one reshape then copies it, once, into the layout above. No loop at all.
    """
    kh, kw = kernel
    sh, sw = _pair(stride, "stride", "im2col", 1)
    ph, pw = _pair(padding, "padding", "im2col", 0)
    n, c, h, w = x.shape
    out_h, out_w = _output_shape(x.shape, (kh, kw), (sh, sw), (ph, pw), "im2col")
    if ph or pw:
        padded = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=x.dtype)
        padded[:, :, ph:ph + h, pw:pw + w] = x
        x = padded
    # windows[n, c, r, q, i, j] = x[n, c, r*sh + i, q*sw + j]: a view, nothing copied yet
    windows = sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]
    # One copy into (n, c, kh, kw, out_h, out_w). Measured on the lesson's 16 -> 32 layer (batch 64,
    # 14 x 14): 17-37% faster than kh * kw strided copies, one per kernel offset.
    return windows.transpose(0, 1, 4, 5, 2, 3).reshape(n, c * kh * kw, out_h * out_w)


def col2im(cols, x_shape, kernel, stride=1, padding=0):
    """The adjoint of im2col: add every column back onto the patch it came from.

    cols:    (batch, channels * kh * kw, out_h * out_w), laid out as im2col's.
    x_shape: (batch, channels, height, width) of the original x.
    Returns dx: x_shape. Pixels shared by overlapping patches receive the sum
    of their columns' values, which is exactly the chain rule for a pixel
    used several times; padding is cut off again.
    """
    kh, kw = kernel
    sh, sw = _pair(stride, "stride", "col2im", 1)
    ph, pw = _pair(padding, "padding", "col2im", 0)
    n, c, h, w = x_shape
    out_h, out_w = _output_shape(x_shape, (kh, kw), (sh, sw), (ph, pw), "col2im")
    cols = cols.reshape(n, c, kh, kw, out_h, out_w)
    dx = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            dx[:, :, i:i + sh * out_h:sh, j:j + sw * out_w:sw] += cols[:, :, i, j]
    return dx[:, :, ph:ph + h, pw:pw + w]


class Conv2D(Layer):
    """A 2-D convolution (卷积): each output channel slides its own kernel over all input channels.

    x: (batch, in_channels, height, width) -> y: (batch, out_channels, out_h, out_w),
    out_h = (height + 2 * padding - kh) // stride + 1 (out_w likewise), and

        y[n, f, r, q] = b[f] + sum over c, i, j of W[f, c, i, j] * x_padded[n, c, r*S + i, q*S + j]

    which is cross-correlation, exactly what PyTorch's conv2d computes (the
    kernel is not flipped). W: (out_channels, in_channels, kh, kw), b: (out_channels,).
    kernel_size, stride, padding: an int, or a (height, width) pair; padding adds
    zeros around every image.
    Weights start normal with standard deviation sqrt(2 / fan_in), fan_in =
    in_channels * kh * kw (He initialisation, as for Linear); biases start at 0.
    rng: a numpy Generator; None draws from the library's generator (nn.seed).
    """

    param_names = ("W", "b")

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, rng=None, dtype=np.float32):
        who = f"Conv2D({in_channels} -> {out_channels})"
        self.in_channels = whole_number(in_channels, "in_channels", who)
        self.out_channels = whole_number(out_channels, "out_channels", who)
        self.kernel_size = _pair(kernel_size, "kernel_size", who, 1)
        self.stride = _pair(stride, "stride", who, 1)
        self.padding = _pair(padding, "padding", who, 0)
        rng = random_source(rng, who)
        fan_in = self.in_channels * self.kernel_size[0] * self.kernel_size[1]
        shape = (self.out_channels, self.in_channels) + self.kernel_size
        self.W = (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(dtype)
        self.b = np.zeros(self.out_channels, dtype=dtype)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
        self.cols = None

    def forward(self, x):
        x = as_images(x, self, channels=self.in_channels, dtype=self.W.dtype)
        out_h, out_w = _output_shape(x.shape, self.kernel_size, self.stride, self.padding, self)
        with np.errstate(invalid="ignore", over="ignore"):
            suspicious = not np.isfinite(x.sum())  # one NaN or inf in x spreads to the sum: a cheap test
        if suspicious:
            check_finite(x, self)
        # cols holds every input pixel kh * kw times: 10 000 MNIST images through
        # a 16 -> 32 channel layer would need a 1 GB cols. backward needs cols,
        # so training keeps them all; inference (eval()) goes a chunk of images at a time.
        per_image = self.W[0].size * out_h * out_w
        chunk = len(x) if self.training else max(1, self.EVAL_CHUNK_ELEMENTS // per_image)
        if chunk < len(x):
            self.cols = None  # nothing for backward: see the RuntimeError there
            return np.concatenate([self._forward(x[i:i + chunk], out_h, out_w) for i in range(0, len(x), chunk)])
        self.x_shape = x.shape
        self.cols = im2col(x, self.kernel_size, self.stride, self.padding)  # (n, in * kh * kw, out_h * out_w)
        return self._forward(x, out_h, out_w, self.cols)

    EVAL_CHUNK_ELEMENTS = 2**24  # at most 64 MB of float32 cols at a time in evaluation mode

    def _forward(self, x, out_h, out_w, cols=None):
        if cols is None:
            cols = im2col(x, self.kernel_size, self.stride, self.padding)
        # (out_channels, in * kh * kw) @ (batch, in * kh * kw, out_h * out_w): one product per image
        out = np.matmul(self.W.reshape(self.out_channels, -1), cols)  # (batch, out_channels, out_h * out_w)
        out += self.b[:, np.newaxis]
        return out.reshape(len(x), self.out_channels, out_h, out_w)

    def backward(self, grad):
        if self.cols is None:
            raise RuntimeError(f"{self!r}: call forward before backward (in training mode, train(), "
                               "when the batch is large: evaluation mode does not keep what backward needs).")
        n = self.x_shape[0]
        out_h, out_w = _output_shape(self.x_shape, self.kernel_size, self.stride, self.padding, self)
        grad = self.check_grad(grad, (n, self.out_channels, out_h, out_w))
        # (n, out_channels, out_h, out_w) -> (n, out_channels, out_h * out_w), the layout of forward's product
        grad_matrix = grad.astype(self.W.dtype, copy=False).reshape(n, self.out_channels, out_h * out_w)
        # dW = sum over images of grad_n @ cols_n.T. Write into the existing
        # arrays: the optimiser holds references to them.
        np.sum(np.matmul(grad_matrix, self.cols.transpose(0, 2, 1)), axis=0, out=self.dW.reshape(self.out_channels, -1))
        np.sum(grad_matrix, axis=(0, 2), out=self.db)
        if not self.needs_input_grad:
            return None
        dcols = np.matmul(self.W.reshape(self.out_channels, -1).T, grad_matrix)  # (n, in * kh * kw, out_h * out_w)
        return col2im(dcols, self.x_shape, self.kernel_size, self.stride, self.padding)

    def config(self):
        return {"in_channels": self.in_channels, "out_channels": self.out_channels,
                "kernel_size": list(self.kernel_size), "stride": list(self.stride),
                "padding": list(self.padding), "dtype": self.W.dtype.name}

    def __repr__(self):
        extra = "".join(f", {name}={_short(value)}"
                        for name, value, default in (("stride", self.stride, 1), ("padding", self.padding, 0))
                        if value != (default, default))
        kh, kw = self.kernel_size
        return f"Conv2D({self.in_channels} -> {self.out_channels}, {kh}x{kw}{extra})"


class MaxPool2D(Layer):
    """Max pooling (最大池化): the largest value of each kernel-sized window, per channel.

    x: (batch, channels, height, width) -> (batch, channels, out_h, out_w),
    out_h = (height - kh) // stride + 1 (out_w likewise; rows and columns left
    over at the edge are dropped, as in PyTorch).
    kernel_size: an int or a (height, width) pair; stride defaults to the kernel
    size (windows side by side, not overlapping).
    backward sends each output's gradient to the one input that was the
    maximum; on a tie, to the first of them in reading order (left to right,
    top to bottom), as np.argmax and PyTorch do. No parameters.
    """

    def __init__(self, kernel_size, stride=None):
        self.kernel_size = _pair(kernel_size, "kernel_size", "MaxPool2D", 1)
        self.stride = self.kernel_size if stride is None else _pair(stride, "stride", "MaxPool2D", 1)
        self.x = None

    def _windows(self, x, out_h, out_w):
        """Views of x (batch, channels, out_h, out_w), one per kernel offset (i, j), in reading order:
        view (i, j) holds the cell at row i, column j of every window."""
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        for i in range(kh):
            for j in range(kw):
                yield x[:, :, i:i + sh * out_h:sh, j:j + sw * out_w:sw]

    def forward(self, x):
        x = as_images(x, self)
        out_h, out_w = _output_shape(x.shape, self.kernel_size, self.stride, (0, 0), self)
        self.x = x
        windows = self._windows(x, out_h, out_w)
        out = next(windows).copy()
        for window in windows:
            np.maximum(out, window, out=out)
        self.out = out
        return out

    def backward(self, grad):
        grad = self.check_grad(grad, None if self.x is None else self.out.shape)
        if not self.needs_input_grad:
            return None
        overlapping = any(s < k for s, k in zip(self.stride, self.kernel_size))
        # Windows side by side that cover x exactly write every cell of dx below, so dx
        # needs no zeros first (measured: 13-15% of this backward, batch 64 of 16 x 28 x 28).
        covered = not overlapping and all(size == o * k for size, o, k in
                                          zip(self.x.shape[2:], self.out.shape[2:], self.kernel_size))
        dx = (np.empty if covered else np.zeros)(self.x.shape, dtype=np.result_type(grad.dtype, self.x.dtype))
        taken = np.zeros(self.out.shape, dtype=bool)  # windows whose maximum has had its gradient
        x_windows = self._windows(self.x, *self.out.shape[2:])
        for window, dx_window in zip(x_windows, self._windows(dx, *self.out.shape[2:])):
            # The first cell (in reading order) equal to its window's maximum takes the gradient.
            first = window == self.out
            np.greater(first, taken, out=first)  # equal and not taken yet (True > False)
            taken |= first
            if overlapping:  # windows share inputs: their gradients add up
                dx_window += grad * first
            else:
                np.multiply(grad, first, out=dx_window)
        return dx

    def config(self):
        return {"kernel_size": list(self.kernel_size), "stride": list(self.stride)}

    def __repr__(self):
        stride = "" if self.stride == self.kernel_size else f", stride={_short(self.stride)}"
        return f"MaxPool2D({_short(self.kernel_size)}{stride})"


class Flatten(Layer):
    """Flatten (展平) each sample into one row: x (batch, d1, d2, ...) -> (batch, d1 * d2 * ...).

    For images (batch, channels, height, width) -> (batch, channels * height * width),
    in the order of x.reshape, the input a Linear layer needs after convolutions.
    backward reshapes the gradient back to x's shape. No parameters.
    """

    def __init__(self):
        self.x_shape = None

    def forward(self, x):
        x = np.asarray(x)
        if x.ndim < 2:
            raise ValueError(f"{self!r}: expected a batch (batch, ...) with at least 2 axes, got shape {x.shape}.")
        self.x_shape = x.shape
        return x.reshape(len(x), int(np.prod(x.shape[1:])))  # not -1, which an empty batch cannot resolve

    def backward(self, grad):
        grad = self.check_grad(grad, None if self.x_shape is None else (self.x_shape[0], int(np.prod(self.x_shape[1:]))))
        if not self.needs_input_grad:
            return None
        return grad.reshape(self.x_shape)
