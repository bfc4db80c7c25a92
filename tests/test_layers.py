"""Layers: shapes, the source tutorials' numbers, clear errors, and gradient checks in float64."""
import numpy as np
import pytest

import nnlib as nn

RNG = np.random.default_rng(42)


def test_neuron_seed_004():
    assert nn.Neuron([0, 1], 4).forward([2, 3]) == pytest.approx(0.9990889488055994, abs=1e-15)
    h = nn.Neuron([0, 1], 0).forward([2, 3])
    assert nn.Neuron([0, 1], 0).forward([h, h]) == pytest.approx(0.7216325609518421, abs=1e-15)
    assert "bias=4" in repr(nn.Neuron([0, 1], 4))


def test_neuron_batch_and_errors():
    n = nn.Neuron([0, 1], 4)
    np.testing.assert_allclose(n.forward(np.array([[2, 3], [0, -4]])), [0.9990889488055994, 0.5])
    with pytest.raises(ValueError, match="expected 2 inputs"):
        n.forward([1, 2, 3])


def test_seed_002_three_layer_network():
    net = nn.Sequential([
        nn.Linear.from_weights([[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]], [0.1, 0.2, 0.3]), nn.Sigmoid(),
        nn.Linear.from_weights([[0.1, 0.4], [0.2, 0.5], [0.3, 0.6]], [0.1, 0.2]), nn.Sigmoid(),
        nn.Linear.from_weights([[0.1, 0.3], [0.2, 0.4]], [0.1, 0.2]),
    ])
    np.testing.assert_allclose(net.forward(np.array([1.0, 0.5])), [[0.31682708, 0.69627909]], rtol=1e-7)


def test_linear_shapes_and_repr():
    layer = nn.Linear(3, 2, rng=np.random.default_rng(0))
    assert repr(layer) == "Linear(3 -> 2)"
    assert layer.forward(np.ones((5, 3))).shape == (5, 2)
    assert layer.forward(np.ones(3)).shape == (1, 2)  # a 1-D input is one sample
    assert layer.forward(np.ones((0, 3))).shape == (0, 2)  # an empty batch gives an empty batch
    assert layer.backward(np.ones((0, 2))).shape == (0, 3)
    np.testing.assert_array_equal(layer.db, [0, 0])


def test_linear_is_x_at_W_plus_b():
    layer = nn.Linear(4, 3, rng=RNG, dtype=np.float64)
    layer.b[:] = [1, 2, 3]
    x = RNG.normal(size=(6, 4))
    np.testing.assert_allclose(layer.forward(x), x @ layer.W + layer.b)


def test_linear_he_initialisation():
    W = nn.Linear(784, 128, rng=np.random.default_rng(0)).W
    assert abs(W.std() - np.sqrt(2 / 784)) < 0.002 and abs(W.mean()) < 0.002


def test_two_default_layers_differ_and_nn_seed_repeats_them():
    # Before: every default layer used default_rng(0), so two Linear(4, 4) were identical.
    nn.seed(1)
    first, second = nn.Linear(4, 4), nn.Linear(4, 4)
    assert not np.array_equal(first.W, second.W)
    nn.seed(1)
    np.testing.assert_array_equal(nn.Linear(4, 4).W, first.W)
    np.testing.assert_array_equal(nn.Linear(4, 4).W, second.W)


def test_explicit_rng_wins_over_the_library_generator():
    nn.seed(0)
    a = nn.Linear(3, 2, rng=np.random.default_rng(5)).W
    nn.seed(99)
    np.testing.assert_array_equal(nn.Linear(3, 2, rng=np.random.default_rng(5)).W, a)


def test_linear_defaults_to_float32_and_from_weights_keeps_float64():
    layer = nn.Linear(3, 2)
    assert layer.W.dtype == layer.b.dtype == np.float32
    assert layer.forward(np.ones((4, 3))).dtype == np.float32  # float64 input is cast to the layer's dtype
    book = nn.Linear.from_weights([[0.1, 0.3], [0.2, 0.4]], [0.1, 0.2])
    assert book.W.dtype == np.float64


class Doubler(nn.Layer):
    def forward(self, x):
        return 2 * np.asarray(x)

    def backward(self, grad):
        return 2 * grad


def test_layer_base_class_call_runs_the_subclass_forward_and_repr():
    assert Doubler()(np.ones(3)).tolist() == [2, 2, 2]
    assert repr(Doubler()) == "Doubler()" and Doubler().parameters() == []
    layer = nn.Linear(2, 3, rng=np.random.default_rng(0))
    assert [name for name, _, _ in layer.named_parameters()] == ["W", "b"]
    assert layer.parameters()[0][0] is layer.W and layer.parameters()[1][1] is layer.db
    with pytest.raises(NotImplementedError, match="Layer must define forward"):
        nn.Layer()(np.ones(2))


