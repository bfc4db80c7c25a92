"""Tests for lesson 05's helpers: the loss-over-one-weight view, its widget, and the exercise checks."""
import numpy as np
import pytest

import nnlib as nn
from nnlib.course import l05_loss as L


# ---- the pure view functions

@pytest.mark.parametrize("loss", L.LOSSES)
def test_slope_matches_the_curve(loss):
    h = 1e-6
    for w1 in (-0.3, 0.0, 0.25):
        value, slope = L.loss_and_slope(w1, loss)
        numeric = (L.loss_curve([w1 + h], loss)[0] - L.loss_curve([w1 - h], loss)[0]) / (2 * h)
        assert np.isclose(slope, numeric, rtol=1e-5, atol=1e-8)
        assert np.isclose(L.loss_curve([w1], loss)[0], value)


def test_mse_value_matches_nnlib():
    x, y, _ = nn.height_weight()
    p = nn.sigmoid(x @ np.array([0.1, L.W2]) + L.B)
    assert np.isclose(L.loss_and_slope(0.1)[0], nn.MSELoss()(p[:, None], y))
    assert np.allclose(L.predictions(0.1), p)


def test_cross_entropy_is_binary_cross_entropy():
    x, y, _ = nn.height_weight()
    p = nn.sigmoid(x @ np.array([-0.1, L.W2]) + L.B)
    bce = -np.mean(y[:, 0] * np.log(p) + (1 - y[:, 0]) * np.log(1 - p))
    assert np.isclose(L.loss_and_slope(-0.1, "cross-entropy")[0], bce)


def test_confidently_wrong_mse_is_flat_cross_entropy_is_not():
    assert L.loss_and_slope(0.25, "MSE")[1] < 1 < 10 < L.loss_and_slope(0.25, "cross-entropy")[1]


def test_curve_and_tangent_shapes():
    w = np.linspace(-0.4, 0.4, 11)
    assert L.loss_curve(w).shape == (11,)
    line = L.tangent_line(0.1, w)
    value, slope = L.loss_and_slope(0.1)
    assert line.shape == (11,) and np.isclose(line[5], value + slope * (w[5] - 0.1))


def test_unknown_loss_is_refused():
    with pytest.raises(ValueError, match="loss must be one of"):
        L.loss_and_slope(0.0, "hinge")


# ---- the widget

def test_widget_updates_labels_and_image():
    view = L.build_loss_explorer()
    before = (view.loss_label.value, view.slope_label.value, view.figure.image.value)
    view.w1.value = -0.2
    assert view.loss_label.value != before[0]
    assert view.slope_label.value != before[1]
    assert view.figure.image.value != before[2]
    view.loss.value = "cross-entropy"
    assert view.loss_label.value.startswith("cross-entropy")


# ---- the exercise checks

def good_mse(pred, target):
    pred = np.asarray(pred, dtype=float)
    return float(np.mean((pred - np.asarray(target, dtype=float).reshape(pred.shape)) ** 2))


def good_cross_entropy(p, target):
    p = np.asarray(p, dtype=float)
    target = np.asarray(target)
    if target.ndim == 1:
        target = nn.to_one_hot(target, p.shape[1])
    return float(-np.sum(target * np.log(np.clip(p, 1e-12, 1))) / len(p))


def stub(*args):
    raise NotImplementedError


def test_check_mse(capsys):
    assert L.check_mse(good_mse)
    assert "✅" in capsys.readouterr().out
    assert not L.check_mse(stub)
    assert "not done yet" in capsys.readouterr().out
    assert not L.check_mse(lambda pred, target: float(np.mean((pred - target) ** 2)))    # the broadcasting trap
    out = capsys.readouterr().out
    assert "target (3,)" in out and "expected" in out
    assert not L.check_mse(lambda pred, target: float(np.sum((pred - np.reshape(target, pred.shape)) ** 2)))
    assert "expected" in capsys.readouterr().out


def test_check_cross_entropy(capsys):
    assert L.check_cross_entropy(good_cross_entropy)
    assert "✅" in capsys.readouterr().out
    assert not L.check_cross_entropy(stub)
    assert "not done yet" in capsys.readouterr().out


def test_check_cross_entropy_catches_log_of_zero(capsys):
    def naive(p, target):
        target = np.asarray(target)
        if target.ndim == 1:
            target = nn.to_one_hot(target, np.shape(p)[1])
        return float(-np.sum(target * np.log(p)) / len(p))

    assert not L.check_cross_entropy(naive)
    out = capsys.readouterr().out
    assert "exactly" in out and "divide by zero" in out


def test_check_cross_entropy_needs_labels(capsys):
    def one_hot_only(p, target):
        return float(-np.sum(np.asarray(target) * np.log(np.clip(p, 1e-12, 1))) / len(p))

    assert not L.check_cross_entropy(one_hot_only)
    assert "integer labels" in capsys.readouterr().out


def test_check_cross_entropy_wants_a_large_loss_for_a_zero(capsys):
    def clipped_too_far(p, target):
        return good_cross_entropy(np.clip(p, 0.1, 1), target)

    assert not L.check_cross_entropy(clipped_too_far)
    out = capsys.readouterr().out
    assert "probabilities (2, 3)" in out or "probability 0" in out
