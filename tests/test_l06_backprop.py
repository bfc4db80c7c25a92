"""Tests for lesson 06's helpers: gradient-descent paths, decision-surface snapshots, widgets, backward checks."""
import numpy as np
import pytest
from matplotlib.figure import Figure

import nnlib as nn
from nnlib.course import l06_backprop as L



# ---- gradient descent on w²

def test_path_multiplies_by_one_minus_two_lr():
    path = L.gradient_descent_path(0.1, w0=4.0, steps=20)
    assert path.shape == (21,)
    assert np.allclose(path, 4.0 * 0.8 ** np.arange(21))


@pytest.mark.parametrize("lr, name", [(0.1, "converges"), (0.9, "converges"), (0.02, "slow crawl"),
                                      (1.0, "bounces forever"), (1.05, "diverges")])
def test_regimes(lr, name):
    assert L.regime(L.gradient_descent_path(lr)) == name


def test_descent_widget_updates():
    view = L.build_descent_explorer(0.1)
    before = (view.label.value, view.figure.image.value)
    view.lr.value = 1.05
    assert view.label.value != before[0] and view.label.value.endswith("diverges")
    assert view.figure.image.value != before[1]


# ---- snapshots of the decision surface

@pytest.fixture(scope="module")
def moons_record():
    x, y = nn.two_moons(100, noise=0.15, rng=np.random.default_rng(0))
    init = np.random.default_rng(0)
    model = nn.Sequential([nn.Linear(2, 8, init), nn.Tanh(), nn.Linear(8, 2, init)])
    return x, y, L.train_with_snapshots(model, x, y, epochs=20, every=5, lr=0.3, rng=np.random.default_rng(0), steps=21)


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
    player = L.build_boundary_player(record, x, y)
    before = (player.label.value, player.figure.image.value)
    player.index.value = 4
    assert player.label.value.startswith("epoch 20") and player.label.value != before[0]
    assert player.figure.image.value != before[1]


def test_draw_chain_draws_every_node():
    ax = Figure().subplots()
    L.draw_chain(ax, [("w", 0.8, -0.1), ("z", 1.3, -0.07), ("L", 0.05, 1.0)])
    texts = [t.get_text() for t in ax.texts]
    assert "w" in texts and "1.3" in texts and "∂L/∂· = 1" in texts


# ---- the exercise checks

def good_sigmoid_backward(x, grad):
    s = nn.sigmoid(x)
    return grad * s * (1 - s)


def good_linear_backward(x, W, grad):
    return grad @ W.T, x.T @ grad, grad.sum(axis=0)


def stub(*args):
    raise NotImplementedError


def test_check_sigmoid_backward(capsys):
    assert L.check_sigmoid_backward(good_sigmoid_backward)
    assert "✅" in capsys.readouterr().out
    assert not L.check_sigmoid_backward(stub)
    assert "not done yet" in capsys.readouterr().out
    assert not L.check_sigmoid_backward(lambda x, grad: grad * nn.sigmoid(x))
    out = capsys.readouterr().out
    assert "gradient check" in out and "input" in out
    assert not L.check_sigmoid_backward(lambda x, grad: (grad * nn.sigmoid(x)).sum(axis=0))
    assert "expected shape (4, 3)" in capsys.readouterr().out


def test_check_sigmoid_backward_refuses_to_mutate(capsys):
    def in_place(x, grad):
        s = nn.sigmoid(x)
        grad *= s * (1 - s)
        return grad

    assert not L.check_sigmoid_backward(in_place)
    assert "changed the grad" in capsys.readouterr().out


def test_check_linear_backward(capsys):
    assert L.check_linear_backward(good_linear_backward)
    assert "✅" in capsys.readouterr().out
    assert not L.check_linear_backward(stub)
    assert "not done yet" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, culprit", [
    (lambda x, W, g: (g @ W.T, x.T @ g / 2, g.sum(axis=0)), "Off: W."),
    (lambda x, W, g: (g @ W.T, x.T @ g, g.mean(axis=0)), "Off: b."),
    (lambda x, W, g: (2 * g @ W.T, x.T @ g, g.sum(axis=0)), "Off: input."),
])
def test_check_linear_backward_names_the_parameter(capsys, wrong, culprit):
    assert not L.check_linear_backward(wrong)
    assert culprit in capsys.readouterr().out


def test_check_linear_backward_shapes(capsys):
    assert not L.check_linear_backward(lambda x, W, g: (g @ W.T, g.T @ x, g.sum(axis=0)))
    assert "dW: expected shape (3, 2), got shape (2, 3)" in capsys.readouterr().out
    assert not L.check_linear_backward(lambda x, W, g: g @ W.T)
    assert "three arrays" in capsys.readouterr().out
