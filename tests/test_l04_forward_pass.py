"""Tests of lesson 04's playground view, widget and forward-pass check, and of the notebook's exercise and widget cells."""
import json
from pathlib import Path

import numpy as np
import pytest

import nnlib as nn
from nnlib.course import l04_forward_pass as l04


def test_xor_points():
    x, labels = l04.xor_points()
    assert x.shape == (4, 2) and labels.tolist() == [0, 1, 1, 0]


def test_build_network_structure():
    net = l04.build_network(**l04.XOR_SOLUTION)
    assert [type(layer) for layer in net.layers] == [nn.Linear, nn.Sigmoid, nn.Linear, nn.Sigmoid]
    assert net.forward(np.zeros((3, 2))).shape == (3, 1)


def test_playground_view_solution_separates_xor():
    view = l04.playground_view(**l04.XOR_SOLUTION, steps=21)
    assert view["zz"].shape == (21, 21)
    assert view["outputs"].shape == (4,)
    assert view["accuracy"] == 1.0
    assert np.array_equal(view["outputs"] > 0.5, [False, True, True, False])
    assert ((view["zz"] > 0) & (view["zz"] < 1)).all()


def test_playground_view_start_is_or():
    view = l04.playground_view(**l04.PLAYGROUND_START)
    assert view["accuracy"] == 0.75


def test_playground_widget_updates_label_and_image():
    view = l04.build_playground()
    assert view.label.value.startswith("accuracy 3/4")
    image = view.figure.image.value
    view.v2.value = -5.0
    assert view.label.value.startswith("accuracy 4/4")
    assert view.figure.image.value != image
    W1, b1, W2, b2 = view.weights()
    assert W1.shape == (2, 2) and b1.shape == (2,) and W2.shape == (2, 1) and b2.shape == (1,)


def test_playground_set_weights_round_trips():
    view = l04.build_playground()
    view.set_weights(**l04.XOR_SOLUTION)
    for got, want in zip(view.weights(), (l04.XOR_SOLUTION[k] for k in ("W1", "b1", "W2", "b2"))):
        assert np.array_equal(got, want)
    assert view.label.value.startswith("accuracy 4/4")
    view.set_weights(**l04.PLAYGROUND_START)
    assert view.label.value.startswith("accuracy 3/4")


def solution(x, W1, b1, W2, b2):
    h = nn.sigmoid(x @ W1 + b1)
    return nn.sigmoid(h @ W2 + b2)


def test_check_forward_passes_correct(capsys):
    assert l04.check_forward(solution) is True
    assert "✅" in capsys.readouterr().out


def test_check_forward_quiet_prints_nothing(capsys):
    assert l04.check_forward(solution, quiet=True) is True
    assert capsys.readouterr().out == ""
    assert l04.check_forward(lambda *args: None, quiet=True) is False   # a broken solution still says why
    assert "returned None" in capsys.readouterr().out


S = nn.sigmoid


@pytest.mark.parametrize("fn, words", [
    (lambda x, W1, b1, W2, b2: S(x @ W1 + b1) @ W2 + b2, "It looks like you left out the sigmoid on the output."),
    (lambda x, W1, b1, W2, b2: S((x @ W1 + b1) @ W2 + b2), "It looks like you left out the sigmoid on the hidden layer."),
    (lambda x, W1, b1, W2, b2: S(S(x @ W1) @ W2), "It looks like you left out the biases b1 and b2."),
    (lambda x, W1, b1, W2, b2: solution(x, W1, b1, W2, b2)[:, 0], "expected shape (1, 1), got shape (1,)"),
    (lambda x, W1, b1, W2, b2: S(x @ W2 + b2),
     "It looks like you fed x to the second layer instead of h: the second layer's input is the hidden layer's "
     "output, h = sigmoid(x @ W1 + b1), so y = sigmoid(h @ W2 + b2)."),
    (lambda x, W1, b1, W2, b2: S(S(x @ W1) @ W2 + b2),
     "It looks like you left out b1, the hidden layer's bias: h = sigmoid(x @ W1 + b1)."),
    (lambda x, W1, b1, W2, b2: S(S(x @ W1 + b1) @ W2),
     "It looks like you left out b2, the output layer's bias: y = sigmoid(h @ W2 + b2)."),
    (lambda x, W1, b1, W2, b2: S(S(x @ W1.T + b1) @ W2 + b2),
     "It looks like you used W1.T, the transposed weights. Here a layer computes x @ W1 with W1 of shape "
     "(in, hidden), one column per hidden unit, so no transpose is needed."),
    (lambda x, W1, b1, W2, b2: solution(x, W1, b1, W2.T, b2), "raised ValueError"),
    (lambda x, W1, b1, W2, b2: S(S(W1 @ x + b1) @ W2 + b2),
     "A matrix product a @ b needs a's last axis to match b's first: x @ W1 is (batch, in) @ (in, hidden)"),
])
def test_check_forward_names_the_problem(fn, words, capsys):
    assert l04.check_forward(fn) is False
    out = capsys.readouterr().out
    assert "❌" in out and words in out


@pytest.mark.parametrize("answer, sentence", [
    (None, "❌ forward returned None: did you forget the `return` line?\n"),
    ([[0.5]], "❌ forward returned a Python list; return a NumPy array of shape (1, 1) "
              "(np.array(...) turns a list into one).\n"),
    ({"y": 0.5}, "❌ forward returned a dict; return a NumPy array of shape (1, 1).\n"),
    ((np.zeros((1, 2)), np.zeros((1, 1))), "❌ forward returned a tuple of 2 values; return one NumPy array of shape (1, 1).\n"),
])
def test_check_forward_wrong_type_gets_one_sentence(answer, sentence, capsys):
    assert l04.check_forward(lambda *args: answer) is False
    assert capsys.readouterr().out == sentence


def test_check_forward_stub_not_done(capsys):
    def stub(x, W1, b1, W2, b2):
        raise NotImplementedError

    assert l04.check_forward(stub) is False
    assert "not done yet" in capsys.readouterr().out


# ---- the notebook as a learner meets it ----------------------------------------------------

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "04_forward_pass.ipynb"


def code_cells():
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    return [cell for cell in cells if cell["cell_type"] == "code"]


def test_the_cell_under_the_playground_does_not_spoil_it():
    """(That no later cell reads the learner's playground is a rule of every lesson: tests/test_notebook_rules.py.)"""
    sources = ["".join(c["source"]) for c in code_cells()]
    shown = next(i for i, s in enumerate(sources) if "l04.build_playground(" in s)
    below = sources[shown + 1]
    # The answer is one slider (h₂→y, i.e. v2) set to -5: the cell right under the playground must not say so.
    assert "h₂→y" not in below and ".v2" not in below and "-5" not in below
