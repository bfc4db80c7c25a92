"""Automatic differentiation (自动微分): a Tensor that remembers how it was computed.

Every operation on Tensors returns a new Tensor that keeps its inputs (`_parents`),
a short name of the operation (`_op`, e.g. "@") and a function `_backward` that
knows the operation's local derivative. `loss.backward()` visits the graph from
the loss back to the inputs (topological_order, reversed) and calls each
`_backward`, which adds the gradient of the loss to its inputs' `.grad`:

    out = x @ W        backward:  x.grad += out.grad @ W.T     (lesson 06's formulas)
                                  W.grad += x.T @ out.grad

Gradients are added (+=), never assigned: a tensor used twice gets both
contributions, and a parameter's gradient keeps growing across steps until
zero_grad() sets it back to 0.

A leaf tensor (one you create, e.g. a weight) with requires_grad=True gets its
gradient array, zeros of its shape, when it is created; backward adds into that
same array and zero_grad() fills it with zeros in place. So nnlib's optimisers,
which update (value, gradient) array pairs in place, train Tensors directly:

    opt = nn.SGD([(p.data, p.grad) for p in params], lr=0.1)

Shapes broadcast as in NumPy in forward; in backward, unbroadcast() sums each
gradient back down to its operand's shape. Inside `with no_grad():` results
keep no graph (inference). Only NumPy is needed.
"""
from contextlib import contextmanager

import numpy as np

from .activations import sigmoid as _stable_sigmoid

_grad_enabled = True   # False inside `with no_grad():`


