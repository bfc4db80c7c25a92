"""The training loop (训练): shuffle, cut into mini-batches, forward, loss, backward, step."""
import math

import numpy as np
from tqdm.auto import tqdm

from .labels import class_labels, predicted_classes
from .optim import SGD
from .randomness import generator
from .validate import instance_of_layer, real_number, whole_number


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
    buffers = model.buffers() if hasattr(model, "buffers") else []
    return [value for value, _ in model.parameters()] + [array for _, array in buffers]


def _check_arguments(model, loss, x, y, epochs, batch_size, lr, optimizer, rng, validation, callback, patience):
    """fit's arguments as arrays and numbers, or an error naming the argument, what came and what is allowed."""
    instance_of_layer(model, "model", "fit")
    if isinstance(loss, type) or not (callable(getattr(loss, "forward", None)) and callable(getattr(loss, "backward", None))):
        what = f"the class {loss.__name__}; call it: {loss.__name__}()" if isinstance(loss, type) else repr(loss)
        raise TypeError(f"fit: loss must be a loss object such as nn.CrossEntropyLoss(), got {what}.")
    whole_number(epochs, "epochs", "fit", minimum=0)
    whole_number(batch_size, "batch_size", "fit")
    if (lr is None) == (optimizer is None):
        raise ValueError("fit: give exactly one of lr=... or optimizer=...")
    if lr is not None:
        real_number(lr, "lr", "fit", low=0, low_open=True)
    elif isinstance(optimizer, type) or not callable(getattr(optimizer, "step", None)):
        raise TypeError(f"fit: optimizer must be an optimiser object such as nn.Adam(model.parameters()), got {optimizer!r}.")
    if rng is not None and not isinstance(rng, np.random.Generator):
        raise TypeError(f"fit: rng must be a numpy Generator (np.random.default_rng(0)) or None, got {rng!r}.")
    if callback is not None and not callable(callback):
        raise TypeError(f"fit: callback must be a function of the history, got {callback!r}.")
    if patience is not None:
        whole_number(patience, "patience", "fit")
        if validation is None:
            raise ValueError("fit: early stopping (patience=...) needs validation=(x_val, y_val) to watch.")
    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"fit: x has {len(x)} samples but y has {len(y)}.")
    if len(x) == 0:
        raise ValueError("fit: no training samples.")
    for name, data in (("x", x), ("y", y)):
        if data.dtype.kind == "f" and not np.isfinite(data).all():
            raise ValueError(f"fit: {name} contains NaN or infinity; clean the data first (nothing was trained).")
    if validation is not None:
        if not isinstance(validation, (tuple, list)) or len(validation) != 2:
            raise TypeError(f"fit: validation must be a pair (x_val, y_val), got {type(validation).__name__}"
                            + (f" of length {len(validation)}." if hasattr(validation, "__len__") else "."))
        x_val, y_val = (np.asarray(a) for a in validation)
        if len(x_val) != len(y_val) or len(x_val) == 0:
            raise ValueError(f"fit: validation must be (x_val, y_val) with as many samples each, got {len(x_val)} and {len(y_val)}.")
        validation = x_val, y_val
    return x, y, validation


def evaluate(model, loss, x, y, batch_size=1000):
    """(mean loss, accuracy) of model on (x, y), in evaluation mode, a batch at a time.

    accuracy is NaN when y is not classes. The model is left in evaluation mode.
    """
    instance_of_layer(model, "model", "evaluate")
    batch_size = whole_number(batch_size, "batch_size", "evaluate")
    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y) or len(x) == 0:
        raise ValueError(f"evaluate: x and y must hold as many samples, at least one, got {len(x)} and {len(y)}.")
    if hasattr(model, "eval"):
        model.eval()
    labels = class_labels(y)
    total_loss, correct = 0.0, 0
    for start in range(0, len(x), batch_size):
        output = model.forward(x[start:start + batch_size])
        total_loss += loss.forward(output, y[start:start + batch_size]) * len(output)
        if labels is not None:
            correct += np.count_nonzero(predicted_classes(output) == labels[start:start + batch_size])
    return float(total_loss / len(x)), (float(correct / len(x)) if labels is not None else float("nan"))


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

    Interrupted (Jupyter's stop button, KeyboardInterrupt), fit returns the history of
    the finished epochs. After any other error the history so far is the error's
    `history` attribute. Either way the model is left as a normal return leaves it:
    in evaluation mode, with the best epoch's weights when early stopping watched.
    Every argument is checked before anything is trained.
    """
    x, y, validation = _check_arguments(model, loss, x, y, epochs, batch_size, lr, optimizer, rng, validation,
                                        callback, patience)
    if optimizer is None:
        optimizer = SGD(model.parameters(), lr)
    if rng is None:
        rng = generator()
    labels = class_labels(y)
    history = {"loss": [], "accuracy": [], "val_loss": [], "val_accuracy": []}
    best_loss, best_weights, waited = np.inf, None, 0

    try:
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
            # Plain Python floats, so a printed history reads [0.91, 0.95], not [np.float64(0.91), ...].
            history["loss"].append(float(total_loss / len(x)))
            history["accuracy"].append(float(correct / len(x)) if labels is not None else float("nan"))
            val_loss, val_accuracy = (evaluate(model, loss, *validation) if validation is not None
                                      else (np.nan, np.nan))
            history["val_loss"].append(float(val_loss))
            history["val_accuracy"].append(float(val_accuracy))
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
    except KeyboardInterrupt:
        # Jupyter's stop button: keep what the finished epochs learned, as a normal return would.
        print(f"fit: interrupted; returning the history of the {len(history['loss'])} finished epoch(s).")
    except BaseException as error:
        error.history = history   # what was learned before the error, e.g. for a plot
        raise
    finally:
        # Whatever stopped training, leave the model as a normal return would: the best
        # epoch's weights (with early stopping) and evaluation mode.
        if best_weights is not None:
            for array, best in zip(_state(model), best_weights):
                array[...] = best
        if hasattr(model, "eval"):
            model.eval()
    return history
