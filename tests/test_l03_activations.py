"""Tests of lesson 03's views, widgets and softmax check."""
import numpy as np
import pytest

import nnlib as nn
from nnlib.course import l03_activations as l03


@pytest.mark.parametrize("name", list(l03.ACTIVATIONS))
def test_activation_view_shapes_and_point(name):
    view = l03.activation_view(name, 1.5, points=11)
    assert view["z"].shape == view["h"].shape == view["dh"].shape == (11,)
    h, dh = l03.ACTIVATIONS[name]
    assert view["h_at"] == pytest.approx(float(h(1.5)))
    assert view["dh_at"] == pytest.approx(float(dh(1.5)))


def test_activation_view_values():
    assert l03.activation_view("sigmoid", 0.0)["h_at"] == 0.5
    assert l03.activation_view("sigmoid", 0.0)["dh_at"] == 0.25
    assert l03.activation_view("ReLU", -2.0)["h_at"] == 0.0
    assert l03.activation_view("leaky ReLU", -2.0)["h_at"] == pytest.approx(-0.02)
    assert l03.activation_view("tanh", 0.0)["dh_at"] == 1.0


def test_softmax_view_book_numbers_and_temperature():
    p = l03.softmax_view(l03.BOOK_LOGITS, 1.0)
    assert np.allclose(p, [0.01821127, 0.24519181, 0.73659691])
    hot, cold = l03.softmax_view(l03.BOOK_LOGITS, 5.0), l03.softmax_view(l03.BOOK_LOGITS, 0.1)
    assert hot.max() < p.max() < cold.max()
    assert hot.argmax() == p.argmax() == cold.argmax() == 2
    assert np.isclose(hot.sum(), 1) and np.isclose(cold.sum(), 1)


def test_activation_view_tangent_touches_the_curve_with_the_reported_slope():
    view = l03.activation_view("sigmoid", 1.0)
    slope, intercept = np.polyfit(view["z"], view["tangent"], 1)
    assert slope == pytest.approx(view["dh_at"]) and slope == pytest.approx(0.19661193324148185)
    assert slope * 1.0 + intercept == pytest.approx(view["h_at"])


@pytest.mark.parametrize("name", list(l03.ACTIVATIONS))
def test_derivatives_match_the_measured_slope(name):
    h, dh = l03.ACTIVATIONS[name]
    z, eps = np.linspace(-5, 5, 200), 1e-4      # z does not contain the kink at 0
    assert np.allclose((h(z + eps) - h(z - eps)) / (2 * eps), dh(z), atol=1e-6)


def test_activation_explorer_updates_label_and_image():
    view = l03.build_activation_explorer("sigmoid", 1.0)
    label, image = view.label.value, view.figure.image.value
    view.z.value = -2.0
    assert view.label.value != label and "0.1192" in view.label.value
    assert view.figure.image.value != image
    view.activation.value = "ReLU"
    assert view.label.value.startswith("ReLU: h(-2.00) = 0.0000")


def test_activation_explorer_draws_the_tangent_it_reports():
    view = l03.build_activation_explorer("tanh", 0.5)
    z, line = view.tangent.get_data()
    slope = (line[-1] - line[0]) / (z[-1] - z[0])
    assert slope == pytest.approx(float(nn.tanh_derivative(0.5)))
    assert np.interp(0.5, z, line) == pytest.approx(float(nn.tanh(0.5)), abs=1e-9)
    assert f"{slope:.4f}" in view.label.value


def test_activation_explorer_legend_is_outside_the_panels():
    view = l03.build_activation_explorer()
    assert not any(ax.get_legend() for ax in view.figure.axes)   # no legend inside a panel
    assert view.figure.fig.legends


def test_softmax_temperature_updates_html_and_image():
    view = l03.build_softmax_temperature()
    html, image = view.html.value, view.figure.image.value
    view.temperature.value = 3.0
    assert view.html.value != html
    assert view.figure.image.value != image


def naive(x):  # Library from Scratch's softmax: overflows, and sums over the whole batch
    return np.exp(x) / np.sum(np.exp(x))


