"""Gradient checking (梯度检验): compare backprop's gradients with slopes measured numerically."""
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


def gradient_check(model, loss, x, y, eps=1e-5):
    """Relative error between backprop and numerical gradients, per parameter.

    model: a Sequential (or anything with .layers) in float64; loss: a loss object.
    Returns {name: error}, names like "layers[0] Linear(2 -> 3) W", plus "input"
    for dLoss/dx. Errors below 1e-6 mean backward is right; above 1e-3, wrong.
    """
    x = np.array(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[np.newaxis, :]
    layers = getattr(model, "layers", [model])

    def total_loss():
        return loss.forward(model.forward(x), y)

    total_loss()
    input_grad = np.array(model.backward(loss.backward()), dtype=np.float64)
    errors = {}
    for i, layer in enumerate(layers):
        names = getattr(layer, "param_names", ())
        for j, (value, grad) in enumerate(layer.parameters()):
            name = names[j] if j < len(names) else f"parameter {j}"
            analytic = grad.copy()
            errors[f"layers[{i}] {layer!r} {name}"] = relative_error(analytic, numerical_gradient(total_loss, value, eps))
    errors["input"] = relative_error(input_grad.reshape(x.shape), numerical_gradient(total_loss, x, eps))
    return errors
