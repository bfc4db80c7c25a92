"""Tests for lesson 05's helpers: the loss-over-one-weight view, its widget, and the exercise checks."""
import numpy as np
import pytest

import nnlib as nn
from nnlib.course.data import height_weight
from nnlib.course import l05_loss as L


# ---- the pure view functions

@pytest.mark.parametrize("loss", L.LOSSES)
def test_slope_matches_the_curve(loss):
    h = 1e-6
    for w1 in (-0.3, 0.0, 0.25):
        value, slope = L.loss_and_slope(w1, loss)
        numeric = (L.loss_curve([w1 + h], loss)[0] - L.loss_curve([w1 - h], loss)[0]) / (2 * h)
        assert np.isclose(slope, numeric, rtol=1e-5, atol=1e-8)
        assert np.isclose(L.loss_curve([w1], loss)[0], value)


def test_mse_value_matches_nnlib():
    x, y, _ = height_weight()
    p = nn.sigmoid(x @ np.array([0.1, L.W2]) + L.B)
    assert np.isclose(L.loss_and_slope(0.1)[0], nn.MSELoss()(p[:, None], y))
    assert np.allclose(L.predictions(0.1), p)


def test_cross_entropy_is_binary_cross_entropy():
    x, y, _ = height_weight()
    p = nn.sigmoid(x @ np.array([-0.1, L.W2]) + L.B)
    bce = -np.mean(y[:, 0] * np.log(p) + (1 - y[:, 0]) * np.log(1 - p))
    assert np.isclose(L.loss_and_slope(-0.1, "cross-entropy")[0], bce)


def test_confidently_wrong_mse_is_flat_cross_entropy_is_not():
    assert L.loss_and_slope(0.25, "MSE")[1] < 1 < 10 < L.loss_and_slope(0.25, "cross-entropy")[1]


def test_curve_and_tangent_shapes():
    w = np.linspace(-0.4, 0.4, 11)
    assert L.loss_curve(w).shape == (11,)
    line = L.tangent_line(0.1, w)
    value, slope = L.loss_and_slope(0.1)
    assert line.shape == (11,) and np.isclose(line[5], value + slope * (w[5] - 0.1))


def test_unknown_loss_is_refused():
    with pytest.raises(ValueError, match="loss must be one of"):
        L.loss_and_slope(0.0, "hinge")


# ---- the widget

def test_people_table_shows_the_data_set():
    rows = L.people_table()
    assert [row[0] for row in rows] == ["Alice", "Bob", "Charlie", "Diana"]
    assert rows[0][1:3] == (133.0, 65.0) and rows[1][-1] == "male" and rows[3][-1] == "female"
    x, y, _ = height_weight()
    assert np.allclose([row[3:5] for row in rows], x) and [row[5] for row in rows] == list(y[:, 0])


def test_widget_figure_is_readable():
    view = L.build_loss_explorer()
    assert view.figure.fig.dpi >= 100
    legend = view.figure.axes.get_legend()
    assert all(text.get_fontsize() >= 9 for text in legend.get_texts())
    assert all(label.get_fontsize() >= 9 for label in view.figure.axes.get_xticklabels())


def test_widget_updates_labels_and_image():
    view = L.build_loss_explorer()
    before = (view.loss_label.value, view.slope_label.value, view.figure.image.value)
    view.w1.value = -0.2
    assert view.loss_label.value != before[0]
    assert view.slope_label.value != before[1]
    assert view.figure.image.value != before[2]
    view.loss.value = "cross-entropy"
    assert view.loss_label.value.startswith("cross-entropy")


# ---- the exercise checks

def good_mse(pred, target):
    pred = np.asarray(pred, dtype=float)
    return float(np.mean((pred - np.asarray(target, dtype=float).reshape(pred.shape)) ** 2))


def as_one_hot(p, target):
    target = np.asarray(target)
    return nn.to_one_hot(target, np.shape(p)[1]) if target.ndim == 1 else target


def good_cross_entropy(p, target):
    return float(-np.sum(as_one_hot(p, target) * np.log(np.clip(p, 1e-12, 1))) / len(p))


