"""nnlib under misuse: every wrong argument is refused with an error that names it, nothing
wrong is silent, and an interrupted or failed call leaves the model as a normal return would."""
import re

import numpy as np
import pytest

import nnlib as nn


def small_net(dropout=0.0, batchnorm=False, rng=None):
    rng = rng or np.random.default_rng(0)
    layers = [nn.Linear(4, 6, rng=rng)]
    if batchnorm:
        layers.append(nn.BatchNorm(6))
    layers += [nn.ReLU(), nn.Dropout(dropout, rng=rng), nn.Linear(6, 3, rng=rng)]
    return nn.Sequential(layers)


def data(n=40, rng=None):
    rng = rng or np.random.default_rng(1)
    return rng.normal(size=(n, 4)).astype(np.float32), rng.integers(0, 3, size=n)


def snapshot(model):
    """Parameters, buffers and modes, as copies."""
    return ([value.copy() for value, _ in model.parameters()], [a.copy() for _, a in model.buffers()],
            [training for _, training in model.modes()])


def same(a, b):
    return all(len(x) == len(y) and all(np.array_equal(p, q) for p, q in zip(x, y)) for x, y in zip(a, b))


# ---------------------------------------------------------------- fit's arguments

FIT_MISUSES = [
    (dict(batch_size=-5), ValueError, r"batch_size must be at least 1, got -5"),
    (dict(batch_size=0), ValueError, r"batch_size must be at least 1, got 0"),
    (dict(batch_size=2.5), TypeError, r"batch_size must be a whole number"),
    (dict(epochs=-1), ValueError, r"epochs must be at least 0"),
    (dict(epochs="3"), TypeError, r"epochs must be a whole number.*'3'"),
    (dict(lr=-0.1), ValueError, r"lr must be a finite number in \(0, inf\), got -0.1"),
    (dict(lr=float("nan")), ValueError, r"lr must be a finite number"),
    (dict(lr=0.1, optimizer=object()), ValueError, r"exactly one of lr"),
    (dict(lr=None, optimizer=nn.Adam), TypeError, r"optimizer must be an optimiser object"),
    (dict(validation=np.zeros((3, 4))), TypeError, r"validation must be a pair \(x_val, y_val\), got ndarray"),
    (dict(validation=(np.zeros((3, 4)),)), TypeError, r"validation must be a pair.*length 1"),
    (dict(patience=0, validation=None), ValueError, r"patience must be at least 1"),
    (dict(patience=2), ValueError, r"needs validation"),
    (dict(rng=0), TypeError, r"rng must be a numpy Generator"),
    (dict(callback="plot"), TypeError, r"callback must be a function"),
]


@pytest.mark.parametrize("change, error, message", FIT_MISUSES,
                         ids=[f"{i}-{'-'.join(c)}" for i, (c, _, _) in enumerate(FIT_MISUSES)])
def test_fit_refuses_bad_arguments_before_training(change, error, message):
    model = small_net()
    x, t = data()
    before = snapshot(model)
    arguments = dict(epochs=1, batch_size=8, lr=0.1, progress=False) | change
    with pytest.raises(error, match=message):
        nn.fit(model, nn.CrossEntropyLoss(), x, t, **arguments)
    assert same(before, snapshot(model))


def test_fit_names_a_class_passed_where_an_object_is_wanted():
    x, t = data()
    with pytest.raises(TypeError, match=r"model is the class Linear.*Linear\(...\)"):
        nn.fit(nn.Linear, nn.CrossEntropyLoss(), x, t, epochs=1, lr=0.1)
    with pytest.raises(TypeError, match=r"the class CrossEntropyLoss; call it: CrossEntropyLoss\(\)"):
        nn.fit(small_net(), nn.CrossEntropyLoss, x, t, epochs=1, lr=0.1)


def test_fit_refuses_nan_data_before_any_state_changes():
    model = small_net(batchnorm=True)
    x, t = data()
    x[3, 2] = np.nan
    before = snapshot(model)
    with pytest.raises(ValueError, match="x contains NaN"):
        nn.fit(model, nn.CrossEntropyLoss(), x, t, epochs=1, batch_size=8, lr=0.1, progress=False)
    assert same(before, snapshot(model))


