"""nn.Tensor (nnlib/autograd.py): every operation's gradient against numerical gradients and
PyTorch's autograd, broadcasting included; accumulation, zero_grad and optimisers; errors;
no_grad; and an MLP built from Tensor operations against nnlib's layers."""
import operator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import nnlib as nn
from nnlib.autograd import Tensor, no_grad, topological_order, unbroadcast, zero_grad

LABELS = np.array([2, 0, 3])
MASK = np.array([[True, False, True, False], [False, False, True, True], [True, True, False, False]])
A_MATRIX = np.random.default_rng(1).standard_normal((2, 3))


def case(name, fn, shapes, inputs="any", torch_fn=None):
    """One operation to check: fn(*tensors) on random float64 inputs of the given shapes.
    inputs: "any" (normal), "positive" (0.5 to 2.5, for log, division, powers) or
    "away_from_0" (|x| >= 0.2, so a numerical slope never straddles ReLU's kink)."""
    return pytest.param(fn, shapes, inputs, torch_fn or fn, id=name)


CASES = [
    case("add", lambda a, b: a + b, [(3, 4), (3, 4)]),
    case("add (3,4)+(4,)", lambda a, b: a + b, [(3, 4), (4,)]),
    case("add (4,)+(3,4)", lambda a, b: a + b, [(4,), (3, 4)]),
    case("add (3,1)+(1,4)", lambda a, b: a + b, [(3, 1), (1, 4)]),
    case("add (2,3,4)+(3,1)", lambda a, b: a + b, [(2, 3, 4), (3, 1)]),
    case("add number", lambda a: a + 1.5, [(3, 4)]),
    case("radd number", lambda a: 1.5 + a, [(3, 4)]),
    case("add array", lambda a: a + A_MATRIX, [(2, 3)], torch_fn=lambda a: a + _torch().from_numpy(A_MATRIX)),
    case("sub", lambda a, b: a - b, [(3, 4), (3, 4)]),
    case("sub (2,3,4)-(4,)", lambda a, b: a - b, [(2, 3, 4), (4,)]),
    case("sub (3,1)-(3,4)", lambda a, b: a - b, [(3, 1), (3, 4)]),
    case("rsub number", lambda a: 2.5 - a, [(3, 4)]),
    case("mul", lambda a, b: a * b, [(3, 4), (3, 4)]),
    case("mul (3,4)*(3,1)", lambda a, b: a * b, [(3, 4), (3, 1)]),
    case("mul (3,4)*(4,)", lambda a, b: a * b, [(3, 4), (4,)]),
    case("mul scalar tensor", lambda a, b: a * b, [(), (3, 4)]),
    case("rmul number", lambda a: 3.0 * a, [(3, 4)]),
    case("rmul array", lambda a: A_MATRIX * a, [(2, 3)], torch_fn=lambda a: _torch().from_numpy(A_MATRIX) * a),
    case("div", lambda a, b: a / b, [(3, 4), (3, 4)], "positive"),
    case("div (3,4)/(4,)", lambda a, b: a / b, [(3, 4), (4,)], "positive"),
    case("div (3,1)/(3,4)", lambda a, b: a / b, [(3, 1), (3, 4)], "positive"),
    case("div number", lambda a: a / 4, [(3, 4)]),
    case("rtruediv number", lambda a: 2 / a, [(3, 4)], "positive"),
    case("neg", lambda a: -a, [(3, 4)]),
    case("pow 2", lambda a: a ** 2, [(3, 4)]),
    case("pow 3", lambda a: a ** 3, [(3, 4)]),
    case("pow 0.5", lambda a: a ** 0.5, [(3, 4)], "positive"),
    case("pow -1", lambda a: a ** -1, [(3, 4)], "positive"),
    case("matmul (3,4)@(4,5)", lambda a, b: a @ b, [(3, 4), (4, 5)]),
    case("matmul (4,)@(4,5)", lambda a, b: a @ b, [(4,), (4, 5)]),
    case("matmul (3,4)@(4,)", lambda a, b: a @ b, [(3, 4), (4,)]),
    case("matmul (4,)@(4,)", lambda a, b: a @ b, [(4,), (4,)]),
    case("rmatmul array", lambda a: A_MATRIX @ a, [(3, 4)], torch_fn=lambda a: _torch().from_numpy(A_MATRIX) @ a),
    case("sum", lambda a: a.sum(), [(3, 4)]),
    case("sum axis 0", lambda a: a.sum(axis=0), [(3, 4)]),
    case("sum axis -1 keepdims", lambda a: a.sum(axis=-1, keepdims=True), [(3, 4)]),
    case("sum axes (0,2)", lambda a: a.sum(axis=(0, 2)), [(2, 3, 4)]),
    case("mean", lambda a: a.mean(), [(3, 4)]),
    case("mean axis 1", lambda a: a.mean(axis=1), [(3, 4)]),
    case("mean axes (0,2) keepdims", lambda a: a.mean(axis=(0, 2), keepdims=True), [(2, 3, 4)]),
    case("exp", lambda a: a.exp(), [(3, 4)]),
    case("log", lambda a: a.log(), [(3, 4)], "positive"),
    case("relu", lambda a: a.relu(), [(3, 4)], "away_from_0"),
    case("tanh", lambda a: a.tanh(), [(3, 4)]),
    case("sigmoid", lambda a: a.sigmoid(), [(3, 4)]),
    case("log_softmax", lambda a: a.log_softmax(), [(3, 4)], torch_fn=lambda a: a.log_softmax(dim=-1)),
    case("log_softmax axis 0", lambda a: a.log_softmax(axis=0), [(3, 4)],
         torch_fn=lambda a: a.log_softmax(dim=0)),
    case("index int", lambda a: a[1], [(3, 4)]),
    case("index slices", lambda a: a[:, 1:3], [(3, 4)]),
    case("index ellipsis", lambda a: a[..., 0], [(2, 3, 4)]),
    case("index None", lambda a: a[None], [(3, 4)]),
    case("index rows and labels", lambda a: a[np.arange(3), LABELS], [(3, 4)]),
    case("index repeated rows", lambda a: a[[0, 0, 2, 0]], [(3, 4)]),
    case("index repeated pairs", lambda a: a[np.array([1, 1, 1]), np.array([2, 2, 0])], [(3, 4)]),
    case("index mask", lambda a: a[MASK], [(3, 4)]),
    case("reshape", lambda a: a.reshape(2, 6), [(3, 4)]),
    case("reshape tuple -1", lambda a: a.reshape((-1,)), [(3, 4)]),
    case("T", lambda a: a.T, [(3, 4)]),
    case("transpose", lambda a: a.transpose(), [(3, 4)], torch_fn=lambda a: a.permute(1, 0)),
    case("transpose (1,2,0)", lambda a: a.transpose(1, 2, 0), [(2, 3, 4)], torch_fn=lambda a: a.permute(1, 2, 0)),
    case("transpose negative axes", lambda a: a.transpose(-1, 0, 1), [(2, 3, 4)],
         torch_fn=lambda a: a.permute(-1, 0, 1)),
    case("transpose tuple", lambda a: a.transpose((2, 0, 1)), [(2, 3, 4)], torch_fn=lambda a: a.permute(2, 0, 1)),
    case("used twice x*x", lambda a: a * a, [(3, 4)]),
    case("used twice x+x", lambda a: a + a, [(3, 4)]),
    case("expression", lambda a, b, c: ((a @ b + c).tanh() * a.sum(axis=1, keepdims=True)).mean(axis=0),
         [(3, 4), (4, 5), (5,)]),
]


