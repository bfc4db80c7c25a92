"""Gradient checking (梯度检验): compare backprop's gradients with slopes measured numerically."""
from contextlib import contextmanager

import numpy as np

from .validate import instance_of_layer, real_number


def numerical_gradient(f, x, eps=1e-5):
    """The gradient of f() with respect to array x, by central differences.

    f: a function of no arguments returning a number, which reads x.
    x: a float array, nudged in place one element at a time and restored.
    Returns an array of x's shape: (f(x + eps) - f(x - eps)) / (2 eps) per element.
    It needs two evaluations of f per element: fine for checking, far too slow to train.
    """
    if not callable(f):
        raise TypeError(f"numerical_gradient: f must be a function of no arguments returning a number, got {f!r}.")
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        raise TypeError("numerical_gradient: x must be a float NumPy array (it is nudged in place), "
                        f"got {type(x).__name__}{'' if not isinstance(x, np.ndarray) else ' of dtype ' + str(x.dtype)}.")
    eps = real_number(eps, "eps", "numerical_gradient", low=0, low_open=True)
    grad = np.zeros_like(x, dtype=np.float64)
    flat_x, flat_grad = x.reshape(-1), grad.reshape(-1)
    if not np.shares_memory(flat_x, x):
        raise ValueError("numerical_gradient: x must be a contiguous array that can be nudged in place.")
    for i in range(flat_x.size):
        original = flat_x[i]
        flat_x[i] = original + eps
        plus = f()
        flat_x[i] = original - eps
        minus = f()
        flat_x[i] = original
        flat_grad[i] = (plus - minus) / (2 * eps)
    return grad


# Below this size, |a| + |n| is rounding noise, not a gradient: a parameter whose true gradient is 0
# (a bias just before BatchNorm) has a backprop gradient of ~1e-17 and a measured one of ~1e-11, and
# dividing by their sum would call that 100% wrong. Dividing by at least the floor reports it as ~1e-8.
ABSOLUTE_FLOOR = 1e-3


def relative_error(analytic, numeric, floor=ABSOLUTE_FLOOR):
    """|a - n| / max(|a| + |n|, floor) for whole arrays (norms): 0 when they agree.

    Where both gradients are smaller than the floor (1e-3), the error is the plain
    difference divided by the floor, so a true gradient of 0 is not called wrong
    because of rounding noise. Pass floor=0 for the pure relative error.
    """
    scale = max(np.linalg.norm(analytic) + np.linalg.norm(numeric), floor)
    return 0.0 if scale == 0 else float(np.linalg.norm(analytic - numeric) / scale)


def _leaf_layers(model):
    return list(model.leaf_layers()) if hasattr(model, "leaf_layers") else list(getattr(model, "layers", [model]))


@contextmanager
def in_float64(model):
    """Within this block, every layer's parameters (and gradients) are float64 copies.

    A float32 network rounds every number to about 7 digits, far too coarse for
    a slope measured by nudging a weight by 1e-5. The layers themselves stay
    the same objects; their original arrays are put back afterwards, unchanged.
    """
    saved = []
    for layer in _leaf_layers(model):
        for name in getattr(layer, "param_names", ()):
            for attribute in (name, "d" + name):
                saved.append((layer, attribute, getattr(layer, attribute)))
                setattr(layer, attribute, getattr(layer, attribute).astype(np.float64))
    try:
        yield model
    finally:
        for layer, attribute, original in saved:
            setattr(layer, attribute, original)


def gradient_check(model, loss, x, y, eps=1e-5):
    """Relative error between backprop and numerical gradients, per parameter.

    model: a Sequential (or one layer) of any dtype: the check runs in float64
           (in_float64), and the model's own arrays are left unchanged.
    loss:  a loss object. x: (batch, features); y: targets the loss understands.
    Returns {name: error}, names like "layers[0] Linear(2 -> 3) W", plus "input"
    for dLoss/dx. Errors below 1e-6 mean backward is right; above 1e-3, wrong.
    The errors are relative_error's, with its absolute floor: a gradient that is truly 0
    is reported as right.

    The model is left exactly as it was found: its parameters, gradients, BatchNorm's
    running statistics, each layer's mode, what its last forward kept and its random
    generator. Dropout in training mode would draw a new mask at every forward, and
    nudged losses could not be compared: during the check it draws one mask (from a
    generator of the check's own) and keeps it.
    """
    instance_of_layer(model, "model", "gradient_check")
    if isinstance(loss, type) or not callable(getattr(loss, "backward", None)):
        raise TypeError(f"gradient_check: loss must be a loss object such as nn.CrossEntropyLoss(), got {loss!r}.")
    with _kept_as_found(model), in_float64(model):
        for layer in _leaf_layers(model):
            if hasattr(layer, "rng") and hasattr(layer, "p"):   # Dropout
                layer.rng = _SameDraws()
        return _gradient_check(model, loss, x, y, eps)


class _SameDraws:
    """A stand-in random generator whose random(shape) gives the same numbers every call."""

    def __init__(self):
        self.rng, self.draws = np.random.default_rng(0), {}

    def random(self, shape):
        if shape not in self.draws:
            self.draws[shape] = self.rng.random(shape)
        return self.draws[shape]


@contextmanager
def _kept_as_found(model):
    """Put back every layer's attributes (modes, caches, parameter arrays) and buffer values afterwards."""
    layers = _leaf_layers(model)
    attributes = [(layer, dict(vars(layer))) for layer in layers]
    buffers = [(array, array.copy()) for layer in layers if hasattr(layer, "buffers") for _, array in layer.buffers()]
    try:
        yield
    finally:
        for array, copy in buffers:
            array[...] = copy
        for layer, saved in attributes:
            vars(layer).clear()
            vars(layer).update(saved)


def _gradient_check(model, loss, x, y, eps):
    x = np.array(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[np.newaxis, :]
    layers = _leaf_layers(model)

    def total_loss():
        return loss.forward(model.forward(x), y)

    total_loss()
    if hasattr(model, "layers"):
        input_grad = model.backward(loss.backward(), input_grad=True)
    else:
        input_grad = model.backward(loss.backward())
    input_grad = np.array(input_grad, dtype=np.float64)
    errors = {}
    for i, layer in enumerate(layers):
        if hasattr(layer, "named_parameters"):
            named = layer.named_parameters()
        else:  # a layer of the learner's own, with only parameters()
            named = [(f"parameter {j}", value, grad) for j, (value, grad) in enumerate(layer.parameters())]
        for name, value, grad in named:
            analytic = grad.copy()
            errors[f"layers[{i}] {layer!r} {name}"] = relative_error(analytic, numerical_gradient(total_loss, value, eps))
    errors["input"] = relative_error(input_grad.reshape(x.shape), numerical_gradient(total_loss, x, eps))
    return errors
