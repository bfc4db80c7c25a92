"""Lesson 10a's live training (l10a.train_live_cnn): the contract on a tiny run, and the full run's claim."""
import time

import numpy as np
import pytest

import nnlib as nn
from nnlib.course import l10a_cnn_backward as l10a


def mnist_images():
    (x, t), (x_test, t_test) = nn.load_mnist(flatten=False)
    return x[:, np.newaxis], t, x_test[:, np.newaxis], t_test


def test_train_live_cnn_returns_the_model_its_history_and_seconds_and_calls_back_every_epoch():
    x, t, x_test, t_test = mnist_images()
    seen = []
    start = time.perf_counter()
    model, history, seconds = l10a.train_live_cnn(x[:2000], t[:2000], x_test[:500], t_test[:500], epochs=1,
                                                  callback=lambda h: seen.append(len(h["loss"])), progress=False)
    assert 0 < seconds <= time.perf_counter() - start
    assert seen == [1]
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy", "lr", "test_accuracy"}
    assert len(history["loss"]) == len(history["accuracy"]) == 1 and history["lr"] == [l10a.LIVE_LR]
    assert 0.5 < history["test_accuracy"] <= 1  # one epoch on 2 000 images already learns something
    assert repr(model) == repr(l10a.build_live_cnn(rng=np.random.default_rng(0)))
    assert not model.training   # ready for predictions, like nn.fit leaves it
    assert model.forward(x_test[:3]).shape == (3, 10)


def test_the_progress_bar_counts_the_epochs(capsys):
    x, t, x_test, t_test = mnist_images()
    l10a.train_live_cnn(x[:256], t[:256], x_test[:100], t_test[:100], epochs=2, progress=True)
    assert "2/2" in capsys.readouterr().err


@pytest.mark.alone
def test_the_live_cnn_reaches_99_percent_within_150_seconds():
    x, t, x_test, t_test = mnist_images()
    model, history, seconds = l10a.train_live_cnn(x, t, x_test, t_test, progress=False)
    print(f"live CNN: test accuracy {history['test_accuracy']:.4f} after {seconds:.0f} s")
    assert history["test_accuracy"] >= 0.990
    assert seconds <= 150
