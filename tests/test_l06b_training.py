"""Tests for lesson 06b's helpers: gradient-descent and momentum paths, loss against accuracy along a weight,
decision-surface snapshots, and the widgets."""
import numpy as np
import pytest

import nnlib as nn
from nnlib.course import l06b_training as T


# ---- gradient descent on w²

def test_path_multiplies_by_one_minus_two_lr():
    path = T.gradient_descent_path(0.1, w0=4.0, steps=20)
    assert path.shape == (21,)
    assert np.allclose(path, 4.0 * 0.8 ** np.arange(21))


@pytest.mark.parametrize("lr, name", [(0.1, "converges"), (0.9, "converges"), (0.02, "slow crawl"),
                                      (1.0, "bounces forever"), (1.05, "diverges")])
def test_regimes(lr, name):
    assert T.regime(T.gradient_descent_path(lr)) == name


def test_descent_widget_updates():
    view = T.build_descent_explorer(0.1)
    before = (view.label.value, view.figure.image.value)
    view.lr.value = 1.05
    assert view.label.value != before[0] and view.label.value.endswith("diverges")
    assert view.figure.image.value != before[1]


@pytest.mark.parametrize("lr", [0.01, 0.5, 1.0, 1.1])
def test_descent_widget_survives_every_end_of_its_slider(lr):
    view = T.build_descent_explorer(0.1)
    view.lr.value = lr
    assert view.label.value.startswith(f"η = {lr:.2f}")


def test_widget_figures_are_at_least_100_dpi():
    assert T.build_descent_explorer(0.1).figure.fig.dpi >= 100


# ---- momentum

def test_momentum_zero_is_plain_gradient_descent():
    assert np.allclose(T.momentum_path(0.1, 0.0, steps=20), T.gradient_descent_path(0.1, steps=20))


def test_momentum_path_is_what_sgd_step_does():
    w, dw = np.array([4.0]), np.zeros(1)
    sgd = nn.SGD([(w, dw)], lr=0.01, momentum=0.9)
    path = [4.0]
    for _ in range(30):
        dw[...] = 2 * w
        sgd.step()
        path.append(float(w[0]))
    assert np.allclose(path, T.momentum_path(0.01, 0.9, steps=30))


def test_momentum_speeds_up_a_slow_crawl():
    assert abs(T.momentum_path(0.01, 0.9)[-1]) < abs(T.momentum_path(0.01, 0.0)[-1]) / 4


# ---- the loss has a slope, the accuracy is a staircase

def test_accuracy_is_a_staircase_and_the_loss_is_not():
    ws = np.linspace(-3, 3, 601)
    loss, accuracy = T.loss_and_accuracy_along(ws)
    assert loss.shape == accuracy.shape == (601,)
    assert np.mean(np.diff(accuracy) == 0) > 0.95 and len(np.unique(accuracy)) >= 3
    assert np.all(np.diff(loss) != 0) and np.all(np.isfinite(loss))


def test_loss_along_matches_nnlib_cross_entropy():
    w = 0.7
    z = w * T.STAIRS_X + 1.0
    logits = np.column_stack([np.zeros_like(z), z])       # softmax([0, z]) = [1 - σ(z), σ(z)]
    loss, _ = T.loss_and_accuracy_along([w])
    assert np.isclose(loss[0], nn.CrossEntropyLoss()(logits, T.STAIRS_LABELS))


# ---- snapshots of the decision surface

@pytest.fixture(scope="module")
def moons_record():
    x, y = nn.two_moons(100, noise=0.15, rng=np.random.default_rng(0))
    init = np.random.default_rng(0)
    model = nn.Sequential([nn.Linear(2, 8, rng=init, dtype=np.float64), nn.Tanh(),
                           nn.Linear(8, 2, rng=init, dtype=np.float64)])
    return x, y, T.train_with_snapshots(model, x, y, epochs=20, every=5, lr=0.3, rng=np.random.default_rng(0), steps=21)


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
    player = T.build_boundary_player(record, x, y)
    before = (player.label.value, player.figure.image.value)
    player.index.value = 4
    assert player.label.value.startswith("epoch 20") and player.label.value != before[0]
    assert player.figure.image.value != before[1]


# ---- exercise: one step of SGD with momentum

def good_momentum_step(w, velocity, grad, lr, momentum):
    velocity = momentum * velocity - lr * grad
    return w + velocity, velocity


def momentum_stub(w, velocity, grad, lr, momentum):
    raise NotImplementedError


def test_check_momentum_step(capsys):
    assert T.check_momentum_step(good_momentum_step)
    assert "✅" in capsys.readouterr().out
    assert not T.check_momentum_step(momentum_stub)
    assert "not done yet" in capsys.readouterr().out
    assert T.check_momentum_step(good_momentum_step, quiet=True)
    assert capsys.readouterr().out == ""


def test_good_momentum_step_matches_sgd():
    w, dw = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    sgd = nn.SGD([(w, dw)], lr=0.1, momentum=0.9)
    mine_w, mine_v = w.copy(), np.zeros(2)
    for _ in range(3):
        sgd.step()
        mine_w, mine_v = good_momentum_step(mine_w, mine_v, dw, 0.1, 0.9)
    assert np.allclose(w, mine_w)


@pytest.mark.parametrize("wrong, hint", [
    (lambda w, v, g, lr, m: (w + (m * v + lr * g), m * v + lr * g), T.MOMENTUM_SIGN_HINT),
    (lambda w, v, g, lr, m: (w - (m * v - lr * g), m * v - lr * g), T.MOMENTUM_SIGN_HINT),
    (lambda w, v, g, lr, m: (w + v, m * v - lr * g), T.MOMENTUM_OLD_VELOCITY_HINT),
    (lambda w, v, g, lr, m: (w - lr * g, -lr * g), T.MOMENTUM_FORGOTTEN_HINT),
    (lambda w, v, g, lr, m: (w + m * (v - lr * g), m * (v - lr * g)), T.MOMENTUM_ON_GRAD_HINT),
    (lambda w, v, g, lr, m: (w + m * v - g, m * v - g), T.MOMENTUM_NO_LR_HINT),
])
def test_check_momentum_step_names_the_slip(capsys, wrong, hint):
    assert not T.check_momentum_step(wrong)
    assert hint in capsys.readouterr().out


@pytest.mark.parametrize("wrong, message", [
    (lambda w, v, g, lr, m: None, "momentum_step returned None: did you forget `return w, velocity`?"),
    (lambda w, v, g, lr, m: w + m * v - lr * g, "momentum_step returned one array; return the two arrays: return w, velocity."),
    (lambda w, v, g, lr, m: {"w": w, "velocity": v}, "momentum_step returned a dict; return the two arrays"),
    (lambda w, v, g, lr, m: (w, v, g), "momentum_step returned 3 values; return the two arrays"),
    (lambda w, v, g, lr, m: (list(w), v), "momentum_step's w is a list; it must be a NumPy array."),
])
def test_check_momentum_step_wrong_types_get_a_sentence(capsys, wrong, message):
    assert not T.check_momentum_step(wrong)
    out = capsys.readouterr().out
    assert message in out and out.count("\n") == 1


def test_check_momentum_step_refuses_to_mutate(capsys):
    def in_place(w, velocity, grad, lr, momentum):
        velocity *= momentum
        velocity -= lr * grad
        w += velocity
        return w, velocity
    assert not T.check_momentum_step(in_place)
    assert "changed an array it was handed" in capsys.readouterr().out