# ---------------------------------------------------------------- interrupted training

class StopAfter:
    """A callback that raises after `epochs` epochs, like the stop button or a bug in a plot."""

    def __init__(self, epochs, error=KeyboardInterrupt):
        self.epochs, self.error = epochs, error

    def __call__(self, history):
        if len(history["loss"]) >= self.epochs:
            raise self.error()


def test_an_interrupt_returns_the_history_so_far_in_evaluation_mode(capsys):
    model = small_net(dropout=0.5)
    x, t = data()
    history = nn.fit(model, nn.CrossEntropyLoss(), x, t, epochs=5, batch_size=8, lr=0.1, progress=False,
                     callback=StopAfter(2))
    assert len(history["loss"]) == 2 and set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert not model.training, "Dropout still drops after the interrupt"
    assert "interrupted" in capsys.readouterr().out


def test_an_interrupt_with_early_stopping_puts_back_the_best_epoch():
    x, t = data(60)
    x_val, t_val = data(30, np.random.default_rng(5))
    reference = small_net(batchnorm=True)
    full = nn.fit(reference, nn.CrossEntropyLoss(), x, t, epochs=6, batch_size=8, lr=0.3, progress=False,
                  rng=np.random.default_rng(0), validation=(x_val, t_val), patience=10)
    best = int(np.argmin(full["val_loss"][:4]))
    # the same run, interrupted after 4 epochs: the weights must be those of the best of those 4
    model = small_net(batchnorm=True)
    states = []

    def remember(history):
        states.append(snapshot(model))
        StopAfter(4)(history)
    history = nn.fit(model, nn.CrossEntropyLoss(), x, t, epochs=6, batch_size=8, lr=0.3, progress=False,
                     rng=np.random.default_rng(0), validation=(x_val, t_val), patience=10, callback=remember)
    assert len(history["loss"]) == 4
    assert same(states[best][:2], snapshot(model)[:2])


def test_an_error_inside_fit_keeps_the_history_on_the_error_and_the_model_in_evaluation_mode():
    model = small_net(dropout=0.5)
    x, t = data()
    with pytest.raises(ZeroDivisionError) as caught:
        nn.fit(model, nn.CrossEntropyLoss(), x, t, epochs=5, batch_size=8, lr=0.1, progress=False,
               callback=StopAfter(3, ZeroDivisionError))
    assert len(caught.value.history["loss"]) == 3
    assert not model.training


# ---------------------------------------------------------------- networks

def test_a_layer_object_used_twice_is_refused_when_the_network_is_built():
    relu = nn.ReLU()
    with pytest.raises(ValueError, match=r"ReLU\(\) appears twice \(layers 1 and 3"):
        nn.Sequential([nn.Linear(2, 3), relu, nn.Linear(3, 3), relu])
    inner = nn.Sequential([nn.Linear(2, 2)])
    with pytest.raises(ValueError, match="appears twice"):
        nn.Sequential([inner, inner])


@pytest.mark.parametrize("layers, message", [
    ([nn.Linear(2, 2), nn.ReLU], r"layer 1 is the class ReLU.*ReLU\(...\)"),
    ([nn.Linear(2, 2), "relu"], r"layer 1 must be a layer"),
    (nn.ReLU(), r"give a list of layers"),
    ([], r"at least one layer"),
])
def test_sequential_names_what_is_not_a_layer(layers, message):
    with pytest.raises((TypeError, ValueError), match=message):
        nn.Sequential(layers)


def test_train_and_eval_reach_layers_inside_a_nested_sequential():
    inner = nn.Sequential([nn.Linear(2, 3), nn.Dropout(0.5), nn.BatchNorm(3)])
    model = nn.Sequential([inner, nn.ReLU(), nn.Linear(3, 2)])
    model.eval()
    assert not any(layer.training for layer in inner.layers)
    model.train()
    assert all(layer.training for layer in inner.layers)
    assert len(model.buffers()) == 2
    model.predict(np.zeros((4, 2)))
    assert all(layer.training for layer in inner.layers), "predict must put the modes back"


