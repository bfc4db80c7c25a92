"""Lesson 09a, batch normalisation: the check of the learner's BatchNorm backward (with a numerical
gradient check once the numbers are right) and the running statistics' demonstration."""
import numpy as np

from ..gradcheck import numerical_gradient, relative_error
from .exercise import Case, Exercise, Mistake

# ---------------------------------------------------------------- exercise: BatchNorm's backward


def _normalised(x, gamma, eps):
    """The pieces of the forward pass the backward needs: (x_hat, inv_std)."""
    mean, var = x.mean(axis=0), x.var(axis=0)
    inv_std = 1 / np.sqrt(var + eps)
    return (x - mean) * inv_std, inv_std


def _batchnorm_backward(grad, x, gamma, eps, *, mean_path=True, var_path=True, use_gamma=True, scale=None,
                        axis=0, x_for_dgamma=False, swap=False):
    """BatchNorm's backward with batch statistics -> (dx, dgamma, dbeta); the switches make the usual slips."""
    x_hat, inv_std = _normalised(x, gamma, eps)
    if scale is not None:
        inv_std = scale(x, eps)
    d_x_hat = grad * gamma if use_gamma else grad
    dx = d_x_hat
    if mean_path:
        dx = dx - d_x_hat.mean(axis=axis, keepdims=True)
    if var_path:
        dx = dx - x_hat * (d_x_hat * x_hat).mean(axis=axis, keepdims=True)
    dx = inv_std * dx
    dgamma = np.sum(grad * (x if x_for_dgamma else x_hat), axis=axis)
    dbeta = np.sum(grad, axis=axis)
    return (dx, dbeta, dgamma) if swap else (dx, dgamma, dbeta)


def _slip(**switches):
    def batchnorm_backward(grad, x, gamma, eps):
        return _batchnorm_backward(grad, x, gamma, eps, **switches)
    return batchnorm_backward


def _dx_by_nudging(x, gamma, eps, grad):
    """The numerical gradient of L = sum(grad * y) with respect to x, y = BatchNorm's forward."""
    def loss():
        x_hat, _ = _normalised(x, gamma, eps)
        return float(np.sum(grad * (gamma * x_hat)))
    return numerical_gradient(loss, x)


def _gradient_check(fn):
    """After every case is right: the learner's dx against nudging x, on a fresh batch."""
    rng = np.random.default_rng(90)
    x, grad, gamma = rng.normal(2.0, 1.5, size=(5, 4)), rng.normal(size=(5, 4)), rng.normal(1.0, 0.5, size=4)
    dx = fn(grad, x.copy(), gamma, 1e-5)[0]
    error = relative_error(dx, _dx_by_nudging(x, gamma, 1e-5, grad))
    if not error < 1e-6:
        return f"batchnorm_backward's dx disagrees with the numerical gradient (relative error {error:.1e})."
    return None


def _batchnorm_cases():
    rng = np.random.default_rng(9)
    x = rng.normal(5.0, 3.0, size=(6, 3))
    gamma = np.array([1.5, -0.5, 2.0])
    return [
        Case("a batch of 6 samples with 3 features, gamma = [1.5, -0.5, 2]", rng.normal(size=(6, 3)), x, gamma, 1e-5),
        Case("a batch of 2 samples with 5 features, gamma = 0.5", rng.normal(size=(2, 5)),
             rng.normal(-1.0, 2.0, size=(2, 5)), np.full(5, 0.5), 1e-5),
    ]


_PATHS = ("every x̂ depends on the whole batch through the mean μ and the variance σ², so dx has three parts: "
          "dx = inv_std * (dx̂ - mean(dx̂) - x̂ * mean(dx̂ * x̂)), the means over the batch (axis 0).")

BATCHNORM_BACKWARD = Exercise(
    "batchnorm_backward", lesson="09a", solution=_batchnorm_backward, cases=_batchnorm_cases,
    parts=("dx", "dgamma", "dbeta"), after=_gradient_check,
    mistakes=[
        Mistake("dgamma and dbeta are swapped: dgamma = sum of grad * x̂ over the batch, dbeta = sum of grad "
                "(β is only added, so its gradient is grad itself, summed). Return dx, dgamma, dbeta.",
                answer=_slip(swap=True)),
        Mistake("Sum over the batch, axis 0: gamma and beta have one number per feature, shared by every sample, "
                "so their gradients (and the means in dx) add up over the samples, not over the features.",
                answer=_slip(axis=1)),
        Mistake("dgamma multiplies grad by x̂, the normalised input that gamma multiplies, not by x itself: "
                "dgamma = np.sum(grad * x_hat, axis=0).", answer=_slip(x_for_dgamma=True)),
        Mistake("dx treats μ and σ² as constants: inv_std * dx̂ is only the direct path. " + _PATHS,
                answer=_slip(mean_path=False, var_path=False)),
        Mistake("dx misses the path through the variance σ² (the term - x̂ * mean(dx̂ * x̂)). " + _PATHS,
                answer=_slip(var_path=False)),
        Mistake("dx misses the path through the mean μ (the term - mean(dx̂)). " + _PATHS,
                answer=_slip(mean_path=False)),
        Mistake("dx must be scaled by inv_std = 1 / sqrt(var + eps), one over the standard deviation, not by the "
                "variance itself.", answer=_slip(scale=lambda x, eps: x.var(axis=0) + eps)),
        Mistake("dx must be scaled by inv_std = 1 / sqrt(var + eps), not by 1 / (var + eps): the square root "
                "is missing.", answer=_slip(scale=lambda x, eps: 1 / (x.var(axis=0) + eps))),
        Mistake("dx̂ = grad * gamma: y = gamma * x̂ + beta, so the gradient reaching x̂ is scaled by gamma.",
                answer=_slip(use_gamma=False)),
    ],
    success="batchnorm_backward is right, and its dx agrees with the numerical gradient.")
check_batchnorm_backward = BATCHNORM_BACKWARD.check


# ---------------------------------------------------------------- the running statistics


def batch_variance_bias(batch_size, trials=20000, rng=None):
    """The mean over many batches (of `batch_size` standard-normal numbers, true variance 1) of
    the batch variance divided by n and by n - 1: (mean of var_n, mean of var_n-1)."""
    rng = np.random.default_rng(0) if rng is None else rng
    samples = rng.normal(size=(trials, batch_size))
    return float(samples.var(axis=1).mean()), float(samples.var(axis=1, ddof=1).mean())
