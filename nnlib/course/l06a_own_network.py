"""Lesson 06a, your own network: the checks for the learner's linear_backward, ReLU layer, softmax-cross-entropy
backward and Linear layer class, and the helper that lets the lesson run on with the solution while the
learner's piece is not right yet.

Each check of a class builds the learner's class, runs forward and backward on the case, and grades what
came out (and, for MyLinear, what parameters() hands an optimiser).
"""
import contextlib
import io

import numpy as np

from .exercise import Case, Exercise, Mistake, Slip
from .l06_backprop import _gradient_check_problem, _learner_layer_backward
from ..activations import relu, softmax
from ..labels import to_one_hot
from ..layers import Linear, Sigmoid
from ..model import Sequential


def yours_or_solution(yours, solution, check):
    """yours when check(yours) passes (checked silently), else solution, with one ⏳ line saying so."""
    with contextlib.redirect_stdout(io.StringIO()):
        right = check(yours, quiet=True)
    if right:
        return yours
    print(f"⏳ {yours.__name__} is not right yet (see its check above), so this cell uses {solution.__name__}.")
    return solution


class SoftmaxCrossEntropyWith:
    """Cross-entropy of logits z (batch, K) and labels (batch,) whose backward() is the function it is given,
    backward_function(z, labels) -> dL/dz (batch, K): the learner's softmax_cross_entropy_backward."""

    def __init__(self, backward_function):
        self.backward_function = backward_function

    def forward(self, z, labels):
        self.z, self.labels = z, labels                 # what backward needs
        shifted = z - z.max(axis=1, keepdims=True)      # log softmax = z - max - log sum e^(z - max): no log 0
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return -log_p[np.arange(len(z)), labels].mean()

    def backward(self):
        return self.backward_function(self.z, self.labels)


# ---------------------------------------------------------------- linear_backward (a function first)

def _linear_backward(x, W, grad):
    return grad @ W.T, x.T @ grad, grad.sum(axis=0)


def _linear_cases():
    """A 2×2 case like lesson 06's (every slip computes), then a non-square one."""
    rng = np.random.default_rng(6)
    return [Case("x (2, 2), W (2, 2), grad (2, 2)",
                 rng.normal(size=(2, 2)), rng.normal(size=(2, 2)), rng.normal(size=(2, 2))),
            Case("x (5, 3), W (3, 2), grad (5, 2)",
                 rng.normal(size=(5, 3)), rng.normal(size=(3, 2)), rng.normal(size=(5, 2)))]


def _first_wrong_part(attempt):
    """"dx", "dW" or "db": the first of the three arrays returned that differs from the right one."""
    if not isinstance(attempt.got, (tuple, list)) or len(attempt.got) != 3:
        return None
    for name, got, expected in zip(("dx", "dW", "db"), attempt.got, attempt.expected):
        if not isinstance(got, np.ndarray):
            return None
        if got.shape != expected.shape or not np.allclose(got, expected):
            return name
    return None


def _linear_gradient_check(fn):
    """None, or a sentence: a gradient check of fn's Linear(3 -> 4), a sigmoid, fn's Linear(4 -> 2)."""
    rng = np.random.default_rng(8)

    def learner_linear(n_in, n_out):
        layer = Linear(n_in, n_out, rng=rng, dtype=np.float64)

        def compute(g):
            dx, dW, db = fn(layer.x, layer.W, g)
            layer.dW[...] = dW
            layer.db[...] = db
            return np.asarray(dx, dtype=np.float64)

        return _learner_layer_backward(layer, compute)

    model = Sequential([learner_linear(3, 4), Sigmoid(), learner_linear(4, 2)])
    hints = {"W": "dW = x.T @ grad", "b": "db = grad summed over the batch (axis 0)", "input": "dx = grad @ W.T"}

    def blame(off):
        # layers[2]'s W and b get their gradients straight from your dW and db; a wrong dx shows up
        # only below it (layers[0] and the input), because it is what flows down.
        last = [key.split()[-1] for key in off if key.startswith("layers[2]")]
        culprits = [name for name in ("W", "b") if name in last] or ["input"]
        return "Off: " + ", ".join(culprits) + ". Check " + "; ".join(hints[name] for name in culprits) + "."

    return _gradient_check_problem("linear_backward", model, rng.normal(size=(6, 3)),
                                   np.array([0, 1, 1, 0, 1, 0]), blame)


