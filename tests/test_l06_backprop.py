"""Tests for lesson 06's helpers: numerical-slope errors, graph pictures, and the backward checks with their hints."""
import json
import re
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

import nnlib as nn
from nnlib.course import l06_backprop as L


# ---- the rounding error of a central difference

def test_central_difference_error_is_a_v_in_h():
    hs = np.logspace(-15, -1, 57)
    errors = L.central_difference_errors(np.exp, np.exp, 1.0, hs)
    best = np.argmin(errors)
    assert 1e-8 <= hs[best] <= 1e-4
    assert errors[0] > 100 * errors[best] and errors[-1] > 100 * errors[best]


# ---- pictures

def test_draw_graph_draws_values_gradients_and_edges():
    ax = Figure().subplots()
    L.draw_graph(ax, {"a": (0, 0, "a", 2.0, -24.0), "L": (1, 0, "L = a²", 4.0, 1.0)}, [("a", "L")])
    texts = [t.get_text() for t in ax.texts]
    assert "a" in texts and "2" in texts and "∂L/∂· = -24" in texts
    assert min(t.get_fontsize() for t in ax.texts) >= 9


# ---- exercise (a): sigmoid_backward

def good_sigmoid_backward(x, grad):
    s = nn.sigmoid(x)
    return grad * s * (1 - s)


def stub(*args):
    raise NotImplementedError


def test_check_sigmoid_backward(capsys):
    assert L.check_sigmoid_backward(good_sigmoid_backward)
    assert "✅" in capsys.readouterr().out
    assert not L.check_sigmoid_backward(stub)
    assert "not done yet" in capsys.readouterr().out


def test_checks_are_silent_when_quiet(capsys):
    assert L.check_sigmoid_backward(good_sigmoid_backward, quiet=True)
    assert L.check_linear_backward(good_linear_backward, quiet=True)
    assert capsys.readouterr().out == ""
    assert not L.check_linear_backward(stub, quiet=True)   # not passing: it still says why
    assert "not done yet" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, hint", [
    (lambda x, g: g * x * (1 - x), L.SIGMOID_OUTPUT_HINT),
    (lambda x, g: nn.sigmoid(x) * (1 - nn.sigmoid(x)), L.SIGMOID_NO_GRAD_HINT),
    (lambda x, g: g * nn.sigmoid(x), L.SIGMOID_HALF_HINT),
    (lambda x, g: g.copy(), L.SIGMOID_UNCHANGED_HINT),
    (lambda x, g: g @ (nn.sigmoid(x) * (1 - nn.sigmoid(x))), L.SIGMOID_MATMUL_HINT),
])
def test_check_sigmoid_backward_names_the_slip(capsys, wrong, hint):
    assert not L.check_sigmoid_backward(wrong)
    assert hint in capsys.readouterr().out


@pytest.mark.parametrize("wrong, message", [
    (lambda x, g: None, "sigmoid_backward returned None: did you forget the `return` line?"),
    (lambda x, g: {"dx": g}, "sigmoid_backward returned a dict; return a NumPy array."),
    (lambda x, g: g.tolist(), "sigmoid_backward returned a Python list; return a NumPy array"),
    (lambda x, g: (g * nn.sigmoid(x)).sum(axis=0), "expected shape (4, 3), got shape (3,)"),
])
def test_check_sigmoid_backward_wrong_types_get_a_sentence(capsys, wrong, message):
    assert not L.check_sigmoid_backward(wrong)
    out = capsys.readouterr().out
    assert message in out and "Traceback" not in out and out.count("\n") == 1


def test_check_sigmoid_backward_refuses_to_mutate(capsys):
    def in_place(x, grad):
        s = nn.sigmoid(x)
        grad *= s * (1 - s)
        return grad

    assert not L.check_sigmoid_backward(in_place)
    assert "changed the grad" in capsys.readouterr().out


# ---- exercise (b): linear_backward

def good_linear_backward(x, W, grad):
    return grad @ W.T, x.T @ grad, grad.sum(axis=0)