class Tensor:
    """An array that records the operations applied to it, so backward() can find gradients.

    data: array-like, copied (training the tensor never changes the array given). Float32
          and float64 arrays keep their dtype; integers, booleans and lists become float64.
    requires_grad: True for a tensor whose gradient you want (a weight, an input you study).
    Attributes: data (the np.ndarray), grad (an array of data's shape, or None),
    requires_grad, and shape, ndim, dtype, T as for NumPy arrays.
    """

    __array_ufunc__ = None   # so `ndarray * tensor` calls Tensor.__rmul__ instead of NumPy looping over it

    def __init__(self, data, requires_grad=False):
        if isinstance(data, Tensor):
            raise TypeError("Tensor: data must be an array or a number, got a Tensor; use tensor.data for its array.")
        if not isinstance(requires_grad, (bool, np.bool_)):
            raise TypeError(f"Tensor: requires_grad must be True or False, got {requires_grad!r}.")
        data = np.asarray(data)
        if data.dtype.kind not in "biuf":
            raise TypeError(f"Tensor: data must hold real numbers, got an array of dtype {data.dtype}.")
        self.data = data.astype(data.dtype if data.dtype in (np.float32, np.float64) else np.float64)
        self.grad = None
        self._parents = ()
        self._backward = _no_backward
        self._op = ""
        self.requires_grad = bool(requires_grad)

    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        """Turning it on gives the tensor its gradient array, zeros, that backward adds into."""
        self._requires_grad = bool(value)
        if value and self.grad is None:
            self.grad = np.zeros_like(self.data)

    shape = property(lambda self: self.data.shape, doc="The shape of data, e.g. (batch, features).")
    ndim = property(lambda self: self.data.ndim, doc="The number of axes of data.")
    dtype = property(lambda self: self.data.dtype, doc="float32 or float64.")
    T = property(lambda self: self.transpose(), doc="The transpose (axes reversed), as a new Tensor in the graph.")

    def item(self):
        """The value of a one-element tensor as a Python float, e.g. loss.item()."""
        if self.data.size != 1:
            raise ValueError(f"item: only a tensor of one element has an item, this one has shape {self.shape}.")
        return self.data.item()

    def numpy(self):
        """The data array itself (not a copy)."""
        return self.data

    def __repr__(self):
        values = np.array2string(self.data, precision=4, separator=", ", threshold=20, prefix="Tensor(")
        extras = "" if self.dtype == np.float64 else f", dtype={self.dtype}"
        if self._op:
            extras += f", op={self._op!r}"
        if self.requires_grad:
            extras += ", requires_grad=True"
        return f"Tensor({values}{extras})"

    # ------------------------------------------------------------------ backward

    def backward(self, grad=None):
        """Fill .grad of every tensor this one was computed from: d self / d tensor.

        grad: d loss / d self, an array of self's shape; may be left out when self is
              one number (a loss), where it is 1.
        Leaf tensors add to their .grad (call zero_grad() between training steps); every
        intermediate result gets a fresh .grad for this pass.
        """
        if not self.requires_grad:
            raise RuntimeError("backward: this tensor does not require grad: none of the tensors it was "
                               "computed from has requires_grad=True, or it was computed inside no_grad().")
        if grad is None:
            if self.data.size != 1:
                raise ValueError(f"backward: this tensor has shape {self.shape}, not one number: pass "
                                 f"grad= (an array of shape {self.shape}), or call .sum() or .mean() first.")
            grad = np.ones_like(self.data)
        grad = np.asarray(grad.data if isinstance(grad, Tensor) else grad)
        if grad.shape != self.shape:
            raise ValueError(f"backward: grad has shape {grad.shape} but the tensor has shape {self.shape}; "
                             "they must be the same.")
        order = topological_order(self)
        for node in order:
            if node._parents:   # an intermediate result: a fresh gradient for this pass
                node.grad = np.zeros_like(node.data)
        self.grad += grad
        for node in reversed(order):   # the loss first, then each tensor after everything computed from it
            if node._parents:          # a result computed only from constants has no gradient to pass on
                node._backward()

    def zero_grad(self):
        """Set the gradient to 0 in place (the array optimisers hold stays the same)."""
        if self.grad is not None:
            self.grad.fill(0)

    # ------------------------------------------------------------------ arithmetic (broadcasting)

    def __add__(self, other):
        other = self._operand(other, "+")
        out = _result(_broadcast(np.add, self, other, "+"), (self, other), "+")

        def _backward():   # d(x + y)/dx = 1, d(x + y)/dy = 1
            if self.requires_grad:
                self.grad += unbroadcast(out.grad, self.shape)
            if other.requires_grad:
                other.grad += unbroadcast(out.grad, other.shape)
        out._backward = _backward
        return out

    def __sub__(self, other):
        other = self._operand(other, "-")
        out = _result(_broadcast(np.subtract, self, other, "-"), (self, other), "-")

        def _backward():   # d(x - y)/dx = 1, d(x - y)/dy = -1
            if self.requires_grad:
                self.grad += unbroadcast(out.grad, self.shape)
            if other.requires_grad:
                other.grad -= unbroadcast(out.grad, other.shape)
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = self._operand(other, "*")
        out = _result(_broadcast(np.multiply, self, other, "*"), (self, other), "*")

        def _backward():   # d(x * y)/dx = y, d(x * y)/dy = x
            if self.requires_grad:
                self.grad += unbroadcast(out.grad * other.data, self.shape)
            if other.requires_grad:
                other.grad += unbroadcast(out.grad * self.data, other.shape)
        out._backward = _backward
        return out

    def __truediv__(self, other):
        other = self._operand(other, "/")
        if (other.data == 0).any():
            raise ValueError(f"/: division by zero: the divisor (shape {other.shape}) holds a 0.")
        out = _result(_broadcast(np.divide, self, other, "/"), (self, other), "/")

        def _backward():   # d(x / y)/dx = 1 / y, d(x / y)/dy = -x / y**2
            if self.requires_grad:
                self.grad += unbroadcast(out.grad / other.data, self.shape)
            if other.requires_grad:
                other.grad -= unbroadcast(out.grad * self.data / other.data**2, other.shape)
        out._backward = _backward
        return out

    def __radd__(self, other):   # number + tensor
        return self._operand(other, "+") + self

    def __rsub__(self, other):   # number - tensor
        return self._operand(other, "-") - self

    def __rmul__(self, other):   # number * tensor
        return self._operand(other, "*") * self

    def __rtruediv__(self, other):   # number / tensor
        return self._operand(other, "/") / self

    def __neg__(self):
        out = _result(-self.data, (self,), "neg")

        def _backward():   # d(-x)/dx = -1
            self.grad -= out.grad
        out._backward = _backward
        return out

    def __pow__(self, power):
        """x ** p for a number p: d/dx = p * x**(p - 1).
        A fractional p (x ** 0.5) needs x >= 0, and p below 1 needs x != 0 (the slope divides by x)."""
        if isinstance(power, bool) or not isinstance(power, (int, float, np.integer, np.floating)):
            raise TypeError(f"**: the exponent must be a number, e.g. x ** 2, got {type(power).__name__}.")
        if isinstance(power, np.generic):   # as a Python number, so that float32 ** 2 stays float32
            power = power.item()
        if power != int(power) and (self.data < 0).any():
            raise ValueError(f"**: x ** {power} needs x >= 0 (no real root of a negative number), "
                             f"got {self.data.min()}.")
        if power < 1 and (self.data == 0).any():
            raise ValueError(f"**: x ** {power} needs x != 0: its slope {power} * x ** {power - 1} divides by x.")
        out = _result(self.data ** power, (self,), f"**{power}")

        def _backward():
            self.grad += out.grad * power * self.data ** (power - 1)
        out._backward = _backward
        return out

    # ------------------------------------------------------------------ matrix product

    def __matmul__(self, other):
        """x @ W for x (batch, in) or (in,), W (in, out) or (in,): NumPy's product of 1-D and 2-D arrays."""
        other = self._operand(other, "@", numbers=False)
        if not (1 <= self.ndim <= 2 and 1 <= other.ndim <= 2):
            raise ValueError(f"@: multiplies 1-D and 2-D tensors, got shapes {self.shape} and {other.shape}.")
        if self.shape[-1] != other.shape[0]:
            raise ValueError(f"@: shapes {self.shape} and {other.shape} do not fit: the left one's last axis "
                             f"({self.shape[-1]}) must equal the right one's first ({other.shape[0]}).")
        out = _result(self.data @ other.data, (self, other), "@")

        def _backward():
            # Lesson 06's formulas for out = x @ W are written for matrices: see a vector x (in,)
            # as one row (1, in) and a vector W (in,) as one column (in, 1).
            x = self.data.reshape(1, -1) if self.ndim == 1 else self.data
            W = other.data.reshape(-1, 1) if other.ndim == 1 else other.data
            g = out.grad.reshape(len(x), W.shape[1])
            if self.requires_grad:
                self.grad += (g @ W.T).reshape(self.shape)
            if other.requires_grad:
                other.grad += (x.T @ g).reshape(other.shape)
        out._backward = _backward
        return out

    def __rmatmul__(self, other):   # ndarray @ tensor
        return self._operand(other, "@", numbers=False) @ self

    # ------------------------------------------------------------------ reductions

    def sum(self, axis=None, keepdims=False):
        """The sum over axis (None: every element), as NumPy's. Each element's gradient is
        the gradient of the sum it went into."""
        out = _result(self.data.sum(axis=axis, keepdims=keepdims), (self,), "sum")

        def _backward():
            self.grad += _kept_dims(out.grad, axis, keepdims)   # broadcasts back over the summed axes
        out._backward = _backward
        return out

    def mean(self, axis=None, keepdims=False):
        """The mean over axis (None: every element): the sum divided by the count n, so
        each element's gradient is the mean's gradient / n."""
        total = self.data.sum(axis=axis, keepdims=keepdims)
        n = self.data.size // max(total.size, 1)   # how many numbers went into each mean
        out = _result(total / n, (self,), "mean")

        def _backward():
            self.grad += _kept_dims(out.grad, axis, keepdims) / n
        out._backward = _backward
        return out

    # ------------------------------------------------------------------ element-wise functions

    def exp(self):
        """e**x; d/dx = e**x, the output itself. For x above about 709 (float64) or 88 (float32),
        e**x is beyond the largest float: that raises an error rather than giving infinity."""
        largest = np.log(np.finfo(self.dtype).max)
        if self.data.size and self.data.max() > largest:
            raise ValueError(f"exp: e**x is beyond the largest {self.dtype} for x above {largest:.1f}, got x up to "
                             f"{self.data.max():.4g}. For softmax, subtract the largest score first "
                             "(or use .log_softmax()); for 1 / (1 + e**-x), use .sigmoid().")
        out = _result(np.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += out.grad * out.data
        out._backward = _backward
        return out

    def log(self):
        """The natural logarithm, for x > 0 only (log 0 is -infinity); d/dx = 1 / x.
        For the log of probabilities from logits use log_softmax, which never takes log(0)."""
        if self.data.size and not self.data.min() > 0:
            raise ValueError(f"log: needs numbers above 0, got a minimum of {self.data.min()}. For log-probabilities "
                             "from scores use .log_softmax(), which never takes log(0).")
        out = _result(np.log(self.data), (self,), "log")

        def _backward():
            self.grad += out.grad / self.data
        out._backward = _backward
        return out

    def relu(self):
        """max(0, x); d/dx = 1 where x > 0, else 0."""
        out = _result(np.maximum(self.data, 0), (self,), "relu")

        def _backward():
            self.grad += out.grad * (self.data > 0)
        out._backward = _backward
        return out

    def tanh(self):
        """tanh(x); d/dx = 1 - tanh(x)**2, from the output."""
        out = _result(np.tanh(self.data), (self,), "tanh")

        def _backward():
            self.grad += out.grad * (1 - out.data**2)
        out._backward = _backward
        return out

    def sigmoid(self):
        """1 / (1 + e**-x), in nnlib's form that never overflows; d/dx = s * (1 - s), s the output."""
        out = _result(_stable_sigmoid(self.data), (self,), "sigmoid")

        def _backward():
            self.grad += out.grad * out.data * (1 - out.data)
        out._backward = _backward
        return out

    def log_softmax(self, axis=-1):
        """log(softmax(x)) along axis: x - max - log(sum(exp(x - max))), never log(0) nor overflow.

        d/dx: the gradient minus softmax(x) times the gradient's sum along axis,
        softmax(x) being exp of the output.
        """
        shifted = self.data - self.data.max(axis=axis, keepdims=True)   # exp(shifted) <= 1: no overflow
        out = _result(shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True)), (self,), "log_softmax")

        def _backward():
            softmax = np.exp(out.data)
            self.grad += out.grad - softmax * out.grad.sum(axis=axis, keepdims=True)
        out._backward = _backward
        return out

    # ------------------------------------------------------------------ indexing and shape

    def __getitem__(self, index):
        """Any NumPy index: t[0], t[:, 1:3], t[np.arange(n), labels] (one element per row).
        The gradient goes back to the elements picked; one picked twice gets both."""
        if isinstance(index, Tensor):
            raise TypeError("[]: index with integers, slices or NumPy arrays, not a Tensor (use tensor.data).")
        out = _result(self.data[index], (self,), "[]")

        def _backward():
            if _picks_each_element_once(index):
                self.grad[index] += out.grad
            else:   # an array index may pick an element twice: add.at adds both, `+=` would keep one
                np.add.at(self.grad, index, out.grad)
        out._backward = _backward
        return out

    def reshape(self, *shape):
        """The same numbers in a new shape: t.reshape(2, 3) or t.reshape((2, 3)), -1 allowed."""
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        out = _result(self.data.reshape(shape), (self,), "reshape")

        def _backward():
            self.grad += out.grad.reshape(self.shape)
        out._backward = _backward
        return out

    def transpose(self, *axes):
        """The axes in a new order (none given: reversed, so a matrix's rows become its columns)."""
        axes = axes[0] if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else axes
        axes = tuple(axes) or tuple(reversed(range(self.ndim)))
        out = _result(self.data.transpose(axes), (self,), "transpose")
        back = np.argsort([axis % self.ndim for axis in axes])   # the inverse order puts the axes back

        def _backward():
            self.grad += out.grad.transpose(back)
        out._backward = _backward
        return out

    # ------------------------------------------------------------------ helpers

    def _operand(self, other, op, numbers=True):
        """other as a Tensor: a number or an integer array takes this tensor's dtype."""
        if isinstance(other, Tensor):
            return other
        if numbers and isinstance(other, (int, float, np.integer, np.floating)) and not isinstance(other, bool):
            return Tensor(np.asarray(other, dtype=self.dtype))
        if isinstance(other, np.ndarray) and other.dtype.kind in "biuf":
            return Tensor(other if other.dtype.kind == "f" else other.astype(self.dtype))
        expected = "a Tensor, a number or a NumPy array" if numbers else "a Tensor or a NumPy array"
        raise TypeError(f"{op}: expected {expected}, got {type(other).__name__}.")