DB_NOT_SUMMED = ("db is not summed over the batch: b is added to every sample's output, so its gradient "
                 "adds up over the samples: db = grad.sum(axis=0), shape (out,).")

LINEAR_BACKWARD = Exercise(
    "linear_backward", lesson="06a", solution=_linear_backward, cases=_linear_cases, parts=("dx", "dW", "db"),
    after=_linear_gradient_check,
    mistakes=[
        Mistake("In a matrix product a @ b, a's last axis must match b's first: "
                "dW = x.T @ grad is (in, batch) @ (batch, out), dx = grad @ W.T is (batch, out) @ (out, in).",
                # db as a product with a vector of ones, one per input instead of one per sample
                answer=lambda x, W, g: (g @ W.T, x.T @ g, g.T @ np.ones(len(W))),
                raises=lambda error: "matmul" in str(error)),
        Mistake("linear_backward returned two arrays: dx is missing. Return all three, dx = grad @ W.T "
                "(what the layer hands down to the layer below), dW and db: return dx, dW, db.",
                answer=lambda x, W, g: (x.T @ g, g.sum(axis=0)),
                when=lambda attempt: isinstance(attempt.got, (tuple, list)) and len(attempt.got) == 2),
        Mistake("dW looks like x @ grad, with x instead of xᵀ. dW[i, j] = Σ_n x[n, i] grad[n, j] sums over "
                "the samples n, and that is x.T @ grad, (in, batch) @ (batch, out) -> (in, out). "
                "(x @ grad only computes here because this batch is square.)",
                answer=lambda x, W, g: (g @ W.T, x @ g, g.sum(axis=0))),
        Mistake("dW looks like grad.T @ x, which is (xᵀ g)ᵀ: the transposes are swapped, so dW has the shape "
                "of Wᵀ (out, in). Use dW = x.T @ grad, (in, batch) @ (batch, out) -> (in, out).",
                answer=lambda x, W, g: (g @ W.T, g.T @ x, g.sum(axis=0))),
        Mistake("dW looks like the product of one sample only. W is used by every sample in the batch, so its "
                "gradients add up over the batch: dW = x.T @ grad does that sum.",
                answer=lambda x, W, g: (g @ W.T, np.outer(x[0], g[0]), g.sum(axis=0))),
        Mistake("dW looks like (x.T @ grad) / N: do not divide by the batch size here. The loss already "
                "divided by N (its gradient is (softmax(z) - t) / N), so dW = x.T @ grad.",
                answer=lambda x, W, g: (g @ W.T, x.T @ g / len(x), g.sum(axis=0))),
        Mistake("dx looks like grad @ W without the transpose. Each input x_i reaches every output j through "
                "W[i, j], so dx[n, i] = Σ_j grad[n, j] W[i, j]: dx = grad @ W.T.",
                answer=lambda x, W, g: (g @ W, x.T @ g, g.sum(axis=0))),
        Mistake("dx looks like W @ grad.T, which is (grad @ W.T)ᵀ: the transposes are swapped, so dx comes out "
                "with one column per sample. Use dx = grad @ W.T, (batch, out) @ (out, in) -> (batch, in).",
                answer=lambda x, W, g: (W @ g.T, x.T @ g, g.sum(axis=0))),
        Mistake("dx looks like x.T @ grad, which is dW. dx is the gradient handed down to the layer below: "
                "dx = grad @ W.T.",
                answer=lambda x, W, g: (x.T @ g, x.T @ g, g.sum(axis=0))),
        Mistake(DB_NOT_SUMMED, answer=lambda x, W, g: (g @ W.T, x.T @ g, g)),
        Mistake(DB_NOT_SUMMED, answer=lambda x, W, g: (g @ W.T, x.T @ g, g[0])),
        Mistake("db looks like grad.mean(axis=0): do not divide by the batch size here. The loss already "
                "divided by N (its gradient is (softmax(z) - t) / N), so db = grad.sum(axis=0).",
                answer=lambda x, W, g: (g @ W.T, x.T @ g, g.mean(axis=0))),
        Mistake("db looks like grad summed over axis 1, the outputs. Sum over axis 0, the batch: "
                "db = grad.sum(axis=0), one number per output, shape (out,).",
                answer=lambda x, W, g: (g @ W.T, x.T @ g, g.sum(axis=1))),
        Mistake("dx has the shape of x: check dx = grad @ W.T.",
                answer=lambda x, W, g: (np.zeros_like(x), x.T @ g, g.sum(axis=0)),
                when=lambda attempt: _first_wrong_part(attempt) == "dx"),
        Mistake("dW has the shape of W: check dW = x.T @ grad.",
                answer=lambda x, W, g: (g @ W.T, np.zeros_like(W), g.sum(axis=0)),
                when=lambda attempt: _first_wrong_part(attempt) == "dW"),
        Mistake("db has the shape of b: check db = grad.sum(axis=0).",
                answer=lambda x, W, g: (g @ W.T, x.T @ g, np.zeros(W.shape[1])),
                when=lambda attempt: _first_wrong_part(attempt) == "db"),
    ],
    success="linear_backward is right for dx, dW and db, and passes the gradient check.")
