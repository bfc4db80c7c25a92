"""Tests for lesson 06a's helpers: the checks of the learner's pieces on right answers written other ways, the
gradient checks that end linear_backward's, the fallback to a solution, and the notebook's order of teaching.
(Every mistake of every check: tests/test_exercises.py.)"""
import numpy as np
import pytest

import nnlib as nn
from lesson_files import lesson_cells
from nnlib.course import l06a_own_network as l06a


def good_linear_backward(x, W, grad):
    return grad @ W.T, x.T @ grad, grad.sum(axis=0)


# ---- linear_backward: the gradient check names what is off

@pytest.mark.parametrize("wrong_on_other_batches, culprit", [
    (lambda x, W, g: (g @ W.T, x.T @ g, 2 * g.sum(axis=0)), "Off: b."),
    (lambda x, W, g: (2 * g @ W.T, x.T @ g, g.sum(axis=0)), "Off: input."),
    (lambda x, W, g: (g @ W, x.T @ g, g.sum(axis=0)), "raised ValueError in the gradient check"),
])
def test_the_gradient_check_names_what_is_off_in_linear_backward(wrong_on_other_batches, culprit, capsys):
    def linear_backward(x, W, grad):
        return (good_linear_backward if len(x) in (2, 5) else wrong_on_other_batches)(x, W, grad)

    assert not l06a.check_linear_backward(linear_backward)
    assert culprit in capsys.readouterr().out


def test_check_linear_backward_accepts_a_list_of_three():
    assert l06a.check_linear_backward(lambda x, W, g: list(good_linear_backward(x, W, g)))


# ---- right answers written another way pass

class ReLUWithGreaterEqual:
    """x >= 0 instead of x > 0, and the mask taken from the output: both fine away from x = 0."""

    def forward(self, x):
        self.y = np.maximum(0, x)
        return self.y

    def backward(self, grad):
        return np.where(self.y >= 0, grad, 0.0) * (self.y > 0)

    def parameters(self):
        return []


class ReLUCopyingFirst:
    """Deep Learning from Scratch's dout[mask] = 0, on a copy: then it is right."""

    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, grad):
        dx = grad.copy()
        dx[self.mask] = 0
        return dx

    def parameters(self):
        return []


@pytest.mark.parametrize("relu", [ReLUWithGreaterEqual, ReLUCopyingFirst])
def test_check_relu_accepts_right_layers_written_other_ways(relu, capsys):
    assert l06a.check_relu(relu), capsys.readouterr().out


def minus_one_at_the_labels(z, labels):
    """nnlib's way: the probabilities, 1 subtracted at each row's label, divided by the batch size."""
    grad = nn.softmax(z)
    grad[np.arange(len(z)), labels] -= 1
    return grad / len(z)


@pytest.mark.parametrize("backward", [
    lambda z, labels: (nn.softmax(z) - np.eye(z.shape[1])[labels]) / z.shape[0],
    minus_one_at_the_labels,
])
def test_check_softmax_cross_entropy_backward_accepts_other_right_forms(backward, capsys):
    assert l06a.check_softmax_cross_entropy_backward(backward), capsys.readouterr().out


class LinearThroughLinearBackward(l06a.MyLinearBase):
    """A layer whose backward calls the learner's linear_backward and uses np.matmul(..., out=)."""

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, grad):
        dx, dW, db = good_linear_backward(self.x, self.W, grad)
        np.copyto(self.dW, dW)
        self.db[...] = db
        return dx

    def parameters(self):
        return [(self.W, self.dW), (self.b, self.db)]


def test_check_my_linear_accepts_a_backward_built_on_linear_backward(capsys):
    assert l06a.check_my_linear(LinearThroughLinearBackward), capsys.readouterr().out


# ---- the lesson runs on with the solution while a piece is not right yet

def todo(z, labels):
    raise NotImplementedError


def solution(z, labels):
    return (nn.softmax(z) - nn.to_one_hot(labels, z.shape[1])) / len(z)


def test_yours_or_solution_falls_back_in_one_line(capsys):
    assert l06a.yours_or_solution(todo, solution, l06a.check_softmax_cross_entropy_backward) is solution
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith("⏳ todo") and "solution" in out


def test_yours_or_solution_keeps_a_right_answer_silently(capsys):
    def mine(z, labels):
        return solution(z, labels)

    assert l06a.yours_or_solution(mine, solution, l06a.check_softmax_cross_entropy_backward) is mine
    assert capsys.readouterr().out == ""


def test_a_network_of_the_solutions_passes_the_gradient_check():
    net = nn.Sequential([l06a.MY_LINEAR_SOLUTION(3, 4, rng=np.random.default_rng(0)), l06a.RELU_SOLUTION(),
                         l06a.MY_LINEAR_SOLUTION(4, 2, rng=np.random.default_rng(1))])
    errors = nn.gradient_check(net, nn.CrossEntropyLoss(), np.random.default_rng(2).normal(size=(5, 3)),
                               np.array([0, 1, 1, 0, 1]))
    assert max(errors.values()) < 1e-6


# ---- the notebook builds before it reads nnlib's version

def sources():
    return [(cell["cell_type"], "".join(cell["source"])) for cell in lesson_cells("06a_own_network")]


def first(predicate):
    return next(i for i, (kind, source) in enumerate(sources()) if predicate(kind, source))


def test_lesson_06a_builds_checks_and_trains_before_it_shows_nnlib():
    stubs = [first(lambda kind, s, name=name: kind == "code" and name in s and "NotImplementedError" in s)
             for name in ("def linear_backward(", "class MyLinear:", "class MyReLU:",
                          "def softmax_cross_entropy_backward(")]
    assembled = first(lambda kind, s: kind == "code" and "yours_or_solution(MyLinear" in s)
    the_v = first(lambda kind, s: kind == "code" and "loglog" in s and "1e-12" in s)   # the error against h
    checked = first(lambda kind, s: kind == "code" and "nn.gradient_check(net" in s)
    trained = first(lambda kind, s: kind == "code" and "nn.fit(model" in s and "load_mnist" in s)
    shown = first(lambda kind, s: kind == "code" and "nn.ReLU.backward" in s and "getsource(yours)" in s)
    compared = first(lambda kind, s: kind == "code" and "theirs.backward" in s and "nn_loss.backward()" in s)
    optional = first(lambda kind, s: kind == "markdown" and s.startswith("## If you want more"))
    assert stubs == sorted(stubs) and stubs[-1] < assembled < checked < trained < shown < compared
    assert compared < optional < the_v     # why h = 1e-5: the optional part at the end
    assert any("dout[self.mask] = 0" in s for kind, s in sources() if kind == "markdown")   # spot the bug
    assert sources()[-1] == ("code", 'summary("06a");')
