"""Optimisers (优化器): they move every parameter a little against its gradient.

Each one takes (value, gradient) pairs, e.g. model.parameters(), and its
step() updates every value in place from its current gradient. The update
rules are PyTorch's (torch.optim), so one can be checked against the other.
"""
import numpy as np

from .validate import real_number


class Optimizer:
    """What every optimiser shares: the parameters, the learning rate lr, and
    weight decay (L2 regularisation: the gradient of (weight_decay / 2) * W**2,
    which is weight_decay * W, is added to each gradient before the update)."""

    def __init__(self, parameters, lr, weight_decay=0.0):
        who = type(self).__name__
        self.lr = real_number(lr, "lr (the learning rate)", who, low=0, low_open=True)
        self.weight_decay = real_number(weight_decay, "weight_decay", who, low=0)
        if hasattr(parameters, "parameters") and callable(parameters.parameters):
            raise TypeError(f"{who}: give the model's parameters, {who}(model.parameters(), ...), not the model.")
        self.parameters = list(parameters)
        if not self.parameters:
            raise ValueError(f"{who}: no parameters to optimise (did you pass model.parameters()?).")
        for i, pair in enumerate(self.parameters):
            value, grad = pair if isinstance(pair, tuple) and len(pair) == 2 else (None, None)
            if not (isinstance(value, np.ndarray) and isinstance(grad, np.ndarray) and value.shape == grad.shape
                    and value.dtype.kind == "f"):
                raise TypeError(f"{who}: parameter {i} must be a (value, gradient) pair of float arrays of one "
                                f"shape, as model.parameters() gives, got {pair!r:.80}.")
        self.steps = 0

    def state(self):
        """One zero array per parameter, for a running average or a velocity."""
        return [np.zeros_like(value) for value, _ in self.parameters]

    def gradients(self):
        """(value, gradient) pairs, the gradient including weight decay when there is any."""
        if not self.weight_decay:
            return self.parameters
        return [(value, grad + self.weight_decay * value) for value, grad in self.parameters]

    def step(self):
        """Update every parameter in place from its current gradient."""
        self.steps += 1
        for i, (value, grad) in enumerate(self.gradients()):
            self.update(i, value, grad)

    def update(self, i, value, grad):
        raise NotImplementedError

    def __repr__(self):
        settings = ", ".join(f"{k}={v}" for k, v in vars(self).items()
                             if isinstance(v, (int, float, tuple)) and k != "steps")
        return f"{type(self).__name__}({settings})"


class SGD(Optimizer):
    """Stochastic gradient descent (随机梯度下降): W -= lr * dW for every parameter.

    momentum: 0 for plain SGD. With momentum m, each parameter keeps a
              velocity v (动量): v = m * v - lr * dW, then W += v; steps in a
              steady direction add up, zig-zags cancel. (PyTorch writes the
              same rule as buf = m * buf + dW, W -= lr * buf, with v = -lr * buf.)
    nesterov: look ahead: W += m * v - lr * dW with the new v (Nesterov momentum).
    weight_decay: adds weight_decay * W to each gradient (L2 regularisation).
    """

    def __init__(self, parameters, lr, momentum=0.0, nesterov=False, weight_decay=0.0):
        super().__init__(parameters, lr, weight_decay)
        momentum = real_number(momentum, "momentum", "SGD", low=0, high=1, high_open=True)
        if nesterov and not momentum:
            raise ValueError("SGD: nesterov=True needs a momentum above 0.")
        self.momentum = momentum
        self.nesterov = nesterov
        self.velocities = self.state()

    def update(self, i, value, grad):
        if not self.momentum:
            value -= self.lr * grad
            return
        velocity = self.velocities[i]
        velocity *= self.momentum
        velocity -= self.lr * grad
        if self.nesterov:
            value += self.momentum * velocity - self.lr * grad
        else:
            value += velocity


class AdaGrad(Optimizer):
    """AdaGrad: each weight's step shrinks with the squared gradients it has seen.

    h += dW**2;  W -= lr * dW / (sqrt(h) + eps)
    Weights with large past gradients move less; the steps only ever shrink.
    """

    def __init__(self, parameters, lr=0.01, eps=1e-10, weight_decay=0.0):
        super().__init__(parameters, lr, weight_decay)
        self.eps = real_number(eps, "eps", "AdaGrad", low=0, low_open=True)
        self.sums = self.state()

    def update(self, i, value, grad):
        h = self.sums[i]
        h += grad * grad
        value -= self.lr * grad / (np.sqrt(h) + self.eps)


class RMSProp(Optimizer):
    """RMSProp: AdaGrad with a forgetting running average, so steps can grow again.

    h = alpha * h + (1 - alpha) * dW**2;  W -= lr * dW / (sqrt(h) + eps)
    """

    def __init__(self, parameters, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0):
        super().__init__(parameters, lr, weight_decay)
        self.alpha = real_number(alpha, "alpha", "RMSProp", low=0, high=1, high_open=True)
        self.eps = real_number(eps, "eps", "RMSProp", low=0, low_open=True)
        self.averages = self.state()

    def update(self, i, value, grad):
        h = self.averages[i]
        h *= self.alpha
        h += (1 - self.alpha) * grad * grad
        value -= self.lr * grad / (np.sqrt(h) + self.eps)


class Adam(Optimizer):
    """Adam: momentum (a running mean m of the gradients) plus RMSProp's scaling
    (a running mean v of their squares), both corrected for starting at 0.

    m = b1 * m + (1 - b1) * dW;   v = b2 * v + (1 - b2) * dW**2
    m_hat = m / (1 - b1**t);      v_hat = v / (1 - b2**t)      (t = the step number)
    W -= lr * m_hat / (sqrt(v_hat) + eps)
    At t = 1, m_hat = dW and v_hat = dW**2: the first step moves each weight by
    about lr, whatever the size of its gradient.
    """

    def __init__(self, parameters, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(parameters, lr, weight_decay)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"Adam: betas must be a pair (beta1, beta2), e.g. (0.9, 0.999), got {betas!r}.")
        b1, b2 = (real_number(b, f"betas[{i}]", "Adam", low=0, high=1, high_open=True) for i, b in enumerate(betas))
        self.betas = (b1, b2)
        self.eps = real_number(eps, "eps", "Adam", low=0, low_open=True)
        self.means, self.squares = self.state(), self.state()

    def update(self, i, value, grad):
        b1, b2 = self.betas
        t = self.steps
        m, v = self.means[i], self.squares[i]
        m[...] = b1 * m + (1 - b1) * grad
        v[...] = b2 * v + (1 - b2) * grad**2
        m_hat = m / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        value -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


OPTIMIZERS = ("SGD", "momentum", "AdaGrad", "RMSProp", "Adam")   # the names make_optimizer knows


def make_optimizer(name, parameters, lr, momentum=0.9, betas=(0.9, 0.999)):
    """One of the optimisers above by its name in OPTIMIZERS, at learning rate lr.

    "momentum" is SGD with momentum; the others are their classes with their defaults.
    """
    if name not in OPTIMIZERS:
        raise ValueError(f"make_optimizer: unknown optimiser {name!r}; choose one of {OPTIMIZERS}.")
    if name == "momentum":
        return SGD(parameters, lr, momentum=momentum)
    if name == "Adam":
        return Adam(parameters, lr, betas=betas)
    return {"SGD": SGD, "AdaGrad": AdaGrad, "RMSProp": RMSProp}[name](parameters, lr)
