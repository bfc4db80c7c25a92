"""Dropout, BatchNorm, train/eval modes, weight initialisation, and fit's validation,
callback and early stopping."""
import numpy as np
import pytest

import nnlib as nn


class FixedRandom:
    """A stand-in Generator whose random() always gives the same numbers: a fixed dropout mask."""

    def __init__(self, u):
        self.u = u

    def random(self, shape):
        return self.u.reshape(shape)


def test_dropout_is_inverted_and_off_in_evaluation_mode():
    nn.seed(0)
    drop = nn.Dropout(0.25)
    x = np.ones((400, 50), dtype=np.float32)
    y = drop.forward(x)
    assert set(np.unique(y)) == {0.0, np.float32(1 / 0.75)} and y.dtype == np.float32
    assert abs((y == 0).mean() - 0.25) < 0.01 and abs(y.mean() - 1) < 0.02   # expected size kept
    np.testing.assert_array_equal(drop.backward(np.ones_like(x)), y)          # same survivors
    drop.eval()
    np.testing.assert_array_equal(drop.forward(x), x)
    np.testing.assert_array_equal(drop.backward(2 * x), 2 * x)


def test_dropout_masks_repeat_after_nn_seed_and_differ_between_calls():
    x = np.ones((4, 6))
    nn.seed(7)
    drop = nn.Dropout(0.5)
    first, second = drop.forward(x), drop.forward(x)
    assert not np.array_equal(first, second)
    nn.seed(7)
    np.testing.assert_array_equal(nn.Dropout(0.5).forward(x), first)


def test_dropout_gradient_check_with_a_fixed_mask():
    rng = np.random.default_rng(0)
    u = rng.random((5, 4))
    model = nn.Sequential([nn.Linear(3, 4, rng), nn.Tanh(), nn.Dropout(0.5, rng=FixedRandom(u)), nn.Linear(4, 2, rng)])
    errors = nn.gradient_check(model, nn.CrossEntropyLoss(), rng.normal(size=(5, 3)), np.array([0, 1, 1, 0, 1]))
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_gradient_check_in_both_modes(training):
    rng = np.random.default_rng(1)
    bn = nn.BatchNorm(4)
    bn.gamma[:] = rng.normal(size=4)
    bn.beta[:] = rng.normal(size=4)
    bn.running_mean[:] = rng.normal(size=4)
    bn.running_var[:] = rng.uniform(0.5, 2, size=4)
    model = nn.Sequential([nn.Linear(3, 4, rng), bn, nn.Tanh(), nn.Linear(4, 3, rng)])
    if not training:
        model.eval()
    errors = nn.gradient_check(model, nn.CrossEntropyLoss(), rng.normal(size=(6, 3)), np.array([0, 1, 2, 0, 1, 2]))
    if training:
        # With batch statistics, BatchNorm subtracts the batch mean, so the bias just before it
        # cannot change the loss: both gradients are 0 up to rounding, and their relative error means nothing.
        del errors["layers[0] Linear(3 -> 4) b"]
    assert max(errors.values()) < 1e-6, errors


