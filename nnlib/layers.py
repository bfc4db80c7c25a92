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
from .validate import as_batch, check_finite, real_number, whole_number


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
    buffer_names = ()  # state that is learned but not by gradients, e.g. BatchNorm's running statistics
    needs_input_grad = True
    training = True   # Dropout and BatchNorm behave differently while training; see train() and eval()

    def forward(self, x):
        raise NotImplementedError(f"{type(self).__name__} must define forward(x).")

    def backward(self, grad):
        raise NotImplementedError(f"{type(self).__name__} must define backward(grad).")

    def check_grad(self, grad, shape):
        """grad as an array, after the checks every backward needs, written once here:
        forward must have run (shape is None until it has), and grad must have `shape`,
        the shape of this layer's output."""
        if shape is None:
            raise RuntimeError(f"{self!r}: call forward before backward.")
        if callable(grad):   # model.backward(loss.backward): the method itself, not the gradient it returns
            name = getattr(grad, "__qualname__", type(grad).__name__)
            raise TypeError(f"{self!r}: backward was handed the function {name}, not a gradient array: call it "
                            f"and hand on what it returns, e.g. model.backward(loss.backward()).")
        grad = np.asarray(grad)
        if grad.shape != tuple(shape):
            raise ValueError(f"{self!r}: backward expected a gradient of shape {tuple(shape)} (the shape of this "
                             f"layer's output), got {grad.shape}.")
        return grad

    def named_parameters(self):
        """(name, value, gradient) triples, e.g. ("W", W, dW), in param_names order."""
        return [(name, getattr(self, name), getattr(self, "d" + name)) for name in self.param_names]

    def parameters(self):
        """(value, gradient) pairs that an optimiser updates in place."""
        return [(value, grad) for _, value, grad in self.named_parameters()]

    def buffers(self):
        """(name, array) pairs of the layer's other state (buffer_names), which saving or
        restoring a model must include along with the parameters."""
        return [(name, getattr(self, name)) for name in self.buffer_names]

    def train(self):
        """Switch to training mode (the default); returns the layer."""
        self.training = True
        return self

    def eval(self):
        """Switch to evaluation mode, for inference: Dropout passes everything,
        BatchNorm uses its running statistics. Returns the layer."""
        self.training = False
        return self

    def config(self):
        """The constructor's arguments that rebuild this layer's architecture, as a dict of
        plain values (numbers, strings, lists), e.g. {"in_features": 2, "out_features": 3,
        "dtype": "float32"}: type(layer)(**layer.config()) is a layer of the same shape.
        Random generators and initialisations are left out (nn.load overwrites the values).
        nn.save stores it as JSON."""
        return {}

    def __call__(self, x):
        return self.forward(x)  # looked up on the instance's class, so a subclass's forward runs

    def __repr__(self):
        return f"{type(self).__name__}()"


class Linear(Layer):
    """A fully connected layer (全连接层): y = x @ W + b.

    x: (batch, in_features) -> y: (batch, out_features); a 1-D x is one sample.
    W: (in_features, out_features), b: (out_features,), both float32 by default
    (like PyTorch; pass dtype=np.float64 for 16-digit results).
    Weights start random, normal with mean 0 and a standard deviation `init`:
      "he" (default): sqrt(2 / in_features), which keeps the size of the signal
          steady through ReLU layers (ReLU zeroes half of it, hence the 2);
      "xavier" (Glorot): sqrt(2 / (in_features + out_features)), for sigmoid and
          tanh, which pass the whole signal through (about sqrt(1 / in) when
          in and out are alike);
      a number: that standard deviation, e.g. 0.01.
    Biases start at 0.
    rng: a numpy Generator; None draws from the library's generator (nn.seed).
    """

    param_names = ("W", "b")

    def __init__(self, in_features, out_features, rng=None, dtype=np.float32, init="he"):
        self.in_features = whole_number(in_features, "in_features", "Linear")
        self.out_features = whole_number(out_features, "out_features", "Linear")
        rng = random_source(rng, "Linear")
        std = initial_std(init, self.in_features, self.out_features)
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
        grad = self.check_grad(grad, None if self.x is None else (len(self.x), self.out_features))
        # Write into the existing arrays: the optimiser holds references to them.
        np.matmul(self.x.T, grad, out=self.dW)
        np.sum(grad, axis=0, out=self.db)
        if not self.needs_input_grad:
            return None
        return grad @ self.W.T

    def config(self):
        return {"in_features": self.in_features, "out_features": self.out_features, "dtype": self.W.dtype.name}

    def __repr__(self):
        return f"Linear({self.in_features} -> {self.out_features})"


def random_source(rng, who):
    """rng itself when it is a numpy Generator (or anything with its methods), the library's for None."""
    if rng is None:
        return generator()
    if isinstance(rng, type) or not callable(getattr(rng, "random", None)):
        raise TypeError(f"{who}: rng must be a numpy Generator, e.g. np.random.default_rng(0), or None, got {rng!r}.")
    return rng


