"""The Playground's data: seven 2-D data sets and the seven input features.

Every data set lives on the square [-6, 6] x [-6, 6], like TensorFlow Playground's,
and returns (x, y): x (n, 2) float64 points, y (n,) float64 targets, in a random
(seeded) order, so the first rows can simply be the training set (see split).
Classification sets have targets -1 and +1 (the network's tanh output aims at
them); regression sets have targets in [-1, 1].
noise: 0 to 0.5; each point moves by a normal offset of standard deviation
noise * 3 (so 0.5 is 1.5 units, a quarter of the square's half-width) AFTER its
target was decided, so with noise some points stray to the other side.
"""
import numpy as np

from ..toy_data import two_moons

EXTENT = 6.0   # the plane shown: [-EXTENT, EXTENT] in x1 and x2


def circle(n, rng):
    """Class +1 inside radius 2.5, class -1 on the ring from 3.5 to 5."""
    inside = np.arange(n) < n // 2
    radius = np.where(inside, rng.uniform(0, 2.5, n), rng.uniform(3.5, 5.0, n))
    angle = rng.uniform(0, 2 * np.pi, n)
    x = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    return x, np.where(inside, 1.0, -1.0)


def xor(n, rng):
    """Uniform points; class +1 where x1 and x2 have the same sign (quadrants 1 and 3)."""
    x = rng.uniform(-5, 5, (n, 2))
    x += np.sign(x) * 0.3          # a small gap along both axes
    return x, np.where(x[:, 0] * x[:, 1] > 0, 1.0, -1.0)


def gaussian(n, rng):
    """Two round blobs of standard deviation 1: class +1 around (2, 2), class -1 around (-2, -2)."""
    positive = np.arange(n) < n // 2
    centre = np.where(positive[:, None], 2.0, -2.0)
    return centre + rng.normal(size=(n, 2)), np.where(positive, 1.0, -1.0)


def spiral(n, rng):
    """Two interleaved spiral arms, 1.75 turns each, out to radius 5."""
    half = n // 2
    t = np.concatenate([np.linspace(0, 1, half), np.linspace(0, 1, n - half)])
    arm = np.arange(n) >= half
    radius = 5 * t
    angle = 1.75 * 2 * np.pi * t + np.where(arm, np.pi, 0.0)
    x = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
    return x, np.where(arm, -1.0, 1.0)


def moons(n, rng):
    """nnlib's two_moons (lesson 04), centred and stretched to the square: class +1 is the upper moon."""
    x, labels = two_moons(n, noise=0.0, rng=rng)
    x = (x - [0.5, 0.25]) * 3.5
    return x, np.where(labels == 0, 1.0, -1.0)


def plane(n, rng):
    """Regression: the target rises evenly from -1 at (-6, -6) to +1 at (6, 6): (x1 + x2) / 12."""
    x = rng.uniform(-EXTENT, EXTENT, (n, 2))
    return x, (x[:, 0] + x[:, 1]) / (2 * EXTENT)


BUMPS = [(-3, 2.5, 1.0), (0, 2.5, -1.0), (3, 2.5, 1.0), (-3, -2.5, -1.0), (0, -2.5, 1.0), (3, -2.5, -1.0)]


def bumps(n, rng):
    """Regression: six Gaussian bumps of height +1 or -1 (a checkerboard of hills and pits)."""
    x = rng.uniform(-EXTENT, EXTENT, (n, 2))
    return x, bump_height(x)


def bump_height(x):
    """The bumps' surface at points x (n, 2): (n,), clipped to [-1, 1]."""
    total = sum(h * np.exp(-((x[:, 0] - a) ** 2 + (x[:, 1] - b) ** 2) / 2.0) for a, b, h in BUMPS)
    return np.clip(total, -1, 1)


# name: (generator, problem)
DATASETS = {
    "circle": (circle, "classification"),
    "XOR": (xor, "classification"),
    "Gaussian": (gaussian, "classification"),
    "spiral": (spiral, "classification"),
    "moons": (moons, "classification"),
    "plane": (plane, "regression"),
    "bumps": (bumps, "regression"),
}


def problem_of(name):
    """"classification" or "regression"."""
    return DATASETS[name][1]


def make_data(name, n=500, noise=0.0, seed=0):
    """n points of the data set `name` (a key of DATASETS): (x (n, 2), y (n,)), shuffled, seeded."""
    if name not in DATASETS:
        raise ValueError(f"make_data: unknown data set {name!r}; choose from {list(DATASETS)}.")
    if not 0 <= noise <= 0.5:
        raise ValueError(f"make_data: noise must be between 0 and 0.5, got {noise}.")
    rng = np.random.default_rng(seed)
    x, y = DATASETS[name][0](n, rng)
    order = rng.permutation(n)   # drawn before the noise, so the noise level does not change the order
    x = x + rng.normal(scale=3 * noise, size=x.shape) if noise else x
    return x[order].astype(np.float64), y[order].astype(np.float64)


def split(x, y, train_ratio):
    """(x_train, y_train, x_test, y_test): the first train_ratio (0 to 1) of the rows train, the rest test.

    The rows are already in random order (make_data shuffles), so this is a random split;
    at least one row goes to each side.
    """
    k = min(max(int(round(len(x) * train_ratio)), 1), len(x) - 1)
    return x[:k], y[:k], x[k:], y[k:]


# ---------------------------------------------------------------- input features

# name: (label shown, NumPy expression in x1 and x2). The expressions are the one
# definition: features() evaluates them, and the Playground's "show code" prints them.
FEATURES = {
    "x1": ("x₁", "x1"),
    "x2": ("x₂", "x2"),
    "x1^2": ("x₁²", "x1**2"),
    "x2^2": ("x₂²", "x2**2"),
    "x1x2": ("x₁x₂", "x1 * x2"),
    "sin(x1)": ("sin x₁", "np.sin(x1)"),
    "sin(x2)": ("sin x₂", "np.sin(x2)"),
}


def features(x, names):
    """The chosen input features of points x (n, 2): (n, len(names)) float64, columns in the order of names."""
    unknown = [name for name in names if name not in FEATURES]
    if unknown or not names:
        raise ValueError(f"features: choose at least one of {list(FEATURES)}, got {list(names)}.")
    x = np.asarray(x, dtype=np.float64)
    scope = {"np": np, "x1": x[:, 0], "x2": x[:, 1]}
    return np.column_stack([eval(FEATURES[name][1], scope) for name in names])  # fixed expressions above
