"""One artificial neuron (神经元): a weighted sum of the inputs plus a bias, then an activation."""
import numpy as np

from .activations import sigmoid


class Neuron:
    """y = activation(x · w + b).

    weights: (inputs,)  one weight per input
    bias:    a number
    activation: a function of one array, sigmoid by default
    """

    def __init__(self, weights, bias, activation=sigmoid):
        self.weights = np.asarray(weights, dtype=np.float64)
        if self.weights.ndim != 1:
            raise ValueError(f"Neuron: weights must be 1-D (one per input), got shape {self.weights.shape}.")
        self.bias = float(bias)
        self.activation = activation

    def forward(self, x):
        """x: (inputs,) gives a number; x: (batch, inputs) gives (batch,)."""
        x = np.asarray(x, dtype=np.float64)
        if x.shape[-1:] != self.weights.shape:
            raise ValueError(
                f"{self!r}: expected {len(self.weights)} inputs per sample, got an input of shape {x.shape}."
            )
        total = x @ self.weights + self.bias
        y = self.activation(total)
        return float(y) if np.ndim(y) == 0 else y

    __call__ = forward

    def __repr__(self):
        name = getattr(self.activation, "__name__", "activation")
        return f"Neuron(weights={self.weights.tolist()}, bias={self.bias:g}, activation={name})"
