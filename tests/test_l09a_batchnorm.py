"""Lesson 09a's helpers: the batch variance's bias, and the backward check's numerical gradient."""
import numpy as np

import nnlib as nn
from nnlib.course import l09a_batchnorm as l09a


def test_the_batch_variance_is_too_small_by_n_minus_1_over_n():
    by_n, by_n_minus_1 = l09a.batch_variance_bias(4)
    assert abs(by_n - 0.75) < 0.02 and abs(by_n_minus_1 - 1) < 0.02


def test_the_solution_equals_nnlibs_batchnorm_backward():
    rng = np.random.default_rng(1)
    x, grad, gamma = rng.normal(3, 2, size=(7, 4)), rng.normal(size=(7, 4)), rng.normal(size=4)
    layer = nn.BatchNorm(4, dtype=np.float64)
    layer.gamma[...] = gamma
    layer.forward(x)
    dx = layer.backward(grad)
    mine = l09a.BATCHNORM_BACKWARD.solution(grad, x, gamma, layer.eps)
    assert np.allclose(dx, mine[0]) and np.allclose(layer.dgamma, mine[1]) and np.allclose(layer.dbeta, mine[2])


def test_a_dx_that_only_goes_the_direct_path_fails_the_gradient_check():
    def direct_only(grad, x, gamma, eps):
        dx, dgamma, dbeta = l09a.BATCHNORM_BACKWARD.solution(grad, x, gamma, eps, mean_path=False, var_path=False)
        return dx, dgamma, dbeta
    assert "numerical gradient" in l09a._gradient_check(direct_only)
    assert l09a._gradient_check(l09a.BATCHNORM_BACKWARD.solution) is None
