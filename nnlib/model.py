"""Sequential: layers run one after another, each on the previous one's output."""
from .labels import predicted_classes
from .layers import Layer
from .validate import instance_of_layer


class Sequential:
    """A network (网络) as a list of layers.

    forward(x):     x (batch, in) -> output (batch, out), through every layer in order.
    backward(grad): dLoss/doutput -> fills every layer's parameter gradients,
                    through the layers in reverse. It returns None: the first
                    layer's input is the data, and nobody needs dLoss/d(data)
                    to train. backward(grad, input_grad=True) also computes
                    and returns dLoss/dx (batch, in), e.g. to check it.

    A layer object keeps what its forward saw for its backward, so it can appear only
    once in a network: the same ReLU() used twice would hand backward the wrong input.
    Sequential refuses that (and a class such as nn.ReLU where an object nn.ReLU() is
    meant) when it is built. Sequentials may be nested; train(), eval(), parameters()
    and buffers() reach the layers inside.
    """

    def __init__(self, layers):
        if isinstance(layers, (Layer, Sequential, type)) or not hasattr(layers, "__iter__"):
            raise TypeError(f"Sequential: give a list of layers, e.g. Sequential([Linear(2, 3), ReLU()]), "
                            f"got {layers!r}.")
        self.layers = list(layers)
        if not self.layers:
            raise ValueError("Sequential: needs at least one layer.")
        for i, layer in enumerate(self.layers):
            instance_of_layer(layer, f"layer {i}", "Sequential")
        seen = {}
        for i, layer in enumerate(self.leaf_layers()):
            if id(layer) in seen:
                raise ValueError(
                    f"Sequential: {layer!r} appears twice (layers {seen[id(layer)]} and {i}, counting nested "
                    "ones). A layer keeps what its forward saw for its backward, so each place needs its own "
                    f"object: write {type(layer).__name__}(...) again instead of reusing one.")
            seen[id(layer)] = i

    def leaf_layers(self):
        """Every layer inside, nested Sequentials opened, in the order forward runs them."""
        for layer in self.layers:
            if isinstance(layer, Sequential):
                yield from layer.leaf_layers()
            else:
                yield layer

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)  # each layer gets the previous layer's output
        return x

    def backward(self, grad, input_grad=False):
        for layer in reversed(self.layers[1:]):
            # a Sequential inside hands its input gradient on, like any layer
            grad = layer.backward(grad, input_grad=True) if isinstance(layer, Sequential) else layer.backward(grad)
        first = self.layers[0]
        if isinstance(first, Sequential):
            return first.backward(grad, input_grad=input_grad)
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
        for layer in self.leaf_layers():
            if hasattr(layer, "train"):
                layer.train()
        return self

    def eval(self):
        """Every layer to evaluation mode, for inference (Dropout off, BatchNorm's running statistics)."""
        for layer in self.leaf_layers():
            if hasattr(layer, "eval"):
                layer.eval()
        return self

    @property
    def training(self):
        """True when any layer inside is in training mode."""
        return any(getattr(layer, "training", False) for layer in self.leaf_layers())

    def modes(self):
        """Each layer's mode, to put back later with restore_modes: [(layer, training)]."""
        return [(layer, layer.training) for layer in self.leaf_layers() if hasattr(layer, "training")]

    @staticmethod
    def restore_modes(modes):
        for layer, training in modes:
            layer.training = training

    def predict(self, x, threshold=0.5):
        """Class labels (batch,): the argmax of each output row. A network with a
        single output column is read as estimating class 1's probability (after
        Sigmoid, or trained with MSELoss toward 0/1 targets): class 1 where the
        output is above 0.5. For a raw score (a logit) pass threshold=0.
        Runs in evaluation mode, then puts every layer back in the mode it had."""
        modes = self.modes()
        self.eval()
        try:
            return predicted_classes(self.forward(x), threshold)
        finally:
            self.restore_modes(modes)

    def parameters(self):
        """(value, gradient) pairs of every layer, in order."""
        return [pair for layer in self.layers for pair in layer.parameters()]

    def buffers(self):
        """(name, array) pairs of every layer's other state (BatchNorm's running statistics), in order."""
        return [pair for layer in self.leaf_layers() if hasattr(layer, "buffers") for pair in layer.buffers()]

    def __call__(self, x):
        return self.forward(x)

    def __repr__(self):
        inner = "".join(f"\n  {layer!r}," for layer in self.layers)
        return f"Sequential({inner}\n)"