def test_early_stopping_restores_buffers_inside_a_nested_sequential():
    model = nn.Sequential([nn.Sequential([nn.Linear(4, 6, rng=np.random.default_rng(0)), nn.BatchNorm(6)]),
                           nn.ReLU(), nn.Linear(6, 3, rng=np.random.default_rng(1))])
    x, t = data()
    states = []
    history = nn.fit(model, nn.CrossEntropyLoss(), x, t, epochs=6, batch_size=8, lr=0.5, progress=False,
                     validation=data(20, np.random.default_rng(3)), patience=6,
                     callback=lambda h: states.append(snapshot(model)))
    best = int(np.argmin(history["val_loss"]))
    assert same(states[best][:2], snapshot(model)[:2])


# ---------------------------------------------------------------- labels and optimisers

@pytest.mark.parametrize("labels, classes, message", [
    ([-1], 10, r"labels must lie in \[0, 10\).*got -1"),
    ([0, 10], 10, r"got 10"),
    ([1, 2], 2.5, r"classes must be a whole number"),
    ([1, 2], 0, r"classes must be a whole number of at least 1"),
])
def test_to_one_hot_refuses_labels_out_of_range(labels, classes, message):
    with pytest.raises(ValueError, match=message):
        nn.to_one_hot(np.array(labels), classes)


@pytest.mark.parametrize("make, error, message", [
    (lambda p: nn.SGD(p, lr=0.1, momentum=1.0), ValueError, r"SGD: momentum must be a finite number in \[0, 1\)"),
    (lambda p: nn.Adam(p, betas=(0.9, 1.5)), ValueError, r"Adam: betas\[1\] must be a finite number in \[0, 1\)"),
    (lambda p: nn.Adam(p, betas=0.9), TypeError, r"betas must be a pair"),
    (lambda p: nn.Adam(p, eps=0), ValueError, r"Adam: eps must be a finite number in \(0, inf\)"),
    (lambda p: nn.RMSProp(p, alpha=-0.1), ValueError, r"RMSProp: alpha"),
    (lambda p: nn.AdaGrad(p, lr="fast"), TypeError, r"AdaGrad: lr \(the learning rate\) must be a number, got 'fast'"),
    (lambda p: nn.SGD(p, lr=0.1, weight_decay=-1), ValueError, r"weight_decay must be a finite number in \[0, inf\)"),
    (lambda p: nn.SGD(small_net(), lr=0.1), TypeError, r"give the model's parameters"),
    (lambda p: nn.SGD([np.zeros(3)], lr=0.1), TypeError, r"parameter 0 must be a \(value, gradient\) pair"),
])
def test_optimiser_arguments_are_checked(make, error, message):
    with pytest.raises(error, match=message):
        make(small_net().parameters())


# ---------------------------------------------------------------- gradient_check

def test_gradient_check_leaves_the_model_exactly_as_it_found_it():
    model = small_net(dropout=0.3, batchnorm=True)
    x, t = data(8)
    model.forward(x)                       # the learner's last forward: its cache must survive too
    model.layers[1].eval()                 # a mix of modes
    before = snapshot(model)
    cached = model.layers[0].x.copy()
    errors = nn.gradient_check(model, nn.CrossEntropyLoss(), x, t)
    assert max(errors.values()) < 1e-6, errors
    assert same(before, snapshot(model))
    assert np.array_equal(model.layers[0].x, cached)
    assert model.layers[0].W.dtype == np.float32


def test_gradient_check_calls_a_true_zero_gradient_right():
    """The bias just before BatchNorm cannot change the loss: its gradient is 0, and both backprop
    and the measured slope give rounding noise. The absolute floor reports that as right."""
    rng = np.random.default_rng(0)
    model = nn.Sequential([nn.Linear(4, 5, rng=rng), nn.BatchNorm(5), nn.Tanh(), nn.Linear(5, 3, rng=rng)])
    errors = nn.gradient_check(model, nn.CrossEntropyLoss(), rng.normal(size=(6, 4)), rng.integers(0, 3, size=6))
    assert errors["layers[0] Linear(4 -> 5) b"] < 1e-6


