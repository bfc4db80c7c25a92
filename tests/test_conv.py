"""Convolutional layers: Conv2D, MaxPool2D, Flatten, im2col/col2im.

Checked against naive loops written here, against PyTorch when it is installed,
and by gradient checks in float64; plus the tie rule of max pooling, the
output-size formula, errors that teach, float32 on the training path, and the
committed 99% model (scripts/train_cnn.py).
"""
import importlib.util
import time
from pathlib import Path

import numpy as np
import pytest

import nnlib as nn

ROOT = Path(__file__).resolve().parent.parent
RNG = np.random.default_rng(12)

# (in_channels, out_channels, kernel_size, stride, padding, height, width)
CONFIGS = [
    (1, 8, 3, 1, 1, 28, 28),   # the benchmark's first layer: same size out
    (3, 4, 3, 2, 1, 9, 9),     # stride 2 with padding 1
    (2, 5, 2, 1, 0, 6, 7),     # no padding, a non-square image
    (2, 3, (2, 3), (2, 1), (0, 2), 7, 5),  # (height, width) pairs
    (1, 2, 5, 3, 2, 8, 8),     # stride larger than 1 that skips pixels at the edge
]


def pair(v):
    return v if isinstance(v, tuple) else (v, v)


def naive_conv(x, W, b, stride, padding):
    """Cross-correlation the slow, obvious way: one output number at a time."""
    (sh, sw), (ph, pw) = pair(stride), pair(padding)
    n, c, h, w = x.shape
    f, _, kh, kw = W.shape
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out_h, out_w = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    out = np.zeros((n, f, out_h, out_w))
    for i in range(n):
        for k in range(f):
            for r in range(out_h):
                for q in range(out_w):
                    out[i, k, r, q] = np.sum(xp[i, :, r * sh:r * sh + kh, q * sw:q * sw + kw] * W[k]) + b[k]
    return out


def naive_max_pool(x, kernel, stride):
    """(output, dOutput/dx as a function of grad): the first maximum of each window takes the gradient."""
    (kh, kw), (sh, sw) = pair(kernel), pair(stride)
    n, c, h, w = x.shape
    out_h, out_w = (h - kh) // sh + 1, (w - kw) // sw + 1
    out = np.zeros((n, c, out_h, out_w))
    where = {}
    for i in range(n):
        for k in range(c):
            for r in range(out_h):
                for q in range(out_w):
                    window = x[i, k, r * sh:r * sh + kh, q * sw:q * sw + kw]
                    a, bb = np.unravel_index(np.argmax(window), window.shape)  # argmax: the first maximum
                    out[i, k, r, q] = window[a, bb]
                    where[i, k, r, q] = (i, k, r * sh + a, q * sw + bb)

    def backward(grad):
        dx = np.zeros_like(x)
        for index, target in where.items():
            dx[target] += grad[index]
        return dx

    return out, backward


def conv_of(config, dtype=np.float64):
    c, f, k, s, p, h, w = config
    conv = nn.Conv2D(c, f, k, stride=s, padding=p, rng=np.random.default_rng(0), dtype=dtype)
    conv.b[...] = RNG.standard_normal(f)  # biases start at 0: give them something to show
    x = RNG.standard_normal((3, c, h, w))
    return conv, x


# ---------------------------------------------------------------- the forward pass and the formula

@pytest.mark.parametrize("config", CONFIGS)
def test_conv_matches_a_naive_loop(config):
    conv, x = conv_of(config)
    expected = naive_conv(x, conv.W, conv.b, conv.stride, conv.padding)
    out = conv.forward(x)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("size, kernel, stride, padding, expected", [
    (28, 3, 1, 1, 28), (28, 3, 1, 0, 26), (28, 5, 1, 2, 28), (28, 2, 2, 0, 14),
    (9, 3, 2, 1, 5), (8, 5, 3, 2, 3), (7, 3, 2, 0, 3), (3, 3, 1, 0, 1),
])
def test_output_size_formula(size, kernel, stride, padding, expected):
    assert nn.output_size(size, kernel, stride, padding) == (size + 2 * padding - kernel) // stride + 1 == expected
    conv = nn.Conv2D(1, 2, kernel, stride=stride, padding=padding, rng=np.random.default_rng(0))
    assert conv.forward(np.zeros((1, 1, size, size))).shape == (1, 2, expected, expected)


