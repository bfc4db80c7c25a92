"""The bundled MNIST: shapes, the documented sanity figures, the cache, and clear errors for bad files."""
import gzip
import shutil
import time

import numpy as np
import pytest

import nnlib as nn
from nnlib.mnist import DATA_DIR, FILES, MNISTFileError


@pytest.fixture(scope="module")
def mnist():
    return nn.load_mnist()


def test_shapes_dtypes_ranges(mnist):
    (x_train, t_train), (x_test, t_test) = mnist
    assert x_train.shape == (60000, 784) and x_test.shape == (10000, 784)
    assert x_train.dtype == np.float32 and t_train.dtype == np.int64
    assert x_train.min() == 0.0 and x_train.max() == 1.0


def test_sanity_figures_from_the_data_readme(mnist):
    (x_train, t_train), (x_test, t_test) = mnist
    assert np.bincount(t_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert np.bincount(t_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert x_train.mean() == pytest.approx(0.1307, abs=1e-4)
    assert t_train[:5].tolist() == [5, 0, 4, 1, 9]


def test_options():
    (x, t), (x_test, t_test) = nn.load_mnist(normalize=False, flatten=False, one_hot_label=True)
    assert x.shape == (60000, 28, 28) and x.dtype == np.float32 and x.max() == 255.0
    assert t.shape == (60000, 10) and t.dtype == np.float32
    np.testing.assert_array_equal(t.sum(axis=1), 1)


def test_second_load_is_fast():
    nn.load_mnist()
    start = time.perf_counter()
    nn.load_mnist()
    seconds = time.perf_counter() - start
    assert seconds < 1.0, f"loading MNIST from the cache took {seconds:.2f} s"


@pytest.fixture
def data_copy(tmp_path):
    for name in FILES:
        shutil.copy(DATA_DIR / f"{name}.gz", tmp_path / f"{name}.gz")
    return tmp_path


def test_missing_file_is_named(data_copy):
    (data_copy / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(MNISTFileError, match=r"t10k-labels-idx1-ubyte\.gz is missing"):
        nn.load_mnist(data_dir=data_copy)


def test_truncated_file_is_named(data_copy):
    path = data_copy / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(MNISTFileError, match=r"t10k-labels-idx1-ubyte\.gz.*truncated or corrupt"):
        nn.load_mnist(data_dir=data_copy)


def test_altered_file_is_named(data_copy):
    path = data_copy / "t10k-labels-idx1-ubyte.gz"
    raw = bytearray(gzip.decompress(path.read_bytes()))
    raw[100] = (raw[100] + 1) % 10  # one label changed: still a valid IDX file
    path.write_bytes(gzip.compress(bytes(raw)))
    with pytest.raises(MNISTFileError, match=r"t10k-labels-idx1-ubyte\.gz does not match the original"):
        nn.load_mnist(data_dir=data_copy)


def test_file_altered_after_caching_is_caught(data_copy):
    nn.load_mnist(data_dir=data_copy)  # builds the cache
    path = data_copy / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(b"not gzip at all")
    with pytest.raises(MNISTFileError, match="t10k-labels"):
        nn.load_mnist(data_dir=data_copy)


def test_corrupt_cache_is_rebuilt(data_copy):
    nn.load_mnist(data_dir=data_copy)
    for cached in (data_copy / ".cache").glob("t10k-images*.npy"):
        cached.write_bytes(cached.read_bytes()[:5000])
    (_, _), (x_test, _) = nn.load_mnist(data_dir=data_copy)
    assert x_test.shape == (10000, 784)


def test_a_cached_array_of_another_dtype_is_rebuilt(data_copy):
    """The same bytes as int8 pass the hash of the bytes and the shape: the dtype is checked too."""
    nn.load_mnist(data_dir=data_copy)
    for cached in (data_copy / ".cache").glob("t10k-labels*.npy"):
        np.save(cached, np.load(cached).view(np.int8))
    (_, _), (_, t_test) = nn.load_mnist(data_dir=data_copy)
    assert t_test.dtype == np.int64 and t_test.min() >= 0
    for cached in (data_copy / ".cache").glob("t10k-labels*.npy"):
        assert np.load(cached).dtype == np.uint8


def test_cache_holds_no_pickles(data_copy):
    nn.load_mnist(data_dir=data_copy)
    for cached in (data_copy / ".cache").glob("*.npy"):
        np.load(cached, allow_pickle=False)


def test_installed_without_the_repository_says_what_to_do(tmp_path, monkeypatch):
    # A non-editable install copies nnlib/ into site-packages; data/mnist/ is not beside it.
    import nnlib.mnist
    monkeypatch.setattr(nnlib.mnist, "DATA_DIR", tmp_path / "site-packages" / "data" / "mnist")
    with pytest.raises(MNISTFileError, match=r"installed without the repository.*pip install -e \..*data_dir=") as error:
        nn.load_mnist()
    assert "shared" not in str(error.value)


def test_no_message_points_outside_the_repository(data_copy):
    (data_copy / "train-images-idx3-ubyte.gz").unlink()
    with pytest.raises(MNISTFileError) as error:
        nn.load_mnist(data_dir=data_copy)
    assert "../" not in str(error.value) and "git checkout -- data/mnist" in str(error.value)