def test_gradient_check_still_catches_a_wrong_backward():
    class Doubled(nn.ReLU):
        def backward(self, grad):
            return 2 * super().backward(grad)
    rng = np.random.default_rng(0)
    model = nn.Sequential([nn.Linear(4, 5, rng=rng), Doubled(), nn.Linear(5, 3, rng=rng)])
    errors = nn.gradient_check(model, nn.CrossEntropyLoss(), rng.normal(size=(6, 4)), rng.integers(0, 3, size=6))
    assert errors["layers[0] Linear(4 -> 5) W"] > 0.1


def test_relative_error_floor_is_documented_and_optional():
    assert nn.relative_error(np.array([1e-17]), np.array([1e-11])) < 1e-7
    assert nn.relative_error(np.array([1e-17]), np.array([1e-11]), floor=0) > 0.99


# ---------------------------------------------------------------- losses

@pytest.mark.parametrize("loss", [nn.MSELoss(), nn.CrossEntropyLoss()], ids=repr)
def test_a_loss_backward_before_forward_says_so(loss):
    with pytest.raises(RuntimeError, match=r"call forward\(pred, target\) before backward"):
        loss.backward()


def test_cross_entropy_labels_out_of_range_are_named():
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 3\).*from -1 to 1"):
        nn.CrossEntropyLoss().forward(np.zeros((2, 3)), np.array([-1, 1]))


# ---------------------------------------------------------------- the other public functions

@pytest.mark.parametrize("call, error, message", [
    (lambda: nn.seed(1.5), TypeError, r"seed: s must be a whole number"),
    (lambda: nn.seed(-1), TypeError, r"seed: s must be a whole number of at least 0"),
    (lambda: nn.two_moons(1), ValueError, r"two_moons: n must be at least 2"),
    (lambda: nn.spirals(100, classes=0), ValueError, r"spirals: classes must be at least 1"),
    (lambda: nn.spirals(100, noise=-1), ValueError, r"spirals: noise must be a finite number in \[0, inf\)"),
    (lambda: nn.evaluate(small_net(), nn.CrossEntropyLoss(), *data(), batch_size=0), ValueError,
     r"evaluate: batch_size must be at least 1"),
    (lambda: nn.numerical_gradient(lambda: 0.0, [1.0, 2.0]), TypeError, r"x must be a float NumPy array"),
    (lambda: nn.numerical_gradient(lambda: 0.0, np.zeros(2), eps=0), ValueError, r"eps must be a finite number"),
    (lambda: nn.gradient_check(nn.Linear, nn.MSELoss(), np.zeros((2, 2)), np.zeros((2, 2))), TypeError,
     r"model is the class Linear"),
    (lambda: nn.gradient_check(small_net(), nn.MSELoss, *data()), TypeError, r"loss must be a loss object"),
    (lambda: nn.load_mnist(normalize="yes"), TypeError, r"load_mnist: normalize must be True or False"),
])
def test_public_functions_name_the_bad_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ---------------------------------------------------------------- layers