def test_im2col_shapes_and_col2im_is_its_adjoint():
    x = RNG.standard_normal((2, 3, 6, 5))
    cols = nn.im2col(x, (3, 2), stride=2, padding=1)
    out_h, out_w = nn.output_size(6, 3, 2, 1), nn.output_size(5, 2, 2, 1)
    assert cols.shape == (2, 3 * 3 * 2, out_h * out_w)
    # Image n, row c*kh*kw + i*kw + j, column r*out_w + q holds x_padded[n, c, r*S + i, q*S + j].
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    assert cols[1, 1 * 6 + 2 * 2 + 1, 2 * out_w + 1] == xp[1, 1, 2 * 2 + 2, 1 * 2 + 1]
    # col2im is the transpose of im2col: <im2col(x), C> = <x, col2im(C)> for every x and C.
    C = RNG.standard_normal(cols.shape)
    back = nn.col2im(C, x.shape, (3, 2), stride=2, padding=1)
    assert back.shape == x.shape
    assert np.sum(cols * C) == pytest.approx(np.sum(x * back), rel=1e-12)


@pytest.mark.parametrize("kernel, stride", [(2, None), (3, 2), ((2, 3), 1), (3, 3)])
def test_max_pool_matches_a_naive_loop(kernel, stride):
    pool = nn.MaxPool2D(kernel, stride)
    x = RNG.standard_normal((2, 3, 8, 7))
    expected, naive_backward = naive_max_pool(x, kernel, stride if stride is not None else kernel)
    np.testing.assert_array_equal(pool.forward(x), expected)
    grad = RNG.standard_normal(expected.shape)
    np.testing.assert_allclose(pool.backward(grad), naive_backward(grad), rtol=1e-15)


def test_max_pool_tie_sends_the_gradient_to_the_first_cell_only():
    x = np.array([[[[1.0, 1.0, 0.0, 5.0],
                    [1.0, 1.0, 5.0, 5.0]]]])
    pool = nn.MaxPool2D(2)
    np.testing.assert_array_equal(pool.forward(x), [[[[1.0, 5.0]]]])
    dx = pool.backward(np.array([[[[10.0, 20.0]]]]))
    np.testing.assert_array_equal(dx, [[[[10.0, 0.0, 0.0, 20.0],
                                         [0.0, 0.0, 0.0, 0.0]]]])
    # ReLU's zeros tie too: an all-zero window still sends its gradient to one cell.
    pool = nn.MaxPool2D(2)
    pool.forward(np.zeros((1, 1, 2, 2)))
    assert np.count_nonzero(pool.backward(np.ones((1, 1, 1, 1)))) == 1
    # Overlapping windows (stride 1): each window picks its own first maximum, and the gradients add up.
    pool = nn.MaxPool2D(2, stride=1)
    pool.forward(np.ones((1, 1, 2, 3)))
    np.testing.assert_array_equal(pool.backward(np.ones((1, 1, 1, 2))), [[[[1.0, 1.0, 0.0], [0.0, 0.0, 0.0]]]])


def test_flatten_round_trip_and_order():
    x = RNG.standard_normal((4, 3, 5, 2))
    flat = nn.Flatten()
    out = flat.forward(x)
    np.testing.assert_array_equal(out, x.reshape(4, 30))
    grad = RNG.standard_normal((4, 30))
    np.testing.assert_array_equal(flat.backward(grad), grad.reshape(x.shape))


# ---------------------------------------------------------------- gradients

