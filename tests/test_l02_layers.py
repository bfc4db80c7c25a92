"""Tests of lesson 02's view functions and widget; its exercise's mistakes are run by test_exercises.py."""
import numpy as np

from lesson_files import lesson_cells
from nnlib.course import l02_layers as l02


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
    assert np.allclose(l02.layer_view(view.x, view.W, view.b)["y"][1], view.b)   # sample (0, 0) gives b
    assert np.allclose(view.b, [0.1, 0.2, 0.0])


def test_check_layer_forward_passes_a_width_check_written_by_hand(capsys):
    def layer_forward(x, W, b):
        if x.shape[-1] != W.shape[0]:
            raise ValueError(f"W expects {W.shape[0]} features per sample, got x of shape {x.shape}")
        return x @ W + b
    assert l02.check_layer_forward(layer_forward)
    assert "✅" in capsys.readouterr().out


def test_widget_is_drawn_at_100_dpi():
    assert l02.build_layer_widget().figure.fig.dpi >= 100



def test_lesson_names_its_sources_and_keeps_its_hidden_solution_quiet():
    """Lesson 02's own text; the rules of every lesson (no "seed 00N", no cell reading the learner's widget,
    solutions under their own names) are in tests/test_notebook_rules.py."""
    cells = lesson_cells("02_layers")
    text = "\n".join("".join(c["source"]) for c in cells)
    assert "[*DLFS Notes*](../README.md#sources)" in text and "[*Library from Scratch*](../README.md#sources)" in text
    assert "later lesson" not in text                 # He scaling is explained here, not promised
    hidden = ["".join(c["source"]) for c in cells if c["metadata"].get("jupyter", {}).get("source_hidden")]
    assert len(hidden) == 1 and "quiet=True" in hidden[0]

def test_samples_are_counted_from_1_like_neurons():
    html = l02.outputs_html(l02.BATCH[:2], np.zeros((2, 3)))
    assert "<tr><td>1</td>" in html and "<tr><td>2</td>" in html and "<td>0</td>" not in html
    view = l02.build_layer_widget()
    left, right = view.figure.axes
    assert [t.get_text() for t in right.get_yticklabels()][0] == "sample 1"
    assert [t.get_text() for t in left.get_xticklabels()][0] == "neuron 1"