check_linear_backward = LINEAR_BACKWARD.check


# ---------------------------------------------------------------- MyLinear: a whole layer class

class MyLinearBase:
    """What the lesson gives: He-initialised float64 W (in, out), b (out,) and their gradients dW, db."""

    def __init__(self, in_features, out_features, rng):
        self.W = rng.normal(0.0, np.sqrt(2.0 / in_features), size=(in_features, out_features))
        self.b = np.zeros(out_features)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)

    def __repr__(self):
        return f"{type(self).__name__}({self.W.shape[0]} -> {self.W.shape[1]})"


def _linear_layer(forward=None, backward=None, parameters=None):
    """A MyLinear class (for a mistake): the right methods except those given."""
    def right_forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def right_backward(self, grad):
        self.dW[...] = self.x.T @ grad
        self.db[...] = grad.sum(axis=0)
        return grad @ self.W.T

    def right_parameters(self):
        return [(self.W, self.dW), (self.b, self.db)]

    return type("MyLinear", (MyLinearBase,), {"forward": forward or right_forward,
                                              "backward": backward or right_backward,
                                              "parameters": parameters or right_parameters})


def _linear_layer_run(cls, case):
    """(output, dx, dW, db) of cls(in, out) with the case's W and b after two forward-backward passes on the
    case (training repeats them), dW and db read through parameters()."""
    x, W, b, grad = case.args
    layer = cls(W.shape[0], W.shape[1], rng=np.random.default_rng(0))
    layer.W[...], layer.b[...] = W, b
    pairs = layer.parameters()                  # as an optimiser takes them, before any training step
    layer.forward(x)
    layer.backward(grad)                        # a first step; the second must give the same gradients
    output = layer.forward(x)
    dx = layer.backward(grad)
    grads = _grads_held(layer, pairs) or (layer.dW, layer.db)
    return output, dx, grads[0], grads[1]


def _grads_held(layer, pairs):
    """(dW, db) as an optimiser holding pairs would read them, when pairs are [(W, dW), (b, db)] with the
    layer's own W and b; else None."""
    try:
        (W, dW), (b, db) = pairs
    except (TypeError, ValueError):
        return None
    return (dW, db) if W is layer.W and b is layer.b else None


def _parameters_slip(cls):
    """What is wrong with cls's parameters(), as a word, or None: "not pairs", "copies", "stale"."""
    layer = cls(3, 2, rng=np.random.default_rng(0))
    pairs = layer.parameters()
    layer.forward(np.ones((4, 3)))
    layer.backward(np.ones((4, 2)))
    try:
        (W, dW), (b, db) = pairs
    except (TypeError, ValueError):
        return "not pairs"
    if not all(isinstance(a, np.ndarray) for a in (W, dW, b, db)):
        return "not pairs"
    if W is layer.W and b is layer.b and not (dW is layer.dW and db is layer.db):
        return "stale"
    if not (W is layer.W and dW is layer.dW and b is layer.b and db is layer.db):
        return "copies"
    return None


def _linear_layer_cases():
    rng = np.random.default_rng(63)
    return [Case("x (5, 3), W (3, 2), b (2,), grad (5, 2)", rng.normal(size=(5, 3)), rng.normal(size=(3, 2)),
                 rng.normal(size=2), rng.normal(size=(5, 2)))]


