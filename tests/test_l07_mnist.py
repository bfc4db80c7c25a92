"""Tests of lesson 07's views, widget and exercises (their mistake rows run in tests/test_exercises.py)."""
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


def test_check_catches_silent_mismatch(capsys):
    def truncates(output, labels):
        n = min(len(output), len(labels))
        return reference(output[:n], labels[:n])
    assert l07.check_batch_accuracy(truncates) is False
    assert "ValueError" in capsys.readouterr().out


def test_explorer_title_shows_noise_and_shift(model, images):
    assert l07.explorer_title(3, 7, 0.5, 4) == "test image #3 (true digit 7)\nnoise σ = 0.50, shift +4 px"
    view = l07.build_digit_explorer(model, images, np.array([0, 1, 2, 3, 4]))
    assert view.figure.axes[0].get_title() == l07.explorer_title(0, 0, 0.0, 0)
    png = view.figure.image.value
    view.noise.value = 0.25
    view.shift.value = -3
    assert view.figure.axes[0].get_title().endswith("noise σ = 0.25, shift -3 px")
    assert view.figure.image.value != png


# ---------------------------------------------------------------- my_fit: the learner's training loop

def fit_solution(model, loss, optimizer, x, t, x_test, t_test, epochs, batch_size, rng):
    """The lesson's solution, as a learner writes it (its slips run in tests/test_exercises.py)."""
    train_accuracy, test_accuracy = [], []
    for epoch in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            batch = order[start:start + batch_size]
            output = model.forward(x[batch])
            loss.forward(output, t[batch])
            model.backward(loss.backward())
            optimizer.step()
        train_accuracy.append(nn.accuracy(model.forward(x), t))
        test_accuracy.append(nn.accuracy(model.forward(x_test), t_test))
    return train_accuracy, test_accuracy


def test_check_fit_passes_solution_fast(capsys):
    import time
    l07._fit_data()  # loading MNIST once is not the check's cost
    assert l07.check_fit(fit_solution) is True
    seconds = []
    for _ in range(3):  # the fastest of three: the machine may be busy
        start = time.perf_counter()
        l07.check_fit(fit_solution, quiet=True)
        seconds.append(time.perf_counter() - start)
    assert min(seconds) < 2
    assert "✅ my_fit shuffles every epoch" in capsys.readouterr().out
    assert l07.check_fit(fit_solution, quiet=True) is True
    assert capsys.readouterr().out == ""


def test_check_fit_accepts_running_training_accuracy():
    def running(model, loss, optimizer, x, t, x_test, t_test, epochs, batch_size, rng):
        train_accuracy, test_accuracy = [], []
        for epoch in range(epochs):
            order = rng.permutation(len(x))
            correct = 0
            for start in range(0, len(x), batch_size):
                batch = order[start:start + batch_size]
                output = model(x[batch])
                loss(output, t[batch])
                model.backward(loss.backward())
                optimizer.step()
                correct += np.sum(output.argmax(axis=1) == t[batch])
            train_accuracy.append(correct / len(x))
            test_accuracy.append(nn.accuracy(model.forward(x_test), t_test))
        return train_accuracy, test_accuracy
    assert l07.check_fit(running, quiet=True) is True


def test_check_fit_learner_error_one_sentence(capsys):
    def my_fit(model, loss, optimizer, x, t, x_test, t_test, epochs, batch_size, rng):
        return model.forward(x[:, :10])
    assert l07.check_fit(my_fit) is False
    out = capsys.readouterr().out
    assert out.startswith("❌ my_fit raised ValueError") and out.count("\n") == 1


def test_try_fit_for_the_plot(capsys):
    def stub(*args):
        raise NotImplementedError
    args = (l07._small_net(), nn.CrossEntropyLoss())
    assert l07.try_fit(stub, *args, None, None, None, None, None, 1, 8, None) is None
    assert "not done yet, so there is nothing to plot" in capsys.readouterr().out
    assert l07.try_fit(lambda *a: None, *args, None, None, None, None, None, 1, 8, None) is None
    assert "nothing to plot from my_fit: it returned None" in capsys.readouterr().out.replace("<lambda>", "my_fit")
    assert l07.try_fit(lambda *a: 1 / 0, *args, None, None, None, None, None, 1, 8, None) is None
    assert "raised ZeroDivisionError" in capsys.readouterr().out
    x, t, x_test, t_test = l07._fit_data()
    model = l07._small_net()
    curves = l07.try_fit(fit_solution, model, nn.CrossEntropyLoss(), nn.SGD(model.parameters(), lr=0.1),
                         x, t, x_test, t_test, 2, 64, np.random.default_rng(0))
    assert len(curves) == 2 and len(curves[0]) == 2 and capsys.readouterr().out == ""
    fig = l07.show_accuracy_curves(*curves)
    assert fig.dpi >= 100 and fig.axes[0].get_xlabel() == "epoch"
    import matplotlib.pyplot as plt
    plt.close(fig)


def test_check_fit_shuffled_copies_pass():
    def my_fit(model, loss, optimizer, x, t, x_test, t_test, epochs, batch_size, rng):
        train_accuracy, test_accuracy = [], []
        for epoch in range(epochs):
            order = rng.permutation(len(x))
            x_shuffled, t_shuffled = x[order], t[order]
            for start in range(0, len(x), batch_size):
                output = model(x_shuffled[start:start + batch_size])
                loss(output, t_shuffled[start:start + batch_size])
                model.backward(loss.backward())
                optimizer.step()
            train_accuracy.append(float(np.mean(model.predict(x) == t)))
            test_accuracy.append(float(np.mean(model.predict(x_test) == t_test)))
        return train_accuracy, test_accuracy
    assert l07.check_fit(my_fit, quiet=True) is True
