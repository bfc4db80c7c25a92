"""Lesson 09 helpers: the overfitting runs, the cure widget, the batch-norm race, the validation
split, the live plot, and the dropout check's other right answers and its statistics."""
import numpy as np
import pytest

import nnlib as nn
from nnlib.course import l09_generalisation as l09
from nnlib.course.live import LivePlot, latest


@pytest.fixture(scope="module")
def tiny_data():
    """60 training and 40 held-out samples of 784 random pixels with 10 classes: fast, and overfittable."""
    rng = np.random.default_rng(0)
    x = rng.random((100, 784), dtype=np.float32)
    t = rng.integers(0, 10, size=100)
    return x[:60], t[:60], x[60:], t[60:]


@pytest.fixture(scope="module")
def tiny_runs(tiny_data):
    return l09.overfit_grid(*tiny_data, weight_decays=(0.0, 0.5), dropouts=(0.0, 0.3), epochs=4)


def test_deep_network_layers():
    plain = l09.deep_network(rng=np.random.default_rng(0))
    assert [type(layer).__name__ for layer in plain.layers] == ["Linear", "ReLU"] * 6 + ["Linear"]
    both = l09.deep_network(depth=2, hidden=8, dropout=0.5, batchnorm=True, rng=np.random.default_rng(0))
    assert [type(layer).__name__ for layer in both.layers] == ["Linear", "BatchNorm", "ReLU", "Dropout"] * 2 + ["Linear"]
    assert both.layers[0].W.shape == (784, 8) and both.layers[-1].W.shape == (8, 10)


def test_overfit_run_is_deterministic_and_measures_every_epoch(tiny_data):
    first = l09.overfit_run(*tiny_data, epochs=3)
    second = l09.overfit_run(*tiny_data, epochs=3)
    assert first["train"].shape == first["held"].shape == (3,)
    np.testing.assert_array_equal(first["train"], second["train"])
    np.testing.assert_array_equal(first["held"], second["held"])
    assert np.all((0 <= first["train"]) & (first["train"] <= 1))


def test_overfit_run_memorises_random_labels(tiny_data):
    run = l09.overfit_run(*tiny_data, epochs=30, lr=0.003)
    assert run["train"][-1] == 1.0 and run["held"][-1] < 0.5     # random labels: nothing to generalise
    assert l09.gap(run) > 0.5


def test_overfit_grid_shares_the_plain_run_and_varies_one_cure(tiny_data, tiny_runs):
    assert set(tiny_runs) == {("weight decay", 0.0), ("weight decay", 0.5), ("dropout", 0.0), ("dropout", 0.3)}
    assert tiny_runs["weight decay", 0.0] is tiny_runs["dropout", 0.0]
    assert not np.array_equal(tiny_runs["dropout", 0.3]["train"], tiny_runs["dropout", 0.0]["train"])
    plain = tiny_runs["dropout", 0.0]
    again = l09.overfit_grid(*tiny_data, weight_decays=(0.0,), dropouts=(0.0,), plain=plain, epochs=4)
    assert again["dropout", 0.0] is plain


def test_gap_and_cure_summary():
    run = {"train": np.array([0.5, 1.0, 1.0]), "held": np.array([0.4, 0.8, 0.9])}
    assert l09.gap(run, last=2) == pytest.approx(0.15)
    assert l09.cure_summary("dropout", 0.2, run, last=2) == "dropout p = 0.2: training 100.0%, held-out 85.0%, gap 15.0 points"
    assert l09.cure_summary("weight decay", 0.03, run, last=1).startswith("weight decay λ = 0.03: ")


def test_cure_widget_moves_update_labels_and_picture(tiny_runs):
    view = l09.build_cure_widget(tiny_runs)
    assert view.sliders["weight decay"].value == 0.5 and view.sliders["dropout"].value == 0.3   # the strongest first
    label, image = view.labels["dropout"].value, view.figure.image.value
    view.sliders["dropout"].value = 0.0
    assert view.labels["dropout"].value == l09.cure_summary("dropout", 0.0, tiny_runs["dropout", 0.0])
    assert view.labels["dropout"].value != label and view.figure.image.value != image
    train_line, held_line = view.lines["dropout"]
    np.testing.assert_array_equal(train_line.get_ydata(), tiny_runs["dropout", 0.0]["train"])
    view.sliders["weight decay"].value = 0.0
    assert view.labels["weight decay"].value == l09.cure_summary("weight decay", 0.0, tiny_runs["weight decay", 0.0])


def test_batchnorm_race_starts_both_networks_from_the_same_weights(tiny_data):
    races = l09.batchnorm_race(*tiny_data, init=0.01, epochs=2)
    assert set(races) == {False, True}
    assert all(len(history["loss"]) == 2 for history in races.values())
    # the networks without and with BatchNorm share their Linear layers' starting weights
    without = l09.deep_network(depth=5, init=0.01, rng=np.random.default_rng(0))
    with_bn = l09.deep_network(depth=5, init=0.01, batchnorm=True, rng=np.random.default_rng(0))
    linears = lambda model: [layer.W for layer in model.layers if isinstance(layer, nn.Linear)]
    for a, b in zip(linears(without), linears(with_bn)):
        np.testing.assert_array_equal(a, b)


