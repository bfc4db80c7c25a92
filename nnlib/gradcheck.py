"""Gradient checking (梯度检验): compare backprop's gradients with slopes measured numerically."""
from contextlib import contextmanager

import numpy as np


def numerical_gradient(f, x, eps=1e-5):
    """The gradient of f() with respect to array x, by central differences.

    f: a function of no arguments returning a number, which reads x.
    x: a float array, nudged in place one element at a time and restored.
    Returns an array of x's shape: (f(x + eps) - f(x - eps)) / (2 eps) per element.
    It needs two evaluations of f per element: fine for checking, far too slow to train.
    """
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


def relative_error(analytic, numeric):
    """|a - n| / (|a| + |n|) for whole arrays (norms), 0 when both are zero."""
    scale = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    return 0.0 if scale == 0 else float(np.linalg.norm(analytic - numeric) / scale)


@contextmanager
def in_float64(model):
    """Within this block, every layer's parameters (and gradients) are float64 copies.

    A float32 network rounds every number to about 7 digits, far too coarse for
    a slope measured by nudging a weight by 1e-5. The layers themselves stay
    the same objects; their original arrays are put back afterwards, unchanged.
    """
    saved = []
    for layer in getattr(model, "layers", [model]):
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
    """
    with in_float64(model):
        return _gradient_check(model, loss, x, y, eps)


def _gradient_check(model, loss, x, y, eps):
    x = np.array(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[np.newaxis, :]
    layers = getattr(model, "layers", [model])

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