def _torch():
    return pytest.importorskip("torch")


def random_inputs(shapes, inputs, seed=0):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(shape) for shape in shapes]
    if inputs == "positive":
        arrays = [rng.uniform(0.5, 2.5, shape) for shape in shapes]
    elif inputs == "away_from_0":
        arrays = [np.where(a >= 0, a + 0.2, a - 0.2) for a in arrays]
    return arrays


def upstream(fn, arrays, seed=1):
    """A random gradient of the result's shape, so every output element weighs differently."""
    shape = fn(*[Tensor(a) for a in arrays]).shape
    return np.random.default_rng(seed).standard_normal(shape)


def autograd_gradients(fn, arrays, grad):
    tensors = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    out = fn(*tensors)
    out.backward(grad)
    return out, [t.grad for t in tensors]


@pytest.mark.parametrize("fn, shapes, inputs, torch_fn", CASES)
def test_gradient_equals_numerical_gradient(fn, shapes, inputs, torch_fn):
    arrays = random_inputs(shapes, inputs)
    grad = upstream(fn, arrays)
    _, grads = autograd_gradients(fn, arrays, grad)

    def weighted_output():   # sum(out * grad): its gradient is what backward(grad) computes
        return float(np.sum(fn(*[Tensor(a) for a in arrays]).data * grad))

    for array, analytic in zip(arrays, grads):
        assert analytic.shape == array.shape and analytic.dtype == np.float64
        np.testing.assert_allclose(analytic, nn.numerical_gradient(weighted_output, array), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("fn, shapes, inputs, torch_fn", CASES)
def test_gradient_equals_pytorch(fn, shapes, inputs, torch_fn):
    torch = _torch()
    arrays = random_inputs(shapes, inputs)
    grad = upstream(fn, arrays)
    out, grads = autograd_gradients(fn, arrays, grad)
    torch_inputs = [torch.tensor(a, requires_grad=True) for a in arrays]
    torch_out = torch_fn(*torch_inputs)
    torch_out.backward(torch.from_numpy(grad))
    np.testing.assert_allclose(out.data, torch_out.detach().numpy(), rtol=1e-12, atol=1e-14)
    for analytic, torch_input in zip(grads, torch_inputs):
        np.testing.assert_allclose(analytic, torch_input.grad.numpy(), rtol=1e-10, atol=1e-13)


def test_unbroadcast_sums_added_and_stretched_axes():
    grad = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(unbroadcast(grad, (4,)), grad.sum(axis=(0, 1)))
    np.testing.assert_array_equal(unbroadcast(grad, (3, 1)), grad.sum(axis=(0, 2))[:, None])
    np.testing.assert_array_equal(unbroadcast(grad, (1, 1, 4)), grad.sum(axis=(0, 1), keepdims=True))
    np.testing.assert_array_equal(unbroadcast(grad, ()), grad.sum())
    assert unbroadcast(grad, (2, 3, 4)) is grad


@settings(max_examples=12, deadline=None, derandomize=True, database=None)
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3),
       op=st.sampled_from([operator.add, operator.sub, operator.mul, operator.truediv]))
