"""Loss functions (损失函数): one number that says how wrong the network is.

Each loss has forward(pred, target) -> float and backward() -> dLoss/dpred,
an array of pred's shape, to hand to the network's backward.
"""
import numpy as np

from .activations import _float
from .labels import to_one_hot
from .validate import as_batch, check_finite


class MSELoss:
    """Mean squared error (均方误差): mean((pred - target)**2) over every element.

    pred: (batch, outputs). target: exactly the same shape (no reshaping, no
    broadcasting: a target of shape (batch,) for pred (batch, 1) is an error,
    because broadcasting would silently compare every prediction with every target).
    """

    def forward(self, pred, target):
        pred = as_batch(pred, "MSELoss pred")
        target = np.asarray(target)
        if target.shape != pred.shape:
            hint = " Reshape it with target.reshape(-1, 1)." if target.shape == (len(pred),) and pred.shape[1] == 1 else ""
            raise ValueError(
                f"MSELoss: pred has shape {pred.shape} but target has shape {target.shape}; they must match.{hint}"
            )
        if len(pred) == 0:
            raise ValueError("MSELoss: empty batch: the mean of no errors is undefined.")
        check_finite(target, "MSELoss", "target")
        self.diff = pred - target.astype(pred.dtype, copy=False)
        value = float(np.mean(self.diff**2))
        if not np.isfinite(value):
            check_finite(pred, "MSELoss", "pred")
        return value

    diff = None

    def backward(self):
        """d mean((pred - target)**2) / d pred = 2 (pred - target) / N, N = number of elements."""
        if self.diff is None:
            raise RuntimeError("MSELoss: call forward(pred, target) before backward().")
        return 2 * self.diff / self.diff.size

    def __call__(self, pred, target):
        return self.forward(pred, target)

    def __repr__(self):
        return "MSELoss()"


class CrossEntropyLoss:
    """Cross-entropy (交叉熵): mean over the batch of -sum(target * log(probabilities)).

    pred: (batch, classes), logits (any real numbers) when from_logits=True,
          or probabilities (rows summing to 1, e.g. after Softmax) otherwise.
    target: integer labels (batch,) with values in [0, classes),
            or one-hot rows (batch, classes).

    With logits, softmax and the log are fused: log(softmax(z)) = z - max -
    log(sum(exp(z - max))) never takes log(0), and the gradient is simply
    (softmax(pred) - target) / batch.
    With probabilities, they are clipped to [1e-12, 1] so that a probability
    of exactly 0 costs a large but finite loss.
    """

    eps = 1e-12

    def __init__(self, from_logits=True):
        if not isinstance(from_logits, (bool, np.bool_)):
            raise TypeError(f"CrossEntropyLoss: from_logits must be True or False, got {from_logits!r}.")
        self.from_logits = bool(from_logits)

    def forward(self, pred, target):
        pred = as_batch(pred, "CrossEntropyLoss pred")
        batch, classes = pred.shape
        if batch == 0:
            raise ValueError("CrossEntropyLoss: empty batch: the mean of no losses is undefined.")
        if classes < 2:
            # softmax of one score is always 1: the loss would be 0 whatever the network does
            raise ValueError(
                f"CrossEntropyLoss: pred has shape {pred.shape}, one column, but needs one column per class (at least 2). "
                "For a yes/no output, give two logits [0, z] (softmax of them is [1 - sigmoid(z), sigmoid(z)]) "
                "or use MSELoss on a sigmoid output."
            )
        self.labels, self.target = self._targets(np.asarray(target), batch, classes, pred.dtype)
        rows = np.arange(batch)
        if self.from_logits:
            shifted = pred - pred.max(axis=1, keepdims=True)  # exp of at most 0: no overflow
            exp = np.exp(shifted)
            total = exp.sum(axis=1, keepdims=True)
            self.probabilities = exp / total                   # softmax(pred)
            log_p = shifted - np.log(total)                    # log(softmax(pred)), never log(0)
        else:
            if (pred < 0).any() or (pred > 1).any():
                raise ValueError("CrossEntropyLoss(from_logits=False): pred must be probabilities in [0, 1].")
            self.probabilities = np.clip(pred, self.eps, 1.0)
            log_p = np.log(self.probabilities)
        if self.labels is not None:   # -sum(one_hot * log_p) picks log_p at each row's label
            value = -float(log_p[rows, self.labels].sum()) / batch
        else:
            value = -float(np.sum(self.target * log_p)) / batch
        if not np.isfinite(value):
            check_finite(pred, "CrossEntropyLoss", "pred")
        return value

    probabilities = None

    def backward(self):
        if self.probabilities is None:
            raise RuntimeError("CrossEntropyLoss: call forward(pred, target) before backward().")
        batch = len(self.probabilities)
        if self.from_logits:
            grad = self.probabilities.copy()
            if self.labels is not None:
                grad[np.arange(batch), self.labels] -= 1   # softmax(pred) - one_hot
            else:
                grad -= self.target
            grad /= batch
            return grad
        target = self.target if self.labels is None else to_one_hot(self.labels, self.probabilities.shape[1], self.probabilities.dtype)
        return -target / self.probabilities / batch

    @staticmethod
    def _targets(target, batch, classes, dtype):
        """(labels (batch,) or None, one-hot rows (batch, classes) or None): exactly one is given."""
        if target.ndim == 1:
            if target.dtype.kind not in "iu":
                if target.dtype.kind != "f" or not np.all(target == np.round(target)):
                    raise ValueError(f"CrossEntropyLoss: labels must be integers, got dtype {target.dtype}.")
                target = target.astype(np.int64)
            if len(target) != batch:
                raise ValueError(f"CrossEntropyLoss: {batch} predictions but {len(target)} labels.")
            if target.size and (target.min() < 0 or target.max() >= classes):
                raise ValueError(
                    f"CrossEntropyLoss: labels must lie in [0, {classes}) for {classes} classes, "
                    f"got values from {target.min()} to {target.max()}."
                )
            return target, None
        if target.shape != (batch, classes):
            raise ValueError(
                f"CrossEntropyLoss: target must be labels of shape ({batch},) or one-hot of shape "
                f"({batch}, {classes}), got {target.shape}."
            )
        check_finite(target, "CrossEntropyLoss", "target")
        return None, _float(target).astype(dtype, copy=False)

    def __call__(self, pred, target):
        return self.forward(pred, target)

    def __repr__(self):
        return f"CrossEntropyLoss(from_logits={self.from_logits})"
