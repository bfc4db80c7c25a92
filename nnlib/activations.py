"""Activation functions h(x) and their derivatives h'(x), element-wise on arrays.

All of them keep the input's shape and float dtype, and none of them overflows
or warns, even for inputs of +-1e4.
"""
import numpy as np


def _float(x):
    x = np.asarray(x)
    return x if x.dtype.kind == "f" else x.astype(np.float64)


def step(x):
    """1 where x > 0, else 0: the perceptron's activation."""
    x = _float(x)
    return (x > 0).astype(x.dtype)


def step_derivative(x):
    """0 everywhere (undefined at 0): why a step cannot be trained by gradients."""
    return np.zeros_like(_float(x))


def sigmoid(x):
    """1 / (1 + exp(-x)), squashing any number into (0, 1).

    exp(-x) overflows for x below about -710, so we only ever take exp of
    -|x| (at most 1) and use the matching form of the formula on each side.
    """
    x = _float(x)
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))


def sigmoid_derivative(x):
    """sigmoid(x) * (1 - sigmoid(x)); at most 0.25, at x = 0."""
    s = sigmoid(x)
    return s * (1 - s)


def tanh(x):
    """(exp(x) - exp(-x)) / (exp(x) + exp(-x)), squashing into (-1, 1)."""
    return np.tanh(_float(x))


def tanh_derivative(x):
    """1 - tanh(x)**2."""
    return 1 - np.tanh(_float(x)) ** 2


def relu(x):
    """max(0, x): passes positive values, zeroes negative ones."""
    x = _float(x)
    return np.maximum(x, 0)


def relu_derivative(x):
    """1 where x > 0, else 0 (we pick 0 at x = 0)."""
    x = _float(x)
    return (x > 0).astype(x.dtype)


def leaky_relu(x, alpha=0.01):
    """x where x > 0, else alpha * x: negative inputs keep a small slope."""
    x = _float(x)
    return np.where(x > 0, x, alpha * x)


def leaky_relu_derivative(x, alpha=0.01):
    """1 where x > 0, else alpha."""
    x = _float(x)
    return np.where(x > 0, 1.0, alpha).astype(x.dtype)


def softmax(x):
    """exp(x_i) / sum_j exp(x_j) over the last axis: each row becomes probabilities.

    x: (classes,) or (batch, classes). Every row of the result sums to 1.
    Subtracting each row's maximum first keeps exp() at most 1, so it cannot
    overflow, and it does not change the result (the factor cancels).
    """
    x = _float(x)
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def log_softmax(x):
    """log(softmax(x)) over the last axis, computed without taking log(0)."""
    x = _float(x)
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
