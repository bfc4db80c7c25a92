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


def test_explorer_title_shows_noise_and_shift(model, images):
    assert l07.explorer_title(3, 7, 0.5, 4) == "test image #3 (true digit 7)\nnoise σ = 0.50, shift +4 px"
    view = l07.build_digit_explorer(model, images, np.array([0, 1, 2, 3, 4]))
    assert view.figure.axes[0].get_title() == l07.explorer_title(0, 0, 0.0, 0)
    png = view.figure.image.value
    view.noise.value = 0.25
    view.shift.value = -3
    assert view.figure.axes[0].get_title().endswith("noise σ = 0.25, shift -3 px")
    assert view.figure.image.value != png


# ---------------------------------------------------------------- batch_accuracy: hints and quiet solutions

def test_check_quiet_prints_nothing(capsys):
    assert l07.check_batch_accuracy(reference, quiet=True)
    assert capsys.readouterr().out == ""


def test_check_argmax_without_axis_named(capsys):
    def no_axis(output, labels):
        labels = np.asarray(labels)
        if labels.ndim == 2:
            labels = labels.argmax(axis=1)
        return float(np.mean(np.argmax(output) == labels))
    assert l07.check_batch_accuracy(no_axis) is False
    out = capsys.readouterr().out
    assert "argmax needs axis=1 to pick one class per row" in out and "one number for the whole batch" in out
    assert "expected 0.6600" in out and "integer labels" in out


def test_check_argmax_axis_0_named(capsys):
    def axis_0(output, labels):
        return float(np.mean(np.argmax(output, axis=0) == np.asarray(labels)))
    assert l07.check_batch_accuracy(axis_0) is False
    assert "did you take argmax over axis=0" in capsys.readouterr().out


def test_check_one_hot_broadcast_named(capsys):
    def ignores_one_hot(output, labels):
        return float(np.mean(np.asarray(output).argmax(axis=1) == np.asarray(labels)))
    assert l07.check_batch_accuracy(ignores_one_hot) is False
    out = capsys.readouterr().out
    assert "one-hot rows of shape (50, 10)" in out and "Turn them into integers first: labels.argmax(axis=1)." in out


@pytest.mark.parametrize("answer, words", [
    (None, "returned None on 50 rows of scores and integer labels: did you forget `return`?"),
    ([0.66], "expected one number (the fraction correct), got a list"),
    ({"accuracy": 0.66}, "expected one number (the fraction correct), got a dict"),
    ("0.66", "expected one number (the fraction correct), got a str"),
])
def test_check_wrong_type_one_sentence(capsys, answer, words):
    assert l07.check_batch_accuracy(lambda output, labels: answer) is False
    out = capsys.readouterr().out
    assert words in out and "Traceback" not in out and out.count("\n") == 1


def test_check_percentage_and_count_named(capsys):
    assert l07.check_batch_accuracy(lambda output, labels: 100 * reference(output, labels)) is False
    assert "a percentage" in capsys.readouterr().out
    assert l07.check_batch_accuracy(lambda output, labels: len(output) * reference(output, labels)) is False
    assert "np.mean instead of np.sum" in capsys.readouterr().out


# ---------------------------------------------------------------- my_fit: the learner's training loop

