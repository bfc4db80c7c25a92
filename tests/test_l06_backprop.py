"""Tests for lesson 06's helpers: numerical-slope errors, graph pictures, the slope explorer, the gradient check
that ends its sigmoid exercise, and the notebooks' order of teaching."""
import json
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

import nnlib as nn
from nnlib.course import l06_backprop as l06


# ---- the rounding error of a central difference

def test_central_difference_error_is_a_v_in_h():
    hs = np.logspace(-15, -1, 57)
    errors = l06.central_difference_errors(np.exp, np.exp, 1.0, hs)
    best = np.argmin(errors)
    assert 1e-8 <= hs[best] <= 1e-4
    assert errors[0] > 100 * errors[best] and errors[-1] > 100 * errors[best]


# ---- pictures

def test_draw_graph_draws_values_gradients_and_edges():
    ax = Figure().subplots()
    l06.draw_graph(ax, {"a": (0, 0, "a", 2.0, -24.0), "L": (1, 0, "L = a²", 4.0, 1.0)}, [("a", "L")])
    texts = [t.get_text() for t in ax.texts]
    assert "a" in texts and "2" in texts and "∂L/∂· = -24" in texts
    assert min(t.get_fontsize() for t in ax.texts) >= 9


# ---- the exercise (every mistake of its check: tests/test_exercises.py)

def good_sigmoid_backward(x, grad):
    s = nn.sigmoid(x)
    return grad * s * (1 - s)


def test_the_gradient_check_catches_a_sigmoid_backward_right_only_on_the_cases(capsys):
    assert not l06.check_sigmoid_backward(lambda x, g: good_sigmoid_backward(x, g) if x.shape == (4, 3) else g)
    out = capsys.readouterr().out
    assert "the gradient check disagrees" in out and "layers[0]" in out


# ---- the notebooks teach before they use (the rules every lesson keeps: tests/test_notebook_rules.py)

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def cells(name):
    return [(c["cell_type"], "".join(c["source"]), c["metadata"]) for c in
            json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))["cells"]]


def first(name, predicate):
    return next(i for i, cell in enumerate(cells(name)) if predicate(*cell))


def test_lesson_06_derives_before_the_code_relies_on_it():
    name = "06_backprop.ipynb"
    defines_gradient = first(name, lambda kind, s, m: kind == "markdown" and "**gradient (梯度)**" in s
                             and "**partial derivative" in s and '"partial"' in s)
    uses_gradient = first(name, lambda kind, s, m: not_the_opening(s) and "gradient" in s.lower())
    add_up = first(name, lambda kind, s, m: kind == "code" and 'grad["a"] +=' in s)
    node_classes = first(name, lambda kind, s, m: kind == "code" and "class MultiplyNode" in s and "class AddNode" in s)
    nodes_run = first(name, lambda kind, s, m: kind == "code" and "multiply_ab.backward(" in s and "assert" in s)
    derive_linear = first(name, lambda kind, s, m: kind == "markdown" and "x^\\top g" in s and "W_{11}" in s)
    derive_softmax = first(name, lambda kind, s, m: kind == "markdown" and "p_i - t_i" in s)
    exercise = first(name, lambda kind, s, m: kind == "code" and "def sigmoid_backward(" in s)
    odot = first(name, lambda kind, s, m: "\\odot" in s)
    assert defines_gradient <= uses_gradient
    assert add_up < node_classes < nodes_run < derive_linear < derive_softmax < exercise
    assert "d \\log u = du / u" in cells(name)[derive_softmax][1]
    assert "elementwise product" in cells(name)[odot][1]
    assert "06a_own_network.ipynb" in cells(name)[-3][1]                        # the recap leads on to 06a


def not_the_opening(source):
    """True for every cell but the lesson's opening (whose objectives announce the words the lesson defines)."""
    return not source.startswith("# Lesson")


def test_lesson_06b_defines_words_before_using_them():
    name = "06b_training.ipynb"
    defines = first(name, lambda kind, s, m: kind == "markdown" and "**epoch" in s and "**mini-batch" in s
                    and "**momentum" in s and "**velocity" in s)
    prints_step = first(name, lambda kind, s, m: kind == "code" and "getsource(nn.SGD.update)" in s)
    first_fit = first(name, lambda kind, s, m: kind == "code" and "nn.fit(" in s)
    two_two_one = first(name, lambda kind, s, m: "2-2-1" in s)
    staircase = first(name, lambda kind, s, m: kind == "code" and "loss_and_accuracy_along" in s)
    assert staircase < defines < prints_step < first_fit
    assert "2 inputs, 2 hidden units, 1 output" in cells(name)[two_two_one][1]


# ---- the slope explorer

def test_neuron_slope_is_the_numerical_slope():
    ws = np.linspace(-4, 4, 17)
    h = 1e-6
    numeric = (l06.neuron_loss_and_slope(ws + h)[0] - l06.neuron_loss_and_slope(ws - h)[0]) / (2 * h)
    assert np.allclose(l06.neuron_loss_and_slope(ws)[1], numeric, atol=1e-8)
    assert np.isclose(l06.neuron_loss_and_slope(0.8)[1], -0.1081309, atol=1e-7)


def test_slope_explorer_updates():
    view = l06.build_slope_explorer(0.8)
    assert view.figure.fig.dpi >= 100
    before = (view.label.value, view.figure.image.value)
    view.w.value = -3.0
    assert view.label.value != before[0] and view.figure.image.value != before[1]
    assert view.label.value.startswith("w = -3.00") and view.label.value.endswith("increase w")


@pytest.mark.parametrize("w", [-4.0, 4.0, 0.0])
def test_slope_explorer_survives_any_weight(w):
    view = l06.build_slope_explorer(0.8)
    view.w.value = w
    assert view.label.value.startswith(f"w = {w:.2f}")
