"""The training loop (训练): shuffle, cut into mini-batches, forward, loss, backward, step."""
import numpy as np
from tqdm.auto import tqdm

from .optim import SGD


def class_labels(y):
    """Targets as class labels (batch,), or None when they are not classes.

    Integer labels (batch,) stay; one-hot rows (batch, classes) become their
    argmax; a single column of 0s and 1s (batch, 1) becomes those 0s and 1s.
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


def accuracy(output, labels):
    """The fraction of rows whose predicted class equals the label.

    output: (batch, classes) scores, the argmax is the prediction;
            or (batch, 1) probabilities, where > 0.5 predicts class 1.
    labels: (batch,) integer labels (or anything class_labels understands).
    """
    output = np.asarray(output)
    if output.ndim == 1:
        output = output[:, np.newaxis]
    predicted = (output[:, 0] > 0.5) if output.shape[1] == 1 else output.argmax(axis=1)
    labels = class_labels(labels)
    if labels is None or len(labels) != len(predicted):
        raise ValueError(f"accuracy: need {len(predicted)} class labels to compare with the output of shape {output.shape}.")
    return float(np.mean(predicted == labels))


def fit(model, loss, x, y, epochs, batch_size=32, lr=None, optimizer=None, rng=None, progress=True):
    """Train `model` on (x, y) with mini-batch gradient descent; return the history.

    x: (samples, features); y: targets the loss understands, with one row per sample.
    Give either lr (plain SGD) or an optimizer such as SGD(model.parameters(), lr, momentum).
    rng: a numpy Generator for shuffling; None means np.random.default_rng(0).
    progress: show a progress bar over the epochs.

    Returns {"loss": [mean loss per epoch], "accuracy": [...]}; "accuracy" is
    there only when y holds classes. Stops with FloatingPointError as soon as
    the loss is NaN or infinite, which almost always means lr is too large.
    """
    if (lr is None) == (optimizer is None):
        raise ValueError("fit: give exactly one of lr=... or optimizer=...")
    if optimizer is None:
        optimizer = SGD(model.parameters(), lr)
    if rng is None:
        rng = np.random.default_rng(0)
    x = np.asarray(x)
    y = np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"fit: x has {len(x)} samples but y has {len(y)}.")
    if len(x) == 0:
        raise ValueError("fit: no training samples.")
    labels = class_labels(y)
    history = {"loss": []}
    if labels is not None:
        history["accuracy"] = []

    for epoch in tqdm(range(epochs), desc="epochs", disable=not progress):
        order = rng.permutation(len(x))
        total_loss, correct = 0.0, 0
        for start in range(0, len(x), batch_size):
            batch = order[start:start + batch_size]
            # A diverging run overflows on its way to NaN; we report that below
            # in plain words instead of letting numpy warn.
            with np.errstate(over="ignore", invalid="ignore"):
                output = model.forward(x[batch])
                value = loss.forward(output, y[batch])
                if not np.isfinite(value):
                    raise FloatingPointError(
                        f"fit: the loss became {value} in epoch {epoch + 1}, so training diverged. "
                        f"The learning rate {optimizer.lr} is probably too large: try {optimizer.lr / 10:g}."
                    )
                model.backward(loss.backward(), input_grad=False)
                optimizer.step()
            total_loss += value * len(batch)
            if labels is not None:
                correct += accuracy(output, labels[batch]) * len(batch)
        history["loss"].append(total_loss / len(x))
        if labels is not None:
            history["accuracy"].append(correct / len(x))
    return history