def _no_backward():
    """A leaf has nothing to pass its gradient on to."""


def _result(data, parents, op):
    """The Tensor an operation returns. It keeps its parents, and will get a gradient, when
    any parent requires one and gradients are on (outside no_grad)."""
    out = Tensor.__new__(Tensor)
    out.data = np.asarray(data)   # a sum over every axis comes from NumPy as a scalar (np.float64), not an array
    out.grad, out._op, out._backward = None, op, _no_backward
    out._requires_grad = _grad_enabled and any(parent.requires_grad for parent in parents)
    out._parents = parents if out._requires_grad else ()
    return out


def _broadcast(function, x, y, op):
    """function(x.data, y.data) with NumPy's broadcasting, or a ValueError naming both shapes."""
    try:
        return function(x.data, y.data)
    except ValueError:
        raise ValueError(f"{op}: shapes {x.shape} and {y.shape} do not broadcast: compared from the right, each "
                         "pair of sizes must be equal or one of them 1.") from None


def unbroadcast(grad, shape):
    """grad, the gradient of a broadcast result, summed down to `shape`, the operand's shape.

    Broadcasting repeats the operand along the axes it lacks (on the left) and along its
    axes of size 1; every copy's gradient belongs to the one number that was copied,
    so those axes are summed.
    """
    while grad.ndim > len(shape):           # axes added on the left
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):     # axes stretched from size 1
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


