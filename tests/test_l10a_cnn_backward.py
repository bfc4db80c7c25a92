"""Lesson 10a helpers: nnlib's max-pool and convolution backward on one channel, the loops the mistakes
table is built from, and the exercises' other right answers (their mistakes: tests/test_exercises.py)."""
import numpy as np

import nnlib as nn
from nnlib.course import l10_convolution as l10
from nnlib.course import l10a_cnn_backward as l10a


def test_maxpool_backward_routes_each_gradient_to_the_first_maximum_of_its_window():
    x = np.array([[1.0, 5.0, 2.0, 2.0],
                  [5.0, 3.0, 2.0, 2.0],
                  [0.0, 0.0, 4.0, 8.0],
                  [0.0, 7.0, 8.0, 3.0]])
    dx = l10a.maxpool_backward(x, np.array([[1.0, 2.0], [3.0, 4.0]]))
    np.testing.assert_array_equal(dx, [[0, 1, 2, 0], [0, 0, 0, 0], [0, 0, 0, 4], [0, 3, 0, 0]])
    np.testing.assert_array_equal(l10a.maxpool(x), [[5, 2], [7, 8]])


def test_maxpool_backward_is_the_numerical_gradient_where_there_are_no_ties():
    rng = np.random.default_rng(0)
    x, grad = rng.standard_normal((7, 6)), rng.standard_normal((3, 3))   # the last row is left over
    numeric = nn.numerical_gradient(lambda: float(np.sum(l10a.maxpool(x) * grad)), x)
    np.testing.assert_allclose(l10a.maxpool_backward(x, grad), numeric, atol=1e-8)
    assert not l10a.maxpool_backward(x, grad)[6].any()


def test_conv_backward_loops_are_nnlibs_conv2d_backward_and_the_numerical_gradient():
    rng = np.random.default_rng(1)
    x, W, grad = rng.standard_normal((6, 5)), rng.standard_normal((3, 3)), rng.standard_normal((4, 3))
    dx, dW = l10a.conv_backward(x, W, grad)
    loops_dx, loops_dW = l10a.conv_backward_loops(x, W, grad)
    np.testing.assert_allclose(loops_dx, dx, atol=1e-12)
    np.testing.assert_allclose(loops_dW, dW, atol=1e-12)
    loss = lambda: float(np.sum(l10.correlate(x, W) * grad))  # noqa: E731
    np.testing.assert_allclose(dx, nn.numerical_gradient(loss, x), atol=1e-7)
    np.testing.assert_allclose(dW, nn.numerical_gradient(loss, W), atol=1e-7)
    np.testing.assert_allclose(dx, l10.correlate(np.pad(grad, 2), W[::-1, ::-1]), atol=1e-12)


def vectorised_maxpool_backward(x, grad):
    """A learner's whole-array answer: a mask of the first maximum of each window, from np.argmax."""
    h, w = grad.shape
    windows = x[:2 * h, :2 * w].reshape(h, 2, w, 2).transpose(0, 2, 1, 3).reshape(h, w, 4)
    first = np.argmax(windows, axis=2)
    dx = np.zeros(x.shape)
    rows = 2 * np.arange(h)[:, None] + first // 2
    cols = 2 * np.arange(w)[None, :] + first % 2
    dx[rows, cols] = grad
    return dx


def full_correlation_conv_backward(x, W, grad):
    """A learner's answer from the formulas: dx is the padded grad correlated with the flipped kernel,
    dW the input correlated with grad."""
    K = W.shape[0]
    dW = np.sum(np.lib.stride_tricks.sliding_window_view(x, grad.shape) * grad, axis=(2, 3))   # (K, K)
    return l10.correlate(np.pad(grad, K - 1), W[::-1, ::-1]), dW


def test_the_exercises_pass_other_right_answers():
    assert l10a.check_maxpool_backward(vectorised_maxpool_backward, quiet=True)
    assert l10a.check_conv_backward(full_correlation_conv_backward, quiet=True)
    assert l10a.check_conv_backward(l10a.conv_backward_loops, quiet=True)


def test_the_checks_name_a_wrong_numerical_gradient(capsys):
    def right_on_the_cases_only(x, W, grad):  # right where the cases are, wrong on the after-check's 5×6 x
        dx, dW = l10a.conv_backward(x, W, grad)
        return (dx * 2, dW) if x.shape == (5, 6) else (dx, dW)

    assert not l10a.check_conv_backward(right_on_the_cases_only)
    assert "numerical gradient" in capsys.readouterr().out