def stub(*args):
    raise NotImplementedError


def message(check, fn):
    """What the learner sees: (the check's result, the printed line)."""
    import contextlib
    import io
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = check(fn)
    return result, out.getvalue()


def test_check_mse(capsys):
    assert L.check_mse(good_mse)
    assert "✅" in capsys.readouterr().out
    assert not L.check_mse(stub)
    assert "not done yet" in capsys.readouterr().out


def test_checks_pass_quietly():
    """The hidden solutions call check_xxx(..., quiet=True): nothing printed under the learner's "not done yet"."""
    for check, fn in [(L.check_mse, good_mse), (L.check_cross_entropy, good_cross_entropy)]:
        result, out = message(lambda f: check(f, quiet=True), fn)
        assert result is True and out == ""
        result, out = message(lambda f: check(f, quiet=True), stub)
        assert result is False and out == ""


def reshaped(target, pred):
    return np.reshape(target, np.shape(pred))


@pytest.mark.parametrize("wrong, hint", [
    # squared error summed instead of averaged
    (lambda pred, target: np.sum((pred - reshaped(target, pred)) ** 2),
     "expected 0.136667, got 0.41, the SUM of the 3 squared errors: divide by the number of elements (3), "
     "i.e. take the mean, np.mean((pred - target) ** 2)."),
    # summed, then divided by the rows: right for one output, wrong for two
    (lambda pred, target: np.sum((pred - reshaped(target, pred)) ** 2) / len(pred),
     "expected 2.33333, got 4.66667, the sum divided by the number of rows (3): the mean divides by the number of elements (6)"),
    # Deep Learning from Scratch's 0.5 * sum
    (lambda pred, target: 0.5 * np.sum((pred - reshaped(target, pred)) ** 2), "half the sum of squares"),
    (lambda pred, target: np.sqrt(np.mean((pred - reshaped(target, pred)) ** 2)), "leave out np.sqrt"),
    (lambda pred, target: np.mean(np.abs(pred - reshaped(target, pred))), "the mean ABSOLUTE error"),
    (lambda pred, target: np.mean(pred - reshaped(target, pred)), "square them first, ** 2"),
    # the broadcasting trap
    (lambda pred, target: np.mean((pred - target) ** 2),
     "mse on pred (3, 1) and target (3,): expected 0.136667, got 0.336667, the mean of a (3, 3) table: "
     "pred (3, 1) minus target (3,) broadcasts to every prediction minus every target. "
     "Reshape the target first: target.reshape(pred.shape)."),
])
def test_check_mse_names_the_cause(wrong, hint):
    result, out = message(L.check_mse, wrong)
    assert result is False and hint in out and out.startswith("❌")


@pytest.mark.parametrize("answer, sentence", [
    (lambda pred, target: None, "mse on pred (3, 1) and target (3, 1): returned None, not a number: did you forget `return`?"),
    (lambda pred, target: [0.1, 0.2], "returned a list of shape (2,), not one number: average every squared error"),
    (lambda pred, target: {"mse": 0.1}, "returned a dict ({'mse': 0.1}), not a number"),
    (lambda pred, target: (pred - reshaped(target, pred)) ** 2, "returned an array of shape (3, 1), not one number"),
    (lambda pred, target: np.mean((pred - reshaped(target, pred)) ** 2, axis=0), "returned an array of shape (1,)"),
    (lambda pred, target: "0.1", "returned a str ('0.1'), not a number"),
])
def test_check_mse_wrong_type_is_one_sentence(answer, sentence):
    result, out = message(L.check_mse, answer)
    assert result is False and sentence in out and "Traceback" not in out and len(out.strip().splitlines()) == 1


def test_check_mse_accepts_numpy_numbers():
    assert message(L.check_mse, lambda pred, target: np.mean((pred - reshaped(target, pred)) ** 2))[0]
    assert message(L.check_mse, lambda pred, target: np.asarray(good_mse(pred, target)))[0]     # a 0-d array is a number