def test_check_linear_backward(capsys):
    assert L.check_linear_backward(good_linear_backward)
    assert "✅" in capsys.readouterr().out
    assert not L.check_linear_backward(stub)
    assert "not done yet" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, hint", [
    (lambda x, W, g: (g @ W.T, x @ g, g.sum(axis=0)), L.DW_X_NOT_XT_HINT),
    (lambda x, W, g: (g @ W.T, g.T @ x, g.sum(axis=0)), L.DW_SWAPPED_HINT),
    (lambda x, W, g: (g @ W.T, np.outer(x[0], g[0]), g.sum(axis=0)), L.DW_NO_SUM_HINT),
    (lambda x, W, g: (g @ W, x.T @ g, g.sum(axis=0)), L.DX_NO_T_HINT),
    (lambda x, W, g: (W @ g.T, x.T @ g, g.sum(axis=0)), L.DX_SWAPPED_HINT),
    (lambda x, W, g: (x.T @ g, x.T @ g, g.sum(axis=0)), L.DX_IS_DW_HINT),
    (lambda x, W, g: (g @ W.T, x.T @ g, g), L.DB_NOT_SUMMED_HINT),
    (lambda x, W, g: (g @ W.T, x.T @ g, g.mean(axis=0)), L.DB_MEAN_HINT),
    (lambda x, W, g: (g @ W.T, x.T @ g, g.sum(axis=1)), L.DB_WRONG_AXIS_HINT),
    (lambda x, W, g: (x.T @ g, g.sum(axis=0)), L.DX_MISSING_HINT),
])
def test_check_linear_backward_names_the_slip(capsys, wrong, hint):
    assert not L.check_linear_backward(wrong)
    assert hint in capsys.readouterr().out


def test_check_linear_backward_explains_a_shape_error_in_a_product(capsys):
    # A wrong product that fits the 2×2 case by accident fails to compute on the (5, 3) -> 2 one.
    def wrong(x, W, g):
        dx = g @ W.T if len(x) == 2 else g @ x
        return dx, x.T @ g, g.sum(axis=0)
    assert not L.check_linear_backward(wrong)
    out = capsys.readouterr().out
    assert "raised ValueError" in out and L.LINEAR_MATMUL_HINT in out


@pytest.mark.parametrize("wrong, message", [
    (lambda x, W, g: None, "linear_backward returned None: did you forget `return dx, dW, db`?"),
    (lambda x, W, g: {"dx": g @ W.T, "dW": x.T @ g, "db": g.sum(axis=0)},
     "linear_backward returned a dict; return the three arrays as a tuple: return dx, dW, db."),
    (lambda x, W, g: g @ W.T, "linear_backward returned one array; it must return three arrays: return dx, dW, db."),
    (lambda x, W, g: (g @ W.T, x.T @ g, g.sum(axis=0), 0), "linear_backward returned 4 values"),
    (lambda x, W, g: (None, x.T @ g, g.sum(axis=0)), "linear_backward's dx is None; it must be a NumPy array."),
])
def test_check_linear_backward_wrong_types_get_a_sentence(capsys, wrong, message):
    assert not L.check_linear_backward(wrong)
    out = capsys.readouterr().out
    assert message in out and "Traceback" not in out and out.count("\n") == 1


def test_check_linear_backward_accepts_a_list_of_three(capsys):
    assert L.check_linear_backward(lambda x, W, g: [g @ W.T, x.T @ g, g.sum(axis=0)])


def test_check_linear_backward_refuses_to_mutate(capsys):
    def in_place(x, W, grad):
        db = grad.sum(axis=0)
        grad -= 0                      # harmless, but an in-place op on the argument
        grad *= 2
        return grad @ W.T / 2, x.T @ grad / 2, db
    assert not L.check_linear_backward(in_place)
    assert "changed the grad" in capsys.readouterr().out


# ---- the notebooks teach before they use, and leave the learner's code alone

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def cells(name):
    return [(c["cell_type"], "".join(c["source"]), c["metadata"]) for c in
            json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))["cells"]]


