"""Tests for lesson 05's helpers: the loss-over-one-weight view, its widget, and the answers its checks accept."""
import contextlib
import io

import numpy as np
import pytest

import nnlib as nn
from nnlib.course.data import height_weight
from nnlib.course import l05_loss as l05


# ---- the pure view functions

@pytest.mark.parametrize("loss", l05.LOSSES)
def test_slope_matches_the_curve(loss):
    h = 1e-6
    for w1 in (-0.3, 0.0, 0.25):
        value, slope = l05.loss_and_slope(w1, loss)
        numeric = (l05.loss_curve([w1 + h], loss)[0] - l05.loss_curve([w1 - h], loss)[0]) / (2 * h)
        assert np.isclose(slope, numeric, rtol=1e-5, atol=1e-8)
        assert np.isclose(l05.loss_curve([w1], loss)[0], value)


def test_mse_value_matches_nnlib():
    x, y, _ = height_weight()
    p = nn.sigmoid(x @ np.array([0.1, l05.W2]) + l05.B)
    assert np.isclose(l05.loss_and_slope(0.1)[0], nn.MSELoss()(p[:, None], y))
    assert np.allclose(l05.predictions(0.1), p)


def test_cross_entropy_is_binary_cross_entropy():
    x, y, _ = height_weight()
    p = nn.sigmoid(x @ np.array([-0.1, l05.W2]) + l05.B)
    bce = -np.mean(y[:, 0] * np.log(p) + (1 - y[:, 0]) * np.log(1 - p))
    assert np.isclose(l05.loss_and_slope(-0.1, "cross-entropy")[0], bce)


def test_confidently_wrong_mse_is_flat_cross_entropy_is_not():
    assert l05.loss_and_slope(0.25, "MSE")[1] < 1 < 10 < l05.loss_and_slope(0.25, "cross-entropy")[1]


def test_curve_and_tangent_shapes():
    w = np.linspace(-0.4, 0.4, 11)
    assert l05.loss_curve(w).shape == (11,)
    line = l05.tangent_line(0.1, w)
    value, slope = l05.loss_and_slope(0.1)
    assert line.shape == (11,) and np.isclose(line[5], value + slope * (w[5] - 0.1))


def test_unknown_loss_is_refused():
    with pytest.raises(ValueError, match="loss must be one of"):
        l05.loss_and_slope(0.0, "hinge")


# ---- the widget

def test_people_table_shows_the_data_set():
    rows = l05.people_table()
    assert [row[0] for row in rows] == ["Alice", "Bob", "Charlie", "Diana"]
    assert rows[0][1:3] == (133.0, 65.0) and rows[1][-1] == "male" and rows[3][-1] == "female"
    x, y, _ = height_weight()
    assert np.allclose([row[3:5] for row in rows], x) and [row[5] for row in rows] == list(y[:, 0])


def test_widget_figure_is_readable():
    view = l05.build_loss_explorer()
    assert view.figure.fig.dpi >= 100
    legend = view.figure.axes.get_legend()
    assert all(text.get_fontsize() >= 9 for text in legend.get_texts())
    assert all(label.get_fontsize() >= 9 for label in view.figure.axes.get_xticklabels())


def test_a_loss_explorer_of_its_own_answers_its_controls():
    """Moving w₁ and switching the loss change the labels and the picture."""
    view = l05.build_loss_explorer(w1=0.25)
    before = (view.loss_label.value, view.slope_label.value, view.figure.image.value)
    view.w1.value = -0.1
    assert view.loss_label.value != before[0] and view.slope_label.value != before[1]
    assert view.figure.image.value != before[2]
    shown = view.loss_label.value
    view.loss.value = "cross-entropy"
    assert view.loss_label.value != shown and view.loss_label.value.startswith("cross-entropy")


# ---- the exercise checks (every mistake of check_mse and check_cross_entropy: tests/test_exercises.py)

def reshaped(target, pred):
    return np.reshape(target, np.shape(pred))


def message(check, fn):
    """What the learner sees: (the check's result, the printed line)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = check(fn)
    return result, out.getvalue()


def test_check_mse_accepts_numpy_numbers():
    assert message(l05.check_mse, lambda pred, target: np.mean((pred - reshaped(target, pred)) ** 2))[0]
    assert message(l05.check_mse, lambda pred, target: np.asarray(np.mean((pred - reshaped(target, pred)) ** 2)))[0]


def as_one_hot(p, target):
    target = np.asarray(target)
    return nn.to_one_hot(target, np.shape(p)[1]) if target.ndim == 1 else target


def good_cross_entropy(p, target):
    return float(-np.sum(as_one_hot(p, target) * np.log(np.clip(p, 1e-12, 1))) / len(p))


def saito_cross_entropy(p, target):
    """Deep Learning from Scratch's cross_entropy_error: an epsilon of 1e-7 inside the log."""
    t = as_one_hot(p, target)
    N = p.shape[0]
    return -np.sum(t * np.log(p + 1e-7)) / N


def clipped_cross_entropy(p, target):
    return -np.sum(as_one_hot(p, target) * np.log(np.clip(p, 1e-7, 1.0))) / len(p)


def keras_clipped_cross_entropy(p, target):
    return -np.sum(as_one_hot(p, target) * np.log(np.clip(p, 1e-7, 1 - 1e-7))) / len(p)


def picked_cross_entropy(p, target):
    target = np.asarray(target)
    labels = target if target.ndim == 1 else target.argmax(axis=1)
    return -np.mean(np.log(np.maximum(p[np.arange(len(p)), labels], 1e-300)))


@pytest.mark.parametrize("answer", [saito_cross_entropy, clipped_cross_entropy, keras_clipped_cross_entropy,
                                    picked_cross_entropy, good_cross_entropy])
def test_check_cross_entropy_accepts_textbook_answers(answer):
    """Saito's -np.sum(t * np.log(p + 1e-7)) / N and clipping at 1e-7 are right: on a true class of
    probability 0 they give a large, finite 16.1 / 2 ≈ 8.06, less than nnlib's 27.6 / 2 (it clips at 1e-12)."""
    result, out = message(l05.check_cross_entropy, answer)
    assert result is True, out


def test_textbook_answers_on_a_zero_are_large_and_finite():
    wrong, labels = np.array([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]]), np.array([0, 1])
    assert np.isclose(saito_cross_entropy(wrong, labels), -np.log(1e-7) / 2 - 1e-7 / 2)
    assert np.isclose(clipped_cross_entropy(wrong, labels), -np.log(1e-7) / 2)
    assert 8 < saito_cross_entropy(wrong, labels) < 10 < nn.CrossEntropyLoss(from_logits=False)(wrong, labels)


def test_a_checking_explorer_does_not_touch_the_learners():
    """An explorer built for a check leaves the learner's one as the learner set it."""
    learners = l05.build_loss_explorer(w1=0.25)
    learners.w1.value, learners.loss.value = 0.4, "cross-entropy"       # whatever the learner did
    shown = (learners.loss_label.value, learners.figure.image.value)
    check = l05.build_loss_explorer(w1=0.25)
    assert check.loss.value == "MSE" and check.loss_label.value.startswith("MSE at w₁ = 0.25")
    check.w1.value, check.loss.value = -0.1, "cross-entropy"
    assert (learners.loss_label.value, learners.figure.image.value) == shown
