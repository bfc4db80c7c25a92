"""Lesson 08 helpers: descent paths, the race and initialisation widgets, the Adam exercise's solution."""
import numpy as np
import pytest

import nnlib as nn
from nnlib.course import l08_optimisers as l08

BOWL = "bowl x²/20 + y²"


def test_sgd_on_the_bowl_multiplies_each_direction_by_its_factor():
    for lr in (0.1, 0.7, 1.2):
        path = l08.descend("SGD", BOWL, lr, steps=5)
        steps = np.arange(6)
        np.testing.assert_allclose(path[:, 1], 2 * (1 - 2 * lr) ** steps)
        np.testing.assert_allclose(path[:, 0], -7 * (1 - lr / 10) ** steps)


def test_a_diverging_path_stops_growing_instead_of_overflowing():
    with np.errstate(all="raise"):
        path = l08.descend("SGD", "curved valley", 3.0, steps=40)
    assert np.isfinite(path).all() and np.abs(path).max() > 1e6
    assert "diverged" in l08.race_summary({"SGD": path}, "curved valley")


def test_race_runs_every_optimiser_and_adaptive_ones_beat_sgd_on_the_bowl():
    paths = l08.race(BOWL, 0.1)
    assert list(paths) == list(nn.OPTIMIZERS) and all(p.shape == (41, 2) for p in paths.values())
    final = {name: l08.bowl(p[-1]) for name, p in paths.items()}
    assert final["momentum"] < final["SGD"] and final["RMSProp"] < final["SGD"]


def test_make_optimizer_rejects_unknown_names():
    with pytest.raises(ValueError, match="unknown optimiser 'Adagrad'"):
        nn.make_optimizer("Adagrad", [(np.zeros(2), np.zeros(2))], 0.1)


def test_race_widget_moves_update_label_table_and_picture():
    view = l08.build_race_widget()
    table, image = view.table.value, view.figure.image.value
    view.log_lr.value = -2.0
    assert view.lr_label.value == "lr = 0.01" and view.table.value != table and view.figure.image.value != image
    view.log_lr.value = 0.0
    assert view.lr_label.value == "lr = 1"
    view.surface.value = "curved valley"
    assert "optimiser" in view.table.value
    view.momentum.value = 0.0
    momentum_row = view.table.value.split("<td>momentum</td>")[1].split("</tr>")[0]
    sgd_row = view.table.value.split("<td>SGD</td>")[1].split("</tr>")[0]
    assert momentum_row == sgd_row   # momentum 0 is plain SGD


@pytest.mark.parametrize("init, activation", [("He", "ReLU"), ("std 0.01", "tanh"), ("std 1", "sigmoid")])
def test_layer_activations_shapes_and_scales(init, activation):
    out = l08.layer_activations(init, activation, layers=3, units=50, samples=200)
    assert out.shape == (3, 200, 50)
    if init == "He":
        assert 0.5 < out[-1].std() / out[0].std() < 2
    if init == "std 0.01":
        assert out[-1].std() < 1e-3


def test_init_widget_updates_its_label():
    view = l08.build_init_widget()
    before = view.label.value
    view.activation.value = "tanh"
    assert view.label.value.startswith("std 1 with tanh") and view.label.value != before
    image = view.figure.image.value
    view.init.value, view.activation.value = "He", "ReLU"
    assert view.label.value.startswith("He with ReLU") and view.figure.image.value != image


def test_the_adam_step_solution_matches_nnlib_adam():
    rng = np.random.default_rng(0)
    W = rng.normal(size=(3, 2))
    mine, dW = W.copy(), np.zeros_like(W)
    adam = nn.Adam([(W, dW)], lr=0.01)
    m, v = np.zeros_like(W), np.zeros_like(W)
    for t in range(1, 4):
        dW[...] = rng.normal(size=(3, 2))
        adam.step()
        mine, m, v = l08.ADAM_STEP.solution(mine, dW.copy(), m, v, t, 0.01, 0.9, 0.999, 1e-8)
    np.testing.assert_allclose(mine, W, rtol=1e-12)


def test_smooth_and_mnist_settings():
    np.testing.assert_allclose(l08.smooth(np.arange(5.0), window=2), [0.5, 1.5, 2.5, 3.5])
    assert set(l08.MNIST_SETTINGS) == set(nn.OPTIMIZERS)


def test_race_table_shows_distances_to_the_minimum_and_no_negative_zero():
    paths = l08.race(BOWL, 0.1)
    table = l08.race_summary(paths, BOWL)
    assert "distance to the minimum" in table and "-0.00" not in table
    assert f"{l08.distances(paths, BOWL)['SGD']:.2f}" in table


def test_race_widget_starts_at_the_defaults_the_lesson_asserts_and_shows_the_formula():
    view = l08.build_race_widget()
    assert view.log_lr.value == l08.RACE_DEFAULTS["log_lr"] and view.momentum.value == l08.RACE_DEFAULTS["momentum"]
    assert view.steps == l08.RACE_DEFAULTS["steps"]
    assert view.figure.axes.get_title().startswith("f = x²/20 + y²")
    view.surface.value = "curved valley"
    assert view.figure.axes.get_title().startswith("f = (1 − x)² + 10 (y − x²)²")


def test_valley_gradient_matches_finite_differences():
    p, h = np.array([-1.5, 2.0]), 1e-6
    numeric = [(l08.valley(p + h * e) - l08.valley(p - h * e)) / (2 * h) for e in np.eye(2)]
    np.testing.assert_allclose(l08.valley_gradient(p), numeric, rtol=1e-6)
    assert l08.valley(np.array(l08.MINIMA["curved valley"])) == 0
