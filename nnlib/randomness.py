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
    """Restart the library's generator from the integer seed s (种子)."""
    global _generator
    _generator = np.random.default_rng(s)


def generator():
    """The library's current numpy Generator (the one `seed` restarts)."""
    return _generator