def _kept_dims(grad, axis, keepdims):
    """The gradient of a sum or mean with the reduced axes put back as size 1, so it broadcasts
    over the input."""
    if axis is None or keepdims:
        return grad
    return np.expand_dims(grad, axis)


def _picks_each_element_once(index):
    """True for integers, slices, None and ... (basic indexing), which cannot pick an element twice."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(isinstance(part, (int, np.integer, slice)) or part is None or part is Ellipsis for part in parts)


def topological_order(root):
    """Every tensor root was computed from, and root last: each one after all of its parents.

    Depth-first: a tensor goes into the order once all its parents are in. Written with a
    stack of (tensor, parents_done) instead of recursion, so a graph thousands of operations
    deep does not reach Python's recursion limit.
    """
    order, visited = [], set()
    stack = [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
        elif node not in visited:
            visited.add(node)
            stack.append((node, True))   # comes back to it after its parents
            stack.extend((parent, False) for parent in node._parents)
    return order


def zero_grad(tensors):
    """Set the gradient of each tensor to 0, in place."""
    for tensor in tensors:
        if not isinstance(tensor, Tensor):
            raise TypeError(f"zero_grad: expected Tensors, got {type(tensor).__name__}.")
        tensor.zero_grad()


@contextmanager
def no_grad():
    """with no_grad(): ... computes without recording a graph (for inference): results
    have requires_grad=False and keep no parents. The previous state comes back
    afterwards, also when the block raises."""
    global _grad_enabled
    previous, _grad_enabled = _grad_enabled, False
    try:
        yield
    finally:
        _grad_enabled = previous
