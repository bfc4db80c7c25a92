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


def test_widget_legend_is_outside_the_axes_and_readable():
    view = l01.build_neuron_widget()
    assert not view.figure.axes.get_legend()          # no legend inside the axes to cover a gate input
    (legend,) = view.figure.fig.legends
    assert all(text.get_fontsize() >= 9 for text in legend.get_texts())
    assert view.figure.fig.dpi >= 100


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


def test_check_neuron_forward_quiet_prints_nothing_on_success(capsys):
    assert l01.check_neuron_forward(correct_forward, quiet=True) is True
    assert capsys.readouterr().out == ""
    assert l01.check_neuron_forward(lambda x, w, b: nn.sigmoid(x @ w), quiet=True) is False
    assert "bias b is missing" in capsys.readouterr().out     # a failing solution still says why


def test_check_neuron_forward_names_w_at_x(capsys):
    assert l01.check_neuron_forward(lambda x, w, b: nn.sigmoid(w @ x + b)) is False
    out = capsys.readouterr().out
    assert "that is w @ x" in out and "multiply x @ w: x's rows are samples" in out


def test_check_neuron_forward_names_w_at_x_when_it_raises(capsys):
    def w_at_x_square_ok(x, w, b):       # passes the square batch, fails on the (3, 2) one
        return nn.sigmoid(x @ w + b) if x.ndim == 1 or x.shape[0] == 2 else nn.sigmoid(w @ x + b)
    assert l01.check_neuron_forward(w_at_x_square_ok) is False
    out = capsys.readouterr().out
    assert "could not multiply x of shape (3, 2)" in out and "multiply x @ w: x's rows are samples" in out
    assert "Traceback" not in out


def test_check_neuron_forward_names_the_sigmoid_sign(capsys):
    assert l01.check_neuron_forward(lambda x, w, b: 1 / (1 + np.exp(x @ w + b))) is False
    assert "the sigmoid has a minus sign, 1 / (1 + e^(-z))" in capsys.readouterr().out


def test_check_neuron_forward_names_a_minus_that_misses_the_bias(capsys):
    assert l01.check_neuron_forward(lambda x, w, b: 1 / (1 + np.exp(-x @ w + b))) is False
    assert "write np.exp(-(x @ w + b))" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, hint", [
    (lambda x, w, b: nn.sigmoid(x * w + b), "element by element (x * w)"),
    (lambda x, w, b: nn.sigmoid(np.sum(x * w) + b) if x.ndim == 2 else correct_forward(x, w, b),
     "np.sum without an axis adds up the whole batch"),
    (lambda x, w, b: nn.sigmoid(np.sum(x, axis=-1) + b), "the weights are missing"),
    (lambda x, w, b: nn.step(x @ w + b), "that is the step function"),
])
def test_check_neuron_forward_other_hints(capsys, mistake, hint):
    assert l01.check_neuron_forward(mistake) is False
    assert hint in capsys.readouterr().out


@pytest.mark.parametrize("answer, sentence", [
    (lambda x, w, b: None, "returned None: did you forget `return`?"),
    (lambda x, w, b: correct_forward(x, w, b).tolist(), "returned a Python list"),
    (lambda x, w, b: [float(correct_forward(x, w, b))], "returned a Python list"),
    (lambda x, w, b: {"y": 1.0}, "returned a dict"),
    (lambda x, w, b: "0.999", "returned a str"),
])
def test_check_neuron_forward_wrong_types_get_one_sentence(capsys, answer, sentence):
    assert l01.check_neuron_forward(answer) is False
    out = capsys.readouterr().out
    assert sentence in out and "Traceback" not in out and out.count("\n") == 1


def test_check_nor_weights(capsys):
    assert l01.check_nor_weights(lambda: (-1, -1, 0.5)) is True
    assert l01.check_nor_weights(lambda: np.array([-1.0, -1.0, 0.5])) is True
    assert l01.check_nor_weights(lambda: (1, 1, -1.5)) is False       # AND
    assert "NOR needs [1, 0, 0, 0]" in capsys.readouterr().out
    assert l01.check_nor_weights(stub) is False
    assert "not done yet" in capsys.readouterr().out


def test_check_nor_weights_quiet_prints_nothing_on_success(capsys):
    assert l01.check_nor_weights(lambda: (-1, -1, 0.5), quiet=True) is True
    assert capsys.readouterr().out == ""


def test_check_nor_weights_names_or_and_the_boundary(capsys):
    assert l01.check_nor_weights(lambda: (1, 1, -0.5)) is False
    assert "These compute OR. NOR is 'not OR'" in capsys.readouterr().out
    assert l01.check_nor_weights(lambda: (-1, -1, 0)) is False
    assert "At (0, 0) the weighted sum is exactly z = 0" in capsys.readouterr().out


@pytest.mark.parametrize("answer, sentence", [
    ({"w1": -1, "w2": -1, "b": 0.5}, "returned a dict"),
    ((-1, -1), "returned 2 values; return exactly three, (w1, w2, b)"),
    ([-1, -1], "returned 2 values; return exactly three"),
    ((np.array([-1.0, -1.0]), 0.5), "returned (w, b) with the two weights in one array"),
    (None, "returned None: did you forget `return`?"),
    (("-1", "-1", "0.5"), "returned text"),
    ("abc", "returned text"),
    (3, "returned int 3; return three numbers"),
    ((-1, [-1], 0.5), "each of w1, w2 and b must be one number"),
])
def test_check_nor_weights_wrong_types_get_one_sentence(capsys, answer, sentence):
    assert l01.check_nor_weights(lambda: answer) is False
    out = capsys.readouterr().out
    assert sentence in out and "Traceback" not in out and out.count("\n") == 1


def lesson_cells():
    import json
    from pathlib import Path
    path = Path(__file__).resolve().parent.parent / "notebooks" / "01_neuron.ipynb"
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def test_lesson_names_its_source_and_keeps_its_hidden_solutions_quiet():
    """Lesson 01's own text; the rules of every lesson (no "seed 00N", no cell reading the learner's widget,
    solutions under their own names) are in tests/test_notebook_rules.py."""
    cells = lesson_cells()
    text = "\n".join("".join(c["source"]) for c in cells)
    assert "[*Basic Network in Python*](../README.md#sources)" in text
    assert "the shaded side" not in text and "fontsize=7" not in text
    hidden = ["".join(c["source"]) for c in cells if c["metadata"].get("jupyter", {}).get("source_hidden")]
    assert len(hidden) == 2 and all("quiet=True" in source for source in hidden)