def test_batchnorm_statistics():
    rng = np.random.default_rng(2)
    x = rng.normal(3.0, 2.0, size=(64, 5))
    bn = nn.BatchNorm(5, momentum=0.1, dtype=np.float64)
    y = bn.forward(x)
    np.testing.assert_allclose(y.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(y.std(axis=0), 1, atol=1e-4)
    np.testing.assert_allclose(bn.running_mean, 0.1 * x.mean(axis=0))
    np.testing.assert_allclose(bn.running_var, 0.9 + 0.1 * x.var(axis=0, ddof=1))   # n - 1, as PyTorch
    bn.eval()
    one = bn.forward(x[:1])   # evaluation mode: one sample alone is fine, and independent of its batch
    np.testing.assert_allclose(one, bn.forward(x)[:1])
    with pytest.raises(ValueError, match="at least 2 samples"):
        bn.train().forward(x[:1])


def test_batchnorm_matches_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x = rng.normal(size=(8, 4))
    grad = rng.normal(size=(8, 4))
    bn = nn.BatchNorm(4, dtype=np.float64)
    tbn = torch.nn.BatchNorm1d(4, momentum=0.1, eps=1e-5).double()
    tx = torch.tensor(x, requires_grad=True)
    out = tbn(tx)
    out.backward(torch.tensor(grad))
    np.testing.assert_allclose(bn.forward(x), out.detach().numpy(), atol=1e-10)
    np.testing.assert_allclose(bn.backward(grad), tx.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(bn.dgamma, tbn.weight.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(bn.running_var, tbn.running_var.numpy(), atol=1e-10)


def test_train_and_eval_switch_every_layer_and_predict_runs_in_evaluation_mode():
    nn.seed(0)
    model = nn.Sequential([nn.Linear(2, 8), nn.BatchNorm(8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 2)])
    assert all(layer.training for layer in model.layers)
    model.eval()
    assert not any(layer.training for layer in model.layers)
    model.train()
    x = np.random.default_rng(0).normal(size=(10, 2))
    first = model.predict(x)
    np.testing.assert_array_equal(model.predict(x), first)   # no dropout noise: evaluation mode
    assert all(layer.training for layer in model.layers)     # and the modes are put back


@pytest.mark.parametrize("init, std", [("he", np.sqrt(2 / 400)), ("xavier", np.sqrt(2 / 500)), (0.01, 0.01)])
def test_initialisation_choices(init, std):
    W = nn.Linear(400, 100, rng=np.random.default_rng(0), init=init).W
    assert abs(W.std() / std - 1) < 0.02


def test_initialisation_error_is_clear():
    with pytest.raises(ValueError, match='init must be "he", "xavier" or a standard deviation'):
        nn.Linear(2, 2, init="glorot")


def moons():
    x, y = nn.two_moons(300, noise=0.25, rng=np.random.default_rng(0))
    return (x[:200], y[:200]), (x[200:], y[200:])


def test_fit_records_validation_and_calls_back_every_epoch():
    nn.seed(0)
    (x, y), (x_val, y_val) = moons()
    model = nn.Sequential([nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2)])
    seen = []
    history = nn.fit(model, nn.CrossEntropyLoss(), x, y, epochs=4, batch_size=20, lr=0.1, progress=False,
                     validation=(x_val, y_val), callback=lambda h: seen.append(len(h["val_loss"])))
    assert seen == [1, 2, 3, 4]
    assert all(len(v) == 4 for v in history.values())
    loss, acc = nn.evaluate(model, nn.CrossEntropyLoss(), x_val, y_val)
    assert history["val_loss"][-1] == pytest.approx(loss) and history["val_accuracy"][-1] == acc
    assert not model.layers[0].training  # left ready for inference


def test_callback_returning_true_stops_training():
    (x, y), _ = moons()
    model = nn.Sequential([nn.Linear(2, 2)])
    history = nn.fit(model, nn.CrossEntropyLoss(), x, y, epochs=10, lr=0.1, progress=False,
                     callback=lambda h: len(h["loss"]) == 3)
    assert len(history["loss"]) == 3


def test_early_stopping_keeps_the_best_weights():
    nn.seed(1)
    (x, y), (x_val, y_val) = moons()
    model = nn.Sequential([nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 2)])
    loss = nn.CrossEntropyLoss()
    history = nn.fit(model, loss, x, y, epochs=200, batch_size=10, lr=0.5, progress=False,
                     validation=(x_val, y_val), patience=3)
    epochs = len(history["val_loss"])
    assert epochs < 200
    best = int(np.argmin(history["val_loss"]))
    assert epochs == best + 1 + 3   # stopped 3 epochs after the best one
    assert nn.evaluate(model, loss, x_val, y_val)[0] == pytest.approx(history["val_loss"][best])
    with pytest.raises(ValueError, match="needs validation"):
        nn.fit(model, loss, x, y, epochs=1, lr=0.1, progress=False, patience=2)


def test_early_stopping_puts_back_batchnorms_running_statistics_too():
    # Before: fit saved and restored only the parameters, so after an early stop the best
    # epoch's weights ran with the last epoch's running mean and variance.
    nn.seed(2)
    (x_train, t_train), _ = nn.load_mnist()
    x, t = x_train[:300], t_train[:300]
    x_val, t_val = x_train[300:800], t_train[300:800]
    layers = [nn.Linear(784, 64), nn.BatchNorm(64), nn.ReLU(), nn.Linear(64, 64), nn.BatchNorm(64), nn.ReLU(),
              nn.Linear(64, 10)]
    model = nn.Sequential(layers)
    loss = nn.CrossEntropyLoss()
    history = nn.fit(model, loss, x, t, epochs=60, batch_size=32, optimizer=nn.Adam(model.parameters(), lr=0.01),
                     progress=False, validation=(x_val, t_val), patience=2)
    best = int(np.argmin(history["val_loss"]))
    assert best < len(history["val_loss"]) - 1          # it did stop after a worse epoch
    assert nn.evaluate(model, loss, x_val, t_val)[0] == pytest.approx(history["val_loss"][best], rel=1e-5)


def test_layers_report_their_state_beyond_parameters():
    bn = nn.BatchNorm(3)
    assert [name for name, _ in bn.buffers()] == ["running_mean", "running_var"]
    assert nn.Linear(2, 2).buffers() == [] and nn.Dropout(0.5).buffers() == []
