"""nnlib: the small neural-network library that the course builds, in NumPy."""
from .activations import (
    leaky_relu, leaky_relu_derivative, log_softmax, relu, relu_derivative, sigmoid,
    sigmoid_derivative, softmax, step, step_derivative, tanh, tanh_derivative,
)
from .gradcheck import gradient_check, numerical_gradient, relative_error
from .layers import Activation, LeakyReLU, Linear, ReLU, Sigmoid, Softmax, Tanh
from .losses import CrossEntropyLoss, MSELoss, to_one_hot
from .mnist import MNISTFileError, load_mnist
from .model import Sequential
from .neuron import Neuron
from .optim import SGD
from .toy_data import NEW_PEOPLE, height_weight, spirals, two_moons, xor_data
from .train import accuracy, class_labels, fit

__version__ = "0.1.0"
