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


def test_activation_explorer_updates_label_and_image():
    view = l03.build_activation_explorer("sigmoid", 1.0)
    label, image = view.label.value, view.figure.image.value
    view.z.value = -2.0
    assert view.label.value != label and "0.1192" in view.label.value
    assert view.figure.image.value != image
    view.activation.value = "ReLU"
    assert view.label.value.startswith("ReLU: h(-2.00) = 0.0000")


def test_softmax_temperature_updates_html_and_image():
    view = l03.build_softmax_temperature()
    html, image = view.html.value, view.figure.image.value
    view.temperature.value = 3.0
    assert view.html.value != html
    assert view.figure.image.value != image


def naive(x):  # seed 000: overflows, and sums over the whole batch
    return np.exp(x) / np.sum(np.exp(x))


def batch_wide(x):  # stable, but still sums over the whole batch
    e = np.exp(x - x.max())
    return e / e.sum()


def unstable(x):  # row-wise, but no max shift
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)


def test_check_softmax_passes_correct(capsys):
    def solution(x):
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    assert l03.check_softmax(solution) is True
    assert l03.check_softmax(nn.softmax) is True
    assert "✅" in capsys.readouterr().out


@pytest.mark.parametrize("fn, words", [
    (naive, "whole batch"),
    (batch_wide, "whole batch"),
    (unstable, "overflow"),
    (lambda x: x, "sum to 1"),
    (lambda x: nn.softmax(x)[0], "shape"),
])
def test_check_softmax_names_the_problem(fn, words, capsys):
    assert l03.check_softmax(fn) is False
    out = capsys.readouterr().out
    assert "❌" in out and words in out


def test_check_softmax_stub_not_done(capsys):
    def stub(x):
        raise NotImplementedError

    assert l03.check_softmax(stub) is False
    assert "not done yet" in capsys.readouterr().out
