"""Tests of lesson 03's views and widgets; its exercise's mistakes are run by test_exercises.py."""
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
    assert l03.activation_view("leaky ReLU", -2.0)["h_at"] == pytest.approx(-2.0 * l03.LEAKY_ALPHA)
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
    view.z.value, view.activation.value = 2.5, "tanh"
    assert view.label.value.startswith("tanh: h(2.50) = 0.9866,  h'(2.50) = 0.0266")


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
    assert view.html.value != html and "largest: class 2" in view.html.value
    assert view.figure.image.value != image


def test_check_softmax_passes_nnlib_and_a_textbook_answer(capsys):
    def softmax(x):
        e = np.exp(x - np.max(x, axis=1, keepdims=True))
        return e / np.sum(e, axis=1, keepdims=True)
    assert l03.check_softmax(nn.softmax) and l03.check_softmax(softmax)
    assert capsys.readouterr().out.count("✅") == 2
