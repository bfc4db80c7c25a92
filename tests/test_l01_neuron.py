"""Tests of lesson 01's view functions, widget wrapper and exercise checks."""
import numpy as np
import pytest

import nnlib as nn
from nnlib.course import l01_neuron as l01


def correct_forward(x, w, b):
    return nn.sigmoid(np.asarray(x, dtype=float) @ np.asarray(w, dtype=float) + b)


def stub(*args):
    raise NotImplementedError


@pytest.mark.parametrize("weights, gate", [
    ((1, 1, -1.5), "AND"), ((1, 1, -0.5), "OR"), ((-1, -1, 1.5), "NAND"), ((-1, -1, 0.5), "NOR"),
])
def test_which_gate_names_hand_set_weights(weights, gate):
    assert l01.which_gate(*weights) == gate
    assert l01.gate_text(*weights) == f"{gate} ✓"


def test_truth_table_is_step_of_weighted_sum():
    assert l01.truth_table(1, 1, -1.5).tolist() == [0, 0, 0, 1]
    assert l01.which_gate(1, 0, -0.5) is None
    assert "1 0 1" not in l01.gate_text(1, 0, -0.5) and "0 0 1 1" in l01.gate_text(1, 0, -0.5)


def test_search_finds_and_but_never_xor():
    values = np.linspace(-2, 2, 21)
    found = l01.search_weights(l01.GATES["AND"], values)
    assert found.shape[1] == 3 and len(found) > 0
    assert all(l01.which_gate(*row) == "AND" for row in found[:20])
    assert l01.search_weights(l01.GATES["XOR"], values).shape == (0, 3)


def test_decision_line_lies_on_z_equal_zero():
    xs, ys = l01.decision_line(1.0, 2.0, -1.0)
    assert np.allclose(1.0 * xs + 2.0 * ys - 1.0, 0)
    xs, ys = l01.decision_line(2.0, 0.0, -1.0)
    assert np.allclose(xs, 0.5) and len(ys) == 2
    assert l01.decision_line(0.0, 0.0, 1.0)[0].size == 0


def test_neuron_view_values_and_shapes():
    view = l01.neuron_view(2.0, 3.0, 0.0, 1.0, 4.0, steps=11)
    assert view["z"] == 7.0
    assert np.isclose(view["y_sigmoid"], 0.9990889488055994) and view["y_step"] == 1.0
    assert view["surface"].shape == (11, 11)
    assert "7.00" in view["text"]


def test_widget_updates_labels_and_image():
    view = l01.build_neuron_widget()
    before_gate, before_text, before_image = view.gate.value, view.output.value, view.figure.image.value
    view.w2.value, view.b.value = 1.0, -1.5
    assert view.gate.value == "AND ✓" != before_gate
    view.x1.value = 0.0
    assert view.output.value != before_text
    assert view.figure.image.value != before_image


def test_check_neuron_forward(capsys):
    assert l01.check_neuron_forward(correct_forward) is True
    assert l01.check_neuron_forward(lambda x, w, b: np.asarray(x) @ np.asarray(w) + b) is False
    assert "apply the sigmoid" in capsys.readouterr().out
    assert l01.check_neuron_forward(lambda x, w, b: nn.sigmoid(np.asarray(x) @ np.asarray(w))) is False
    assert "bias b is missing" in capsys.readouterr().out
    assert l01.check_neuron_forward(lambda x, w, b: correct_forward(np.atleast_2d(x), w, b)) is False
    assert "expected shape ()" in capsys.readouterr().out
    assert l01.check_neuron_forward(stub) is False
    assert "not done yet" in capsys.readouterr().out


def test_check_nor_weights(capsys):
    assert l01.check_nor_weights(lambda: (-1, -1, 0.5)) is True
    assert l01.check_nor_weights(lambda: (1, 1, -0.5)) is False
    assert "NOR needs [1, 0, 0, 0]" in capsys.readouterr().out
    assert l01.check_nor_weights(lambda: 3) is False
    assert "three numbers" in capsys.readouterr().out
    assert l01.check_nor_weights(stub) is False
    assert "not done yet" in capsys.readouterr().out