def test_check_cross_entropy(capsys):
    assert L.check_cross_entropy(good_cross_entropy)
    assert "✅" in capsys.readouterr().out
    assert not L.check_cross_entropy(stub)
    assert "not done yet" in capsys.readouterr().out


def saito_cross_entropy(p, target):
    """Deep Learning from Scratch's cross_entropy_error: an epsilon of 1e-7 inside the log."""
    t = as_one_hot(p, target)
    N = p.shape[0]
    return -np.sum(t * np.log(p + 1e-7)) / N


def clipped_cross_entropy(p, target):
    return -np.sum(as_one_hot(p, target) * np.log(np.clip(p, 1e-7, 1.0))) / len(p)


def keras_clipped_cross_entropy(p, target):
    return -np.sum(as_one_hot(p, target) * np.log(np.clip(p, 1e-7, 1 - 1e-7))) / len(p)


def picked_cross_entropy(p, target):
    target = np.asarray(target)
    labels = target if target.ndim == 1 else target.argmax(axis=1)
    return -np.mean(np.log(np.maximum(p[np.arange(len(p)), labels], 1e-300)))


@pytest.mark.parametrize("answer", [saito_cross_entropy, clipped_cross_entropy, keras_clipped_cross_entropy,
                                    picked_cross_entropy, good_cross_entropy])
def test_check_cross_entropy_accepts_textbook_answers(answer):
    """Saito's -np.sum(t * np.log(p + 1e-7)) / N and clipping at 1e-7 are right (they were refused with
    "the loss must be large (above 10)": on a true class of probability 0 they give 16.1 / 2 ≈ 8.06)."""
    result, out = message(L.check_cross_entropy, answer)
    assert result is True, out


def test_textbook_answers_on_a_zero_are_large_and_finite():
    wrong, labels = np.array([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]]), np.array([0, 1])
    assert np.isclose(saito_cross_entropy(wrong, labels), -np.log(1e-7) / 2 - 1e-7 / 2)
    assert np.isclose(clipped_cross_entropy(wrong, labels), -np.log(1e-7) / 2)
    assert 8 < saito_cross_entropy(wrong, labels) < 10 < nn.CrossEntropyLoss(from_logits=False)(wrong, labels)


@pytest.mark.parametrize("wrong, hint", [
    # the missing minus sign
    (lambda p, t: np.sum(as_one_hot(p, t) * np.log(np.clip(p, 1e-7, 1))) / len(p),
     "cross_entropy on probabilities (2, 3) and one-hot targets (2, 3): the loss came out negative (-0.2899); "
     "expected 0.2899. The log of a probability is at most 0, so the cross-entropy needs a minus sign in front: "
     "-np.sum(t * np.log(p)) / N."),
    # summed over the batch instead of averaged
    (lambda p, t: -np.sum(as_one_hot(p, t) * np.log(np.clip(p, 1e-7, 1))),
     "expected 0.2899, got 0.5798, the SUM of the 2 samples' losses: divide by the batch size N = len(p) = 2 "
     "for the mean per sample."),
    # np.mean over every element
    (lambda p, t: -np.mean(as_one_hot(p, t) * np.log(np.clip(p, 1e-7, 1))),
     "np.mean over all 2 × 3 numbers divides by the classes too"),
    # a stable answer that clips too far from 0
    (lambda p, t: good_cross_entropy(np.clip(p, 0.1, 1), t),
     "cross_entropy on a true class with probability exactly 0: the true class of sample 0 has probability exactly 0, "
     "so its loss must be large: at least -log(1e-7) ≈ 16.1 for that sample, a mean of at least 8.059 over the batch; "
     "got 1.151. Clip at 1e-7 or smaller (np.clip(p, 1e-7, 1)), not at a bigger number."),
    (lambda p, t: 0.5 if p[0, 1] == 1 else saito_cross_entropy(p, t), "a mean of at least 8.059"),
    # an epsilon bigger than 1e-7 is too big
    (lambda p, t: -np.sum(as_one_hot(p, t) * np.log(p + 1e-4)) / len(p),
     "expected 0.28990925, got 0.28977533: a little too small, as if the epsilon added inside the log (or the clip) "
     "were bigger than 1e-7. Use 1e-7 or smaller: np.log(p + 1e-7) or np.clip(p, 1e-7, 1)."),
    (lambda p, t: good_cross_entropy(p, t) + 0.01, "expected 0.289909 (nnlib's CrossEntropyLoss), got 0.299909."),
])
def test_check_cross_entropy_names_the_cause(wrong, hint):
    result, out = message(L.check_cross_entropy, wrong)
    assert result is False and hint in out and out.startswith("❌")


