"""Draw your own digit: a drawing pad (ipycanvas) whose drawing is preprocessed as MNIST's
digits were and classified live by two networks.

MNIST's preprocessing (LeCun et al.): each digit was cropped to its ink, scaled so
that it fits a 20 x 20 box keeping its aspect ratio, with anti-aliasing (grey
levels at the edges), and placed in a 28 x 28 image so that its centre of mass
is at the centre. preprocess() does the same to any grey image, as a pure
function; rasterise() turns strokes (lists of points) into such an image.

The pad works without a browser too: start_stroke/add_point/end_stroke are what
the mouse and touch handlers call, and tests call them directly.
"""
import time

import ipywidgets as widgets
import numpy as np

from ..course.widgets import DPI, FigureWidget

SIDE = 28  # the network's images: 28 x 28
BOX = 20  # the digit's longer side after scaling, as in MNIST
PAD = 280  # the drawing pad: 280 x 280 pixels, 10 per network pixel
PEN = 22.0  # the pen's width on the pad, in pixels
LIVE_SECONDS = 0.3  # while a stroke is drawn, classify at most this often (the kernel draws the line too)


def area_weights(n_in, n_out):
    """(n_out, n_in) matrix M: M @ v resamples v from n_in to n_out cells by area.

    Output cell i covers input [i * n_in / n_out, (i + 1) * n_in / n_out); each
    input cell adds its overlap with it, so shrinking averages (anti-aliasing) and
    every row of M sums to 1.
    """
    edges = np.arange(n_out + 1) * (n_in / n_out)
    lo, hi = edges[:-1, None], edges[1:, None]
    cells = np.arange(n_in)[None, :]
    overlap = np.clip(np.minimum(hi, cells + 1) - np.maximum(lo, cells), 0, None)
    return overlap / overlap.sum(axis=1, keepdims=True)


def resize(image, height, width):
    """An (h, w) image resampled by area to (height, width): grey levels stay in the input's range."""
    image = np.asarray(image, dtype=np.float64)
    return area_weights(image.shape[0], height) @ image @ area_weights(image.shape[1], width).T


