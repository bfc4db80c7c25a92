"""Tests of lesson 07's views, widget and exercise check (small synthetic data: fast, no MNIST needed)."""
import numpy as np
import pytest

import nnlib as nn
from nnlib.course import l07_mnist as l07


@pytest.fixture
def model():
    rng = np.random.default_rng(0)
    return nn.Sequential([nn.Linear(784, 16, rng, np.float32), nn.ReLU(), nn.Linear(16, 10, rng, np.float32)])


@pytest.fixture
def images():
    rng = np.random.default_rng(1)
    return rng.random((5, 784)).astype(np.float32)


def test_confusion_matrix_counts():
    labels = np.array([0, 0, 1, 2, 2, 2])
    predicted = np.array([0, 1, 1, 2, 0, 2])
    m = l07.confusion_matrix(labels, predicted, classes=3)
    assert m.shape == (3, 3)
    assert m.sum() == 6 and np.trace(m) == 4
    assert m[0, 1] == 1 and m[2, 0] == 1
    assert (m.sum(axis=1) == [2, 1, 3]).all()


def test_confusion_matrix_rejects_mismatch():
    with pytest.raises(ValueError, match="same shape"):
        l07.confusion_matrix([0, 1], [0, 1, 2])


def test_confident_mistakes_order():
    p = np.array([[0.9, 0.1], [0.2, 0.8], [0.4, 0.6], [0.7, 0.3]])
    labels = np.array([0, 0, 0, 1])  # rows 1, 2, 3 are wrong with confidence 0.8, 0.6, 0.7
    assert l07.confident_mistakes(p, labels, k=8).tolist() == [1, 3, 2]
    assert l07.confident_mistakes(p, labels, k=2).tolist() == [1, 3]


def test_first_layer_images():
    W = np.arange(784 * 3).reshape(784, 3)
    pictures = l07.first_layer_images(W)
    assert pictures.shape == (3, 28, 28)
    assert pictures[1, 0, 2] == W[2, 1]


def test_transform_image_shift_and_noise(images):
    image = images[0]
    moved = l07.transform_image(image, shift=3)
    assert moved.shape == (784,) and moved.dtype == np.float32
    assert np.array_equal(moved.reshape(28, 28)[:, 3:], image.reshape(28, 28)[:, :-3])
    noisy = l07.transform_image(image, noise=0.5, seed=1)
    assert noisy.min() >= 0 and noisy.max() <= 1 and not np.array_equal(noisy, image)
    assert np.array_equal(noisy, l07.transform_image(image, noise=0.5, seed=1))  # seeded
    assert np.array_equal(l07.transform_image(image), image)


def test_digit_view(model, images):
    picture, p, predicted = l07.digit_view(model, images[0])
    assert picture.shape == (28, 28)
    assert p.shape == (10,) and np.isclose(p.sum(), 1)
    assert predicted == int(model.predict(images[:1])[0])
    _, p_noisy, _ = l07.digit_view(model, images[0], noise=0.8)
    assert not np.allclose(p, p_noisy)


def test_best_time():
    seconds, result = l07.best_time(lambda: 42, repeat=2)
    assert result == 42 and 0 <= seconds < 1


def test_explorer_updates(model, images):
    view = l07.build_digit_explorer(model, images, np.array([0, 1, 2, 3, 4]))
    before, image_before = view.label.value, view.figure.image.value
    assert before.startswith("#0: true 0")
    view.index.value = 3
    assert view.label.value.startswith("#3: true 3") and view.figure.image.value != image_before
    text = view.label.value
    view.noise.value = 0.9
    view.shift.value = 4
    assert view.label.value != text or view.figure.image.value != image_before
    assert view.verdict.value in ("<b style='color:green'>right ✓</b>", "<b style='color:red'>wrong ✗</b>")


def reference(output, labels):
    labels = np.asarray(labels)
    if labels.ndim == 2:
        labels = labels.argmax(axis=1)
    return float(np.mean(np.asarray(output).argmax(axis=1) == labels))


def test_check_passes_reference(capsys):
    assert l07.check_batch_accuracy(reference)
    assert "✅" in capsys.readouterr().out


def test_check_stub_not_done(capsys):
    def stub(output, labels):
        raise NotImplementedError
    assert l07.check_batch_accuracy(stub) is False
    assert "not done yet" in capsys.readouterr().out


def test_check_catches_missing_axis(capsys):
    def no_axis(output, labels):
        labels = np.asarray(labels)
        if labels.ndim == 2:
            labels = labels.argmax(axis=1)
        return float(np.mean(np.argmax(output) == labels))
    assert l07.check_batch_accuracy(no_axis) is False
    out = capsys.readouterr().out
    assert "expected 0.6600" in out and "integer labels" in out


def test_check_catches_one_hot(capsys):
    def ignores_one_hot(output, labels):
        return np.mean(np.asarray(output).argmax(axis=1) == np.asarray(labels))
    assert l07.check_batch_accuracy(ignores_one_hot) is False
    assert "one-hot, shape (50, 10)" in capsys.readouterr().out


def test_check_catches_array_result(capsys):
    def no_mean(output, labels):
        labels = np.asarray(labels)
        return np.asarray(output).argmax(axis=1) == (labels.argmax(axis=1) if labels.ndim == 2 else labels)
    assert l07.check_batch_accuracy(no_mean) is False
    assert "one number" in capsys.readouterr().out


def test_check_catches_silent_mismatch(capsys):
    def truncates(output, labels):
        n = min(len(output), len(labels))
        return reference(output[:n], labels[:n])
    assert l07.check_batch_accuracy(truncates) is False
    assert "ValueError" in capsys.readouterr().out


def test_check_catches_loop(capsys):
    def loop(output, labels):
        labels = np.asarray(labels)
        if len(labels) != len(output):
            raise ValueError("mismatch")
        return sum(int(np.argmax(o) == t) for o, t in zip(output, labels)) / len(output)
    assert l07.check_batch_accuracy(loop) is False
    assert "loop" in capsys.readouterr().out