def batch_wide(x):  # stable, but still sums over the whole batch
    e = np.exp(x - x.max())
    return e / e.sum()


def unstable(x):  # row-wise, but no max shift
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)


def solution(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_check_softmax_passes_correct(capsys):
    assert l03.check_softmax(solution) is True
    assert l03.check_softmax(nn.softmax) is True
    assert "✅" in capsys.readouterr().out


def test_check_softmax_quiet_prints_nothing(capsys):
    assert l03.check_softmax(solution, quiet=True) is True
    assert capsys.readouterr().out == ""
    assert l03.check_softmax(naive, quiet=True) is False   # a broken solution still says why
    assert "❌" in capsys.readouterr().out


def axis0(x):
    e = np.exp(x - x.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def no_keepdims(x):
    e = np.exp(x - x.max(axis=-1))
    return e / e.sum(axis=-1)


def no_keepdims_on_sum(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1)


def no_keepdims_raises(x):  # right on square batches, raises on (2, 3): the broadcast error path
    if x.shape[0] == x.shape[1] or len(x) == 1:
        return nn.softmax(x)
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1)


def global_max(x):
    e = np.exp(x - x.max())
    return e / e.sum(axis=-1, keepdims=True)


@pytest.mark.parametrize("fn, words", [
    (naive, "You summed over the whole batch: use axis=-1, keepdims=True."),
    (batch_wide, "the whole batch sums to 1, but each row should."),
    (unstable, "exp overflowed on the large inputs: e^1010 is inf, and inf/inf = NaN."),
    (lambda x: x, "each row should sum to 1, but the row sums are [7.2]"),
    (lambda x: nn.softmax(x)[0], "expected shape (1, 3), got shape (3,). Softmax keeps the input's shape."),
    (axis0, "softmax on one row [[0.3, 2.9, 4.0]]: every column sums to 1 instead of every row: "
            "you normalised over axis 0, down the batch."),
    (no_keepdims, "Add keepdims=True so they stay a column, shape (batch, 1)"),
    (no_keepdims_on_sum, "Add keepdims=True so they stay a column, shape (batch, 1)"),
    (no_keepdims_raises, "raised ValueError on large inputs"),
    (no_keepdims_raises, "could not be broadcast together with shapes (2,3) (2,)"),
    (no_keepdims_raises, "Add keepdims=True"),
    (global_max, "row 1 [-1000.0, -1010.0, -1020.0] came out NaN. You subtracted the maximum of the whole batch "
                 "(1010) instead of each row's own maximum"),
    (global_max, "underflows to 0 for every entry of the row, and 0/0 = NaN"),
])
def test_check_softmax_names_the_problem(fn, words, capsys):
    assert l03.check_softmax(fn) is False
    out = capsys.readouterr().out
    assert "❌" in out and words in out


def test_check_softmax_global_max_is_not_called_overflow(capsys):
    l03.check_softmax(global_max)
    assert "overflow" not in capsys.readouterr().out


@pytest.mark.parametrize("answer, sentence", [
    (None, "❌ softmax returned None: did you forget the `return` line?\n"),
    ([[0.2, 0.3, 0.5]], "❌ softmax returned a Python list; return a NumPy array of shape (1, 3) "
                        "(np.array(...) turns a list into one).\n"),
    ({"p": 1}, "❌ softmax returned a dict; return a NumPy array of shape (1, 3).\n"),
    ((1, 2), "❌ softmax returned a tuple of 2 values; return one NumPy array of shape (1, 3).\n"),
    (np.float64(1.0), "❌ softmax returned a single number (1); return a NumPy array of shape (1, 3).\n"),
])
def test_check_softmax_wrong_type_gets_one_sentence(answer, sentence, capsys):
    assert l03.check_softmax(lambda x: answer) is False
    assert capsys.readouterr().out == sentence


def test_check_softmax_stub_not_done(capsys):
    def stub(x):
        raise NotImplementedError

    assert l03.check_softmax(stub) is False
    assert "not done yet" in capsys.readouterr().out
