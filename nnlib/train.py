"""The training loop (训练): shuffle, cut into mini-batches, forward, loss, backward, step."""
import numpy as np
from tqdm.auto import tqdm

from .labels import class_labels, predicted_classes
from .optim import SGD
from .randomness import generator


def accuracy(output, labels, threshold=0.5):
    """The fraction of rows whose predicted class equals the label.

    output: (batch, classes) scores, probabilities or logits: the argmax is the prediction;
            or (batch, 1): the estimate of class 1's probability, class 1 above
            threshold = 0.5 (pass threshold=0 for a logit). See predicted_classes.
    labels: (batch,) integer labels, one-hot rows (batch, classes), or a 0/1 column (batch, 1).
    """
    predicted = predicted_classes(output, threshold)
    given = np.asarray(labels)
    labels = class_labels(given)
    if labels is None:
        raise ValueError(
            f"accuracy: labels must be integer classes (batch,), one-hot rows or a 0/1 column; "
            f"got dtype {given.dtype} and shape {given.shape}."
        )
    if len(labels) != len(predicted):
        raise ValueError(f"accuracy: need {len(predicted)} class labels to compare with the output of shape "
                         f"{np.shape(output)}, got {len(labels)}.")
    return float(np.mean(predicted == labels))


def fit(model, loss, x, y, epochs, batch_size=32, lr=None, optimizer=None, rng=None, progress=True):
    """Train `model` on (x, y) with mini-batch gradient descent; return the history.

    x: (samples, features); y: targets the loss understands, with one row per sample.
    Give either lr (plain SGD) or an optimizer such as SGD(model.parameters(), lr, momentum).
    rng: a numpy Generator for shuffling; None draws from the library's generator (nn.seed).
    progress: show a progress bar over the epochs.

    Returns {"loss": [mean loss per epoch], "accuracy": [fraction right per epoch]};
    "accuracy" holds NaN for every epoch when y is not classes (regression).
    Stops with FloatingPointError as soon as the loss is NaN or infinite, which
    almost always means lr is too large.
    """
    if (lr is None) == (optimizer is None):
        raise ValueError("fit: give exactly one of lr=... or optimizer=...")
    if optimizer is None:
        optimizer = SGD(model.parameters(), lr)
    if rng is None:
        rng = generator()
    x = np.asarray(x)
    y = np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"fit: x has {len(x)} samples but y has {len(y)}.")
    if len(x) == 0:
        raise ValueError("fit: no training samples.")
    labels = class_labels(y)
    history = {"loss": [], "accuracy": []}

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
                model.backward(loss.backward())
                optimizer.step()
            total_loss += value * len(batch)
            if labels is not None:
                correct += np.count_nonzero(predicted_classes(output) == labels[batch])
        history["loss"].append(total_loss / len(x))
        history["accuracy"].append(correct / len(x) if labels is not None else float("nan"))
    return history
