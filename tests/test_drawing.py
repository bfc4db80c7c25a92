"""The drawing pad: MNIST's preprocessing as a pure function, strokes rasterised and classified, Clear."""
import numpy as np
import pytest

import nnlib as nn
from nnlib.apps import drawing
from nnlib.course import l10_convolution as l10


@pytest.fixture(scope="module")
def cnn():
    model = nn.load(l10.WEIGHTS)
    return lambda images: l10.probabilities(model, images)


@pytest.fixture(scope="module")
def test_digits():
    _, (x_test, t_test) = nn.load_mnist(flatten=False)
    return x_test[:100], t_test[:100]


def test_area_weights_rows_sum_to_one_and_shrinking_averages():
    M = drawing.area_weights(10, 4)
    assert M.shape == (4, 10) and np.allclose(M.sum(axis=1), 1)
    np.testing.assert_allclose(drawing.resize(np.ones((10, 6)), 4, 3), np.ones((4, 3)))
    np.testing.assert_allclose(drawing.resize(np.eye(2), 1, 1), [[0.5]])  # anti-aliased: a grey level


def test_preprocess_crops_scales_to_20_and_centres_the_mass():
    canvas = np.zeros((300, 200))
    canvas[50:250, 80:120] = 1.0  # a bar 200 tall, 40 wide
    image = drawing.preprocess(canvas)
    assert image.shape == (28, 28) and image.dtype == np.float32
    rows, cols = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
    assert len(rows) == 20 and len(cols) == 4  # the longer side is 20, the aspect ratio kept
    mass = image.sum()
    assert abs(image.sum(axis=1) @ np.arange(28) / mass - 13.5) <= 0.5
    assert abs(image.sum(axis=0) @ np.arange(28) / mass - 13.5) <= 0.5
    assert 0 <= image.min() and image.max() <= 1


def test_preprocess_of_255_scale_and_of_an_empty_canvas():
    canvas = np.zeros((50, 50))
    canvas[10:20, 10:40] = 255
    assert drawing.preprocess(canvas).max() == 1
    assert not drawing.preprocess(np.zeros((80, 80))).any()
    with pytest.raises(ValueError, match="one grey image"):
        drawing.preprocess(np.zeros((2, 28, 28)))


def test_mnist_test_digits_upscaled_shifted_and_padded_keep_their_class(cnn, test_digits):
    images, labels = test_digits
    big = []
    for i, image in enumerate(images):
        canvas = np.zeros((320, 300))
        top, left = 20 + i % 50, 5 + (3 * i) % 90  # a different place on the canvas for each digit
        canvas[top:top + 196, left:left + 196] = np.kron(image, np.ones((7, 7)))  # 7 times larger
        big.append(drawing.preprocess(canvas))
    predicted = cnn(np.array(big)).argmax(axis=1)
    assert predicted[0] == labels[0] == 7
    assert np.mean(predicted == labels) >= 0.98


def test_rasterise_draws_round_anti_aliased_strokes():
    image = drawing.rasterise([[(100.3, 50), (100.3, 200)]], size=280, width=20)
    assert image.shape == (280, 280) and image[120, 100] == 1 and image[120, 140] == 0
    assert 0 < image[120, 110] < 1  # a grey rim: the pen covers 0.3 of this pixel
    dot = drawing.rasterise([[(10, 10)]], size=40, width=6)
    assert dot[10, 10] == 1 and dot.sum() > 20
    assert not drawing.rasterise([[]], size=10).any()


def circle(cx=140, cy=140, rx=60, ry=90, n=40):
    angles = np.linspace(0, 2 * np.pi, n)
    return list(zip(cx + rx * np.cos(angles), cy + ry * np.sin(angles)))


def test_strokes_are_classified_and_the_label_changes(cnn):
    mlp_like = lambda images: np.full((len(images), 10), 0.1)  # noqa: E731
    pad = drawing.build_drawing_pad({"CNN": cnn, "MLP": mlp_like})
    assert pad.label.value == drawing.EMPTY
    pad.draw([[(140, 40), (140, 240)]])
    assert pad.label.value.startswith("CNN: 1 (p = ") and "· MLP: 0 (p = 0.10)" in pad.label.value
    assert "<table" in pad.bars.value and pad.image().shape == (28, 28)
    pad.clear()
    assert pad.label.value == drawing.EMPTY and pad.strokes == [] and pad.bars.value == ""
    pad.draw([circle()])
    assert pad.label.value.startswith("CNN: 0 (p = ")


def test_mouse_handlers_draw_a_stroke_and_clear_on_an_empty_pad_is_fine(cnn):
    pad = drawing.DrawingPad({"CNN": cnn})
    pad.clear_button.click()  # an empty pad: nothing to clear, no error
    assert pad.label.value == drawing.EMPTY
    pad.add_point(5, 5)  # a move without the button down draws nothing
    assert pad.strokes == []
    pad.start_stroke(140, 40)
    for y in range(50, 250, 10):
        pad._mouse_move(140, y)
    pad._mouse_up(140, 240)
    assert len(pad.strokes) == 1 and pad.label.value.startswith("CNN: 1")
    png = pad.view.image.value
    pad.clear_button.click()
    assert pad.strokes == [] and pad.label.value == drawing.EMPTY and pad.view.image.value != png


def test_prediction_text_format():
    p = np.eye(10)[7] * 0.98 + 0.002
    assert drawing.prediction_text([("CNN", p), ("MLP", np.eye(10)[7])]) == "CNN: 7 (p = 0.98) · MLP: 7 (p = 1.00)"


def test_the_prediction_is_live_while_a_stroke_is_drawn(cnn):
    pad = drawing.DrawingPad({"CNN": cnn}, live_seconds=0.0)  # refresh at every point
    pad.start_stroke(140, 40)
    pad.add_point(140, 120)
    assert pad.drawing and pad.label.value.startswith("CNN: ")  # before the pen is lifted
    slow = drawing.DrawingPad({"CNN": cnn}, live_seconds=3600)
    slow.start_stroke(140, 40)
    slow.add_point(140, 240)
    assert slow.label.value == drawing.EMPTY  # not yet: at most once an hour
    slow.end_stroke()
    assert slow.label.value.startswith("CNN: 1")


def test_a_finger_draws_like_the_mouse(cnn):
    pad = drawing.DrawingPad({"CNN": cnn})
    pad._touch_start([])  # no finger reported: nothing happens
    assert pad.strokes == []
    pad._touch_start([(140, 40), (10, 10)])  # a second finger is ignored
    for y in range(60, 260, 20):
        pad._touch_move([(140, y)])
    pad._touch_end([])
    assert len(pad.strokes) == 1 and len(pad.strokes[0]) == 11 and pad.label.value.startswith("CNN: 1")


def test_the_networks_picture_keeps_its_aspect_ratio_beside_the_bars(cnn):
    layout = drawing.picture_layout((2.4, 2.6), dpi=100)
    assert (layout["width"], layout["height"]) == ("240px", "260px")
    assert layout["flex"] == "0 0 auto" and layout["align_self"] == "flex-start"   # not stretched to the bars
    pad = drawing.build_drawing_pad({"CNN": cnn})
    pad.draw([circle()])
    assert pad.bars.value   # the bars are shown
    png = pad.view.image.value
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    shown = pad.view.image.layout
    assert (shown.width, shown.height) == (f"{width}px", f"{height}px")   # drawn at the PNG's own size
    axes = pad.view.axes.get_window_extent()
    assert abs(axes.width - axes.height) <= 1     # the 28 x 28 picture is square inside the PNG
