"""Sequential: layers run one after another, each on the previous one's output."""
from .labels import predicted_classes
from .layers import Layer


class Sequential:
    """A network (网络) as a list of layers.

    forward(x):     x (batch, in) -> output (batch, out), through every layer in order.
    backward(grad): dLoss/doutput -> fills every layer's parameter gradients,
                    through the layers in reverse. It returns None: the first
                    layer's input is the data, and nobody needs dLoss/d(data)
                    to train. backward(grad, input_grad=True) also computes
                    and returns dLoss/dx (batch, in), e.g. to check it.
    """

    def __init__(self, layers):
        self.layers = list(layers)
        if not self.layers:
            raise ValueError("Sequential: needs at least one layer.")

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)  # each layer gets the previous layer's output
        return x

    def backward(self, grad, input_grad=False):
        for layer in reversed(self.layers[1:]):
            grad = layer.backward(grad)
        first = self.layers[0]
        if isinstance(first, Layer):  # a learner's own layer class simply returns dx, unused
            first.needs_input_grad = input_grad
        try:
            grad = first.backward(grad)
        finally:
            if isinstance(first, Layer):
                first.needs_input_grad = True
        return grad if input_grad else None

    def train(self):
        """Every layer to training mode (Dropout drops, BatchNorm uses batch statistics)."""
        for layer in self.layers:
            if isinstance(layer, Layer):
                layer.train()
        return self

    def eval(self):
        """Every layer to evaluation mode, for inference (Dropout off, BatchNorm's running statistics)."""
        for layer in self.layers:
            if isinstance(layer, Layer):
                layer.eval()
        return self

    def predict(self, x, threshold=0.5):
        """Class labels (batch,): the argmax of each output row. A network with a
        single output column is read as estimating class 1's probability (after
        Sigmoid, or trained with MSELoss toward 0/1 targets): class 1 where the
        output is above 0.5. For a raw score (a logit) pass threshold=0.
        Runs in evaluation mode, then puts every layer back in the mode it had."""
        modes = [getattr(layer, "training", None) for layer in self.layers]
        self.eval()
        try:
            return predicted_classes(self.forward(x), threshold)
        finally:
            for layer, training in zip(self.layers, modes):
                if training is not None:
                    layer.training = training

    def parameters(self):
        """(value, gradient) pairs of every layer, in order."""
        return [pair for layer in self.layers for pair in layer.parameters()]

    def __call__(self, x):
        return self.forward(x)

    def __repr__(self):
        inner = "".join(f"\n  {layer!r}," for layer in self.layers)
        return f"Sequential({inner}\n)"
