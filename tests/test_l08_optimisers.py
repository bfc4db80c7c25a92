"""Lesson 08 helpers: descent paths, the race and initialisation widgets, the Adam check's hints."""
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


def adam_solution(W, dW, m, v, t, lr, b1, b2, eps):
    m = b1 * m + (1 - b1) * dW
    v = b2 * v + (1 - b2) * dW**2
    return W - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps), m, v


def no_correction(W, dW, m, v, t, lr, b1, b2, eps):
    m = b1 * m + (1 - b1) * dW
    v = b2 * v + (1 - b2) * dW**2
    return W - lr * m / (np.sqrt(v) + eps), m, v


def unsquared(W, dW, m, v, t, lr, b1, b2, eps):
    return W, b1 * m + (1 - b1) * dW, b2 * v + (1 - b2) * dW


def plain_m(W, dW, m, v, t, lr, b1, b2, eps):
    return W, b1 * m + dW, v


def uphill(W, dW, m, v, t, lr, b1, b2, eps):
    new_W, m, v = adam_solution(W, dW, m, v, t, lr, b1, b2, eps)
    return 2 * W - new_W, m, v


def stub(*args):
    raise NotImplementedError


@pytest.mark.parametrize("fn, message", [
    (adam_solution, "✅ adam_step matches nnlib.Adam"),
    (stub, "⏳ adam_step: not done yet"),
    (lambda *a: {"W": 1}, "must return a tuple of three arrays (W, m, v), got dict"),
    (lambda *a: None, "must return a tuple of three arrays (W, m, v), got NoneType"),
    (no_correction, "without bias correction: divide m by (1 - b1**t)"),
    (unsquared, "Square the gradient"),
    (plain_m, "Did you use (1 - b1) * dW?"),
    (uphill, "moved uphill"),
    (lambda *a: (np.zeros(2), np.zeros(2), np.zeros(2)), "W: expected shape (3, 2), got shape (2,)"),
])
def test_check_adam_step_names_the_mistake(fn, message, capsys):
    l08.check_adam_step(fn)
    assert message in capsys.readouterr().out


def test_check_adam_step_quiet_prints_nothing(capsys):
    assert l08.check_adam_step(adam_solution, quiet=True)
    assert capsys.readouterr().out == ""


def test_smooth_and_mnist_settings():
    np.testing.assert_allclose(l08.smooth(np.arange(5.0), window=2), [0.5, 1.5, 2.5, 3.5])
    assert set(l08.MNIST_SETTINGS) == set(nn.OPTIMIZERS)
