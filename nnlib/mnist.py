"""MNIST handwritten digits, loaded from the IDX files bundled in data/mnist/.

MNIST (Y. LeCun, C. Cortes, C. J. C. Burges) is licensed CC BY-SA 3.0.
Nothing is downloaded and nothing is unpickled: the gzip files are read,
checked against the SHA-256 of the original decompressed files, and the
decoded arrays are cached as .npy files (np.load with allow_pickle=False).
"""
import gzip
import hashlib
import os
import struct
import zlib
from pathlib import Path

import numpy as np

from .labels import to_one_hot

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "mnist"

# SHA-256 of the decompressed IDX files, the same wherever MNIST is mirrored.
FILES = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}


class MNISTFileError(ValueError):
    """A bundled MNIST file is missing, truncated or altered."""


def _idx_header(array):
    """The IDX header that precedes `array`'s bytes in the original file."""
    magic = 0x803 if array.ndim == 3 else 0x801
    return struct.pack(f">{1 + array.ndim}i", magic, *array.shape)


def _sha256(array):
    digest = hashlib.sha256(_idx_header(array))
    digest.update(np.ascontiguousarray(array))
    return digest.hexdigest()


def _decode(path, name):
    """Read one .gz IDX file into a uint8 array, (n, 28, 28) or (n,)."""
    if not path.is_file():
        if path.parent == DATA_DIR and not (DATA_DIR.parent / "pyproject.toml").is_file():
            # nnlib was installed as a package (pip install ., not -e .): data/ stayed in the repository.
            raise MNISTFileError(
                f"MNIST file {path.name} is not here: nnlib is installed without the repository beside it "
                f"(it looked in {DATA_DIR}). Install it editable from a clone of the course, "
                "`pip install -e .`, or pass the folder that holds the four .gz files: "
                "load_mnist(data_dir='path/to/course/data/mnist')."
            )
        raise MNISTFileError(
            f"MNIST file {path} is missing. The course bundles it in data/mnist/; "
            "restore it with `git checkout -- data/mnist`."
        )
    try:
        with gzip.open(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError, zlib.error) as error:
        raise MNISTFileError(f"MNIST file {path} is not a readable gzip file ({error}): it is truncated or corrupt.") from None
    if hashlib.sha256(raw).hexdigest() != FILES[name]:
        raise MNISTFileError(
            f"MNIST file {path} does not match the original: its decompressed SHA-256 is "
            f"{hashlib.sha256(raw).hexdigest()}, expected {FILES[name]}. Restore it with `git checkout -- data/mnist`."
        )
    is_images = "images" in name
    offset = 16 if is_images else 8
    data = np.frombuffer(raw, dtype=np.uint8, offset=offset)
    return data.reshape(-1, 28, 28) if is_images else data.copy()


def _cache_dir(data_dir):
    """data_dir/.cache if we may write there, else the user's cache folder."""
    for folder in (data_dir / ".cache", Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "nnlib"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if os.access(folder, os.W_OK):
                return folder
        except OSError:
            continue
    return None


def _load_file(data_dir, name):
    """The verified uint8 array of one file, from the .npy cache when it is valid."""
    path = data_dir / f"{name}.gz"
    if not path.is_file():
        _decode(path, name)  # raises the clear "missing" error
    # The cache is named after the .gz's own hash, so a changed .gz never
    # reuses an old cache; the cached array is verified again on every load.
    gz_hash = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    cache = _cache_dir(data_dir)
    cached = cache / f"{name}-{gz_hash}.npy" if cache else None
    if cached is not None and cached.is_file():
        try:
            array = np.load(cached, allow_pickle=False)
            # the same bytes as another dtype (int8, say) would pass the hash: check the dtype too
            if array.dtype == np.uint8 and _sha256(array) == FILES[name]:
                return array
        except (OSError, ValueError):
            pass  # an unreadable cache is rebuilt below
    array = _decode(path, name)
    if cached is not None:
        tmp = cached.with_suffix(f".{os.getpid()}.tmp.npy")
        np.save(tmp, array)
        os.replace(tmp, cached)  # atomic: a reader never sees half a file
    return array


def load_mnist(normalize=True, flatten=True, one_hot_label=False, data_dir=None):
    """Load MNIST as ((x_train, t_train), (x_test, t_test)).

    x: float32 images, (60000, 784) and (10000, 784) when flatten, else
       (n, 28, 28); values in [0, 1] when normalize, else 0..255.
    t: int64 labels (n,) with digits 0-9, or float32 one-hot (n, 10) when one_hot_label.
    data_dir: the folder with the four .gz files; None means the repository's data/mnist/.
    Raises MNISTFileError naming the file when one is missing, truncated or altered.
    """
    for name, value in (("normalize", normalize), ("flatten", flatten), ("one_hot_label", one_hot_label)):
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"load_mnist: {name} must be True or False, got {value!r}.")
    data_dir = Path(data_dir) if data_dir is not None else DATA_DIR
    result = []
    for prefix in ("train", "t10k"):
        images = _load_file(data_dir, f"{prefix}-images-idx3-ubyte")
        labels = _load_file(data_dir, f"{prefix}-labels-idx1-ubyte")
        if len(images) != len(labels):
            raise MNISTFileError(f"MNIST {prefix}: {len(images)} images but {len(labels)} labels.")
        x = images.astype(np.float32)
        if normalize:
            x /= 255  # in place: no second 188 MB array
        if flatten:
            x = x.reshape(len(x), -1)
        t = labels.astype(np.int64)
        if one_hot_label:
            t = to_one_hot(t, 10)
        result.append((x, t))
    return tuple(result)
