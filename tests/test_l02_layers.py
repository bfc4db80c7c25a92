"""Tests of lesson 02's view functions, widget wrapper and exercise check."""
import numpy as np
import pytest

import nnlib as nn

from nnlib.course import l02_layers as l02


def correct_forward(x, W, b):
    x = np.asarray(x, dtype=float)
    if x.shape[-1] != W.shape[0]:
        raise ValueError(f"expected {W.shape[0]} features per sample, got {x.shape[-1]}")
    return x @ W + b


def stub(x, W, b):
    raise NotImplementedError


def test_shape_table_lists_every_array():
    table = dict((name, shape) for name, shape, meaning in l02.shape_table(np.zeros((4, 2)), l02.W1, l02.B1))
    assert table == {"x": (4, 2), "W": (2, 3), "b": (3,), "x @ W": (4, 3), "y = x @ W + b": (4, 3)}


def test_layer_outputs_match_the_dlfs_notes():
    assert np.allclose(l02.layer_outputs([1.0, 0.5], l02.W1, l02.B1), [[0.3, 0.7, 1.1]])
    assert l02.layer_outputs(l02.BATCH, l02.W1, l02.B1).shape == (5, 3)


def test_layer_view_and_html():
    view = l02.layer_view(l02.BATCH, l02.W1, l02.B1)
    assert view["y"].shape == (5, 3) and view["params"].shape == (3, 3)
    assert np.allclose(view["params"][-1], l02.B1)
    assert view["html"].count("<tr>") == 6 and "<b>1.10</b>" in view["html"]


def test_widget_updates_table_and_image():
    view = l02.build_layer_widget()
    before_table, before_image = view.table.value, view.figure.image.value
    view.w11.value = -0.5
    assert view.W[0, 0] == -0.5
    assert view.table.value != before_table and "<b>-0.30</b>" in view.table.value
    assert view.figure.image.value != before_image
    view.b3.value = 0.0
    assert np.allclose(l02.layer_view(view.x, view.W, view.b)["y"][1], [0.1, 0.2, 0.0])


def test_check_layer_forward(capsys):
    assert l02.check_layer_forward(correct_forward) is True
    assert "rejects a wrong width" in capsys.readouterr().out
    assert l02.check_layer_forward(stub) is False
    assert "not done yet" in capsys.readouterr().out
    assert l02.check_layer_forward(lambda x, W, b: x @ W + b) is False
    assert "came from NumPy" in capsys.readouterr().out
    assert l02.check_layer_forward(lambda x, W, b: x @ W) is False
    assert "bias b is missing" in capsys.readouterr().out
    assert l02.check_layer_forward(lambda x, W, b: correct_forward(np.atleast_2d(x), W, b)) is False
    assert "expected shape (2,)" in capsys.readouterr().out


def test_check_layer_forward_wants_a_clear_error(capsys):
    def vague(x, W, b):
        if np.shape(x)[-1] != W.shape[0]:
            raise ValueError("bad input")
        return x @ W + b

    def silent(x, W, b):
        return np.asarray(x)[..., : W.shape[0]] @ W + b

    assert l02.check_layer_forward(vague) is False
    assert "expected (3) and which came (5)" in capsys.readouterr().out
    assert l02.check_layer_forward(silent) is False
    assert "expected a ValueError" in capsys.readouterr().out


def test_check_layer_forward_quiet_prints_nothing_on_success(capsys):
    assert l02.check_layer_forward(correct_forward, quiet=True) is True
    assert capsys.readouterr().out == ""
    assert l02.check_layer_forward(lambda x, W, b: x @ W, quiet=True) is False
    assert "bias b is missing" in capsys.readouterr().out


def checked(product):
    """A layer_forward with a correct width check and the given (perhaps wrong) product."""
    def layer_forward(x, W, b):
        if x.shape[-1] != W.shape[0]:
            raise ValueError(f"expected {W.shape[0]} features per sample, got {x.shape[-1]}")
        return product(x, W, b)
    return layer_forward


@pytest.mark.parametrize("product", [lambda x, W, b: W @ x + b, lambda x, W, b: x @ W.T + b,
                                     lambda x, W, b: np.dot(W, x) + b])
def test_check_layer_forward_names_the_order(capsys, product):
    assert l02.check_layer_forward(checked(product)) is False
    out = capsys.readouterr().out
    assert "NumPy's @ could not multiply x of shape (1, 2) and W of shape (2, 3)" in out
    assert "Multiply x @ W, in that order: x's rows are samples" in out and "Traceback" not in out


@pytest.mark.parametrize("product, hint", [
    (lambda x, W, b: x @ W, "the bias b is missing"),
    (lambda x, W, b: nn.sigmoid(x @ W + b), "you applied the sigmoid"),
    (lambda x, W, b: x @ W - b, "the bias is subtracted"),
    (lambda x, W, b: x @ (W + b), "you added b to W before multiplying"),
])
def test_check_layer_forward_names_the_bias_and_extra_steps(capsys, product, hint):
    assert l02.check_layer_forward(checked(product)) is False
    assert hint in capsys.readouterr().out


def test_check_layer_forward_names_shape_1_and_a_wrong_width_check(capsys):
    def shape_1(x, W, b):
        if x.shape[1] != W.shape[0]:
            raise ValueError(f"expected {W.shape[0]} features, got {x.shape[1]}")
        return x @ W + b

    def compares_with_out(x, W, b):
        if x.shape[-1] != W.shape[1]:
            raise ValueError(f"expected {W.shape[1]} features, got {x.shape[-1]}")
        return x @ W + b

    assert l02.check_layer_forward(shape_1) is False
    assert "x.shape[1] does not exist; x.shape[-1], the last axis" in capsys.readouterr().out
    assert l02.check_layer_forward(compares_with_out) is False
    assert "stopped an input that fits" in capsys.readouterr().out


@pytest.mark.parametrize("answer, sentence", [
    (lambda x, W, b: None, "it returned None: did you forget `return`?"),
    (lambda x, W, b: correct_forward(x, W, b).tolist(), "it returned a Python list"),
    (lambda x, W, b: {"y": correct_forward(x, W, b)}, "it returned a Python dict"),
    (lambda x, W, b: (correct_forward(x, W, b), b), "it returned a Python tuple"),
])
def test_check_layer_forward_wrong_types_get_one_sentence(capsys, answer, sentence):
    assert l02.check_layer_forward(answer) is False
    out = capsys.readouterr().out
    assert sentence in out and "Traceback" not in out and out.count("\n") == 1


def test_widget_is_drawn_at_100_dpi():
    assert l02.build_layer_widget().figure.fig.dpi >= 100


def lesson_cells():
    import json
    from pathlib import Path
    path = Path(__file__).resolve().parent.parent / "notebooks" / "02_layers.ipynb"
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def test_lesson_names_its_sources_and_keeps_its_hidden_solution_quiet():
    """Lesson 02's own text; the rules of every lesson (no "seed 00N", no cell reading the learner's widget,
    solutions under their own names) are in tests/test_notebook_rules.py."""
    cells = lesson_cells()
    text = "\n".join("".join(c["source"]) for c in cells)
    assert "[*DLFS Notes*](../README.md#sources)" in text and "[*Library from Scratch*](../README.md#sources)" in text
    assert "later lesson" not in text                 # He scaling is explained here, not promised
    hidden = ["".join(c["source"]) for c in cells if c["metadata"].get("jupyter", {}).get("source_hidden")]
    assert len(hidden) == 1 and "quiet=True" in hidden[0]