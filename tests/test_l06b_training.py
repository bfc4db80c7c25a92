"""Tests for lesson 06b's helpers: gradient-descent and momentum paths, loss against accuracy along a weight,
decision-surface snapshots, and the widgets."""
import numpy as np
import pytest

import nnlib as nn
from nnlib.course import l06b_training as l06b


# ---- gradient descent on w²

def test_path_multiplies_by_one_minus_two_lr():
    path = l06b.gradient_descent_path(0.1, w0=4.0, steps=20)
    assert path.shape == (21,)
    assert np.allclose(path, 4.0 * 0.8 ** np.arange(21))


@pytest.mark.parametrize("lr, name", [(0.1, "converges"), (0.9, "converges"), (0.02, "slow crawl"), (0.97, "slow zig-zag"),
                                      (1.0, "bounces forever"), (1.05, "diverges")])
def test_regimes(lr, name):
    assert l06b.regime(l06b.gradient_descent_path(lr)) == name


def test_descent_widget_updates():
    view = l06b.build_descent_explorer(0.1)
    before = (view.label.value, view.figure.image.value)
    view.lr.value = 1.05
    assert view.label.value != before[0] and view.label.value.endswith("diverges")
    assert view.figure.image.value != before[1]


@pytest.mark.parametrize("lr", [0.01, 0.5, 1.0, 1.1])
def test_descent_widget_survives_every_end_of_its_slider(lr):
    view = l06b.build_descent_explorer(0.1)
    view.lr.value = lr
    assert view.label.value.startswith(f"η = {lr:.2f}")


def test_widget_figures_are_at_least_100_dpi():
    assert l06b.build_descent_explorer(0.1).figure.fig.dpi >= 100


# ---- momentum

def test_momentum_zero_is_plain_gradient_descent():
    assert np.allclose(l06b.momentum_path(0.1, 0.0, steps=20), l06b.gradient_descent_path(0.1, steps=20))


def test_momentum_path_is_what_sgd_step_does():
    w, dw = np.array([4.0]), np.zeros(1)
    sgd = nn.SGD([(w, dw)], lr=0.01, momentum=0.9)
    path = [4.0]
    for _ in range(30):
        dw[...] = 2 * w
        sgd.step()
        path.append(float(w[0]))
    assert np.allclose(path, l06b.momentum_path(0.01, 0.9, steps=30))


def test_momentum_speeds_up_a_slow_crawl():
    assert abs(l06b.momentum_path(0.01, 0.9)[-1]) < abs(l06b.momentum_path(0.01, 0.0)[-1]) / 4


# ---- the loss has a slope, the accuracy is a staircase

def test_accuracy_is_a_staircase_and_the_loss_is_not():
    ws = np.linspace(-3, 3, 601)
    loss, accuracy = l06b.loss_and_accuracy_along(ws)
    assert loss.shape == accuracy.shape == (601,)
    assert np.mean(np.diff(accuracy) == 0) > 0.95 and len(np.unique(accuracy)) >= 3
    assert np.all(np.diff(loss) != 0) and np.all(np.isfinite(loss))


def test_loss_along_matches_nnlib_cross_entropy():
    w = 0.7
    z = w * l06b.STAIRS_X + 1.0
    logits = np.column_stack([np.zeros_like(z), z])       # softmax([0, z]) = [1 - σ(z), σ(z)]
    loss, _ = l06b.loss_and_accuracy_along([w])
    assert np.isclose(loss[0], nn.CrossEntropyLoss()(logits, l06b.STAIRS_LABELS))


# ---- snapshots of the decision surface

@pytest.fixture(scope="module")
def moons_record():
    x, y = nn.two_moons(100, noise=0.15, rng=np.random.default_rng(0))
    init = np.random.default_rng(0)
    model = nn.Sequential([nn.Linear(2, 8, rng=init, dtype=np.float64), nn.Tanh(),
                           nn.Linear(8, 2, rng=init, dtype=np.float64)])
    return x, y, l06b.train_with_snapshots(model, x, y, epochs=20, every=5, lr=0.3, rng=np.random.default_rng(0), steps=21)


def test_snapshots_shapes_and_progress(moons_record):
    x, y, record = moons_record
    assert list(record["epoch"]) == [0, 5, 10, 15, 20]
    assert record["surface"].shape == (5, 21, 21) and record["xx"].shape == (21, 21)
    assert record["loss"].shape == record["accuracy"].shape == (5,)
    assert ((record["surface"] >= 0) & (record["surface"] <= 1)).all()
    assert record["loss"][-1] < record["loss"][0]
    assert not np.allclose(record["surface"][0], record["surface"][-1])


def test_boundary_player_updates(moons_record):
    x, y, record = moons_record
    player = l06b.build_boundary_player(record, x, y)
    before = (player.label.value, player.figure.image.value)
    player.index.value = 4
    assert player.label.value.startswith("epoch 20") and player.label.value != before[0]
    assert player.figure.image.value != before[1]


# ---- exercise: one step of SGD with momentum (its mistakes run in tests/test_exercises.py)

def test_the_momentum_step_solution_matches_sgd():
    w, dw = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    sgd = nn.SGD([(w, dw)], lr=0.1, momentum=0.9)
    mine_w, mine_v = w.copy(), np.zeros(2)
    for _ in range(3):
        sgd.step()
        mine_w, mine_v = l06b.MOMENTUM_STEP.solution(mine_w, mine_v, dw, 0.1, 0.9)
    assert np.allclose(w, mine_w)
