"""Property-based tests: every layer's backward against float64 numerical gradients, on shapes and
values that hypothesis draws (derandomized, so every run draws the same examples; bounded in count).

For a layer y = f(x) and a random upstream gradient g, backward(g) must equal the gradient of
sum(f(x) * g) with respect to x, measured by central differences, and so must every parameter's
gradient; backward returns x's shape and leaves g untouched.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nnlib as nn

pytestmark = pytest.mark.filterwarnings("error")
PROPERTY = settings(max_examples=15, deadline=None, derandomize=True, database=None)


class SameDraws:
    """Dropout's generator for the check: the same uniforms at every forward, so the mask stays fixed."""

    def __init__(self, seed):
        self.rng, self.draws = np.random.default_rng(seed), {}

    def random(self, shape):
        return self.draws.setdefault(shape, self.rng.random(shape))


def check_backward(layer, x, seed):
    rng = np.random.default_rng(seed)
    out = layer.forward(x)
    g = rng.normal(size=out.shape)
    g_before = g.copy()
    dx = layer.backward(g)
    analytic = {name: grad.copy() for name, _, grad in layer.named_parameters()}
    assert np.array_equal(g, g_before), f"{layer!r}.backward changed the gradient it was handed"
    assert dx.shape == x.shape and dx.dtype == np.float64, (dx.shape, dx.dtype)

    def loss():
        return float(np.sum(layer.forward(x) * g))
    np.testing.assert_allclose(dx, nn.numerical_gradient(loss, x, eps=1e-6), rtol=1e-5, atol=1e-6,
                               err_msg=f"{layer!r}: dx")
    for name, value, _ in layer.named_parameters():
        np.testing.assert_allclose(analytic[name], nn.numerical_gradient(loss, value, eps=1e-6), rtol=1e-5,
                                   atol=1e-6, err_msg=f"{layer!r}: d{name}")


seeds = st.integers(0, 2**31 - 1)
sizes = st.integers(1, 5)


def away_from_kinks(x, kink=0.0, gap=1e-3):
    """Values no closer than gap to a kink (ReLU's 0), where a slope measured by nudging is meaningless."""
    return np.where(np.abs(x - kink) < gap, kink + gap * np.sign(x - kink + 1e-12), x)


@PROPERTY
@given(seed=seeds, batch=sizes, n_in=sizes, n_out=sizes)
def test_linear(seed, batch, n_in, n_out):
    rng = np.random.default_rng(seed)
    layer = nn.Linear(n_in, n_out, rng=rng, dtype=np.float64)
    layer.b[:] = rng.normal(size=n_out)
    check_backward(layer, rng.normal(size=(batch, n_in)), seed)


@PROPERTY
@given(seed=seeds, batch=sizes, features=sizes,
       make=st.sampled_from([nn.Sigmoid, nn.Tanh, nn.ReLU, nn.LeakyReLU, nn.Softmax]),
       scale=st.sampled_from([0.1, 1.0, 5.0]))
def test_activations(seed, batch, features, make, scale):
    rng = np.random.default_rng(seed)
    check_backward(make(), away_from_kinks(rng.normal(scale=scale, size=(batch, features))), seed)


@PROPERTY
@given(seed=seeds, batch=sizes, features=sizes, p=st.sampled_from([0.0, 0.2, 0.5, 0.9]))
def test_dropout_with_a_fixed_mask(seed, batch, features, p):
    rng = np.random.default_rng(seed)
    check_backward(nn.Dropout(p, rng=SameDraws(seed)), rng.normal(size=(batch, features)), seed)


@PROPERTY
@given(seed=seeds, batch=st.integers(2, 6), features=sizes, training=st.booleans())
def test_batchnorm_in_both_modes(seed, batch, features, training):
    rng = np.random.default_rng(seed)
    layer = nn.BatchNorm(features, dtype=np.float64)
    layer.gamma[:], layer.beta[:] = rng.normal(size=features), rng.normal(size=features)
    layer.running_mean[:], layer.running_var[:] = rng.normal(size=features), rng.uniform(0.5, 2, size=features)
    if not training:
        layer.eval()
    x = rng.normal(size=(batch, features))
    if training:
        x[0] += 1.0   # a batch whose features all vary: a constant feature has no variance to normalise
    check_backward(layer, x, seed)


@PROPERTY
@given(seed=seeds, batch=st.integers(1, 2), channels=st.integers(1, 2), filters=st.integers(1, 3),
       side=st.integers(3, 6), kernel=st.integers(1, 3), stride=st.integers(1, 2), padding=st.integers(0, 1))
def test_conv2d(seed, batch, channels, filters, side, kernel, stride, padding):
    rng = np.random.default_rng(seed)
    layer = nn.Conv2D(channels, filters, kernel, stride=stride, padding=padding, rng=rng, dtype=np.float64)
    layer.b[:] = rng.normal(size=layer.b.shape)
    check_backward(layer, rng.normal(size=(batch, channels, side, side)), seed)


@PROPERTY
@given(seed=seeds, batch=st.integers(1, 2), channels=st.integers(1, 2), side=st.integers(2, 6),
       size=st.integers(1, 3), stride=st.sampled_from([None, 1, 2]))
def test_maxpool2d(seed, batch, channels, side, size, stride):
    rng = np.random.default_rng(seed)
    if size > side:
        size = side
    # distinct values far apart: nudging by 1e-6 never changes which cell wins a window
    x = rng.permutation(batch * channels * side * side).reshape(batch, channels, side, side) / 10.0
    check_backward(nn.MaxPool2D(size, stride=stride), x, seed)


@PROPERTY
@given(seed=seeds, batch=sizes, channels=sizes, side=sizes)
def test_flatten(seed, batch, channels, side):
    rng = np.random.default_rng(seed)
    check_backward(nn.Flatten(), rng.normal(size=(batch, channels, side, side)), seed)