def test_linear_float32():
    layer = nn.Linear(3, 2, dtype=np.float32)
    out = layer.forward(np.ones((4, 3)))  # float64 input is cast to the layer's dtype
    assert out.dtype == np.float32
    layer.backward(np.ones((4, 2), dtype=np.float32))
    assert layer.dW.dtype == np.float32


def test_linear_wrong_width_names_layer_and_shapes():
    with pytest.raises(ValueError, match=r"Linear\(3 -> 2\).*\(batch, 3\).*\(4, 5\)"):
        nn.Linear(3, 2).forward(np.ones((4, 5)))


def test_linear_rejects_3d_nan_and_strings():
    layer = nn.Linear(3, 2)
    with pytest.raises(ValueError, match=r"Linear\(3 -> 2\).*\(batch, features\).*\(2, 3, 1\)"):
        layer.forward(np.ones((2, 3, 1)))
    with pytest.raises(ValueError, match=r"Linear\(3 -> 2\).*NaN"):
        layer.forward(np.array([[1.0, np.nan, 0.0]]))
    with pytest.raises(ValueError, match="NaN or infinity"):
        layer.forward(np.array([[1.0, np.inf, 0.0]]))
    with pytest.raises(TypeError, match=r"Linear\(3 -> 2\).*numbers"):
        layer.forward(np.array([["a", "b", "c"]]))


def test_linear_backward_errors():
    layer = nn.Linear(3, 2)
    with pytest.raises(RuntimeError, match="forward before backward"):
        layer.backward(np.ones((1, 2)))
    layer.forward(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"\(4, 2\).*\(4, 3\)"):
        layer.backward(np.ones((4, 3)))


def test_backward_never_mutates_its_argument():
    x = RNG.normal(size=(5, 4))
    for layer in [nn.Linear(4, 4, rng=RNG), nn.Sigmoid(), nn.Tanh(), nn.ReLU(), nn.LeakyReLU(), nn.Softmax()]:
        layer.forward(x)
        grad = RNG.normal(size=(5, 4))
        before = grad.copy()
        layer.backward(grad)
        np.testing.assert_array_equal(grad, before, err_msg=repr(layer))


def test_activation_layers_at_extremes():
    x = np.array([[-1e4, 0.0, 1e4]])
    for layer in [nn.Sigmoid(), nn.Tanh(), nn.ReLU(), nn.Softmax()]:
        assert np.isfinite(layer.forward(x)).all()
        assert np.isfinite(layer.backward(np.ones_like(x))).all()


LAYERS = [
    lambda: nn.Linear(4, 3, rng=np.random.default_rng(1)),
    nn.Sigmoid, nn.Tanh, nn.LeakyReLU, nn.Softmax,
    nn.ReLU,
]


@pytest.mark.parametrize("make_layer", LAYERS, ids=lambda f: getattr(f, "__name__", "Linear"))
def test_every_layer_passes_gradient_check(make_layer):
    rng = np.random.default_rng(7)
    layer = make_layer()
    width = 4 if isinstance(layer, nn.Linear) else 3
    x = rng.normal(size=(5, width))
    x[np.abs(x) < 0.05] = 0.5  # keep ReLU away from its kink, where no derivative exists
    weights = rng.normal(size=(5, 3))
    loss = type("WeightedSum", (), {  # L = sum(weights * output): its gradient is `weights`
        "forward": lambda self, out, _: float(np.sum(weights * out)),
        "backward": lambda self: weights,
    })()
    errors = nn.gradient_check(nn.Sequential([layer]), loss, x, None)
    assert max(errors.values()) < 1e-6, errors


def test_sequential_repr_and_parameters():
    model = nn.Sequential([nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10)])
    assert repr(model) == "Sequential(\n  Linear(784 -> 128),\n  ReLU(),\n  Linear(128 -> 10),\n)"
    shapes = [value.shape for value, grad in model.parameters()]
    assert shapes == [(784, 128), (128,), (128, 10), (10,)]
    for value, grad in model.parameters():
        assert value.shape == grad.shape


def test_sequential_feeds_each_layer_the_previous_output():
    # seed 000's Model bug fed the original x to every layer
    model = nn.Sequential([nn.Linear(2, 32), nn.Sigmoid(), nn.Linear(32, 16), nn.Softmax(),
                           nn.Linear(16, 8), nn.Tanh(), nn.Linear(8, 4), nn.ReLU()])
    out = model.forward(np.random.default_rng(0).normal(size=(4, 2)))
    assert out.shape == (4, 4) and (out >= 0).all()


def test_predict():
    model = nn.Sequential([nn.Linear.from_weights([[1.0, -1.0]], [0.0, 0.0])])
    np.testing.assert_array_equal(model.predict(np.array([[2.0], [-3.0]])), [0, 1])
    single = nn.Sequential([nn.Linear.from_weights([[1.0]], [0.0]), nn.Sigmoid()])
    np.testing.assert_array_equal(single.predict(np.array([[2.0], [-3.0]])), [1, 0])