@pytest.mark.parametrize("config", CONFIGS[1:])
def test_conv_backward_matches_the_naive_loops_gradient(config):
    """dLoss/dW, db and dx for loss = sum(grad * y), from the naive convolution by central differences."""
    conv, x = conv_of(config)
    y = conv.forward(x)
    grad = RNG.standard_normal(y.shape)
    grad_before = grad.copy()
    dx = conv.backward(grad)
    np.testing.assert_array_equal(grad, grad_before)  # backward never changes its argument
    # The loss is linear in W, b and x: dLoss/dW[f, c, i, j] = sum of grad times the pixels that weight met.
    eye = np.eye(conv.W.size).reshape((conv.W.size,) + conv.W.shape)
    dW = np.array([np.sum(grad * naive_conv(x, e, np.zeros(len(conv.b)), conv.stride, conv.padding)) for e in eye])
    np.testing.assert_allclose(conv.dW, dW.reshape(conv.W.shape), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(conv.db, grad.sum(axis=(0, 2, 3)), rtol=1e-12)
    eye = np.eye(x[:1].size).reshape((x[:1].size,) + x[:1].shape)
    dx0 = np.array([np.sum(grad[:1] * naive_conv(e, conv.W, np.zeros(len(conv.b)), conv.stride, conv.padding))
                    for e in eye])
    np.testing.assert_allclose(dx[:1], dx0.reshape(x[:1].shape), rtol=1e-10, atol=1e-12)


def small_models():
    rng = np.random.default_rng(3)
    return {
        "conv": nn.Sequential([nn.Conv2D(2, 3, 3, rng=rng), nn.Flatten(), nn.Linear(3 * 3 * 3, 4, rng=rng)]),
        "conv stride 2 padding 1": nn.Sequential([
            nn.Conv2D(2, 3, 3, stride=2, padding=1, rng=rng), nn.Tanh(), nn.Flatten(), nn.Linear(3 * 3 * 3, 4, rng=rng)]),
        "conv relu pool": nn.Sequential([
            nn.Conv2D(2, 3, 2, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2D(2), nn.Flatten(),
            nn.Linear(3 * 3 * 3, 4, rng=rng)]),
        "pool overlapping": nn.Sequential([nn.MaxPool2D(3, stride=2), nn.Flatten(), nn.Linear(2 * 2 * 2, 4, rng=rng)]),
        "two convs": nn.Sequential([
            nn.Conv2D(2, 3, 3, padding=1, rng=rng), nn.Sigmoid(), nn.Conv2D(3, 2, (2, 3), stride=(1, 2), rng=rng),
            nn.Flatten(), nn.Linear(2 * 4 * 2, 4, rng=rng)]),
    }


@pytest.mark.parametrize("name", list(small_models()))
def test_gradient_check_in_float64(name):
    model = small_models()[name]
    assert model.layers[-1].W.dtype == np.float32  # float32 layers: gradient_check computes in float64
    x = np.random.default_rng(4).standard_normal((3, 2, 5, 5))
    y = np.array([0, 3, 1])
    errors = nn.gradient_check(model, nn.CrossEntropyLoss(), x, y)
    assert errors["input"] < 1e-7
    assert len(errors) == 1 + 2 * sum(isinstance(layer, (nn.Conv2D, nn.Linear)) for layer in model.layers)
    assert max(errors.values()) < 1e-7, errors
    assert model.layers[-1].W.dtype == np.float32  # and leaves the model as it was


# ---------------------------------------------------------------- PyTorch, when installed

@pytest.mark.parametrize("config", CONFIGS)
def test_conv_matches_pytorch_forward_and_backward(config):
    torch = pytest.importorskip("torch")
    conv, x = conv_of(config)
    xt = torch.tensor(x, requires_grad=True)
    Wt = torch.tensor(conv.W, requires_grad=True)
    bt = torch.tensor(conv.b, requires_grad=True)
    yt = torch.nn.functional.conv2d(xt, Wt, bt, stride=conv.stride, padding=conv.padding)
    y = conv.forward(x)
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-12, atol=1e-12)
    grad = RNG.standard_normal(y.shape)
    yt.backward(torch.tensor(grad))
    dx = conv.backward(grad)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(conv.dW, Wt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(conv.db, bt.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kernel, stride", [(2, None), (3, 2), ((2, 3), 1), (2, 1)])
@pytest.mark.parametrize("ties", [False, True])
def test_max_pool_matches_pytorch_forward_and_backward(kernel, stride, ties):
    torch = pytest.importorskip("torch")
    x = RNG.standard_normal((2, 3, 8, 7))
    if ties:
        x = np.round(x)  # many equal values per window
    pool = nn.MaxPool2D(kernel, stride)
    xt = torch.tensor(x, requires_grad=True)
    yt = torch.nn.functional.max_pool2d(xt, kernel, stride)
    y = pool.forward(x)
    np.testing.assert_array_equal(y, yt.detach().numpy())
    grad = RNG.standard_normal(y.shape)
    yt.backward(torch.tensor(grad))
    np.testing.assert_allclose(pool.backward(grad), xt.grad.numpy(), rtol=1e-12)  # overlapping windows add in another order


# ---------------------------------------------------------------- the layer contract, float32, randomness

def test_float32_flows_through_a_cnn_and_fit():
    nn.seed(5)
    model = nn.Sequential([nn.Conv2D(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2D(2), nn.Flatten(),
                           nn.Linear(4 * 4 * 4, 3)])
    x = np.random.default_rng(6).random((40, 1, 8, 8))  # float64 data
    y = np.random.default_rng(7).integers(0, 3, 40)
    conv = model.layers[0]
    assert conv.W.dtype == conv.b.dtype == np.float32
    assert model.forward(x).dtype == np.float32
    W_object, dW_object = conv.W, conv.dW
    history = nn.fit(model, nn.CrossEntropyLoss(), x, y, epochs=3, batch_size=8, lr=0.05, progress=False)
    assert history["loss"][-1] < history["loss"][0]
    assert conv.W is W_object and conv.dW is dW_object  # updated in place: the optimiser holds references
    assert conv.W.dtype == conv.dW.dtype == np.float32
    model.train()
    out = x
    for layer in model.layers:  # every layer's output, not only the last
        out = layer.forward(out)
        assert out.dtype == np.float32, layer
    for layer in reversed(model.layers):
        out = layer.backward(np.ones_like(out) if layer is model.layers[-1] else out)
        assert out.dtype == np.float32, layer


def test_an_empty_batch_gives_an_empty_batch():
    rng = np.random.default_rng(0)
    model = nn.Sequential([nn.Conv2D(1, 2, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2D(2), nn.Flatten(),
                           nn.Linear(2 * 4 * 4, 3, rng=rng)])
    assert model.forward(np.zeros((0, 1, 8, 8))).shape == (0, 3)
    assert model.backward(np.zeros((0, 3)), input_grad=True).shape == (0, 1, 8, 8)
    np.testing.assert_array_equal(model.layers[0].dW, 0)


def test_first_layer_skips_its_input_gradient_but_fills_dW():
    model = nn.Sequential([nn.Conv2D(1, 2, 3, rng=np.random.default_rng(0)), nn.Flatten()])
    model.forward(np.ones((2, 1, 4, 4)))
    assert model.backward(np.ones((2, 8))) is None
    assert model.layers[0].dW.any()
    dx = model.backward(np.ones((2, 8)), input_grad=True)
    assert dx.shape == (2, 1, 4, 4)


def test_evaluation_mode_goes_in_chunks_with_the_same_result(monkeypatch):
    conv = nn.Conv2D(2, 3, 3, padding=1, rng=np.random.default_rng(0))
    x = RNG.standard_normal((10, 2, 6, 6))
    expected = conv.forward(x)
    monkeypatch.setattr(nn.Conv2D, "EVAL_CHUNK_ELEMENTS", 2 * 2 * 9 * 36)  # two images per chunk
    conv.eval()
    np.testing.assert_allclose(conv.forward(x), expected, rtol=1e-6)
    with pytest.raises(RuntimeError, match=r"call forward before backward \(in training mode"):
        conv.backward(np.zeros_like(expected))
    conv.train()
    np.testing.assert_allclose(conv.forward(x), expected, rtol=1e-6)
    assert conv.backward(np.ones_like(expected)).shape == x.shape


def test_training_a_cnn_repeats_exactly_from_nn_seed():
    x = np.random.default_rng(8).random((96, 1, 8, 8)).astype(np.float32)
    y = np.random.default_rng(9).integers(0, 3, 96)
    weights = []
    for _ in range(2):
        nn.seed(11)
        model = nn.Sequential([nn.Conv2D(1, 3, 3, padding=1), nn.ReLU(), nn.MaxPool2D(2), nn.Flatten(),
                               nn.Dropout(0.25), nn.Linear(3 * 4 * 4, 3)])
        nn.fit(model, nn.CrossEntropyLoss(), x, y, epochs=2, batch_size=16,
               optimizer=nn.Adam(model.parameters()), progress=False)
        weights.append([value.copy() for value, _ in model.parameters()])
    for a, b in zip(*weights):
        np.testing.assert_array_equal(a, b)


def test_he_initialisation_and_the_library_generator():
    nn.seed(1)
    a = nn.Conv2D(8, 16, 3)
    b = nn.Conv2D(8, 16, 3)
    assert not np.array_equal(a.W, b.W)  # the generator moves on
    nn.seed(1)
    np.testing.assert_array_equal(nn.Conv2D(8, 16, 3).W, a.W)
    assert a.W.shape == (16, 8, 3, 3) and a.b.shape == (16,)
    assert a.W.std() == pytest.approx(np.sqrt(2 / (8 * 3 * 3)), rel=0.1)
    np.testing.assert_array_equal(a.b, 0)


def test_reprs():
    assert repr(nn.Conv2D(1, 8, 3, padding=1, rng=RNG)) == "Conv2D(1 -> 8, 3x3, padding=1)"
    assert repr(nn.Conv2D(3, 4, (2, 3), stride=2, rng=RNG)) == "Conv2D(3 -> 4, 2x3, stride=2)"
    assert repr(nn.MaxPool2D(2)) == "MaxPool2D(2)"
    assert repr(nn.MaxPool2D(3, stride=2)) == "MaxPool2D(3, stride=2)"
    assert repr(nn.Flatten()) == "Flatten()"


# ---------------------------------------------------------------- errors that teach

def test_a_flat_mnist_batch_is_told_to_reshape():
    conv = nn.Conv2D(1, 8, 3, rng=RNG)
    with pytest.raises(ValueError, match=r"Conv2D\(1 -> 8, 3x3\).*\(64, 784\).*reshape them to "
                                         r"\(batch, 1, 28, 28\).*x\.reshape\(-1, 1, 28, 28\)"):
        conv.forward(np.zeros((64, 784), dtype=np.float32))
    with pytest.raises(ValueError, match=r"\(64, 28, 28\).*channel axis.*x\.reshape\(-1, 1, 28, 28\)"):
        conv.forward(np.zeros((64, 28, 28)))
    with pytest.raises(ValueError, match=r"reshape them to \(batch, 3, 8, 8\)"):
        nn.Conv2D(3, 2, 3, rng=RNG).forward(np.zeros((5, 192)))


def test_wrong_channel_count_names_both():
    with pytest.raises(ValueError, match=r"Conv2D\(3 -> 4, 3x3\): expected 3 input channel\(s\) on axis 1, got 1 "
                                         r"\(input shape \(2, 1, 8, 8\)\)"):
        nn.Conv2D(3, 4, 3, rng=RNG).forward(np.zeros((2, 1, 8, 8)))
    with pytest.raises(ValueError, match=r"channels seem to come last.*transpose\(0, 3, 1, 2\)"):
        nn.Conv2D(3, 4, 3, rng=RNG).forward(np.zeros((2, 8, 8, 3)))


def test_an_empty_output_shows_the_formula():
    with pytest.raises(ValueError, match=r"output height = \(H \+ 2P - K\) // S \+ 1 = \(2 \+ 2\*0 - 3\) // 1 \+ 1 = 0"):
        nn.Conv2D(1, 1, 3, rng=RNG).forward(np.zeros((1, 1, 2, 5)))
    with pytest.raises(ValueError, match=r"MaxPool2D\(2\).*output width .* = \(1 \+ 2\*0 - 2\) // 2 \+ 1 = 0"):
        nn.MaxPool2D(2).forward(np.zeros((1, 1, 4, 1)))


def test_other_errors():
    with pytest.raises(ValueError, match="kernel_size must be an integer >= 1"):
        nn.Conv2D(1, 1, 0)
    with pytest.raises(ValueError, match="padding must be an integer >= 0"):
        nn.Conv2D(1, 1, 3, padding=-1)
    with pytest.raises(ValueError, match="stride must be an integer >= 1"):
        nn.MaxPool2D(2, stride=0)
    with pytest.raises(TypeError, match="expected numbers"):
        nn.Conv2D(1, 1, 3, rng=RNG).forward(np.array([["a"]]))
    for layer in (nn.Conv2D(1, 1, 3, rng=RNG), nn.MaxPool2D(2), nn.Flatten()):
        with pytest.raises(RuntimeError, match="call forward before backward"):
            layer.backward(np.zeros((1, 1, 1, 1)))
        layer.forward(np.zeros((2, 1, 4, 4)))
        with pytest.raises(ValueError, match=r"backward expected a gradient of shape \(2, "):
            layer.backward(np.zeros((3, 1, 1, 1)))
    with pytest.raises(ValueError, match="NaN or infinity"):
        nn.Conv2D(1, 1, 3, rng=RNG).forward(np.full((1, 1, 4, 4), np.nan))


# ---------------------------------------------------------------- the committed 99% model

def load_train_cnn():
    spec = importlib.util.spec_from_file_location("train_cnn", ROOT / "scripts" / "train_cnn.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_cnn_reaches_99_percent():
    train_cnn = load_train_cnn()
    path = train_cnn.WEIGHTS
    assert path.stat().st_size <= 2_000_000
    with np.load(path, allow_pickle=False) as saved:
        assert all(saved[key].dtype != object for key in saved.files)
    start = time.perf_counter()
    model = nn.load(path)
    nn.load(path, into=train_cnn.build_cnn(rng=np.random.default_rng(0)))  # the script's network, exactly
    _, (x_test, t_test) = nn.load_mnist(flatten=False)
    predicted = np.concatenate([model.predict(x_test[i:i + 1000, np.newaxis]) for i in range(0, 10000, 1000)])
    accuracy = np.mean(predicted == t_test)
    assert accuracy >= 0.99, accuracy
    assert accuracy == nn.saved_info(path)["test_accuracy"]  # what the training script measured
    assert time.perf_counter() - start < 60  # about 5 s on a loaded 2-core machine with 1 BLAS thread