def test_validation_split_partitions_the_samples():
    x = np.arange(20).reshape(10, 2)
    t = np.arange(10)
    (x_train, t_train), (x_val, t_val) = l09.validation_split(x, t, 3, np.random.default_rng(0))
    assert len(x_val) == 3 and len(x_train) == 7
    assert sorted(np.concatenate([t_train, t_val]).tolist()) == list(range(10))
    np.testing.assert_array_equal(x_val[:, 0], 2 * t_val)       # rows stay with their labels
    for bad in (0, 10):
        with pytest.raises(ValueError, match="between 1 and 9"):
            l09.validation_split(x, t, bad, np.random.default_rng(0))


# ---------------------------------------------------------------- the live plot


def test_latest_reports_the_last_epoch_with_and_without_validation():
    history = {"loss": [1.0, 0.25], "accuracy": [0.5, 0.9], "val_loss": [1.1, 0.3], "val_accuracy": [0.4, 0.875]}
    assert latest(history) == "epoch 2: loss 0.2500 (validation 0.3000) · accuracy 90.00% (validation 87.50%)"
    no_validation = {"loss": [0.5], "accuracy": [0.8], "val_loss": [np.nan], "val_accuracy": [np.nan]}
    assert latest(no_validation) == "epoch 1: loss 0.5000 · accuracy 80.00%"
    assert latest({"loss": [], "accuracy": [], "val_loss": [], "val_accuracy": []}) == "no epoch finished yet"


def test_live_plot_callback_redraws_label_lines_and_image():
    live = LivePlot(epochs=5, title="test")
    image = live.figure.image.value
    assert image and live.label.value.startswith("waiting")
    history = {"loss": [0.9], "accuracy": [0.6], "val_loss": [0.8], "val_accuracy": [0.7]}
    assert live.callback(history) is False
    assert live.label.value == latest(history) and live.figure.image.value != image
    image = live.figure.image.value
    history = {key: values + [values[0] / 2] for key, values in history.items()}
    live.callback(history)
    assert live.label.value.startswith("epoch 2: loss 0.4500") and live.figure.image.value != image
    np.testing.assert_array_equal(live.lines["val_accuracy"].get_ydata(), [0.7, 0.35])
    assert live.figure.axes[0].get_xlim() == (0.5, 5.5)


def test_live_plot_works_as_fit_callback_without_validation():
    rng = np.random.default_rng(0)
    x, t = rng.normal(size=(40, 3)), rng.integers(0, 2, size=40)
    model = nn.Sequential([nn.Linear(3, 4, rng=rng), nn.ReLU(), nn.Linear(4, 2, rng=rng)])
    live = LivePlot()
    history = nn.fit(model, nn.CrossEntropyLoss(), x, t, epochs=3, batch_size=10, lr=0.1, rng=rng,
                     progress=False, callback=live.callback)
    assert len(history["loss"]) == 3 and live.label.value.startswith("epoch 3: loss ")
    assert "validation" not in live.label.value
    assert live.figure.axes[0].get_xlim() == (0.5, 3.5)


# ---------------------------------------------------------------- the dropout exercise (its mistakes: test_exercises.py)


@pytest.mark.parametrize("right", [
    lambda x, p, rng: nn.Dropout(p, rng=rng).forward(x),
    lambda x, p, rng: x * (rng.random(x.shape) < 1 - p) / (1 - p),        # keep below 1 - p: another mask, as right
    lambda x, p, rng: x * rng.binomial(1, 1 - p, size=x.shape) / (1 - p),
    lambda x, p, rng: np.where(rng.uniform(size=x.shape) > p, x / (1 - p), 0.0),
])
def test_check_dropout_forward_passes_every_right_mask(right):
    assert l09.check_dropout_forward(right, quiet=True)


@pytest.mark.parametrize("wrong, words", [
    (lambda x, p, rng: x * (rng.random(x.shape) >= 0.5) / 0.5, ["dropped 50% of the entries", "about 20%"]),
    (lambda x, p, rng: x * (rng.random(x.shape) >= p) * rng.uniform(1, 2, x.shape), ["x / (1 - p) = 1.25 x", "between"]),
    (lambda x, p, rng: x * (rng.random((len(x), 1)) >= p) / (1 - p), ["each row of its answer"]),
])
def test_check_dropout_forward_says_what_its_statistics_show(wrong, words, capsys):
    assert not l09.check_dropout_forward(wrong)
    out = capsys.readouterr().out
    assert all(word in out for word in words), out


def test_cure_summary_never_shows_negative_zero():
    run = {"train": [0.9] * 5, "held": [0.9 + 1e-9] * 5}
    assert l09.cure_summary("dropout", 0.1, run).endswith("gap 0.0 points")