def _assigns(self, grad):
    self.dW = self.x.T @ grad        # a new array: the optimiser still holds the old one
    self.db = grad.sum(axis=0)
    return grad @ self.W.T


def _accumulates(self, grad):
    self.dW += self.x.T @ grad       # adds this pass's gradient to the last pass's
    self.db += grad.sum(axis=0)
    return grad @ self.W.T


MY_LINEAR_SOLUTION = _linear_layer()

MY_LINEAR = Exercise(
    "MyLinear", lesson="06a", solution=MY_LINEAR_SOLUTION, cases=_linear_layer_cases, run=_linear_layer_run,
    parts=("output", "dx", "dW", "db"),
    mistakes=[
        Mistake("backward needs the x that forward saw (dW = x.T @ grad): keep it in forward, self.x = x.",
                answer=_linear_layer(forward=lambda self, x: x @ self.W + self.b),
                raises=lambda error: isinstance(error, AttributeError)),
        Mistake("backward returns only dx, the gradient handed down to the layer below; dW and db are kept on "
                "the layer (self.dW, self.db), where parameters() hands them to the optimiser.",
                answer=_linear_layer(backward=lambda self, grad: (grad @ self.W.T, self.x.T @ grad,
                                                                   grad.sum(axis=0))),
                when=lambda attempt: isinstance(attempt.got[1], (tuple, list))),
        Mistake("The output looks like x @ W: the bias is missing, y = x @ self.W + self.b.",
                answer=_linear_layer(forward=lambda self, x: setattr(self, "x", x) or x @ self.W)),
        Mistake("backward returned None: return dx = grad @ self.W.T, which the layer below needs.",
                answer=_linear_layer(backward=lambda self, grad: [_assigns_in_place(self, grad), None][1]),
                when=lambda attempt: attempt.got[1] is None),
        Mistake("dW and db came out 0 where parameters() hands them to the optimiser: self.dW = ... makes a new "
                "array, and the optimiser still holds the old one (it took parameters() once, before training). "
                "Fill the arrays in place: self.dW[...] = x.T @ grad, self.db[...] = grad.sum(axis=0).",
                answer=_linear_layer(backward=_assigns),
                when=lambda attempt: _parameters_slip(attempt.fn) == "stale"),
        Mistake(DB_NOT_SUMMED,
                answer=_linear_layer(backward=lambda self, grad: _assigns_in_place(self, grad, db=grad[0]) @ self.W.T)),
        Mistake("dW and db came out twice too large after two backward passes: `self.dW += ...` adds each step's "
                "gradient to the last one's. Each backward overwrites them, self.dW[...] = x.T @ grad (lesson 06's "
                "`+=` adds the shares of ONE pass where a value is used twice).",
                answer=_linear_layer(backward=_accumulates)),
        Mistake("dx looks like grad @ W without the transpose: dx = grad @ self.W.T, (batch, out) @ (out, in).",
                answer=_linear_layer(backward=lambda self, grad: _assigns_in_place(self, grad) @ self.W),
                raises=lambda error: "matmul" in str(error)),
        Mistake("parameters() must give a list of (value, gradient) pairs, [(self.W, self.dW), (self.b, self.db)]: "
                "the optimiser does value -= lr * gradient for each pair.",
                answer=_linear_layer(parameters=lambda self: [self.W, self.b]),
                when=lambda attempt: _parameters_slip(attempt.fn) == "not pairs", even_if_right=True),
        Mistake("parameters() must give the layer's own arrays, not copies: the optimiser updates them in place "
                "(value -= lr * gradient), and a copy's update never reaches the layer. "
                "Return [(self.W, self.dW), (self.b, self.db)].",
                answer=_linear_layer(parameters=lambda self: [(self.W.copy(), self.dW.copy()),
                                                              (self.b.copy(), self.db.copy())]),
                when=lambda attempt: _parameters_slip(attempt.fn) == "copies", even_if_right=True),
    ],
    success="MyLinear is right: forward keeps x and gives x @ W + b, backward fills dW and db in place and "
            "returns dx, and parameters() hands the optimiser the layer's own arrays.")
check_my_linear = MY_LINEAR.check


