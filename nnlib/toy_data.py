"""Small 2-D data sets (数据集) for pictures: XOR, two moons, spirals."""
import numpy as np

from .validate import real_number, whole_number


def xor_data():
    """The *Build Your Own Network* tutorial's four samples: (x, y). x: (4, 3), y: (4, 1).

    The third input is always 1 (a bias input); y is the XOR of the first two.
    """
    x = np.array([[0.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [1.0, 1.0, 1.0]])
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    return x, y


def two_moons(n=200, noise=0.1, rng=None):
    """Two interleaving half circles: (x, y). x: (n, 2) float, y: (n,) int labels 0 or 1.

    A classic data set that no straight line separates. rng: a numpy
    Generator; None means np.random.default_rng(0).
    """
    n = whole_number(n, "n", "two_moons", minimum=2)
    noise = real_number(noise, "noise", "two_moons", low=0)
    if rng is None:
        rng = np.random.default_rng(0)
    n_upper = n // 2
    angle = np.concatenate([np.linspace(0, np.pi, n_upper), np.linspace(0, np.pi, n - n_upper)])
    upper = np.column_stack([np.cos(angle[:n_upper]), np.sin(angle[:n_upper])])
    lower = np.column_stack([1 - np.cos(angle[n_upper:]), 0.5 - np.sin(angle[n_upper:])])
    x = np.vstack([upper, lower]) + rng.normal(scale=noise, size=(n, 2))
    y = np.concatenate([np.zeros(n_upper, dtype=np.int64), np.ones(n - n_upper, dtype=np.int64)])
    return x, y


def spirals(n=300, classes=3, noise=0.2, rng=None):
    """`classes` interleaved spiral arms: (x, y). x: (n, 2), y: (n,) int labels.

    rng: a numpy Generator; None means np.random.default_rng(0).
    """
    n = whole_number(n, "n", "spirals", minimum=1)
    classes = whole_number(classes, "classes", "spirals", minimum=1)
    noise = real_number(noise, "noise", "spirals", low=0)
    if rng is None:
        rng = np.random.default_rng(0)
    y = np.arange(n) % classes
    radius = np.linspace(0.05, 1, n)
    angle = y * 2 * np.pi / classes + radius * 4 + rng.normal(scale=noise, size=n)
    x = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    return x, y