def test_binary_operations_on_any_broadcastable_shapes(shapes, op):
    a, b = random_inputs(shapes.input_shapes, "positive")
    grad = np.random.default_rng(1).standard_normal(shapes.result_shape)
    _, grads = autograd_gradients(op, [a, b], grad)

    def weighted_output():
        return float(np.sum(op(Tensor(a), Tensor(b)).data * grad))

    for array, analytic in zip((a, b), grads):
        assert analytic.shape == array.shape
        np.testing.assert_allclose(analytic, nn.numerical_gradient(weighted_output, array), rtol=1e-6, atol=1e-8)


# ---------------------------------------------------------------- tensors, dtypes, graph

def test_tensor_copies_its_data():
    array = np.ones(3)
    x = Tensor(array, requires_grad=True)
    x.data -= 1
    np.testing.assert_array_equal(array, [1.0, 1.0, 1.0])


def test_tensor_keeps_float_dtypes_and_makes_the_rest_float64():
    assert Tensor(np.ones(2, np.float32)).dtype == np.float32
    assert Tensor(np.ones(2)).dtype == np.float64
    assert Tensor([1, 2]).dtype == np.float64
    assert Tensor(3).dtype == np.float64 and Tensor(3).shape == () and Tensor(3).ndim == 0
    x = Tensor(np.ones((2, 3), np.float32), requires_grad=True)
    y = (2 * x + 1.5 - x / 3) ** 2
    y = (y @ np.ones((3, 2), np.float32)).relu().sigmoid().tanh().log_softmax().mean()
    assert y.dtype == np.float32
    y.backward()
    assert x.grad.dtype == np.float32
    assert (x + np.ones(3, np.int64)).dtype == np.float32      # an integer array takes the tensor's dtype