def preprocess(image, threshold=0.05):
    """Any grey image (h, w), ink high (0..1 or 0..255), as MNIST would have it: (28, 28) float32 in [0, 1].

    1. crop to the bounding box of the pixels above threshold (of the maximum);
    2. scale so that the longer side is 20 pixels, keeping the aspect ratio (by area: anti-aliased);
    3. place in 28 x 28 so that the centre of mass is at the centre (14, 14), rounded to whole pixels.
    An image without ink gives all zeros.
    """
    image = np.asarray(image, dtype=np.float64)
    if image.ndim != 2:
        raise ValueError(f"preprocess: need one grey image of shape (height, width), got shape {image.shape}.")
    out = np.zeros((SIDE, SIDE), dtype=np.float32)
    peak = image.max() if image.size else 0.0
    if not peak > 0:
        return out
    image = image / peak
    rows = np.flatnonzero((image > threshold).any(axis=1))
    cols = np.flatnonzero((image > threshold).any(axis=0))
    crop = image[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    h, w = crop.shape
    scale = BOX / max(h, w)
    new_h, new_w = max(1, round(h * scale)), max(1, round(w * scale))
    digit = np.clip(resize(crop, new_h, new_w), 0, 1)
    mass = digit.sum()
    centre_row = (digit.sum(axis=1) @ np.arange(new_h)) / mass
    centre_col = (digit.sum(axis=0) @ np.arange(new_w)) / mass
    top = int(np.clip(round(SIDE / 2 - 0.5 - centre_row), 0, SIDE - new_h))
    left = int(np.clip(round(SIDE / 2 - 0.5 - centre_col), 0, SIDE - new_w))
    out[top:top + new_h, left:left + new_w] = digit
    return out


def rasterise(strokes, size=PAD, width=PEN):
    """Strokes (a list of lists of (x, y) points, x to the right, y down) drawn with a round pen
    of `width` pixels into a (size, size) grey image in [0, 1], anti-aliased at the edges."""
    image = np.zeros((size, size))
    radius = width / 2
    for stroke in strokes:
        points = np.asarray(stroke, dtype=np.float64).reshape(-1, 2)
        if len(points) == 0:
            continue
        segments = zip(points, points[1:]) if len(points) > 1 else [(points[0], points[0])]
        for a, b in segments:
            x0 = int(max(0, np.floor(min(a[0], b[0]) - radius - 1)))
            x1 = int(min(size, np.ceil(max(a[0], b[0]) + radius + 2)))
            y0 = int(max(0, np.floor(min(a[1], b[1]) - radius - 1)))
            y1 = int(min(size, np.ceil(max(a[1], b[1]) + radius + 2)))
            if x0 >= x1 or y0 >= y1:
                continue
            yy, xx = np.mgrid[y0:y1, x0:x1] + 0.5  # pixel centres
            d = b - a
            length2 = d @ d
            t = 0.0 if length2 == 0 else np.clip(((xx - a[0]) * d[0] + (yy - a[1]) * d[1]) / length2, 0, 1)
            distance = np.hypot(xx - (a[0] + t * d[0]), yy - (a[1] + t * d[1]))
            ink = np.clip(radius + 0.5 - distance, 0, 1)  # 1 inside the pen, a one-pixel grey rim
            image[y0:y1, x0:x1] = np.maximum(image[y0:y1, x0:x1], ink)
    return image


def prediction_text(results):
    """results: [(name, probabilities (10,))] -> "CNN: 7 (p = 0.98) · MLP: 7 (p = 0.91)"."""
    return " · ".join(f"{name}: {int(np.argmax(p))} (p = {float(np.max(p)):.2f})" for name, p in results)


def bars_html(results):
    """Probability bars, one row per digit and one bar per network, as an HTML table."""
    colours = ["#1f77b4", "#ff7f0e", "#2ca02c"]
    head = "".join(f"<th style='text-align:left;color:{colours[i % 3]}'>{name}</th>"
                   for i, (name, _) in enumerate(results))
    rows = []
    for digit in range(10):
        cells = "".join(
            f"<td style='white-space:nowrap'><div style='background:{colours[i % 3]};"
            f"width:{max(1, round(150 * float(p[digit])))}px;height:10px;display:inline-block'></div> "
            f"{float(p[digit]):.2f}</td>"
            for i, (_, p) in enumerate(results))
        rows.append(f"<tr><td><b>{digit}</b></td>{cells}</tr>")
    return f"<table style='font-size:12px'><tr><th>digit</th>{head}</tr>{''.join(rows)}</table>"


VIEW_SIZE = (2.4, 2.6)  # inches: the "what the networks see" picture, 240 x 260 pixels at 100 dpi


def picture_layout(figsize=VIEW_SIZE, dpi=DPI):
    """The layout of the "what the networks see" picture in its row: its own pixel size, neither
    shrunk nor stretched by the row (a flex row stretches its items to the tallest one, the bars,
    unless told not to), so the 28 x 28 picture stays square."""
    width, height = round(figsize[0] * dpi), round(figsize[1] * dpi)
    return dict(width=f"{width}px", height=f"{height}px", min_width=f"{width}px", flex="0 0 auto",
                align_self="flex-start", object_fit="contain")


EMPTY = "Draw a digit in the box (mouse or finger), as large as you like."


class DrawingPad:
    """A 280 x 280 pad to draw on; each finished stroke is preprocessed and classified.

    models: {name: function (n, 28, 28) images -> (n, 10) probabilities}, e.g.
    {"CNN": ..., "MLP": ...}. The prediction goes to self.label (a Label), the bars
    to self.bars (HTML), the network's view to self.view (a FigureWidget). While a stroke is
    drawn, the prediction is refreshed every live_seconds; lifting the pen refreshes it at once.
    """

    def __init__(self, models, size=PAD, pen=PEN, live_seconds=LIVE_SECONDS):
        from ipycanvas import Canvas

        self.models = dict(models)
        self.size, self.pen = size, pen
        self.strokes = []
        self.live_seconds = live_seconds
        self._last_live = 0.0
        self.canvas = Canvas(width=size, height=size, layout=widgets.Layout(width=f"{size}px", height=f"{size}px",
                                                                             border="1px solid grey"))
        self.canvas.stroke_style = "black"
        self.canvas.line_width = pen
        self.canvas.line_cap = "round"
        self.canvas.line_join = "round"
        self.clear_button = widgets.Button(description="Clear", icon="eraser")
        self.label = widgets.Label(EMPTY)
        self.bars = widgets.HTML()
        self.view = FigureWidget(figsize=VIEW_SIZE)
        self.view.image.layout = widgets.Layout(**picture_layout(VIEW_SIZE, self.view.fig.dpi))
        self.picture = self.view.axes.imshow(np.zeros((SIDE, SIDE)), cmap="gray_r", vmin=0, vmax=1)
        self.view.axes.set_title("what the networks see\n(28×28)", fontsize=9)
        self.view.axes.set_xticks([])
        self.view.axes.set_yticks([])
        self.canvas.on_mouse_down(self.start_stroke)
        self.canvas.on_mouse_move(self._mouse_move)
        self.canvas.on_mouse_up(self._mouse_up)
        self.canvas.on_mouse_out(self._mouse_up)
        self.canvas.on_touch_start(self._touch_start)
        self.canvas.on_touch_move(self._touch_move)
        self.canvas.on_touch_end(self._touch_end)
        self.canvas.on_touch_cancel(self._touch_end)
        self.clear_button.on_click(lambda button: self.clear())
        self.drawing = False
        self.box = widgets.VBox([widgets.HBox([self.canvas, self.view.image, self.bars]), self.clear_button,
                                 self.label])
        self.view.refresh()

    # what the mouse and touch handlers call (tests call them directly)

    def start_stroke(self, x, y):
        self.drawing = True
        self._last_live = time.monotonic()  # the first live reading comes live_seconds into the stroke
        self.strokes.append([(float(x), float(y))])
        self.canvas.fill_circle(x, y, self.pen / 2)

    def add_point(self, x, y):
        if not self.drawing:
            return
        x0, y0 = self.strokes[-1][-1]
        self.strokes[-1].append((float(x), float(y)))
        self.canvas.stroke_line(x0, y0, x, y)
        if time.monotonic() - self._last_live >= self.live_seconds:
            self.classify()
            self._last_live = time.monotonic()

    def end_stroke(self):
        if self.drawing:
            self.drawing = False
            self.classify()

    def _mouse_move(self, x, y):
        self.add_point(x, y)

    def _mouse_up(self, x, y):
        self.end_stroke()

    # a finger: ipycanvas passes the list of (x, y) of the fingers on the screen; the first one draws

    def _touch_start(self, touches):
        if touches:
            self.start_stroke(*touches[0])

    def _touch_move(self, touches):
        if touches:
            self.add_point(*touches[0])

    def _touch_end(self, touches):
        self.end_stroke()

    def draw(self, strokes):
        """Draw whole strokes (lists of (x, y) points) as the mouse would, then classify once."""
        for stroke in strokes:
            self.start_stroke(*stroke[0])
            for point in stroke[1:]:
                self.add_point(*point)
            self.drawing = False
        self.classify()

    def image(self):
        """The drawing as the networks see it: (28, 28) in [0, 1]."""
        return preprocess(rasterise(self.strokes, self.size, self.pen))

    def classify(self):
        """Preprocess the drawing, run every model, show the picture, the prediction and the bars."""
        image = self.image()
        self.picture.set_data(image)
        self.view.refresh()
        if not image.any():
            self.label.value, self.bars.value = EMPTY, ""
            return None
        results = [(name, np.asarray(model(image[np.newaxis]))[0]) for name, model in self.models.items()]
        self.label.value = prediction_text(results)
        self.bars.value = bars_html(results)
        return results

    def clear(self):
        """Wipe the pad: no strokes, no prediction (fine on an empty pad too)."""
        self.strokes = []
        self.drawing = False
        self.canvas.clear()
        self.classify()


def build_drawing_pad(models, **options):
    """The drawing pad; display(pad.box) to show it."""
    return DrawingPad(models, **options)
