"""Loss functions (损失函数): one number that says how wrong the network is.

Each loss has forward(pred, target) -> float and backward() -> dLoss/dpred,
an array of pred's shape, to hand to the network's backward.
"""
import numpy as np

from .activations import log_softmax, softmax
from .validate import as_batch


class MSELoss:
    """Mean squared error (均方误差): mean((pred - target)**2) over every element.

    pred: (batch, outputs). target: the same shape; a target of shape (batch,)
    is accepted for a single output and reshaped to (batch, 1), never broadcast.
    """

    def forward(self, pred, target):
        pred = as_batch(pred, "MSELoss pred")
        target = np.asarray(target, dtype=pred.dtype)
        if target.size == pred.size and target.shape != pred.shape:
            target = target.reshape(pred.shape)
        if target.shape != pred.shape:
            raise ValueError(f"MSELoss: pred has shape {pred.shape} but target has shape {target.shape}; they must match.")
        if len(pred) == 0:
            raise ValueError("MSELoss: empty batch: the mean of no errors is undefined.")
        if not np.isfinite(target).all():
            raise ValueError("MSELoss: target contains NaN or infinity.")
        self.diff = pred - target
        return float(np.mean(self.diff**2))

    def backward(self):
        """d mean((pred - target)**2) / d pred = 2 (pred - target) / N."""
        return 2 * self.diff / self.diff.size

    __call__ = forward

    def __repr__(self):
        return "MSELoss()"


def to_one_hot(labels, classes, dtype=np.float64):
    """Integer labels (batch,) -> one-hot rows (batch, classes)."""
    labels = np.asarray(labels)
    one_hot = np.zeros((len(labels), classes), dtype=dtype)
    one_hot[np.arange(len(labels)), labels] = 1
    return one_hot


class CrossEntropyLoss:
    """Cross-entropy (交叉熵): mean over the batch of -sum(target * log(probabilities)).

    pred: (batch, classes), logits (any real numbers) when from_logits=True,
          or probabilities (rows summing to 1, e.g. after Softmax) otherwise.
    target: integer labels (batch,) with values in [0, classes),
            or one-hot rows (batch, classes).

    With logits, softmax and the log are fused: log_softmax never takes
    log(0), and the gradient is simply (softmax(pred) - target) / batch.
    With probabilities, they are clipped to [1e-12, 1] so that a probability
    of exactly 0 costs a large but finite loss.
    """

    eps = 1e-12

    def __init__(self, from_logits=True):
        self.from_logits = from_logits

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
        self.target = self._one_hot(np.asarray(target), batch, classes, pred.dtype)
        if self.from_logits:
            self.probabilities = softmax(pred)
            log_p = log_softmax(pred)
        else:
            if (pred < 0).any() or (pred > 1).any():
                raise ValueError("CrossEntropyLoss(from_logits=False): pred must be probabilities in [0, 1].")
            self.probabilities = np.clip(pred, self.eps, 1.0)
            log_p = np.log(self.probabilities)
        return float(-np.sum(self.target * log_p) / batch)

    def backward(self):
        batch = len(self.target)
        if self.from_logits:
            return (self.probabilities - self.target) / batch
        return -self.target / self.probabilities / batch

    @staticmethod
    def _one_hot(target, batch, classes, dtype):
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
            return to_one_hot(target, classes, dtype)
        if target.shape != (batch, classes):
            raise ValueError(
                f"CrossEntropyLoss: target must be labels of shape ({batch},) or one-hot of shape "
                f"({batch}, {classes}), got {target.shape}."
            )
        if not np.isfinite(target).all():
            raise ValueError("CrossEntropyLoss: target contains NaN or infinity.")
        return target.astype(dtype, copy=False)

    __call__ = forward

    def __repr__(self):
        return f"CrossEntropyLoss(from_logits={self.from_logits})"