def test_leaf_gets_zero_grad_at_creation_and_results_during_backward():
    x = Tensor([1.0, 2.0], requires_grad=True)
    np.testing.assert_array_equal(x.grad, [0.0, 0.0])
    assert Tensor([1.0]).grad is None
    y = x * 3
    assert y.requires_grad and y.grad is None and y._op == "*"
    assert y._parents[0] is x and y._parents[1].data == 3 and not y._parents[1].requires_grad
    z = y.sum()
    z.backward()
    np.testing.assert_array_equal(y.grad, [1.0, 1.0])
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])
    np.testing.assert_array_equal(x.numpy(), [1.0, 2.0])
    assert z.item() == 9.0 and isinstance(z.item(), float)
    assert isinstance(z.data, np.ndarray) and isinstance(x.mean().data, np.ndarray)


def test_setting_requires_grad_later_gives_a_gradient_array():
    x = Tensor([1.0, 2.0])
    x.requires_grad = True
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])


def test_topological_order_puts_every_tensor_after_its_parents():
    a, b = Tensor(2.0, requires_grad=True), Tensor(3.0, requires_grad=True)
    c = a * b
    d = c + a
    e = d * c
    order = topological_order(e)
    assert order[-1] is e and len(order) == 5 and len(set(map(id, order))) == 5
    position = {id(t): i for i, t in enumerate(order)}
    for t in order:
        assert all(position[id(parent)] < position[id(t)] for parent in t._parents)
    e.backward()   # e = (ab + a) ab: de/da = b(ab + a) + (b + 1)ab, de/db = a(ab + a) + a * ab
    assert a.grad == 3 * 8 + 4 * 6 and b.grad == 2 * 8 + 2 * 6


def test_a_graph_deeper_than_the_recursion_limit():
    x = Tensor(1.0, requires_grad=True)
    y = x
    for _ in range(2000):
        y = y + x
    y.backward()
    assert x.grad == 2001


def test_repr_shows_values_op_and_requires_grad():
    x = Tensor([1.0, 2.0], requires_grad=True)
    assert repr(x) == "Tensor([1., 2.], requires_grad=True)"
    text = repr(x * 2)
    assert "op='*'" in text and "requires_grad=True" in text
    assert "float32" in repr(Tensor(np.zeros(3, np.float32)))
    assert "..." in repr(Tensor(np.zeros((100, 100))))


# ---------------------------------------------------------------- accumulation, zero_grad, optimisers

def test_a_tensor_used_twice_gets_both_contributions():
    x = Tensor([1.0, -2.0, 3.0], requires_grad=True)
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, -4.0, 6.0])
    x.zero_grad()
    (x + x).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0, 2.0])
    x.zero_grad()
    y = Tensor(2.0, requires_grad=True)
    (x * y + x).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 3.0, 3.0])
    assert y.grad == 2.0


def test_gradients_accumulate_across_backward_calls_until_zero_grad():
    x = Tensor([1.0, 2.0], requires_grad=True)
    grad = x.grad
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad, [6.0, 6.0])   # both passes added up
    w = Tensor(1.0, requires_grad=True)
    zero_grad([x, w])
    np.testing.assert_array_equal(x.grad, [0.0, 0.0])
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])
    assert x.grad is grad   # the same array throughout: optimisers hold it


