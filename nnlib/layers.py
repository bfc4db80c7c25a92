"""Layers (层). Every layer follows one contract, so a network is just a loop:

- forward(x):     x (batch, in) -> output (batch, out); keeps what backward needs.
- backward(grad): grad = dLoss/doutput (batch, out) -> dLoss/dx (batch, in);
                  layers with parameters also fill their gradients (dW, db).
- parameters():   a list of (value, gradient) array pairs that an optimiser
                  updates in place; empty for layers without parameters.

backward never changes the array it is handed.
"""
import numpy as np

from . import activations as act
from .validate import as_batch


class Linear:
    """A fully connected layer (全连接层): y = x @ W + b.

    x: (batch, in_features) -> y: (batch, out_features); a 1-D x is one sample.
    W: (in_features, out_features), b: (out_features,).
    Weights start random with He scaling, std = sqrt(2 / in_features), which
    keeps the size of the signal steady through ReLU layers; biases start at 0.
    rng: a numpy Generator; None means np.random.default_rng(0), so runs repeat.
    """

    param_names = ("W", "b")

    def __init__(self, in_features, out_features, rng=None, dtype=np.float64):
        if rng is None:
            rng = np.random.default_rng(0)
        self.in_features, self.out_features = int(in_features), int(out_features)
        std = np.sqrt(2.0 / self.in_features)
        self.W = (rng.standard_normal((self.in_features, self.out_features)) * std).astype(dtype)
        self.b = np.zeros(self.out_features, dtype=dtype)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
        self.x = None

    @classmethod
    def from_weights(cls, W, b):
        """A Linear layer with given W (in, out) and b (out,), e.g. from a book."""
        W = np.array(W, dtype=np.float64)
        b = np.array(b, dtype=np.float64)
        if W.ndim != 2 or b.shape != (W.shape[1],):
            raise ValueError(f"Linear.from_weights: need W (in, out) and b (out,), got {W.shape} and {b.shape}.")
        layer = cls(W.shape[0], W.shape[1])
        layer.W[...] = W
        layer.b[...] = b
        return layer

    def forward(self, x):
        x = as_batch(x, self, width=self.in_features, dtype=self.W.dtype)
        self.x = x
        return x @ self.W + self.b

    def backward(self, grad, input_grad=True):
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
        if not input_grad:
            return None  # as costly as the forward product, and unused for the first layer
        return grad @ self.W.T

    def parameters(self):
        return [(self.W, self.dW), (self.b, self.db)]

    __call__ = forward

    def __repr__(self):
        return f"Linear({self.in_features} -> {self.out_features})"


class Activation:
    """An element-wise activation as a layer: y = f(x), dLoss/dx = grad * f'(x).

    x: any shape; y has the same shape. Subclasses set `function` and `derivative`.
    """

    function = None
    derivative = None

    def forward(self, x):
        self.x = act._float(x)
        return type(self).function(self.x)

    def backward(self, grad, input_grad=True):
        if getattr(self, "x", None) is None:
            raise RuntimeError(f"{self!r}: call forward before backward.")
        if np.shape(grad) != self.x.shape:
            raise ValueError(f"{self!r}: backward expected a gradient of shape {self.x.shape}, got {np.shape(grad)}.")
        if not input_grad:
            return None
        return grad * type(self).derivative(self.x)

    def parameters(self):
        return []

    def __call__(self, x):
        return self.forward(x)

    def __repr__(self):
        return f"{type(self).__name__}()"


class Sigmoid(Activation):
    function = act.sigmoid
    derivative = act.sigmoid_derivative


class Tanh(Activation):
    function = act.tanh
    derivative = act.tanh_derivative


class ReLU(Activation):
    function = act.relu
    derivative = act.relu_derivative


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

    def backward(self, grad, input_grad=True):
        if getattr(self, "x", None) is None:
            raise RuntimeError(f"{self!r}: call forward before backward.")
        if np.shape(grad) != self.s.shape:
            raise ValueError(f"{self!r}: backward expected a gradient of shape {self.s.shape}, got {np.shape(grad)}.")
        if not input_grad:
            return None
        return self.s * (grad - np.sum(grad * self.s, axis=-1, keepdims=True))
