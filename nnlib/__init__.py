"""nnlib: the small neural-network library that the course builds, in NumPy.

The library is the files beside this one, from the bottom up:
validate, randomness, labels, activations, neuron, layers, conv, losses, model,
optim, gradcheck, train, mnist, toy_data (2-D data sets for pictures), saving
(nn.save and nn.load: a network to an .npz file and back), and autograd (nn.Tensor: arrays
that find their own gradients). It needs only NumPy (and tqdm for
fit's progress bar). The course's teaching helpers (widgets, plots, exercise
checks) live apart in nnlib.course, which also needs matplotlib and ipywidgets.
"""
from .activations import (
    leaky_relu, leaky_relu_derivative, log_softmax, relu, relu_derivative, sigmoid,
    sigmoid_derivative, softmax, step, step_derivative, tanh, tanh_derivative,
)
from .autograd import Tensor, no_grad
from .conv import Conv2D, Flatten, MaxPool2D, col2im, im2col, output_size
from .gradcheck import gradient_check, in_float64, numerical_gradient, relative_error
from .labels import class_labels, predicted_classes, to_one_hot
from .layers import Activation, BatchNorm, Dropout, Layer, LeakyReLU, Linear, ReLU, Sigmoid, Softmax, Tanh
from .losses import CrossEntropyLoss, MSELoss
from .mnist import MNISTFileError, load_mnist
from .model import Sequential
from .neuron import Neuron
from .optim import OPTIMIZERS, SGD, AdaGrad, Adam, Optimizer, RMSProp, make_optimizer
from .randomness import generator, seed
from .saving import ModelFileError, load, save, saved_info
from .toy_data import spirals, two_moons, xor_data
from .train import accuracy, evaluate, fit

__version__ = "0.2.0"
