"""Printed numbers never read "np.float64(...)" or "-0": fmt, the layers and fit that produce what lessons print.

Notebooks are committed without outputs, so their printed text is checked at its sources: every lesson module's
labels go through nnlib.course.numbers.fmt (tested here on the values that used to look strange, and on the
labels of lessons 01-05's widgets over their controls' ranges), the ReLU layer returns 0 and not -0 for a
negative input, and fit's history holds plain floats.
"""
import re

import numpy as np
import pytest
from hypothesis import given, strategies as st

import nnlib as nn
from nnlib.course import l01_neuron as l01, l02_layers as l02, l03_activations as l03, l05_loss as l05
from nnlib.course.numbers import fmt, fmt_all, fmt_beside

STRANGE = re.compile(r"np\.\w+\(|(?<![\w.])-0(\.0*)?(?![\d.]*[1-9])")


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6), st.integers(0, 6))
def test_fmt_never_shows_minus_zero_or_a_numpy_type(x, digits):
    for value in (x, np.float64(x), np.float32(x)):
        text = fmt(value, digits)
        assert not STRANGE.search(text), text
        assert float(text) == pytest.approx(float(value), abs=10.0 ** -digits)


def test_fmt_examples():
    assert fmt(np.float64(0.91), 2) == "0.91"
    assert fmt(-0.0001, 2) == "0.00" and fmt(-0.0) == "0.000" and fmt(-0.004, 1, "g") == "-0.004"
    assert fmt_all(np.array([0.1, -0.0, -0.25]), 2) == "0.10, 0.00, -0.25"
    with pytest.raises(TypeError, match="one number"):
        fmt(np.zeros(3))


def test_relu_layer_gives_zero_not_minus_zero():
    out = nn.ReLU().forward(np.array([[-3.0, 2.0, -0.0]], dtype=np.float32))
    assert out.tolist() == [[0.0, 2.0, 0.0]] and not np.signbit(out).any()
    assert "-0." not in repr(out)


def test_fit_history_holds_plain_floats():
    rng = np.random.default_rng(0)
    x, labels = rng.normal(size=(20, 2)), rng.integers(0, 2, 20)
    model = nn.Sequential([nn.Linear(2, 2, rng=rng)])
    history = nn.fit(model, nn.CrossEntropyLoss(), x, labels, epochs=2, batch_size=10, lr=0.1, rng=rng, progress=False,
                     validation=(x, labels))
    for key, values in history.items():
        assert all(type(v) is float for v in values), key
    assert "np." not in repr(history)


def test_widget_labels_over_their_ranges_never_look_strange():
    for w1 in np.arange(-2, 2.01, 0.1):
        for x1 in np.arange(-0.5, 1.51, 0.1):
            text = l01.neuron_view(x1, 1.0, w1, 0.5, -0.7, steps=3)["text"]
            assert not STRANGE.search(text.replace("x₁", "").replace("w₁", "")), text
    html = l02.layer_view(l02.BATCH, np.array([[0.1, -0.1, 0.0], [0.2, 0.05, -0.05]]), np.array([-0.1, 0.0, 0.05]))
    assert not STRANGE.search(html["html"]), html["html"]
    for z in np.arange(-5, 5.01, 0.1):   # the explorer's Label over its slider's range, from its pure function
        z = round(float(z), 9) + 0.0      # as the explorer rounds the slider's value
        for name in ("ReLU", "sigmoid"):
            text = l03.activation_label(name, z)
            assert not STRANGE.search(text), text
    explorer = l03.build_activation_explorer("ReLU", 0.0)
    explorer.z.value = -1e-17             # a slider's float noise below 0: shown as 0.00, not -0.00
    assert explorer.label.value == l03.activation_label("ReLU", 0.0) and not STRANGE.search(explorer.label.value)
    view = l05.build_loss_explorer(w1=0.0)
    assert not STRANGE.search(view.loss_label.value + view.slope_label.value)


@pytest.mark.parametrize("x, shown", [(0.5004, "0.5004"), (0.4996, "0.4996"), (0.5, "0.50"), (0.73, "0.73"),
                                      (0.5 + 1e-12, "0.500000000001")])
def test_fmt_beside_shows_the_side_of_the_threshold(x, shown):
    assert fmt_beside(x, 0.5) == shown


def test_xor_playground_label_never_shows_050_beside_the_wrong_class():
    from nnlib.course import l04_forward_pass as l04
    view = l04.build_xor_playground()
    view.set_weights([[0.0, 0.0], [0.0, 0.0]], [0.0, 0.0], [[0.0], [0.0]], [0.0])   # every output exactly 0.5
    assert "accuracy 2/4" in view.label.value and "0.50, 0.50, 0.50, 0.50" in view.label.value
    view.b2.value = 0.5                       # outputs sigmoid(0.5) = 0.62: all class 1
    assert "0.62" in view.label.value


def test_exercise_messages_show_plain_numbers():
    from nnlib.course.exercise import _show
    assert _show(np.float64(0.7310585786300049)) == "0.731059" and _show(-0.0) == "0"
    assert "-0" not in _show(np.array([-1e-9, 0.5])) and "np." not in _show((np.float64(1.5), np.int64(2)))
