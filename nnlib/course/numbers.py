"""Numbers as the lessons print them: fmt(x) never shows "np.float64(...)" or "-0".

NumPy 2 writes a scalar's repr as np.float64(0.91), and a tiny negative number rounds to "-0.00"; a learner
reads both as something strange. Every printed number in a lesson module goes through fmt (or float(...)).
"""

import numpy as np


def fmt(x, digits=3, spec="f"):
    """x (a Python or NumPy number) as text with `digits` decimals (spec "f") or significant digits ("g").

    A value that rounds to zero is shown as 0, never -0: fmt(-0.0001) == "0.000".
    """
    value = float(np.asarray(x).item()) if np.ndim(x) == 0 else None
    if value is None:
        raise TypeError(f"fmt: expected one number, got an array of shape {np.shape(x)}")
    text = f"{value:.{digits}{spec}}"
    if text.startswith("-") and float(text) == 0:
        text = text[1:]
    return text


def fmt_all(values, digits=3, spec="f", sep=", "):
    """Several numbers, each through fmt, joined by sep: fmt_all([0.1, -0.0]) == "0.100, 0.000"."""
    return sep.join(fmt(v, digits, spec) for v in np.ravel(values))


def fmt_beside(x, threshold, digits=2):
    """x with at least `digits` decimals, and as many more as it takes to show which side of `threshold` it is on:
    fmt_beside(0.5004, 0.5) == "0.5004", so a shown 0.50 never sits beside the class [x > 0.5] = 1."""
    value = float(x)
    for more in range(digits, 17):
        text = fmt(value, more)
        shown = float(text)
        if (shown > threshold) == (value > threshold) and (shown == threshold) == (value == threshold):
            return text
    return repr(value)