def initial_std(init, in_features, out_features):
    """The standard deviation of a new layer's weights for init "he", "xavier" or a number."""
    if init == "he":
        return np.sqrt(2.0 / in_features)
    if init == "xavier":
        return np.sqrt(2.0 / (in_features + out_features))
    if isinstance(init, (int, float)) and not isinstance(init, bool) and init >= 0:
        return float(init)
    raise ValueError(f'Linear: init must be "he", "xavier" or a standard deviation (a number >= 0), got {init!r}.')


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

    def backward(self, grad):
        grad = self.check_grad(grad, None if self.x is None else self.x.shape)
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

    def forward(self, x):
        self.x = act._float(x)
        self.mask = self.x > 0          # where the input passes: all that backward needs
        return np.maximum(self.x, 0)    # relu(x) = max(0, x); x * mask would give -0. for a negative x

    def backward(self, grad):
        grad = self.check_grad(grad, None if self.x is None else self.x.shape)
        if not self.needs_input_grad:
            return None
        # grad * relu_derivative(x): the derivative is 1 where x > 0 and 0 elsewhere,
        # which is the mask itself (True counts as 1).
        return grad * self.mask


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
        grad = self.check_grad(grad, None if self.x is None else self.x.shape)
        if not self.needs_input_grad:
            return None
        return self.s * (grad - np.sum(grad * self.s, axis=-1, keepdims=True))


class Dropout(Layer):
    """Dropout (随机失活): while training, zero each input with probability p.

    x: any shape -> the same shape. The survivors are scaled by 1 / (1 - p)
    ("inverted dropout"), so every value keeps its expected size and nothing
    needs rescaling at test time: in evaluation mode (eval()) Dropout passes
    x through unchanged. backward lets the gradient through the same survivors.
    rng: a numpy Generator for the masks; None draws from the library's (nn.seed).
    """

    def __init__(self, p=0.5, rng=None):
        self.p = real_number(p, "p (the probability of dropping)", "Dropout", low=0, high=1, high_open=True)
        self.rng = None if rng is None else random_source(rng, "Dropout")
        self.mask = self.x_shape = None

    def forward(self, x):
        x = act._float(x)
        self.x_shape = x.shape
        if not self.training or self.p == 0:
            self.mask = None
            return x
        rng = self.rng if self.rng is not None else generator()
        keep = rng.random(x.shape) >= self.p
        self.mask = keep.astype(x.dtype) / x.dtype.type(1 - self.p)
        return x * self.mask

    def backward(self, grad):
        grad = self.check_grad(grad, self.x_shape)
        if not self.needs_input_grad:
            return None
        return grad if self.mask is None else grad * self.mask

    def config(self):
        return {"p": float(self.p)}

    def __repr__(self):
        return f"Dropout(p={self.p})"


class BatchNorm(Layer):
    """Batch normalisation (批归一化) over the batch axis: x (batch, features) -> (batch, features).

    Training: each feature is standardised with the batch's own mean and
    variance, x_hat = (x - mean) / sqrt(var + eps), then scaled and shifted by
    learnable gamma (features,) and beta (features,): y = gamma * x_hat + beta.
    Running averages of mean and variance are kept on the way,
    running = (1 - momentum) * running + momentum * batch_statistic
    (the variance with n - 1, as PyTorch does), and evaluation mode (eval())
    uses them instead, so a prediction does not depend on the rest of its batch.
    """

    param_names = ("gamma", "beta")
    buffer_names = ("running_mean", "running_var")

    def __init__(self, features, momentum=0.1, eps=1e-5, dtype=np.float32):
        self.features = whole_number(features, "features", "BatchNorm")
        self.momentum = real_number(momentum, "momentum", "BatchNorm", low=0, high=1)
        self.eps = real_number(eps, "eps", "BatchNorm", low=0, low_open=True)
        self.gamma = np.ones(self.features, dtype=dtype)
        self.beta = np.zeros(self.features, dtype=dtype)
        self.dgamma = np.zeros_like(self.gamma)
        self.dbeta = np.zeros_like(self.beta)
        self.running_mean = np.zeros(self.features, dtype=dtype)
        self.running_var = np.ones(self.features, dtype=dtype)
        self.x_hat = None

    def forward(self, x):
        x = as_batch(x, self, width=self.features, dtype=self.gamma.dtype)
        if self.training:
            if len(x) < 2:
                raise ValueError(f"{self!r}: training needs a batch of at least 2 samples to measure a variance, got {len(x)}.")
            mean, var = x.mean(axis=0), x.var(axis=0)
            if not np.isfinite(mean).all():   # refused before the running statistics take in a NaN for good
                check_finite(x, self)
            n = len(x)
            self.running_mean *= 1 - self.momentum
            self.running_mean += self.momentum * mean
            self.running_var *= 1 - self.momentum
            self.running_var += self.momentum * var * n / (n - 1)
        else:
            mean, var = self.running_mean, self.running_var
        self.inv_std = 1 / np.sqrt(var + self.eps)
        self.x_hat = (x - mean) * self.inv_std
        self.batch_statistics = self.training
        return self.gamma * self.x_hat + self.beta

    def backward(self, grad):
        grad = self.check_grad(grad, None if self.x_hat is None else self.x_hat.shape)
        np.sum(grad * self.x_hat, axis=0, out=self.dgamma)
        np.sum(grad, axis=0, out=self.dbeta)
        if not self.needs_input_grad:
            return None
        d_x_hat = grad * self.gamma
        if not self.batch_statistics:  # fixed running statistics: a plain scale per feature
            return d_x_hat * self.inv_std
        # With batch statistics every x_hat depends on the whole batch through
        # the mean and the variance; the chain rule through both gives
        # dx = inv_std * (d_x_hat - mean(d_x_hat) - x_hat * mean(d_x_hat * x_hat)).
        return self.inv_std * (d_x_hat - d_x_hat.mean(axis=0) - self.x_hat * (d_x_hat * self.x_hat).mean(axis=0))

    def config(self):
        return {"features": self.features, "momentum": float(self.momentum), "eps": float(self.eps),
                "dtype": self.gamma.dtype.name}

    def __repr__(self):
        return f"BatchNorm({self.features})"