def fit_solution(model, loss, optimizer, x, t, x_test, t_test, epochs, batch_size, rng,
                 shuffle="each epoch", last_batch=True, overlap=False, backward=True, step="after backward",
                 record="epoch", swap=False, mix_labels=False):
    """The right loop, and each mistake a learner makes, switched on by one argument."""
    train_accuracy, test_accuracy = [], []
    fixed = rng.permutation(len(x))
    for epoch in range(epochs):
        order = {"each epoch": rng.permutation(len(x)), "once": fixed, "never": np.arange(len(x))}[shuffle]
        end = len(x) if last_batch else len(x) - len(x) % batch_size
        for start in range(0, end, batch_size // 2 if overlap else batch_size):
            batch = order[start:start + batch_size]
            output = model.forward(x[batch])
            loss.forward(output, t[start:start + len(batch)] if mix_labels else t[batch])
            if step == "before backward":
                optimizer.step()
            if backward:
                model.backward(loss.backward())
            if step == "after backward":
                optimizer.step()
            if record == "batch":
                train_accuracy.append(nn.accuracy(output, t[batch]))
                test_accuracy.append(nn.accuracy(model.forward(x_test), t_test))
        if step == "once per epoch":
            optimizer.step()
        if record == "epoch":
            train_accuracy.append(nn.accuracy(model.forward(x), t))
            test_accuracy.append(nn.accuracy(model.forward(x_test), t_test))
    return (test_accuracy, train_accuracy) if swap else (train_accuracy, test_accuracy)


def fit_with(**mistake):
    def my_fit(*args):
        return fit_solution(*args, **mistake)
    return my_fit


def test_check_fit_passes_solution_fast(capsys):
    import time
    l07._fit_data()  # loading MNIST once is not the check's cost
    assert l07.check_fit(fit_with()) is True
    seconds = []
    for _ in range(3):  # the fastest of three: the machine may be busy
        start = time.perf_counter()
        l07.check_fit(fit_with(), quiet=True)
        seconds.append(time.perf_counter() - start)
    assert min(seconds) < 2
    assert "✅ my_fit shuffles every epoch" in capsys.readouterr().out
    assert l07.check_fit(fit_with(), quiet=True) is True
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


def test_check_fit_stub_not_done(capsys):
    def my_fit(model, loss, optimizer, x, t, x_test, t_test, epochs, batch_size, rng):
        raise NotImplementedError
    assert l07.check_fit(my_fit) is False
    assert "my_fit: not done yet" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, message", [
    (dict(shuffle="never"), "my_fit does not shuffle: epoch 1 fed the images in their stored order 0, 1, 2, … "
     "Start each epoch with order = rng.permutation(len(x)) and cut the batches from order."),
    (dict(shuffle="once"), "my_fit is not shuffled each epoch: every epoch fed the images in the same order. "
     "Call rng.permutation(len(x)) inside the epoch loop, so each epoch gets a new order."),
    (dict(last_batch=False), "my_fit skips the last partial batch: 2000 images in batches of 64 leave 16 over "
     "(2000 = 31 × 64 + 16), and your loop fed only 1984 images per epoch. Use range(0, len(x), batch_size): "
     "the last slice order[1984:2048] simply holds the 16 images left."),
    (dict(overlap=True), "my_fit's batches overlap: the loss saw 7936 images in 2 epochs of 2000 (expected 4000)"),
    (dict(mix_labels=True), "my_fit's labels do not belong to its images"),
    (dict(backward=False), "my_fit never called model.backward(...): without it no gradient is computed, so "
     "optimizer.step() has nothing to follow. After the loss, call model.backward(loss.backward())."),
    (dict(step="once per epoch"), "my_fit called optimizer.step() 2 times for 64 mini-batches: call it once per "
     "batch, inside the batch loop."),
    (dict(step="before backward"), "my_fit calls them in the wrong order: for each batch it must be loss, then "
     "model.backward, then optimizer.step (a step before backward follows the previous batch's gradient); your first "
     "batch did loss, optimizer.step, model.backward."),
    (dict(step=None), "my_fit never called optimizer.step(): the weights are unchanged after training. "
     "Call optimizer.step() after model.backward(...), once per batch."),
    (dict(record="none"), "my_fit recorded no accuracy: the training list is empty."),
    (dict(record="batch"), "my_fit returned 64 training accuracies for 2 epochs: wrong length of history; expected "
     "one number per epoch (record it once per epoch, after the batch loop, not inside it)."),
    (dict(swap=True), "my_fit's two lists look swapped: return the training accuracy first, then the test accuracy."),
])
def test_check_fit_names_the_mistake(capsys, mistake, message):
    assert l07.check_fit(fit_with(**mistake)) is False
    out = capsys.readouterr().out
    assert out.startswith("❌") and message in out, out


@pytest.mark.parametrize("answer, message", [
    (None, "my_fit returned None: end it with `return train_accuracy, test_accuracy`"),
    ({"accuracy": [0.5, 0.6]}, "my_fit returned a dict; expected two lists"),
    (([0.5, 0.6],), "my_fit returned a tuple of length 1; expected two lists"),
    (0.8, "my_fit returned a float; expected two lists"),
    (([50.0, 60.0], [50.0, 60.0]), "should be fractions between 0 and 1"),
])
def test_check_fit_wrong_return_one_sentence(capsys, answer, message):
    def my_fit(*args):
        fit_solution(*args)
        return answer
    assert l07.check_fit(my_fit) is False
    out = capsys.readouterr().out
    assert message in out and out.count("\n") == 1 and "Traceback" not in out


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
    assert "nothing to plot: my_fit returned None" in capsys.readouterr().out.replace("<lambda>", "my_fit")
    assert l07.try_fit(lambda *a: 1 / 0, *args, None, None, None, None, None, 1, 8, None) is None
    assert "raised ZeroDivisionError" in capsys.readouterr().out
    x, t, x_test, t_test = l07._fit_data()
    model = l07._small_net()
    curves = l07.try_fit(fit_with(), model, nn.CrossEntropyLoss(), nn.SGD(model.parameters(), lr=0.1),
                         x, t, x_test, t_test, 2, 64, np.random.default_rng(0))
    assert len(curves) == 2 and len(curves[0]) == 2 and capsys.readouterr().out == ""
    fig = l07.show_accuracy_curves(*curves)
    assert fig.dpi >= 100 and fig.axes[0].get_xlabel() == "epoch"
    import matplotlib.pyplot as plt
    plt.close(fig)


def test_check_fit_own_optimizer(capsys):
    def my_fit(model, loss, optimizer, x, t, *rest):
        mine = nn.SGD(model.parameters(), lr=0.1)
        return fit_solution(model, loss, mine, x, t, *rest)
    assert l07.check_fit(my_fit) is False
    assert "changed the weights without the optimizer it was given" in capsys.readouterr().out


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
