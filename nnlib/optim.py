"""Optimisers (优化器): they move every parameter a little against its gradient."""
import numpy as np


class SGD:
    """Stochastic gradient descent (随机梯度下降): W -= lr * dW for every parameter.

    parameters: (value, gradient) pairs, e.g. model.parameters().
    momentum:   0 for plain SGD; with momentum m, each step keeps a velocity
                v = m * v - lr * dW and moves W += v, which smooths the path.
    """

    def __init__(self, parameters, lr, momentum=0.0):
        if not lr > 0:
            raise ValueError(f"SGD: the learning rate must be positive, got {lr}.")
        self.parameters = list(parameters)
        self.lr = lr
        self.momentum = momentum
        self.velocities = [np.zeros_like(value) for value, _ in self.parameters]

    def step(self):
        """Update every parameter in place from its current gradient."""
        for (value, grad), velocity in zip(self.parameters, self.velocities):
            if self.momentum:
                velocity *= self.momentum
                velocity -= self.lr * grad
                value += velocity
            else:
                value -= self.lr * grad

    def __repr__(self):
        return f"SGD(lr={self.lr}, momentum={self.momentum})"
