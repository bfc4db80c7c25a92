"""Tests of lesson 01's view functions and widget; its exercises' mistakes are run by test_exercises.py."""
import numpy as np
import pytest

import nnlib as nn
from lesson_files import lesson_cells
from nnlib.course import l01_neuron as l01


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
    view.w1.value, view.w2.value, view.b.value = 1.0, 1.0, -1.5
    assert view.gate.value == "AND ✓" != before_gate
    view.x2.value = 0.0
    assert view.output.value != before_text
    assert view.figure.image.value != before_image
    view.x1.value = 0.0
    assert view.output.value.startswith("z = w₁x₁ + w₂x₂ + b = -1.50")


def test_widget_legend_is_outside_the_axes_and_readable():
    view = l01.build_neuron_widget()
    assert not view.figure.axes.get_legend()          # no legend inside the axes to cover a gate input
    (legend,) = view.figure.fig.legends
    assert all(text.get_fontsize() >= 9 for text in legend.get_texts())
    assert view.figure.fig.dpi >= 100


def test_check_neuron_forward_passes_nnlib_and_the_formula(capsys):
    assert l01.check_neuron_forward(lambda x, w, b: nn.Neuron(w, b).forward(x))
    assert l01.check_neuron_forward(lambda x, w, b: 1 / (1 + np.exp(-(x @ w + b))))
    assert capsys.readouterr().out.count("✅") == 2


@pytest.mark.parametrize("weights", [(-1, -1, 0.5), np.array([-1.0, -1.0, 0.5]), [-2, -0.5, 0.25], (-1, -1, 1e-9)])
def test_check_nor_weights_accepts_any_weights_that_compute_nor(weights):
    assert l01.check_nor_weights(lambda: weights, quiet=True)


def test_check_nor_weights_shows_the_truth_table_of_wrong_weights(capsys):
    assert not l01.check_nor_weights(lambda: (1, 1, -1.5))        # AND
    out = capsys.readouterr().out
    assert "give outputs [0, 0, 0, 1]; NOR needs [1, 0, 0, 0], wrong for input(s) (0, 0), (1, 1)" in out
    assert "(-1" not in out                                        # no right answer given away



def test_lesson_names_its_source_and_keeps_its_hidden_solutions_quiet():
    """Lesson 01's own text; the rules of every lesson (no "seed 00N", no cell reading the learner's widget,
    solutions under their own names) are in tests/test_notebook_rules.py."""
    cells = lesson_cells("01_neuron")
    text = "\n".join("".join(c["source"]) for c in cells)
    assert "[*Basic Network in Python*](../README.md#sources)" in text
    assert "the shaded side" not in text and "fontsize=7" not in text
    hidden = ["".join(c["source"]) for c in cells if c["metadata"].get("jupyter", {}).get("source_hidden")]
    assert len(hidden) == 2 and all("quiet=True" in source for source in hidden)

@pytest.mark.parametrize("x1", np.round(np.arange(-0.5, 1.51, 0.1), 10))
def test_shown_z_always_agrees_with_the_step_beside_it(x1):
    # w1 = 1, w2 = 0.5, b = -0.7, x2 = 1: at x1 = 0.2 the float sum is 1e-17 away from the line z = 0.
    view = l01.neuron_view(x1, 1.0, 1.0, 0.5, -0.7)
    shown = view["text"].split("=")[2].split()[0]
    if shown == "0":
        assert view["z"] == 0 and view["y_step"] == 0 and "0 exactly" in view["text"]
    else:
        assert (float(shown) > 0) == (view["y_step"] == 1) and float(shown) != 0
    assert "-0.00" not in view["text"]


def test_a_point_on_the_line_is_on_it_for_the_widget_and_the_truth_table():
    assert l01.neuron_view(0.2, 1.0, 1.0, 0.5, -0.7)["y_step"] == 0      # z = 0.2 + 0.5 - 0.7 = 0, step(0) = 0
    assert l01.truth_table(0.3, 0.4, -0.7).tolist() == [0, 0, 0, 0]       # (1, 1): 0.3 + 0.4 - 0.7 = 0
    assert l01.format_z(-0.004) == "-0.004" and l01.format_z(0.004) == "0.004" and l01.format_z(-1e-17) == "0.00"


def test_and_and_nand_counts_differ_only_by_settings_with_an_input_on_the_line():
    values = np.linspace(-2, 2, 41)
    found = {name: l01.search_weights(l01.GATES[name], values) for name in ("AND", "NAND", "OR", "NOR")}
    strictly = {name: int((~l01.on_the_line(s)).sum()) for name, s in found.items()}
    assert strictly["AND"] == strictly["NAND"] == 1140 and strictly["OR"] == strictly["NOR"]
    assert (len(found["AND"]), len(found["NAND"])) == (1540, 1330)
    mirrored = {tuple(row) for row in np.round(-found["AND"][~l01.on_the_line(found["AND"])], 10) + 0.0}
    assert mirrored == {tuple(row) for row in np.round(found["NAND"][~l01.on_the_line(found["NAND"])], 10) + 0.0}


def test_widget_draws_the_input_plane_square():
    view = l01.build_neuron_widget()
    assert view.figure.axes.get_aspect() == 1.0
