"""Lesson 10 helpers: convolution by hand against nnlib, the output-size and kernel widgets,
the course's CNN (nn.load(WEIGHTS)), the shift experiment, and the exercises' other right answers."""
import numpy as np
import pytest

import nnlib as nn
from nnlib.course import l10_convolution as l10


def test_correlate_by_hand_equals_nnlib_conv2d_for_every_stride_and_padding():
    rng = np.random.default_rng(0)
    image, kernel = rng.random((9, 8)), rng.standard_normal((3, 3))
    for stride in (1, 2, 3):
        for padding in (0, 1, 2):
            by_hand = l10.correlate(image, kernel, stride, padding)
            np.testing.assert_allclose(l10.feature_map(image, kernel, stride, padding), by_hand, atol=1e-12)
            assert by_hand.shape == (nn.output_size(9, 3, stride, padding), nn.output_size(8, 3, stride, padding))


def test_correlate_on_a_patch_is_the_sum_of_the_products():
    patch = np.arange(25.0).reshape(5, 5)
    kernel = np.array(l10.KERNELS["vertical edge"], dtype=float)
    out = l10.correlate(patch, kernel)
    assert out.shape == (3, 3)
    assert out[0, 0] == np.sum(patch[:3, :3] * kernel) == -6.0


def test_shape_formula_and_widget_moves():
    assert l10.shape_formula(28, 3, 1, 1).endswith("= 28")
    assert l10.shape_formula(28, 5, 2, 0) == "out = (H + 2P − K) // S + 1 = (28 + 2·0 − 5) // 2 + 1 = 12"
    view = l10.build_shape_widget(np.random.default_rng(0).random(784))
    label, png = view.label.value, view.figure.image.value
    assert label.endswith("= 26")                                         # K = 3, S = 1, P = 0
    view.stride.value, view.kernel.value = 2, 5
    assert view.label.value != label and view.label.value.endswith("= 12") and view.figure.image.value != png
    view.padding.value = 2
    assert view.label.value.endswith("= 14")
    view.kernel.value, view.padding.value, view.stride.value = 9, 4, 4  # every end of the ranges works
    assert view.label.value.endswith("= 7")  # (28 + 8 - 9) // 4 + 1


def test_kernel_editor_presets_and_sliders_change_the_feature_map():
    images = np.random.default_rng(1).random((3, 784))
    view = l10.build_kernel_editor(images)
    np.testing.assert_allclose(view.kernel(), l10.KERNELS["vertical edge"])
    label, png = view.label.value, view.figure.image.value
    view.preset.value = "blur"
    np.testing.assert_allclose(view.kernel(), np.full((3, 3), 1 / 9))
    assert view.label.value != label and view.figure.image.value != png
    view.weights[4].value = 2.0
    assert view.kernel()[1, 1] == 2.0 and "sum +2.89" in view.label.value
    view.index.value = 2
    np.testing.assert_allclose(view.fmap.get_array(), l10.feature_map(images[2].reshape(28, 28), view.kernel(), 1, 1))
    label, png = view.label.value, view.figure.image.value
    view.preset.value = "horizontal edge"
    np.testing.assert_allclose(view.kernel(), l10.KERNELS["horizontal edge"])
    assert view.label.value != label and view.figure.image.value != png
    view.weights[4].value = 1.0
    assert "sum +1.00" in view.label.value


def test_the_cnn_file_loads_with_nn_load_in_evaluation_mode_and_reads_a_slice():
    trained = nn.load(l10.WEIGHTS)
    assert trained.forward(np.zeros((2, 1, 28, 28), np.float32)).shape == (2, 10)
    assert not any(layer.training for layer in trained.leaf_layers())  # saved in evaluation mode
    _, (x_test, t_test) = nn.load_mnist(flatten=False)
    p = l10.probabilities(trained, x_test[:1000])
    assert p.shape == (1000, 10) and np.allclose(p.sum(axis=1), 1, atol=1e-5)
    assert np.mean(p.argmax(axis=1) == t_test[:1000]) >= 0.98


def test_shift_accuracy_rolls_to_the_right():
    images = np.zeros((2, 28, 28))
    images[:, 5, 3] = 1
    assert l10.shift_images(images, 2)[0, 5, 5] == 1
    predict = lambda x: np.where(x[:, 5, 3] == 1, 1, 0)  # noqa: E731  "class 1 while the dot is at column 3"
    assert l10.shift_accuracy(predict, images, np.array([1, 1]), [0, 1]) == [1.0, 0.0]


def loops(image, kernel):
    """A learner's my_correlate: two loops over the positions."""
    k = kernel.shape[0]
    out = np.zeros((image.shape[0] - k + 1, image.shape[1] - k + 1))
    for r in range(out.shape[0]):
        for q in range(out.shape[1]):
            out[r, q] = np.sum(image[r:r + k, q:q + k] * kernel)
    return out


def test_the_exercises_pass_other_right_answers():  # their mistakes: tests/test_exercises.py
    assert l10.check_output_size(nn.output_size, quiet=True)
    assert l10.check_output_size(lambda h, k, s, p: np.int64(-(-(h + 2 * p - k + 1) // s)), quiet=True)  # a ceiling
    assert l10.check_correlate(loops, quiet=True)
    assert l10.check_correlate(lambda image, kernel: l10.feature_map(image, kernel), quiet=True)


def test_train_cnn_script_builds_the_network_in_the_file_the_lesson_loads():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "scripts" / "train_cnn.py"
    spec = importlib.util.spec_from_file_location("train_cnn_for_l10", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.WEIGHTS == l10.WEIGHTS
    model = script.build_cnn(rng=np.random.default_rng(0))
    nn.load(l10.WEIGHTS, into=model)  # refused unless the file's architecture is build_cnn's
    np.testing.assert_array_equal(model.layers[0].W, nn.load(l10.WEIGHTS).layers[0].W)


def test_every_preset_lies_inside_the_weight_range_and_is_shown_exactly():
    low, high = l10.WEIGHT_RANGE
    view = l10.build_kernel_editor(np.random.default_rng(2).random((2, 784)))
    assert all((w.min, w.max) == (low, high) for w in view.weights)
    for name, kernel in l10.KERNELS.items():
        assert low <= np.min(kernel) and np.max(kernel) <= high, name
        view.preset.value = name
        np.testing.assert_array_equal(view.kernel(), np.array(kernel, dtype=float))


def test_the_feature_map_colours_are_not_clipped():
    view = l10.build_kernel_editor(np.random.default_rng(3).random((2, 784)))
    view.preset.value = "sharpen"
    fmap = view.fmap.get_array()
    low, high = view.fmap.get_clim()
    assert low <= fmap.min() and fmap.max() <= high and high == -low == l10.colour_limit(fmap)
    assert l10.colour_limit(np.zeros((3, 3))) == 1.0


def test_kernel_summary_never_shows_negative_zero():
    line = l10.kernel_summary(np.array([[1e-17, -1e-17]]), np.array([[-1e-12, 0.0]]))
    assert "-0.00" not in line and line.startswith("kernel sum +0.00")
