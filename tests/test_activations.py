"""Activation functions: values, derivatives, and stability at +-1e4."""
import numpy as np
import pytest

import nnlib as nn
from nnlib.gradcheck import numerical_gradient

EXTREMES = np.array([-1e4, -800.0, -50.0, -1.0, 0.0, 1.0, 50.0, 800.0, 1e4])
FUNCTIONS = [
    (nn.sigmoid, nn.sigmoid_derivative),
    (nn.tanh, nn.tanh_derivative),
    (nn.relu, nn.relu_derivative),
    (nn.leaky_relu, nn.leaky_relu_derivative),
    (nn.step, nn.step_derivative),
]


@pytest.mark.parametrize("f, df", FUNCTIONS, ids=lambda f: getattr(f, "__name__", ""))
def test_no_overflow_or_warning_at_extremes(f, df):
    # pytest turns every warning into an error (pyproject.toml), so overflow warnings would fail here
    for dtype in (np.float32, np.float64):
        x = EXTREMES.astype(dtype)
        assert np.isfinite(f(x)).all() and f(x).dtype == dtype
        assert np.isfinite(df(x)).all()


def test_sigmoid_values():
    assert nn.sigmoid(0.0) == 0.5
    np.testing.assert_allclose(nn.sigmoid(np.array([-1e4, 1e4])), [0.0, 1.0])
    x = np.linspace(-30, 30, 61)
    np.testing.assert_allclose(nn.sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-12)


@pytest.mark.parametrize("f, df", FUNCTIONS[:4], ids=lambda f: getattr(f, "__name__", ""))
def test_derivatives_match_central_differences(f, df):
    x = np.array([-2.0, -0.7, -0.1, 0.3, 1.5])  # away from the kink of ReLU at 0
    y = x.copy()
    for i in range(len(x)):
        numeric = numerical_gradient(lambda: float(f(y)[i]), y)[i]
        assert abs(numeric - df(x)[i]) < 1e-8


def test_step_and_relu():
    np.testing.assert_array_equal(nn.step(np.array([-1.0, 0.0, 2.0])), [0, 0, 1])
    np.testing.assert_array_equal(nn.relu(np.array([[-5, 10], [15, -10]])), [[0, 10], [15, 0]])
    np.testing.assert_allclose(nn.leaky_relu(np.array([-1.0, 2.0])), [-0.01, 2.0])


def test_integer_input_becomes_float():
    assert nn.sigmoid(np.array([0, 1])).dtype == np.float64
    assert nn.relu(np.array([-1, 1])).dtype == np.float64


def test_softmax_is_row_wise_and_sums_to_one():
    x = np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, 1000.0]])
    s = nn.softmax(x)
    np.testing.assert_allclose(s.sum(axis=1), 1.0)
    np.testing.assert_allclose(s[1], 1 / 3)
    # each row is its own distribution: seed 000's bug summed over the whole batch
    np.testing.assert_allclose(s[0], nn.softmax(x[0]))
    np.testing.assert_allclose(nn.softmax(np.array([0.3, 2.9, 4.0])), [0.01821127, 0.24519181, 0.73659691], rtol=1e-6)


def test_softmax_stable_at_extremes():
    x = np.array([[1e4, 0.0, -1e4], [-1e4, -1e4, -1e4]])
    s = nn.softmax(x)
    assert np.isfinite(s).all()
    np.testing.assert_allclose(s, [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3]])
    assert np.isfinite(nn.log_softmax(x)).all()
    np.testing.assert_allclose(nn.log_softmax(x)[0], [0.0, -1e4, -2e4])


def test_softmax_keeps_argmax():
    x = np.random.default_rng(0).normal(size=(20, 7))
    np.testing.assert_array_equal(nn.softmax(x).argmax(axis=1), x.argmax(axis=1))
