"""The training loop (训练): shuffle, cut into mini-batches, forward, loss, backward, step."""
import math

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


def _state(model):
    """Every array that early stopping must save and put back: the parameters and,
    e.g. for BatchNorm, the running statistics (the layers' buffers)."""
    buffers = [array for layer in getattr(model, "layers", []) if hasattr(layer, "buffers")
               for _, array in layer.buffers()]
    return [value for value, _ in model.parameters()] + buffers


def evaluate(model, loss, x, y, batch_size=1000):
    """(mean loss, accuracy) of model on (x, y), in evaluation mode, a batch at a time.

    accuracy is NaN when y is not classes. The model is left in evaluation mode.
    """
    if hasattr(model, "eval"):
        model.eval()
    labels = class_labels(y)
    total_loss, correct = 0.0, 0
    for start in range(0, len(x), batch_size):
        output = model.forward(x[start:start + batch_size])
        total_loss += loss.forward(output, y[start:start + batch_size]) * len(output)
        if labels is not None:
            correct += np.count_nonzero(predicted_classes(output) == labels[start:start + batch_size])
    return total_loss / len(x), (correct / len(x) if labels is not None else float("nan"))


def fit(model, loss, x, y, epochs, batch_size=32, lr=None, optimizer=None, rng=None, progress=True,
        validation=None, callback=None, patience=None):
    """Train `model` on (x, y) with mini-batch gradient descent; return the history.

    x: (samples, features); y: targets the loss understands, with one row per sample.
    Give either lr (plain SGD) or an optimizer such as Adam(model.parameters()).
    rng: a numpy Generator for shuffling; None draws from the library's generator (nn.seed).
    progress: show a progress bar over the epochs.
    validation: (x_val, y_val), measured after every epoch in evaluation mode.
    callback: a function called after every epoch with the history so far (e.g. to
              redraw a live plot); training stops early if it returns True.
    patience: with validation data, stop when the validation loss has not improved
              for this many epochs, and put back the weights of the best epoch
              (early stopping, 早停).

    Returns {"loss": [...], "accuracy": [...], "val_loss": [...], "val_accuracy": [...]},
    one number per epoch; the training figures are the means over the epoch's
    batches. An accuracy is NaN when y is not classes (regression), the val_
    figures NaN without validation data. The model is left in evaluation mode,
    ready for inference. Stops with FloatingPointError as soon as the loss is NaN
    or infinite, which almost always means lr is too large.
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
    if validation is not None:
        x_val, y_val = (np.asarray(a) for a in validation)
        if len(x_val) != len(y_val) or len(x_val) == 0:
            raise ValueError(f"fit: validation must be (x_val, y_val) with as many samples each, got {len(x_val)} and {len(y_val)}.")
    if patience is not None and validation is None:
        raise ValueError("fit: early stopping (patience=...) needs validation=(x_val, y_val) to watch.")
    labels = class_labels(y)
    history = {"loss": [], "accuracy": [], "val_loss": [], "val_accuracy": []}
    best_loss, best_weights, waited = np.inf, None, 0

    for epoch in tqdm(range(epochs), desc="epochs", disable=not progress):
        if hasattr(model, "train"):
            model.train()
        order = rng.permutation(len(x))
        total_loss, correct = 0.0, 0
        # A diverging run overflows on its way to NaN; we report that below
        # in plain words instead of letting numpy warn.
        with np.errstate(over="ignore", invalid="ignore"):
            for start in range(0, len(x), batch_size):
                batch = order[start:start + batch_size]
                output = model.forward(x[batch])
                value = loss.forward(output, y[batch])
                if not math.isfinite(value):
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
        val_loss, val_accuracy = evaluate(model, loss, x_val, y_val) if validation is not None else (np.nan, np.nan)
        history["val_loss"].append(val_loss)
        history["val_accuracy"].append(val_accuracy)
        stop = bool(callback(history)) if callback is not None else False
        if patience is not None:
            if val_loss < best_loss:
                best_loss, waited = val_loss, 0
                best_weights = [array.copy() for array in _state(model)]
            else:
                waited += 1
                stop = stop or waited >= patience
        if stop:
            break
    if best_weights is not None:
        for array, best in zip(_state(model), best_weights):
            array[...] = best
    if hasattr(model, "eval"):
        model.eval()
    return history
