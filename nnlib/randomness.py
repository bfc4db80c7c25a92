"""One seeded source of randomness (随机数) for the whole library.

Layers built without `rng=` and `fit` without `rng=` draw from one generator,
so two default layers get different weights, every call of `fit` shuffles
differently, and `seed(s)` makes a whole run repeat exactly:

    nn.seed(0)
    model = nn.Sequential([nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10)])

Until `seed` is called, the generator starts from fresh entropy, as NumPy's
and PyTorch's do. An explicit `rng=` (a numpy Generator) always wins.
"""
import numpy as np

_generator = np.random.default_rng()


def seed(s):
    """Restart the library's generator from the integer seed s (种子), a whole number >= 0."""
    global _generator
    if isinstance(s, (bool, np.bool_)) or not isinstance(s, (int, np.integer)) or s < 0:
        raise TypeError(f"seed: s must be a whole number of at least 0, e.g. nn.seed(0), got {s!r}.")
    _generator = np.random.default_rng(s)


def generator():
    """The library's current numpy Generator (the one `seed` restarts)."""
    return _generator