@pytest.mark.parametrize("make, error, message", [
    (lambda: nn.Linear(2.5, 3), TypeError, r"Linear: in_features must be a whole number.*2.5"),
    (lambda: nn.Linear(2, 0), ValueError, r"Linear: out_features must be at least 1, got 0"),
    (lambda: nn.Linear(2, 3, rng=42), TypeError, r"Linear: rng must be a numpy Generator"),
    (lambda: nn.Dropout(1.0), ValueError, r"Dropout: p \(the probability of dropping\) must be a finite number in \[0, 1\)"),
    (lambda: nn.Dropout("half"), TypeError, r"Dropout: p .* must be a number"),
    (lambda: nn.BatchNorm(3.0), TypeError, r"BatchNorm: features must be a whole number"),
    (lambda: nn.BatchNorm(3, momentum=2), ValueError, r"BatchNorm: momentum must be a finite number in \[0, 1\]"),
    (lambda: nn.BatchNorm(3, eps=0), ValueError, r"BatchNorm: eps must be a finite number in \(0, inf\)"),
    (lambda: nn.Conv2D(1.5, 8, 3), TypeError, r"in_channels must be a whole number"),
    (lambda: nn.Conv2D(1, 8, 0), ValueError, r"kernel_size must be an integer >= 1"),
])
def test_layer_arguments_are_checked(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_a_nan_batch_leaves_batchnorm_running_statistics_alone():
    bn = nn.BatchNorm(3)
    bn.forward(np.random.default_rng(0).normal(size=(8, 3)))
    mean, var = bn.running_mean.copy(), bn.running_var.copy()
    x = np.ones((8, 3), dtype=np.float32)
    x[2, 1] = np.nan
    with pytest.raises(ValueError, match=r"BatchNorm\(3\): the input contains NaN"):
        bn.forward(x)
    assert np.array_equal(bn.running_mean, mean) and np.array_equal(bn.running_var, var)
    bn.eval()
    assert np.isfinite(bn.forward(np.ones((2, 3)))).all()


@pytest.mark.parametrize("layer", [nn.Linear(3, 2), nn.ReLU(), nn.Sigmoid(), nn.Dropout(0.5), nn.BatchNorm(3),
                                   nn.Conv2D(1, 2, 3), nn.MaxPool2D(2), nn.Flatten()], ids=repr)
def test_every_backward_checks_forward_ran_and_the_gradient_shape(layer):
    with pytest.raises(RuntimeError, match=r"call forward before backward"):
        layer.backward(np.zeros((4, 3)))
    x = np.ones((4, 1, 4, 4)) if isinstance(layer, (nn.Conv2D, nn.MaxPool2D, nn.Flatten)) else np.ones((4, 3))
    out = layer.forward(x)
    with pytest.raises(ValueError, match=r"backward expected a gradient of shape " + re.escape(str(out.shape))):
        layer.backward(np.zeros(out.shape + (1,)))


def test_a_method_handed_to_backward_instead_of_its_result_says_call_it():
    """model.backward(loss.backward), the brackets forgotten, named the shape () of a function; now it says so."""
    model, loss = nn.Sequential([nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 2)]), nn.CrossEntropyLoss()
    loss.forward(model.forward(np.ones((4, 3))), np.array([0, 1, 1, 0]))
    with pytest.raises(TypeError, match=r"Linear\(2 -> 2\): backward was handed the function "
                                        r"CrossEntropyLoss.backward, not a gradient array: call it"):
        model.backward(loss.backward)


def test_a_sequential_inside_a_sequential_hands_its_gradient_on():
    rng = np.random.default_rng(0)
    nested = nn.Sequential([nn.Linear(3, 4, rng=rng, dtype=np.float64),
                            nn.Sequential([nn.Tanh(), nn.Linear(4, 4, rng=rng, dtype=np.float64)]),
                            nn.ReLU(), nn.Linear(4, 2, rng=rng, dtype=np.float64)])
    errors = nn.gradient_check(nested, nn.CrossEntropyLoss(), rng.normal(size=(5, 3)), np.array([0, 1, 1, 0, 1]))
    assert max(errors.values()) < 1e-6, errors


# ---------------------------------------------------------------- state under exceptions

def test_predict_puts_the_modes_back_when_the_forward_fails():
    model = small_net(dropout=0.5, batchnorm=True)
    model.layers[1].eval()
    modes = [training for _, training in model.modes()]
    with pytest.raises(ValueError, match=r"expected input of shape \(batch, 4\)"):
        model.predict(np.zeros((3, 5)))
    assert [training for _, training in model.modes()] == modes


def test_gradient_check_leaves_the_model_as_found_when_the_loss_fails():
    class Broken(nn.CrossEntropyLoss):
        calls = 0

        def forward(self, pred, target):
            Broken.calls += 1
            if Broken.calls > 3:
                raise ArithmeticError("the loss broke half-way")
            return super().forward(pred, target)
    model = small_net(dropout=0.3, batchnorm=True)
    x, t = data(8)
    before = snapshot(model)
    with pytest.raises(ArithmeticError):
        nn.gradient_check(model, Broken(), x, t)
    assert same(before, snapshot(model))
    assert model.layers[0].W.dtype == np.float32 and isinstance(model.layers[3].rng, np.random.Generator)