def test_an_nnlib_optimiser_trains_tensors_in_place():
    rng = np.random.default_rng(0)
    x, target = rng.standard_normal((8, 3)), rng.standard_normal((8, 2))
    W, b = Tensor(rng.standard_normal((3, 2)), requires_grad=True), Tensor(np.zeros(2), requires_grad=True)
    W_expected, b_expected = W.data.copy(), b.data.copy()
    opt = nn.SGD([(p.data, p.grad) for p in (W, b)], lr=0.1)
    for _ in range(2):
        zero_grad([W, b])
        loss = ((Tensor(x) @ W + b - target) ** 2).mean()
        loss.backward()
        opt.step()
        g = 2 * (x @ W_expected + b_expected - target) / target.size   # d mean((xW + b - t)**2) / d output
        W_expected -= 0.1 * (x.T @ g)
        b_expected -= 0.1 * g.sum(axis=0)
        np.testing.assert_allclose(W.data, W_expected, rtol=1e-12)
        np.testing.assert_allclose(b.data, b_expected, rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------- errors

def test_backward_of_a_non_scalar_needs_grad():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(ValueError, match=r"\(2, 3\).*grad=.*\.sum\(\)"):
        (x * 2).backward()


def test_backward_grad_of_the_wrong_shape_names_both_shapes():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(ValueError, match=r"\(3, 2\).*\(2, 3\)"):
        (x * 2).backward(np.ones((3, 2)))


def test_backward_on_a_tensor_without_grad_says_so():
    with pytest.raises(RuntimeError, match="does not require grad"):
        (Tensor([1.0]) * 2).backward()
    with no_grad():
        y = Tensor([1.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="no_grad"):
        y.backward()


@pytest.mark.parametrize("op", ["+", "-", "*", "/"])
def test_shapes_that_do_not_broadcast_name_both_shapes_and_the_op(op):
    a, b = Tensor(np.ones((3, 4))), Tensor(np.ones(3))
    with pytest.raises(ValueError, match=rf"{'[' + op + ']'}.*\(3, 4\) and \(3,\).*broadcast"):
        {"+": a.__add__, "-": a.__sub__, "*": a.__mul__, "/": a.__truediv__}[op](b)


def test_matmul_of_shapes_that_do_not_fit_names_them():
    with pytest.raises(ValueError, match=r"@.*\(3, 4\) and \(3, 4\)"):
        Tensor(np.ones((3, 4))) @ Tensor(np.ones((3, 4)))
    with pytest.raises(ValueError, match=r"1-D and 2-D.*\(2, 3, 4\)"):
        Tensor(np.ones((2, 3, 4))) @ Tensor(np.ones((4, 2)))


def test_wrong_types_name_what_was_expected():
    x = Tensor([1.0, 2.0])
    with pytest.raises(TypeError, match="expected a Tensor, a number or a NumPy array, got str"):
        x + "a"
    with pytest.raises(TypeError, match="expected a Tensor, a number or a NumPy array, got list"):
        [1.0, 2.0] * x
    with pytest.raises(TypeError, match="@: expected a Tensor or a NumPy array, got float"):
        x @ 2.0
    with pytest.raises(TypeError, match="exponent must be a number"):
        x ** x
    with pytest.raises(TypeError, match="real numbers"):
        Tensor(["a", "b"])
    with pytest.raises(TypeError, match="tensor.data"):
        Tensor(x)
    with pytest.raises(TypeError, match="requires_grad must be True or False"):
        Tensor([1.0], requires_grad="yes")
    with pytest.raises(TypeError, match="zero_grad: expected Tensors, got ndarray"):
        zero_grad([np.zeros(2)])
    with pytest.raises(TypeError, match="not a Tensor"):
        x[Tensor([0])]
    with pytest.raises(ValueError, match=r"one element.*\(2,\)"):
        x.item()


@pytest.mark.parametrize("dtype, largest", [(np.float32, "88.7"), (np.float64, "709.8")])
def test_exp_beyond_the_largest_float_raises_instead_of_warning(dtype, largest):
    with pytest.raises(ValueError, match=rf"exp.*{largest}.*1e\+04.*log_softmax"):
        Tensor(np.array([0.0, 1e4], dtype)).exp()
    assert np.isfinite(Tensor(np.array([-1e4, 80.0], dtype)).exp().data).all()


def test_division_by_zero_and_powers_outside_their_domain_raise():
    with pytest.raises(ValueError, match=r"division by zero.*\(2,\)"):
        Tensor([1.0, 2.0]) / Tensor([1.0, 0.0])
    with pytest.raises(ValueError, match="division by zero"):
        1 / Tensor([0.0])
    with pytest.raises(ValueError, match=r"0\.5 needs x >= 0"):
        Tensor([-1.0, 4.0]) ** 0.5
    with pytest.raises(ValueError, match=r"-1 needs x != 0"):
        Tensor([0.0, 4.0]) ** -1
    x = Tensor([0.0, -2.0], requires_grad=True)
    (x ** 2 + x ** 3).sum().backward()   # whole powers of 1 and above take any x
    np.testing.assert_array_equal(x.grad, [0.0, -4.0 + 12.0])


def test_log_of_zero_or_less_raises_instead_of_warning():
    with pytest.raises(ValueError, match="above 0.*log_softmax"):
        Tensor([1.0, 0.0]).log()
    with pytest.raises(ValueError, match="-1"):
        Tensor([-1.0, 2.0]).log()


# ---------------------------------------------------------------- numerics and no_grad

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_large_inputs_neither_overflow_nor_warn(dtype):
    values = np.array([[-1e4, 0.0, 1e4], [1e4, 1e4, -1e4]], dtype)
    for op in ("sigmoid", "tanh", "relu", "log_softmax"):
        x = Tensor(values, requires_grad=True)
        out = getattr(x, op)()
        out.sum().backward()
        assert np.isfinite(out.data).all() and np.isfinite(x.grad).all(), op
    x = Tensor(values, requires_grad=True)
    out = x.log_softmax()
    np.testing.assert_allclose(out.data, [[-2e4, -1e4, 0.0], [-np.log(2), -np.log(2), -2e4 - np.log(2)]], rtol=1e-6)
    out[np.arange(2), np.array([2, 0])].sum().backward()
    np.testing.assert_allclose(x.grad, [[0.0, 0.0, 0.0], [0.5, -0.5, 0.0]], atol=1e-7)


def test_no_grad_builds_no_graph_and_restores_after_an_exception():
    w = Tensor([1.0, 2.0], requires_grad=True)
    with no_grad():
        y = (w * 2).sum()
    assert not y.requires_grad and y._parents == () and y.grad is None
    with pytest.raises(ZeroDivisionError):
        with no_grad():
            raise ZeroDivisionError
    z = (w * 2).sum()
    assert z.requires_grad and z._parents
    with no_grad():
        with no_grad():
            pass
        assert not (w * 2).requires_grad
    assert (w * 2).requires_grad


# ---------------------------------------------------------------- an MLP, three ways

@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-10), (np.float32, 1e-4)])
def test_mlp_of_tensor_operations_equals_nnlib_layers(dtype, rtol):
    rng = np.random.default_rng(0)
    model = nn.Sequential([nn.Linear(784, 128, rng=rng, dtype=dtype), nn.ReLU(),
                           nn.Linear(128, 10, rng=rng, dtype=dtype)])
    model.layers[0].b[...] = rng.standard_normal(128) * 0.1   # biases away from 0, so their gradients matter
    model.layers[2].b[...] = rng.standard_normal(10) * 0.1
    x, labels = rng.random((32, 784)).astype(dtype), rng.integers(0, 10, 32)

    loss = nn.CrossEntropyLoss()
    expected_loss = loss.forward(model.forward(x), labels)
    model.backward(loss.backward())

    W1, b1, W2, b2 = params = [Tensor(value.copy(), requires_grad=True) for value, _ in model.parameters()]
    logits = (Tensor(x) @ W1 + b1).relu() @ W2 + b2
    tensor_loss = -logits.log_softmax()[np.arange(len(x)), labels].mean()
    tensor_loss.backward()

    np.testing.assert_allclose(tensor_loss.item(), expected_loss, rtol=rtol)
    for tensor, (_, grad) in zip(params, model.parameters()):
        assert tensor.grad.dtype == dtype
        np.testing.assert_allclose(tensor.grad, grad, rtol=rtol, atol=rtol * 1e-4)


def test_a_part_of_the_graph_computed_from_constants_only_passes_no_gradient():
    x = nn.Tensor(np.array([[1.0, -2.0], [3.0, 4.0]]))            # data: no gradient wanted
    W = nn.Tensor(np.array([[0.5, -1.0], [2.0, 1.0]]))
    b = nn.Tensor(np.array([0.1, -0.2]), requires_grad=True)
    (x.relu() + b).sum().backward()
    np.testing.assert_array_equal(b.grad, [2.0, 2.0])
    b.zero_grad()
    (x @ W + b).sum().backward()
    np.testing.assert_array_equal(b.grad, [2.0, 2.0])
    assert x.grad is None and W.grad is None