def first(name, predicate):
    return next(i for i, cell in enumerate(cells(name)) if predicate(*cell))


@pytest.mark.parametrize("name, stubs", [("06_backprop.ipynb", ["sigmoid_backward", "linear_backward"]),
                                         ("06b_training.ipynb", ["momentum_step"])])
def test_hidden_solutions_keep_the_learners_names_and_are_quiet(name, stubs):
    hidden = [source for kind, source, meta in cells(name) if meta.get("jupyter", {}).get("source_hidden")]
    assert len(hidden) == len(stubs)
    for stub_name, source in zip(stubs, hidden):
        assert f"def {stub_name}(" not in source and f"def {stub_name}_solution(" in source
        assert "quiet=True" in source and "print(" not in source


@pytest.mark.parametrize("name", ["06_backprop.ipynb", "06b_training.ipynb"])
def test_check_cells_end_with_a_semicolon_and_sources_are_named(name):
    for kind, source, _ in cells(name):
        if kind == "code" and re.search(r"^\S*check_\w+\(", source.strip().splitlines()[-1]):
            assert source.rstrip().endswith(";"), source
        assert not re.search(r"\bseeds?\s*00[0-4]", source, re.IGNORECASE), source


def test_lesson_06_derives_before_the_code_relies_on_it():
    name = "06_backprop.ipynb"
    derive_linear = first(name, lambda kind, s, m: kind == "markdown" and "x^\\top g" in s and "W_{11}" in s)
    derive_softmax = first(name, lambda kind, s, m: kind == "markdown" and "p_i - t_i" in s)
    add_up = first(name, lambda kind, s, m: kind == "code" and 'grad["a"] +=' in s)
    shows_backward = first(name, lambda kind, s, m: kind == "code" and "getsource(nn.Linear.backward)" in s)
    shows_ce = first(name, lambda kind, s, m: kind == "code" and "getsource(nn.CrossEntropyLoss.backward)" in s)
    exercise = first(name, lambda kind, s, m: kind == "code" and "def linear_backward(" in s)
    odot = first(name, lambda kind, s, m: "\\odot" in s)
    assert add_up < derive_linear < shows_backward < exercise and derive_softmax < shows_ce
    assert "elementwise product" in cells(name)[odot][1]
    assert any("loglog" in s and "1e-12" in s for _, s, _ in cells(name))      # the V of the error against h


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


def test_widget_checks_use_their_own_instances():
    for name, learner_widgets in (("06_backprop.ipynb", ("slope_explorer",)), ("06b_training.ipynb", ("descent", "player"))):
        shown = False
        for kind, source, _ in cells(name):
            if kind != "code":
                continue
            if any(f"{w}.box" in source for w in learner_widgets):
                shown = True
                continue
            if shown:
                assert not any(re.search(rf"\b{w}\.", source) for w in learner_widgets), source


# ---- the slope explorer

def test_neuron_slope_is_the_numerical_slope():
    ws = np.linspace(-4, 4, 17)
    h = 1e-6
    numeric = (L.neuron_loss_and_slope(ws + h)[0] - L.neuron_loss_and_slope(ws - h)[0]) / (2 * h)
    assert np.allclose(L.neuron_loss_and_slope(ws)[1], numeric, atol=1e-8)
    assert np.isclose(L.neuron_loss_and_slope(0.8)[1], -0.1081309, atol=1e-7)


def test_slope_explorer_updates():
    view = L.build_slope_explorer(0.8)
    assert view.figure.fig.dpi >= 100
    before = (view.label.value, view.figure.image.value)
    view.w.value = -3.0
    assert view.label.value != before[0] and view.figure.image.value != before[1]
    assert view.label.value.startswith("w = -3.00") and view.label.value.endswith("increase w")


@pytest.mark.parametrize("w", [-4.0, 4.0, 0.0])
def test_slope_explorer_survives_any_weight(w):
    view = L.build_slope_explorer(0.8)
    view.w.value = w
    assert view.label.value.startswith(f"w = {w:.2f}")
