"""Optimisers: each update rule against the rule written out by hand (and PyTorch's, when installed)."""
import numpy as np
import pytest

import nnlib as nn

RNG = np.random.default_rng(0)
START = RNG.normal(size=(3, 2))
GRADS = [RNG.normal(size=(3, 2)) for _ in range(5)]


def run(make):
    """Apply the five fixed gradients GRADS with an nnlib optimiser; the trajectory of W."""
    W, dW = START.copy(), np.zeros_like(START)
    opt = make([(W, dW)])
    path = []
    for g in GRADS:
        dW[...] = g
        opt.step()
        path.append(W.copy())
    return np.array(path)


def by_hand(rule):
    """The same five steps with the rule written out: rule(W, g, state, t) -> new W."""
    W, state, path = START.copy(), {}, []
    for t, g in enumerate(GRADS, start=1):
        W = rule(W, g, state, t)
        path.append(W.copy())
    return np.array(path)


def sgd_rule(lr, momentum=0.0, nesterov=False, weight_decay=0.0):
    def rule(W, g, s, t):
        g = g + weight_decay * W
        if not momentum:
            return W - lr * g
        s["buf"] = momentum * s["buf"] + g if "buf" in s else g  # PyTorch's form
        return W - lr * (g + momentum * s["buf"] if nesterov else s["buf"])
    return rule


def adagrad_rule(lr, eps=1e-10):
    def rule(W, g, s, t):
        s["h"] = s.get("h", 0) + g * g
        return W - lr * g / (np.sqrt(s["h"]) + eps)
    return rule


def rmsprop_rule(lr, alpha=0.99, eps=1e-8):
    def rule(W, g, s, t):
        s["h"] = alpha * s.get("h", 0) + (1 - alpha) * g * g
        return W - lr * g / (np.sqrt(s["h"]) + eps)
    return rule


def adam_rule(lr, b1=0.9, b2=0.999, eps=1e-8, weight_decay=0.0):
    def rule(W, g, s, t):
        g = g + weight_decay * W
        s["m"] = b1 * s.get("m", 0) + (1 - b1) * g
        s["v"] = b2 * s.get("v", 0) + (1 - b2) * g * g
        return W - lr * (s["m"] / (1 - b1**t)) / (np.sqrt(s["v"] / (1 - b2**t)) + eps)
    return rule


CASES = {
    "sgd": (lambda p: nn.SGD(p, 0.1), sgd_rule(0.1)),
    "momentum": (lambda p: nn.SGD(p, 0.1, momentum=0.9), sgd_rule(0.1, 0.9)),
    "nesterov": (lambda p: nn.SGD(p, 0.1, momentum=0.9, nesterov=True), sgd_rule(0.1, 0.9, True)),
    "sgd weight decay": (lambda p: nn.SGD(p, 0.1, momentum=0.5, weight_decay=0.01), sgd_rule(0.1, 0.5, False, 0.01)),
    "adagrad": (lambda p: nn.AdaGrad(p, lr=0.5), adagrad_rule(0.5)),
    "rmsprop": (lambda p: nn.RMSProp(p, lr=0.01), rmsprop_rule(0.01)),
    "adam": (lambda p: nn.Adam(p, lr=0.01), adam_rule(0.01)),
    "adam weight decay": (lambda p: nn.Adam(p, lr=0.01, weight_decay=0.1), adam_rule(0.01, weight_decay=0.1)),
}


@pytest.mark.parametrize("name", CASES)
def test_optimiser_follows_its_rule(name):
    make, rule = CASES[name]
    np.testing.assert_allclose(run(make), by_hand(rule), rtol=1e-12, atol=1e-12)


TORCH = {
    "sgd": ("SGD", dict(lr=0.1)),
    "momentum": ("SGD", dict(lr=0.1, momentum=0.9)),
    "nesterov": ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    "sgd weight decay": ("SGD", dict(lr=0.1, momentum=0.5, weight_decay=0.01)),
    "adagrad": ("Adagrad", dict(lr=0.5)),
    "rmsprop": ("RMSprop", dict(lr=0.01)),
    "adam": ("Adam", dict(lr=0.01)),
    "adam weight decay": ("Adam", dict(lr=0.01, weight_decay=0.1)),
}


@pytest.mark.parametrize("name", TORCH)
def test_optimiser_matches_pytorch(name):
    torch = pytest.importorskip("torch")
    cls, kwargs = TORCH[name]
    W = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    opt = getattr(torch.optim, cls)([W], **kwargs)
    path = []
    for g in GRADS:
        W.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        path.append(W.detach().numpy().copy())
    np.testing.assert_allclose(run(CASES[name][0]), np.array(path), rtol=1e-10, atol=1e-12)


def test_adam_first_step_moves_each_weight_by_about_lr():
    steps = run(lambda p: nn.Adam(p, lr=0.01))[0] - START
    np.testing.assert_allclose(np.abs(steps), 0.01, rtol=1e-5)


def test_optimiser_errors_are_clear():
    W, dW = np.zeros(2), np.zeros(2)
    with pytest.raises(ValueError, match=r"Adam: lr \(the learning rate\) must be a finite number in \(0, inf\), got 0.0"):
        nn.Adam([(W, dW)], lr=0)
    with pytest.raises(ValueError, match="no parameters"):
        nn.SGD([], 0.1)
    with pytest.raises(ValueError, match="nesterov=True needs a momentum"):
        nn.SGD([(W, dW)], 0.1, nesterov=True)
    assert "lr=0.1" in repr(nn.SGD([(W, dW)], 0.1, momentum=0.9))
