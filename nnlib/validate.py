"""Input checks shared by layers and losses, so every error names who complained.

These sit at the bottom of nnlib: they import nothing from it.
"""
import numpy as np


def as_floats(x, who, dtype=None):
    """x as a float array of the given dtype (None keeps a float input's, else float32).

    Raises TypeError, naming `who`, when x does not hold numbers.
    """
    x = np.asarray(x)
    if x.dtype.kind not in "biuf":
        raise TypeError(f"{who}: expected numbers, got an array of dtype {x.dtype}.")
    if dtype is None:
        dtype = x.dtype if x.dtype.kind == "f" else np.float32
    return x if x.dtype == dtype else x.astype(dtype)


def as_batch(x, who, width=None, dtype=None):
    """Return `x` as a float array of shape (batch, features).

    who:   the layer (or a name) that error messages start with, e.g. Linear(2 -> 3).
    width: the number of features expected, or None to accept any.
    dtype: the float dtype wanted (None keeps a float input's dtype,
           and turns anything else into float32).

    A 1-D input is one sample: shape (features,) becomes (1, features).
    Raises TypeError for non-numbers, ValueError for a wrong shape.
    NaN and infinity are not looked for here (that costs a pass over the
    data): see check_finite.
    """
    x = as_floats(x, who, dtype)
    if x.ndim == 1:
        x = x[np.newaxis, :]
    if x.ndim != 2:
        raise ValueError(
            f"{who}: expected an input of shape (batch, features), got shape {x.shape}. "
            "Flatten each sample first, e.g. x.reshape(len(x), -1)."
        )
    if width is not None and x.shape[1] != width:
        raise ValueError(
            f"{who}: expected input of shape (batch, {width}), got {x.shape}: "
            f"each sample must have {width} features, not {x.shape[1]}."
        )
    return x


def check_finite(x, who, what="the input"):
    """Raise ValueError, naming `who`, when array x holds NaN or infinity."""
    if not np.isfinite(x).all():
        raise ValueError(
            f"{who}: {what} contains NaN or infinity. Check the data, or lower "
            "the learning rate if it appeared during training."
        )


def as_images(x, who, channels=None, dtype=None):
    """Return `x` as a float array of images, shape (batch, channels, height, width).

    who:      the layer that error messages start with, e.g. Conv2D(1 -> 8, 3x3).
    channels: the number of channels expected (axis 1), or None to accept any.
    dtype:    as in as_batch.

    Nothing is reshaped silently: a flat MNIST batch (batch, 784) or a batch
    without its channel axis (batch, 28, 28) is an error that says how to
    reshape it. Raises TypeError for non-numbers, ValueError for a wrong shape.
    """
    x = as_floats(x, who, dtype)
    c = channels or 1
    if x.ndim != 4:
        expected = f"{who}: expected images of shape (batch, channels, height, width), got shape {x.shape}."
        if x.ndim == 2 and x.shape[1] % c == 0 and round((x.shape[1] // c) ** 0.5) ** 2 == x.shape[1] // c:
            side = round((x.shape[1] // c) ** 0.5)
            raise ValueError(
                f"{expected} These look like flat images of {x.shape[1]} pixels; reshape them to "
                f"(batch, {c}, {side}, {side}) first: x.reshape(-1, {c}, {side}, {side})."
            )
        if x.ndim == 3 and c == 1:
            raise ValueError(
                f"{expected} Add the channel axis (1 for grey images): "
                f"x.reshape(-1, 1, {x.shape[1]}, {x.shape[2]})."
            )
        if x.ndim == 3 and x.shape[0] == c:
            raise ValueError(f"{expected} For one image, add the batch axis: x[np.newaxis].")
        raise ValueError(expected)
    if channels is not None and x.shape[1] != channels:
        hint = (" The channels seem to come last (batch, height, width, channels): "
                "move them with x.transpose(0, 3, 1, 2).") if x.shape[3] == channels else ""
        raise ValueError(
            f"{who}: expected {channels} input channel(s) on axis 1, got {x.shape[1]} "
            f"(input shape {x.shape}).{hint}"
        )
    return x


# ---------------------------------------------------------------- arguments
# Each check below raises an error that names who was called, which argument, what was
# given and what is allowed, and returns the value in its plain Python type.

def _given(value):
    return f"{value!r} ({type(value).__name__})" if not isinstance(value, (int, float)) else repr(value)


def whole_number(value, name, who, minimum=1):
    """value as an int >= minimum; a float like 2.0, a bool or a string is refused (TypeError/ValueError)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{who}: {name} must be a whole number (an int) of at least {minimum}, got {_given(value)}.")
    if value < minimum:
        raise ValueError(f"{who}: {name} must be at least {minimum}, got {value}.")
    return int(value)


def real_number(value, name, who, low=None, high=None, low_open=False, high_open=False):
    """value as a float within [low, high] (a side open where asked); NaN and infinity are refused."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{who}: {name} must be a number, got {_given(value)}.")
    value = float(value)
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if not np.isfinite(value) or too_low or too_high:
        left = "(" if low_open or low is None else "["
        right = ")" if high_open or high is None else "]"
        allowed = f"in {left}{'-inf' if low is None else low}, {'inf' if high is None else high}{right}"
        raise ValueError(f"{who}: {name} must be a finite number {allowed}, got {value}.")
    return value


def instance_of_layer(value, name, who):
    """Refuse a class where an object is wanted (nn.ReLU instead of nn.ReLU()), or anything without forward."""
    if isinstance(value, type):
        raise TypeError(f"{who}: {name} is the class {value.__name__}, not a {value.__name__} object; "
                        f"call it: {value.__name__}(...).")
    if not (callable(getattr(value, "forward", None)) and callable(getattr(value, "backward", None))):
        raise TypeError(f"{who}: {name} must be a layer (an object with forward and backward), got {_given(value)}.")
    return value
