"""Tests of lesson 04's playground view and widget, its forward-pass check, and the notebook's playground cell.

Every mistake of check_forward is run through the check by tests/test_exercises.py."""
import numpy as np

import nnlib as nn
from lesson_files import lesson_cells
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
    view = l04.build_xor_playground()
    assert view.label.value.startswith("accuracy 3/4")
    image = view.figure.image.value
    view.v2.value = -5.0
    assert view.label.value.startswith("accuracy 4/4")
    assert view.figure.image.value != image
    W1, b1, W2, b2 = view.weights()
    assert W1.shape == (2, 2) and b1.shape == (2,) and W2.shape == (2, 1) and b2.shape == (1,)


def test_playground_set_weights_round_trips():
    view = l04.build_xor_playground()
    view.set_weights(**l04.XOR_SOLUTION)
    for got, want in zip(view.weights(), (l04.XOR_SOLUTION[k] for k in ("W1", "b1", "W2", "b2"))):
        assert np.array_equal(got, want)
    assert view.label.value.startswith("accuracy 4/4")
    view.set_weights(**l04.PLAYGROUND_START)
    assert view.label.value.startswith("accuracy 3/4")


def test_check_forward_passes_the_lessons_formula(capsys):
    def forward(x, W1, b1, W2, b2):
        h = nn.sigmoid(x @ W1 + b1)
        return nn.sigmoid(h @ W2 + b2)

    assert l04.check_forward(forward) is True
    assert capsys.readouterr().out.startswith("✅")


# ---- the notebook as a learner meets it ----------------------------------------------------

def code_cells():
    return [cell for cell in lesson_cells("04_forward_pass") if cell["cell_type"] == "code"]


def test_the_cell_under_the_playground_does_not_spoil_it():
    """(That no later cell reads the learner's playground is a rule of every lesson: tests/test_notebook_rules.py.)"""
    sources = ["".join(c["source"]) for c in code_cells()]
    shown = next(i for i, s in enumerate(sources) if "l04.build_xor_playground(" in s)
    below = sources[shown + 1]
    # The answer is one slider (h₂→y, i.e. v2) set to -5: the cell right under the playground must not say so.
    assert "h₂→y" not in below and ".v2" not in below and "-5" not in below


def test_playground_draws_the_input_plane_square():
    assert l04.build_xor_playground().figure.axes.get_aspect() == 1.0


def test_the_playground_starts_at_or_one_slider_from_xor():
    start = l04.playground_view(**l04.PLAYGROUND_START)
    assert start["accuracy"] == 0.75 and ((start["outputs"] > 0.5) == [0, 1, 1, 1]).all()   # OR
    differ = sum(int((np.asarray(l04.PLAYGROUND_START[k]) != l04.XOR_SOLUTION[k]).sum()) for k in l04.XOR_SOLUTION)
    assert differ == 1 and l04.playground_view(**l04.XOR_SOLUTION)["accuracy"] == 1.0
