"""Class labels (类别标签): one-hot rows, labels from targets, and predicted classes.

These sit near the bottom of nnlib: they import nothing from it.
"""
import numpy as np


def to_one_hot(labels, classes, dtype=np.float32):
    """Integer labels (batch,) -> one-hot rows (batch, classes): row i is 1 at column labels[i]."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise ValueError(f"to_one_hot: need integer labels of shape (batch,), got dtype {labels.dtype} and shape {labels.shape}.")
    if isinstance(classes, (bool, np.bool_)) or not isinstance(classes, (int, np.integer)) or classes < 1:
        raise ValueError(f"to_one_hot: classes must be a whole number of at least 1, got {classes!r}.")
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        bad = labels[(labels < 0) | (labels >= classes)][0]
        raise ValueError(f"to_one_hot: labels must lie in [0, {classes}) for {classes} classes, got {bad} "
                         f"(labels from {labels.min()} to {labels.max()}).")
    one_hot = np.zeros((len(labels), classes), dtype=dtype)
    one_hot[np.arange(len(labels)), labels] = 1
    return one_hot


def class_labels(y):
    """Targets as class labels (batch,), or None when they are not classes.

    Integer labels (batch,) stay; one-hot rows (batch, classes) become their
    argmax; a single column of 0s and 1s (batch, 1) becomes those 0s and 1s.
    Anything else (e.g. real-valued regression targets) gives None.
    """
    y = np.asarray(y)
    if y.ndim == 1 and y.dtype.kind in "iu":
        return y
    if y.ndim == 2 and np.isin(y, (0, 1)).all():
        if y.shape[1] == 1:
            return y[:, 0].astype(np.int64)
        if (y.sum(axis=1) == 1).all():
            return y.argmax(axis=1)
    return None


def predicted_classes(output, threshold=0.5):
    """The class each row of a network's output predicts: (batch,) integers.

    output: (batch, classes) scores, probabilities or logits alike: the
            largest one wins (argmax), so softmax is not needed;
            or (batch, 1) / (batch,): ONE number per sample for two classes,
            read as the probability of class 1 (e.g. after Sigmoid), so
            class 1 where it is above threshold = 0.5. For a raw score (a
            logit, before any sigmoid) pass threshold=0: sigmoid(0) = 0.5.
    """
    output = np.asarray(output)
    if output.ndim == 1:
        output = output[:, np.newaxis]
    if output.ndim != 2:
        raise ValueError(f"predicted_classes: need outputs of shape (batch, classes), got {output.shape}.")
    if output.shape[1] == 1:
        return (output[:, 0] > threshold).astype(np.int64)
    return output.argmax(axis=1)