def _assigns_in_place(self, grad, db=None):
    """The right dW and db (or the given db), filled in place; returns grad (for a mistake to build on)."""
    self.dW[...] = self.x.T @ grad
    self.db[...] = grad.sum(axis=0) if db is None else db
    return grad


# ---------------------------------------------------------------- MyReLU: forward and backward of a layer class

class GradChanged(Slip):
    """Raised by the check when the learner's backward wrote into the gradient it was handed."""


def _relu_layer(forward, backward):
    """A ReLU layer class (for a mistake) with the given forward(self, x) and backward(self, grad)."""
    return type("MyReLU", (), {"forward": forward, "backward": backward, "parameters": lambda self: []})


def _keep_x(output):
    """A forward that keeps x, then returns output(x)."""
    def forward(self, x):
        self.x = x
        return output(x)
    return forward


_RIGHT_FORWARD = _keep_x(lambda x: np.maximum(0, x))


def _relu_right_backward(self, grad):
    return grad * (self.x > 0)


def _relu_in_place(self, grad):
    grad[self.x <= 0] = 0            # Deep Learning from Scratch's Relu.backward: dout[mask] = 0
    return grad


def _relu_forgets_x(self, x):
    return np.maximum(0, x)


def _relu_run(cls, case):
    """(output, dx) of a fresh cls() on the case; GradChanged when backward wrote into its grad."""
    x, grad = case.args
    layer = cls()
    output = layer.forward(x)
    handed = grad.copy()
    dx = layer.backward(handed)
    if not np.array_equal(handed, grad):
        raise GradChanged("its backward wrote into the grad it was handed")
    return output, dx


def _relu_cases():
    rng = np.random.default_rng(61)
    x = rng.normal(size=(4, 5))
    x[np.abs(x) < 0.05] = 0.5       # no input exactly 0, where x > 0 and x >= 0 may both be taken
    return [Case("x [[-2.0, 3.0, -0.5, 1.5]], grad [[5.0, 5.0, 5.0, 5.0]]",
                 np.array([[-2.0, 3.0, -0.5, 1.5]]), np.array([[5.0, 5.0, 5.0, 5.0]])),
            Case("x (4, 5), grad (4, 5)", x, rng.normal(size=(4, 5)))]


RELU_SOLUTION = _relu_layer(_RIGHT_FORWARD, _relu_right_backward)

RELU = Exercise(
    "MyReLU", lesson="06a", solution=RELU_SOLUTION, cases=_relu_cases, run=_relu_run, parts=("output", "dx"),
    mistakes=[
        Mistake("backward needs the input that forward saw, so forward must keep it: self.x = x (or the mask "
                "self.mask = x > 0) before it returns.",
                answer=_relu_layer(_relu_forgets_x, _relu_right_backward),
                raises=lambda error: isinstance(error, AttributeError)),
        Mistake("np.max(0, x) is the largest element along an axis (its second argument is the axis). The "
                "elementwise maximum of 0 and x is np.maximum(0, x).",
                answer=_relu_layer(_keep_x(lambda x: np.max(0, x)), _relu_right_backward),
                raises=lambda error: isinstance(error, TypeError) and "scalar index" in str(error)),
        Mistake("grad[x <= 0] = 0 writes into the array backward was handed: the caller's gradient changes "
                "under it (the aliasing trap of Deep Learning from Scratch's Relu.backward, dout[mask] = 0). "
                "Compute a new array: return grad * (self.x > 0).",
                answer=_relu_layer(_RIGHT_FORWARD, _relu_in_place),
                raises=lambda error: isinstance(error, GradChanged)),
        Mistake("dx looks like the mask alone, (x > 0): the chain rule multiplies the local slope by the "
                "gradient from above, dx = grad * (x > 0).",
                answer=_relu_layer(_RIGHT_FORWARD, lambda self, grad: (self.x > 0).astype(float))),
        Mistake("dx looks like grad * x: ReLU's slope is not x but 1 where x > 0 and 0 elsewhere, the mask: "
                "dx = grad * (x > 0).",
                answer=_relu_layer(_RIGHT_FORWARD, lambda self, grad: grad * self.x)),
        Mistake("dx looks like grad * relu(x), the output: ReLU's slope is 1 where x > 0 and 0 elsewhere, "
                "not the output's value: dx = grad * (x > 0).",
                answer=_relu_layer(_RIGHT_FORWARD, lambda self, grad: grad * np.maximum(0, self.x))),
        Mistake("dx looks like grad unchanged: where x <= 0 the ReLU let nothing through, so no gradient goes "
                "back there either: dx = grad * (x > 0).",
                answer=_relu_layer(_RIGHT_FORWARD, lambda self, grad: grad.copy())),
        Mistake("The output looks like x itself: forward returns relu(x) = np.maximum(0, x), with the negative "
                "inputs set to 0.",
                answer=_relu_layer(_keep_x(lambda x: x.copy()), _relu_right_backward)),
    ],
    success="MyReLU is right: forward gives max(0, x), backward lets grad through where x > 0, "
            "and leaves the grad it was handed alone.")
