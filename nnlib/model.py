"""Sequential: layers run one after another, each on the previous one's output."""
import numpy as np


class Sequential:
    """A network (网络) as a list of layers.

    forward(x):     x (batch, in) -> output (batch, out), through every layer in order.
    backward(grad): dLoss/doutput -> dLoss/dx, through the layers in reverse;
                    fills every layer's parameter gradients on the way.
                    With input_grad=False the first layer skips dLoss/dx
                    (training needs only the parameters' gradients).
    """

    def __init__(self, layers):
        self.layers = list(layers)

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)  # each layer gets the previous layer's output
        return x

    def backward(self, grad, input_grad=True):
        for layer in reversed(self.layers[1:]):
            grad = layer.backward(grad)
        if input_grad:
            return self.layers[0].backward(grad)
        return self.layers[0].backward(grad, input_grad=False)

    def predict(self, x):
        """Class labels (batch,): the argmax of each output row, or, for a single
        output column (a probability, e.g. from Sigmoid), 1 where it is above 0.5."""
        out = self.forward(x)
        if out.shape[-1] == 1:
            return (out[:, 0] > 0.5).astype(np.int64)
        return out.argmax(axis=-1)

    def parameters(self):
        """(value, gradient) pairs of every layer, in order."""
        return [pair for layer in self.layers for pair in layer.parameters()]

    __call__ = forward

    def __repr__(self):
        inner = "".join(f"\n  {layer!r}," for layer in self.layers)
        return f"Sequential({inner}\n)"
