"""Losses: values, stable gradients, label formats and clear errors."""
import numpy as np
import pytest

import nnlib as nn

RNG = np.random.default_rng(3)


def test_mse_value_and_seed_004():
    loss = nn.MSELoss()
    # seed 004: y_true [1, 0, 0, 1], y_pred all 0 -> 0.5
    assert loss.forward(np.zeros((4, 1)), np.array([[1], [0], [0], [1]])) == 0.5
    np.testing.assert_allclose(loss.backward(), [[-0.5], [0], [0], [-0.5]])


def test_mse_never_broadcasts_column_against_row():
    pred = np.array([[0.1], [0.2], [0.3]])
    target = np.array([0.0, 0.0, 1.0])  # (3,) against (3, 1) would broadcast to (3, 3)
    # A silent reshape would hide a mistake elsewhere: the shapes must match exactly.
    with pytest.raises(ValueError, match=r"\(3, 1\).*\(3,\).*reshape\(-1, 1\)"):
        nn.MSELoss().forward(pred, target)
    assert nn.MSELoss().forward(pred, target.reshape(-1, 1)) == pytest.approx(np.mean((pred[:, 0] - target) ** 2))
    with pytest.raises(ValueError, match=r"\(3, 1\).*\(2,\)"):
        nn.MSELoss().forward(pred, np.zeros(2))


def test_mse_same_size_other_shape_raises():
    # Before: pred (2, 2) with target (4,) was silently reshaped and gave 7.5.
    with pytest.raises(ValueError, match=r"pred has shape \(2, 2\) but target has shape \(4,\)"):
        nn.MSELoss().forward(np.ones((2, 2)), np.array([1.0, 2.0, 3.0, 4.0]))


def test_cross_entropy_labels_and_one_hot_agree():
    logits = RNG.normal(size=(6, 4))
    labels = np.array([0, 3, 1, 2, 3, 0])
    a, b = nn.CrossEntropyLoss(), nn.CrossEntropyLoss()
    assert a.forward(logits, labels) == pytest.approx(b.forward(logits, nn.to_one_hot(labels, 4)))
    np.testing.assert_allclose(a.backward(), b.backward())
    expected = -np.mean(np.log(nn.softmax(logits)[np.arange(6), labels]))
    assert a.forward(logits, labels) == pytest.approx(expected)


def test_cross_entropy_fused_gradient():
    logits = RNG.normal(size=(5, 3))
    labels = np.array([0, 1, 2, 1, 0])
    loss = nn.CrossEntropyLoss()
    loss.forward(logits, labels)
    np.testing.assert_allclose(loss.backward(), (nn.softmax(logits) - nn.to_one_hot(labels, 3)) / 5)


def test_cross_entropy_stable_at_extremes():
    loss = nn.CrossEntropyLoss()
    assert loss.forward(np.array([[1e4, -1e4]]), [0]) == 0.0
    assert loss.forward(np.array([[1e4, -1e4]]), [1]) == pytest.approx(2e4)
    assert np.isfinite(loss.backward()).all()


def test_cross_entropy_probabilities_of_exactly_zero_and_one():
    loss = nn.CrossEntropyLoss(from_logits=False)
    p = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert loss.forward(p, [0, 1]) == 0.0
    value = loss.forward(p, [1, 0])
    assert np.isfinite(value) and value == pytest.approx(-np.log(1e-12))
    assert np.isfinite(loss.backward()).all()
    with pytest.raises(ValueError, match="probabilities"):
        loss.forward(np.array([[1.5, -0.5]]), [0])


def test_cross_entropy_label_errors():
    loss = nn.CrossEntropyLoss()
    logits = np.zeros((3, 4))
    with pytest.raises(ValueError, match=r"\[0, 4\).*from 0 to 4"):
        loss.forward(logits, [0, 1, 4])
    with pytest.raises(ValueError, match="from -1"):
        loss.forward(logits, [0, -1, 2])
    with pytest.raises(ValueError, match="3 predictions but 2 labels"):
        loss.forward(logits, [0, 1])
    with pytest.raises(ValueError, match="integers"):
        loss.forward(logits, [0.5, 1, 2])
    with pytest.raises(ValueError, match=r"\(3,\).*\(3, 4\).*\(3, 3\)"):
        loss.forward(logits, np.eye(3))


def test_losses_reject_empty_batch_and_nan():
    for loss, target in [(nn.MSELoss(), np.zeros((0, 2))), (nn.CrossEntropyLoss(), np.zeros(0, dtype=int))]:
        with pytest.raises(ValueError, match="empty batch"):
            loss.forward(np.zeros((0, 2)), target)
    with pytest.raises(ValueError, match="NaN"):
        nn.MSELoss().forward(np.array([[np.nan]]), [[0.0]])
    with pytest.raises(ValueError, match="NaN"):
        nn.CrossEntropyLoss().forward(np.array([[np.nan, 0.0]]), [0])


@pytest.mark.parametrize("loss, target", [
    (nn.MSELoss(), RNG.normal(size=(4, 3))),
    (nn.CrossEntropyLoss(), np.array([0, 2, 1, 2])),
    (nn.CrossEntropyLoss(), nn.to_one_hot([1, 1, 0, 2], 3)),
])
def test_losses_pass_gradient_check(loss, target):
    model = nn.Sequential([nn.Linear(2, 3, rng=np.random.default_rng(0))])
    errors = nn.gradient_check(model, loss, RNG.normal(size=(4, 2)), target)
    assert max(errors.values()) < 1e-6, errors


def test_softmax_layer_with_probability_cross_entropy_passes_gradient_check():
    model = nn.Sequential([nn.Linear(2, 3, rng=np.random.default_rng(0)), nn.Softmax()])
    errors = nn.gradient_check(model, nn.CrossEntropyLoss(from_logits=False), RNG.normal(size=(4, 2)), [0, 1, 2, 1])
    assert max(errors.values()) < 1e-6, errors


def test_cross_entropy_rejects_a_single_column():
    # with one column, softmax is 1 whatever the input and the loss 0: a silent dead end for binary outputs
    for loss in (nn.CrossEntropyLoss(), nn.CrossEntropyLoss(from_logits=False)):
        with pytest.raises(ValueError, match=r"one column per class.*\[0, z\]"):
            loss.forward(np.array([[0.3], [0.9]]), [0, 0])