def test_check_cross_entropy_catches_log_of_zero(capsys):
    def naive(p, target):
        return float(-np.sum(as_one_hot(p, target) * np.log(p)) / len(p))

    assert not L.check_cross_entropy(naive)
    out = capsys.readouterr().out
    assert "exactly" in out and "divide by zero" in out
    assert "np.log(0) is -inf, and 0 · (-inf) is NaN" in out and "np.log(p + 1e-7)" in out


def test_check_cross_entropy_catches_nan_and_inf_without_warnings():
    # warnings silenced by the learner still leave NaN / inf behind: say where they come from
    def nan(p, target):
        with np.errstate(all="ignore"):
            return -np.sum(as_one_hot(p, target) * np.log(p.astype(np.float64))) / len(p)
    result, out = message(L.check_cross_entropy, lambda p, t: float("nan"))
    assert not result and "the loss is NaN: 0 · log(0)" in out
    result, out = message(L.check_cross_entropy, lambda p, t: float("inf"))
    assert not result and "the loss is infinite: log(0) = -inf" in out


def test_check_cross_entropy_needs_labels(capsys):
    def one_hot_only(p, target):
        return float(-np.sum(np.asarray(target) * np.log(np.clip(p, 1e-12, 1))) / len(p))

    assert not L.check_cross_entropy(one_hot_only)
    out = capsys.readouterr().out
    assert "integer labels" in out and "nn.to_one_hot(target, p.shape[1])" in out


def test_check_cross_entropy_needs_one_hot_too():
    def labels_only(p, target):
        return float(-np.mean(np.log(np.clip(p[np.arange(len(p)), target], 1e-12, 1))))

    result, out = message(L.check_cross_entropy, labels_only)
    assert not result and "IndexError" in out and "Here target is one-hot rows (batch, classes)" in out


@pytest.mark.parametrize("answer, sentence", [
    (lambda p, t: None, "returned None, not a number: did you forget `return`?"),
    (lambda p, t: [0.3], "returned a list of shape (1,), not one number: sum over the classes and average over the batch"),
    (lambda p, t: {"loss": 0.3}, "returned a dict"),
    (lambda p, t: -np.sum(as_one_hot(p, t) * np.log(np.clip(p, 1e-7, 1)), axis=1), "returned an array of shape (2,)"),
    (lambda p, t: True, "returned True, a bool, not the loss"),
])
def test_check_cross_entropy_wrong_type_is_one_sentence(answer, sentence):
    result, out = message(L.check_cross_entropy, answer)
    assert result is False and sentence in out and "Traceback" not in out and len(out.strip().splitlines()) == 1


def test_checks_do_not_let_the_learner_change_the_cases():
    def clobbers(p, target):
        value = good_cross_entropy(p, target)
        p[:] = 0.5
        return value
    assert message(L.check_cross_entropy, clobbers)[0]


def test_a_checking_explorer_does_not_touch_the_learners():
    """The notebook's widget check builds its own explorer: moving it leaves the learner's one as the learner set it."""
    learners = L.build_loss_explorer(w1=0.25)
    learners.w1.value, learners.loss.value = 0.4, "cross-entropy"       # whatever the learner did
    shown = (learners.loss_label.value, learners.figure.image.value)
    check = L.build_loss_explorer(w1=0.25)
    assert check.loss.value == "MSE" and check.loss_label.value.startswith("MSE at w₁ = 0.25")
    check.w1.value, check.loss.value = -0.1, "cross-entropy"
    assert (learners.loss_label.value, learners.figure.image.value) == shown
