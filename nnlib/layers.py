"""Layers (层). Every layer follows one contract, written once in `Layer`, so a network is just a loop:

- forward(x):     x (batch, in) -> output (batch, out); keeps what backward needs.
- backward(grad): grad = dLoss/doutput (batch, out) -> dLoss/dx (batch, in);
                  layers with parameters also fill their gradients (dW, db).
- parameters():   a list of (value, gradient) array pairs that an optimiser
                  updates in place; empty for layers without parameters.

backward never changes the array it is handed.
"""
import numpy as np

from . import activations as act
from .randomness import generator
from .validate import as_batch, check_finite


class Layer:
    """The contract every layer follows; subclasses write forward and backward.

    param_names:      the names of the parameter arrays, e.g. ("W", "b"); the
                      gradient of each lives beside it with a "d" in front
                      (dW, db), which is how parameters() finds them.
    needs_input_grad: whether backward must return dLoss/dx. Sequential sets
                      it to False on its first layer while training: that
                      layer's input is the data, whose gradient nobody uses,
                      and computing it costs as much as the layer's forward.
                      A layer may ignore it (returning dx anyway is correct).
    """

    param_names = ()
    needs_input_grad = True

    def forward(self, x):
        raise NotImplementedError(f"{type(self).__name__} must define forward(x).")

    def backward(self, grad):
        raise NotImplementedError(f"{type(self).__name__} must define backward(grad).")

    def named_parameters(self):
        """(name, value, gradient) triples, e.g. ("W", W, dW), in param_names order."""
        return [(name, getattr(self, name), getattr(self, "d" + name)) for name in self.param_names]

    def parameters(self):
        """(value, gradient) pairs that an optimiser updates in place."""
        return [(value, grad) for _, value, grad in self.named_parameters()]

    def __call__(self, x):
        return self.forward(x)  # looked up on the instance's class, so a subclass's forward runs

    def __repr__(self):
        return f"{type(self).__name__}()"


class Linear(Layer):
    """A fully connected layer (全连接层): y = x @ W + b.

    x: (batch, in_features) -> y: (batch, out_features); a 1-D x is one sample.
    W: (in_features, out_features), b: (out_features,), both float32 by default
    (like PyTorch; pass dtype=np.float64 for 16-digit results).
    Weights start random with He scaling, std = sqrt(2 / in_features), which
    keeps the size of the signal steady through ReLU layers; biases start at 0.
    rng: a numpy Generator; None draws from the library's generator (nn.seed).
    """

    param_names = ("W", "b")

    def __init__(self, in_features, out_features, rng=None, dtype=np.float32):
        if rng is None:
            rng = generator()
        self.in_features, self.out_features = int(in_features), int(out_features)
        std = np.sqrt(2.0 / self.in_features)
        self.W = (rng.standard_normal((self.in_features, self.out_features)) * std).astype(dtype)
        self.b = np.zeros(self.out_features, dtype=dtype)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
        self.x = None

    @classmethod
    def from_weights(cls, W, b):
        """A Linear layer with given W (in, out) and b (out,), e.g. from a book.

        Float arrays keep their dtype; lists and integers become float64, so a
        book's numbers are reproduced to all 16 digits.
        """
        W, b = np.asarray(W), np.asarray(b)
        dtype = W.dtype if W.dtype.kind == "f" else np.float64
        if W.ndim != 2 or b.shape != (W.shape[1],):
            raise ValueError(f"Linear.from_weights: need W (in, out) and b (out,), got {W.shape} and {b.shape}.")
        layer = cls(W.shape[0], W.shape[1], rng=np.random.default_rng(0), dtype=dtype)
        layer.W[...] = W
        layer.b[...] = b
        return layer

    def forward(self, x):
        x = as_batch(x, self, width=self.in_features, dtype=self.W.dtype)
        self.x = x
        with np.errstate(invalid="ignore", over="ignore"):  # NaN or inf in x: reported below
            out = x @ self.W
            out += self.b
            # A NaN or infinity anywhere in a row of x makes that whole row of the
            # output NaN or infinite, so one cheap sum over the (smaller) output
            # tells whether the input needs the full check.
            suspicious = not np.isfinite(out.sum())
        if suspicious:
            check_finite(x, self)
        return out

    def backward(self, grad):
        if self.x is None:
            raise RuntimeError(f"{self!r}: call forward before backward.")
        grad = np.asarray(grad)
        if grad.shape != (len(self.x), self.out_features):
            raise ValueError(
                f"{self!r}: backward expected a gradient of shape {(len(self.x), self.out_features)} "
                f"(the shape of this layer's output), got {grad.shape}."
            )
        # Write into the existing arrays: the optimiser holds references to them.
        np.matmul(self.x.T, grad, out=self.dW)
        np.sum(grad, axis=0, out=self.db)
        if not self.needs_input_grad:
            return None
        return grad @ self.W.T

    def __repr__(self):
        return f"Linear({self.in_features} -> {self.out_features})"


class Activation(Layer):
    """An element-wise activation as a layer: y = f(x), dLoss/dx = grad * f'(x).

    x: any shape; y has the same shape. Subclasses set `function` and `derivative`.
    """

    function = None
    derivative = None
    x = None

    def forward(self, x):
        self.x = act._float(x)
        return type(self).function(self.x)

    def _check_grad(self, grad, shape):
        if self.x is None:
            raise RuntimeError(f"{self!r}: call forward before backward.")
        if np.shape(grad) != shape:
            raise ValueError(f"{self!r}: backward expected a gradient of shape {shape}, got {np.shape(grad)}.")

    def backward(self, grad):
        self._check_grad(grad, self.x.shape if self.x is not None else None)
        if not self.needs_input_grad:
            return None
        return grad * type(self).derivative(self.x)


class Sigmoid(Activation):
    function = act.sigmoid
    derivative = act.sigmoid_derivative


class Tanh(Activation):
    function = act.tanh
    derivative = act.tanh_derivative


class ReLU(Activation):
    function = act.relu
    derivative = act.relu_derivative

    def backward(self, grad):
        self._check_grad(grad, self.x.shape if self.x is not None else None)
        if not self.needs_input_grad:
            return None
        # grad * relu_derivative(x), multiplying by the True/False mask directly
        # (True counts as 1): one array fewer to build.
        return grad * (self.x > 0)


class LeakyReLU(Activation):
    function = act.leaky_relu
    derivative = act.leaky_relu_derivative


class Softmax(Activation):
    """Row-wise softmax as a layer: x (batch, classes) -> probabilities (batch, classes).

    Its derivative is not element-wise (every output depends on every input
    of its row), so backward uses the Jacobian-vector product
    dLoss/dx = s * (grad - sum(grad * s)) row by row.
    For training a classifier, prefer CrossEntropyLoss on the logits: it fuses
    the two into the simpler, stabler gradient softmax(x) - target.
    """

    def forward(self, x):
        self.x = act._float(x)
        self.s = act.softmax(self.x)
        return self.s

    def backward(self, grad):
        self._check_grad(grad, self.x.shape if self.x is not None else None)
        if not self.needs_input_grad:
            return None
        return self.s * (grad - np.sum(grad * self.s, axis=-1, keepdims=True))