check_relu = RELU.check


# ---------------------------------------------------------------- softmax with cross-entropy: the backward

def _softmax_cross_entropy_backward(z, labels):
    return (softmax(z) - to_one_hot(labels, z.shape[1])) / len(z)


def _naive_softmax(z):
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _ce_cases():
    rng = np.random.default_rng(62)
    return [Case("lesson 06's z = [[2, 0, -1], [0.5, 0.5, 0.5]], labels [0, 2]",
                 np.array([[2.0, 0.0, -1.0], [0.5, 0.5, 0.5]]), np.array([0, 2])),
            Case("z (5, 4), labels (5,)", rng.normal(size=(5, 4)), np.array([3, 0, 1, 1, 2])),
            Case("a row spread over 1000, z = [[1000, 0, -1000]], labels [1]",
                 np.array([[1000.0, 0.0, -1000.0]]), np.array([1]))]


def _one_hot_rows(z, labels):
    return to_one_hot(labels, z.shape[1])


SOFTMAX_CROSS_ENTROPY_BACKWARD = Exercise(
    "softmax_cross_entropy_backward", lesson="06a", solution=_softmax_cross_entropy_backward, cases=_ce_cases,
    mistakes=[
        Mistake("The labels are class numbers, shape (batch,), and cannot be subtracted from the probabilities "
                "(batch, classes): turn them into one-hot rows first, t = nn.to_one_hot(labels, z.shape[1]).",
                answer=lambda z, labels: (softmax(z) - labels) / len(z),
                raises=lambda error: "broadcast" in str(error)),
        Mistake("It looks like you subtracted the labels themselves (class numbers) instead of one-hot rows: "
                "t = nn.to_one_hot(labels, z.shape[1]) has a 1 at each sample's class and 0 elsewhere.",
                answer=lambda z, labels: (softmax(z) - labels[:, None]) / len(z)),
        Mistake("It looks like you forgot to divide by the batch size: the loss is the mean over the N samples, "
                "so its gradient is (softmax(z) - t) / N.",
                answer=lambda z, labels: softmax(z) - _one_hot_rows(z, labels)),
        Mistake("It looks like you returned softmax(z) / N without subtracting the one-hot target t: "
                "∂L/∂z = (p - t) / N, probability minus target.",
                answer=lambda z, labels: softmax(z) / len(z)),
        Mistake("The sign is flipped: (t - p) / N is the gradient of -L. ∂L/∂z = (p - t) / N, probability "
                "minus target, so the true class's gradient is negative and descent pushes its logit up.",
                answer=lambda z, labels: (_one_hot_rows(z, labels) - softmax(z)) / len(z)),
        Mistake("It looks like you used the logits z where the probabilities p = softmax(z) belong: "
                "∂L/∂z = (softmax(z) - t) / N.",
                answer=lambda z, labels: (z - _one_hot_rows(z, labels)) / len(z)),
        Mistake("exp(1000) overflows to inf, and inf / inf is NaN: subtract each row's maximum before exp "
                "(lesson 03's softmax does), or use nn.softmax.",
                answer=lambda z, labels: (_naive_softmax(z) - _one_hot_rows(z, labels)) / len(z)),
    ],
    success="softmax_cross_entropy_backward is right: (softmax(z) - t) / N, even for logits of 1000.")
check_softmax_cross_entropy_backward = SOFTMAX_CROSS_ENTROPY_BACKWARD.check
