"""The Playground, the application of lesson 11: TensorFlow Playground rebuilt on nnlib.

Three parts, from the bottom up:
- Playground: the pure model. A configuration (data set, features, layers,
  training settings) becomes data (playground_data), an nnlib Sequential and
  an nnlib optimiser; step() trains one epoch; to_text()/from_text() save and
  restore configuration and weights exactly; code() prints nnlib code that
  rebuilds the network.
- Views, pure functions that return data: a PNG of any values over the plane
  (encoded here with zlib, no figure, no Pillow), SVG strings of the network
  diagram, the output surface with the points, and the loss curves. They are
  cheap enough to redraw every frame.
- PlaygroundWidget: controls wired to a Playground; play runs as an asyncio
  task in the kernel's event loop, so the page and the controls stay live.
  A transparent ipycanvas Canvas over the network picture reports the mouse:
  a click picks a weight or a bias, hovering shows a neuron on the output.
"""
import asyncio
import collections
import base64
import dataclasses
import html
import json
import struct
import time
import weakref
import zlib

import ipywidgets as widgets
import numpy as np
from IPython import get_ipython

from ..course.widgets import slider
from ..layers import Dropout, Linear, ReLU, Sigmoid, Tanh
from ..losses import MSELoss
from ..model import Sequential
from ..optim import OPTIMIZERS, make_optimizer
from .playground_data import DATASETS, EXTENT, FEATURES, features, make_data, problem_of, split

ACTIVATIONS = {"tanh": Tanh, "ReLU": ReLU, "sigmoid": Sigmoid, "linear": None}
INITS = {"Xavier": "xavier", "He": "he", "std 0.1": 0.1, "std 1": 1.0}
REGULARISATIONS = ("none", "L1", "L2")
MAX_LAYERS, MAX_NEURONS = 6, 8
POINTS = 500


@dataclasses.dataclass
class Config:
    """Everything that decides a Playground run (the weights aside)."""

    data: str = "circle"
    noise: float = 0.0            # 0 to 0.5, see playground_data
    train_ratio: float = 0.5      # the fraction of the 500 points used for training
    batch_size: int = 10
    features: tuple = ("x1", "x2")
    hidden: tuple = (4, 2)        # neurons per hidden layer: 0 to 6 layers of 1 to 8
    activation: str = "tanh"
    layer_activations: tuple = ()  # per hidden layer, overriding activation; "same" (or none given) keeps it
    init: str = "Xavier"
    dropout: float = 0.0
    regularisation: str = "none"
    rate: float = 0.0
    optimiser: str = "SGD"
    lr: float = 0.03
    seed: int = 0

    def __post_init__(self):
        self.features = tuple(self.features)
        if isinstance(self.hidden, (int, np.integer)):   # (6) is the number 6, not a tuple: (6,) is
            raise TypeError(f"Playground configuration: hidden must be a tuple of layer sizes, such as (6,) for one "
                            f"layer of 6 neurons or (4, 4), got the number {self.hidden} ((6) is just 6: write (6,)).")
        self.hidden = tuple(int(h) for h in self.hidden)
        self.layer_activations = tuple(self.layer_activations)
        while self.layer_activations and self.layer_activations[-1] == "same":   # ("ReLU", "same") is ("ReLU",)
            self.layer_activations = self.layer_activations[:-1]
        problems = []
        if self.data not in DATASETS:
            problems.append(f"data must be one of {list(DATASETS)}")
        if not self.features or any(f not in FEATURES for f in self.features) or len(set(self.features)) < len(self.features):
            problems.append(f"features must be some of {list(FEATURES)}, each once")
        if len(self.hidden) > MAX_LAYERS or any(not 1 <= h <= MAX_NEURONS for h in self.hidden):
            problems.append(f"hidden must be 0 to {MAX_LAYERS} layers of 1 to {MAX_NEURONS} neurons")
        for name, options in (("activation", ACTIVATIONS), ("init", INITS), ("regularisation", REGULARISATIONS),
                              ("optimiser", OPTIMIZERS)):
            if getattr(self, name) not in options:
                problems.append(f"{name} must be one of {list(options)}")
        if len(self.layer_activations) > MAX_LAYERS or any(a not in ("same", *ACTIVATIONS) for a in self.layer_activations):
            problems.append(f"layer_activations must be up to {MAX_LAYERS} of {['same', *ACTIVATIONS]}")
        if not 0 <= self.noise <= 0.5:
            problems.append("noise must be between 0 and 0.5")
        if not 0 < self.train_ratio < 1:
            problems.append("train_ratio must be between 0 and 1")
        if not 0 <= self.dropout < 1:
            problems.append("dropout must be at least 0 and below 1")
        if not (self.lr > 0 and self.rate >= 0 and int(self.batch_size) >= 1):
            problems.append("lr must be positive, rate 0 or more, batch_size 1 or more")
        if problems:
            raise ValueError("Playground configuration: " + "; ".join(problems) + ".")

    def activation_of(self, k):
        """The activation of hidden layer k (from 0): its own, or else the common one."""
        own = self.layer_activations[k] if k < len(self.layer_activations) else "same"
        return self.activation if own == "same" else own


def build_model(config, rng):
    """The network of a Config: nnlib layers, features -> hidden layers -> one output.

    Each hidden layer is Linear, then its activation (config.activation_of(k);
    none for "linear"), then Dropout when config.dropout > 0. The output is Linear(.., 1), then Tanh for
    classification (its range -1..1 matches the targets -1 and +1), nothing for
    regression. rng: the numpy Generator the weights are drawn from.
    """
    init = INITS[config.init]
    layers, width = [], len(config.features)
    for k, neurons in enumerate(config.hidden):
        layers.append(Linear(width, neurons, rng=rng, init=init))
        activation = ACTIVATIONS[config.activation_of(k)]
        if activation is not None:
            layers.append(activation())
        if config.dropout:
            layers.append(Dropout(config.dropout, rng=rng))
        width = neurons
    layers.append(Linear(width, 1, rng=rng, init=init))
    if problem_of(config.data) == "classification":
        layers.append(Tanh())
    return Sequential(layers)


def linear_layers(model):
    return [layer for layer in model.layers if isinstance(layer, Linear)]


def penalty_gradient(W, regularisation, rate):
    """The gradient of a penalty on the weights W: rate * W for "L2" (the penalty rate/2 * sum(W**2)),
    rate * sign(W) for "L1" (the penalty rate * sum(|W|)), zeros for "none". An array of W's shape."""
    if regularisation == "L1":
        return rate * np.sign(W)
    if regularisation == "L2":
        return rate * W
    return np.zeros_like(W)


class Playground:
    """A configuration, its data, its nnlib network and optimiser, and the losses so far.

    Playground(data="spiral", hidden=(8, 8), ...) takes Config's fields.
    step() trains one epoch: every training point once, in shuffled mini-batches.
    The loss is nnlib's MSELoss (mean squared error), as in TensorFlow Playground.
    """

    def __init__(self, config=None, **settings):
        self.config = dataclasses.replace(config or Config(), **settings)
        self.reset()

    def __repr__(self):
        c = self.config
        layers = " -> ".join(map(str, (len(c.features), *c.hidden, 1)))
        kinds = ", ".join(dict.fromkeys(c.activation_of(k) for k in range(len(c.hidden)))) or c.activation
        return (f"Playground({c.data}, {layers} {kinds}, {c.optimiser} lr {c.lr}, "
                f"regularisation {c.regularisation}, epoch {self.epoch})")

    # ------------------------------------------------------------ building

    def reset(self):
        """New data and new random weights from the configuration (and its seed); epoch 0."""
        c = self.config
        x, y = make_data(c.data, POINTS, c.noise, c.seed)
        self.x_train, self.y_train, self.x_test, self.y_test = split(x, y, c.train_ratio)
        self.f_train = features(self.x_train, c.features).astype(np.float32)
        self.f_test = features(self.x_test, c.features).astype(np.float32)
        self.t_train = self.y_train.reshape(-1, 1).astype(np.float32)   # MSELoss wants (n, 1) like the output
        self.t_test = self.y_test.reshape(-1, 1).astype(np.float32)
        self.model = build_model(c, np.random.default_rng(c.seed))
        self.shuffle = np.random.default_rng(c.seed + 1)
        self.loss = MSELoss()
        self.optimiser = None
        self.epoch = 0
        self.diverged = False
        self.history = {"train": [], "test": []}
        self.record()

    def reconfigure(self, **settings):
        """Change settings. Data, features, layers, activation, init and dropout start a
        new network (reset); lr, optimiser, regularisation, rate and batch size apply from
        the next step on, to the network as it is. Returns whether the network was rebuilt."""
        old = self.config
        self.config = dataclasses.replace(old, **settings)
        live = {"lr", "optimiser", "regularisation", "rate", "batch_size"}
        if any(getattr(old, f.name) != getattr(self.config, f.name) for f in dataclasses.fields(Config)
               if f.name not in live):
            self.reset()
            return True
        if self.config.optimiser != old.optimiser:
            self.optimiser = None   # a fresh one (fresh momentum) at the next step
        return False

    @property
    def problem(self):
        return problem_of(self.config.data)

    # ------------------------------------------------------------ training

    def step(self, epochs=1):
        """Train `epochs` epochs; returns the test loss. A network whose loss becomes
        NaN or infinite (too high a learning rate) stops, with diverged = True."""
        c = self.config
        if self.optimiser is None:
            self.optimiser = make_optimizer(c.optimiser, self.model.parameters(), c.lr)
        self.optimiser.lr = c.lr
        for _ in range(epochs):
            if self.diverged:
                break
            self.model.train()
            order = self.shuffle.permutation(len(self.f_train))
            try:
                with np.errstate(all="ignore"):   # a diverging run is detected below, not warned about
                    for start in range(0, len(order), int(c.batch_size)):
                        batch = order[start:start + int(c.batch_size)]
                        self.loss.forward(self.model.forward(self.f_train[batch]), self.t_train[batch])
                        self.model.backward(self.loss.backward())
                        self.add_penalty_gradients()
                        self.optimiser.step()
            except ValueError as error:   # nnlib refuses NaN or infinite values, and says so
                if "NaN or infinity" not in str(error):
                    raise
                self.diverged = True
            self.epoch += 1
            self.record()
        return self.history["test"][-1]

    def add_penalty_gradients(self):
        """Add the regularisation's gradient to every weight matrix's gradient dW (biases are not penalised).

        L2 penalises rate/2 * sum(W**2), whose gradient is rate * W: each step shrinks
        every weight in proportion to its size. L1 penalises rate * sum(|W|), whose
        gradient is rate * sign(W): each step pulls every weight toward 0 by the same
        amount, so a weight the data does not need reaches 0 and then only jitters
        around it (by about lr * rate a step). nnlib's optimisers have
        weight_decay (L2) but no L1, and weight_decay would shrink the biases too,
        so the Playground adds both penalties itself, here, before optimiser.step().
        """
        c = self.config
        if c.regularisation == "none" or not c.rate:
            return
        for layer in linear_layers(self.model):
            layer.dW += penalty_gradient(layer.W, c.regularisation, c.rate)

    def losses(self):
        """(training loss, test loss): the mean squared error over each whole set, dropout off."""
        if self.diverged:
            return float("nan"), float("nan")
        out_train, out_test = self.predict_features(self.f_train), self.predict_features(self.f_test)
        with np.errstate(all="ignore"):
            return (float(np.mean((out_train - self.t_train) ** 2)), float(np.mean((out_test - self.t_test) ** 2)))

    def record(self):
        train, test = self.losses()
        self.history["train"].append(train)
        self.history["test"].append(test)

    def accuracy(self, test=True):
        """The fraction of test (or training) points on the right side of 0 (classification)."""
        f, t = (self.f_test, self.t_test) if test else (self.f_train, self.t_train)
        return float(np.mean(np.sign(self.predict_features(f)) == t))

    # ------------------------------------------------------------ predictions

    def predict_features(self, f):
        """The output (n, 1) for features f (n, k); NaN where weights too large (a diverged
        network, or one set by hand) make the numbers overflow."""
        return self.neuron_outputs(f, features_given=True)[-1]

    def predict(self, x):
        """The network's output at points x (n, 2): (n, 1)."""
        return self.predict_features(features(x, self.config.features).astype(np.float32))

    def neuron_outputs(self, x, features_given=False):
        """Every neuron's output at points x (n, 2), layer by layer: a list of (n, width)
        arrays, the input features first, then each hidden layer (after its activation)
        and the output. Dropout is off. Once a layer's output overflows to infinity or NaN
        (nnlib's next Linear refuses such input), that layer and the rest are NaN.
        features_given: x are already the features (n, k)."""
        h = np.asarray(x, dtype=np.float32) if features_given else features(x, self.config.features).astype(np.float32)
        outputs = [h]
        self.model.eval()
        layers = self.model.layers
        try:
            with np.errstate(all="ignore"):
                for i, layer in enumerate(layers):
                    h = layer.forward(h)
                    if i + 1 == len(layers) or isinstance(layers[i + 1], Linear):
                        outputs.append(h)   # the end of a layer: after its activation (and dropout, off here)
        except ValueError as error:
            if "NaN or infinity" not in str(error):
                raise
            widths = [layer.out_features for layer in linear_layers(self.model)]
            outputs += [np.full((len(h), width), np.nan, dtype=np.float32) for width in widths[len(outputs) - 1:]]
        return outputs

    # ------------------------------------------------------------ weights

    def weight_names(self):
        """[(label, key), ...] for every weight and bias, e.g. ("x₁ → h1.2", (0, 0, 1)).

        A weight's key is (layer, row, column) for W[row, column] of the layer-th Linear
        layer (from 0): row is its input neuron, column its output neuron. A bias's key
        is (layer, neuron, None) for b[neuron]."""
        names = []
        for k, layer in enumerate(linear_layers(self.model)):
            for j in range(layer.out_features):
                for i in range(layer.in_features):
                    names.append((f"{self.neuron_name(k, i)} → {self.neuron_name(k + 1, j)}", (k, i, j)))
                names.append((f"bias of {self.neuron_name(k + 1, j)}", (k, j, None)))
        return names

    def neuron_name(self, layer, index):
        """Layer 0 is the inputs; the last is the output."""
        if layer == 0:
            return FEATURES[self.config.features[index]][0]
        if layer == len(self.config.hidden) + 1:
            return "output"
        return f"h{layer}.{index + 1}"

    def get_weight(self, key):
        k, i, j = key
        layer = linear_layers(self.model)[k]
        return float(layer.b[i] if j is None else layer.W[i, j])

    def set_weight(self, key, value):
        """Set one weight (or bias, column None) by hand. The optimiser keeps its state."""
        k, i, j = key
        layer = linear_layers(self.model)[k]
        if j is None:
            layer.b[i] = value
        else:
            layer.W[i, j] = value
        self.diverged = not all(np.isfinite(v).all() for v, _ in self.model.parameters())
        self.history["train"][-1], self.history["test"][-1] = self.losses()

    # ------------------------------------------------------------ saving and code

    def to_text(self):
        """The configuration and every weight as one line of JSON text.

        The weights are their float32 bytes in base64 (every parameter of
        model.parameters() in order, little-endian), so from_text restores them
        bit for bit, in a text much shorter than the numbers written out.
        """
        settings = dataclasses.asdict(self.config)
        for name in ("features", "hidden", "layer_activations"):
            settings[name] = list(getattr(self.config, name))
        weights = b"".join(np.asarray(value, dtype="<f4").tobytes() for value, _ in self.model.parameters())
        settings["epoch"] = self.epoch
        settings["weights"] = base64.b64encode(weights).decode("ascii")
        return json.dumps(settings, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_text(cls, text):
        """The Playground that to_text() saved: same configuration, same data, the same weights exactly."""
        try:
            settings = json.loads(text)
            weights = base64.b64decode(settings.pop("weights"), validate=True)
            epoch = int(settings.pop("epoch", 0))
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"Playground.from_text: this is not a saved Playground ({error}).") from None
        field_names = {f.name for f in dataclasses.fields(Config)}
        unknown = set(settings) - field_names
        if unknown:
            raise ValueError(f"Playground.from_text: unknown settings {sorted(unknown)}.")
        playground = cls(Config(**settings))
        playground.load_weights(weights)
        playground.epoch = epoch
        playground.history = {"train": [], "test": []}
        playground.record()
        return playground

    def load_weights(self, raw):
        values = [value for value, _ in self.model.parameters()]
        expected = sum(v.size for v in values) * 4
        if len(raw) != expected:
            raise ValueError(f"Playground.from_text: the weights have {len(raw)} bytes, this network needs {expected}.")
        flat = np.frombuffer(raw, dtype="<f4")
        start = 0
        for value in values:
            value[...] = flat[start:start + value.size].reshape(value.shape)
            start += value.size

    def code(self):
        """nnlib code that rebuilds this network with its current weights; running it
        defines model and features(x), and model.forward(features(x)) gives the
        Playground's output at points x (n, 2)."""
        lines = ["import numpy as np", "", "import nnlib as nn", "", "model = nn.Sequential(["]
        for layer in self.model.layers:
            if isinstance(layer, Linear):
                lines.append(f"    nn.Linear({layer.in_features}, {layer.out_features}),")
            elif isinstance(layer, Dropout):
                lines.append(f"    nn.Dropout({layer.p}),")
            else:
                lines.append(f"    nn.{type(layer).__name__}(),")
        lines.append("])")
        lines.append("weights = [   # W and b of each Linear layer, in order")
        for value, _ in self.model.parameters():
            lines.append(f"    np.array({_nested(value)}, dtype=np.float32),")
        lines += ["]",
                  "for (value, _), saved in zip(model.parameters(), weights):",
                  "    value[...] = saved",
                  "model.eval()   # dropout off: predictions use every neuron",
                  "",
                  "",
                  "def features(x):",
                  f'    """Points x (n, 2) -> the inputs {", ".join(self.config.features)}: (n, {len(self.config.features)})."""',
                  "    x1, x2 = x[:, 0], x[:, 1]",
                  "    return np.column_stack([" + ", ".join(FEATURES[f][1] for f in self.config.features) + "])",
                  "",
                  "",
                  "# model.forward(features(x)) is the output at points x, e.g.",
                  "# model.forward(features(np.array([[0.0, 0.0], [3.0, -2.0]])))"]
        return "\n".join(lines) + "\n"


def _nested(value):
    """A float32 array as nested Python lists of its shortest exact decimals."""
    if value.ndim == 0:
        return str(np.float32(value)) if np.isfinite(value) else {"nan": "np.nan", "inf": "np.inf", "-inf": "-np.inf"}[str(value)]
    return "[" + ", ".join(_nested(v) for v in value) + "]"


# ---------------------------------------------------------------- views: pure functions returning data

OUTPUT_SIZE, OUTPUT_PAD = 250, 24   # px: the output picture's side, and the room for its axis labels
ORANGE, LIGHT, BLUE = np.array([245, 147, 34.0]), np.array([232, 234, 235.0]), np.array([8, 119, 189.0])


def colours(values):
    """Values -> (..., 3) uint8 colours: -1 orange, 0 light grey, +1 blue (TensorFlow Playground's);
    values beyond -1..1 get the end colours, NaN is black."""
    v = np.clip(np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0), -1, 1)[..., None]
    rgb = np.where(v < 0, LIGHT + (ORANGE - LIGHT) * -v, LIGHT + (BLUE - LIGHT) * v)
    rgb[np.isnan(values)] = 0
    return rgb.astype(np.uint8)


def png(rgb):
    """An (h, w, 3) uint8 image as PNG bytes: the format's signature and three chunks, by hand."""
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    h, w, _ = rgb.shape
    # Each row starts with its filter type; type 2 ("up") stores each byte minus the byte above it
    # (mod 256), which is mostly 0 in a smooth picture and so compresses several times better.
    flat = rgb.reshape(h, 3 * w)
    rows = np.empty((h, 1 + 3 * w), dtype=np.uint8)
    rows[:, 0] = 2
    rows[0, 1:] = flat[0]
    np.subtract(flat[1:], flat[:-1], out=rows[1:, 1:])

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows.tobytes(), 6)) + chunk(b"IEND", b""))


def data_uri(png_bytes):
    return "data:image/png;base64," + base64.b64encode(png_bytes).decode("ascii")


def plane_grid(steps=40):
    """Points covering the plane, row 0 at the top (x2 = +6): (steps * steps, 2)."""
    line = np.linspace(-EXTENT, EXTENT, steps)
    x1, x2 = np.meshgrid(line, line[::-1])
    return np.column_stack([x1.ravel(), x2.ravel()])


def neuron_maps(playground, steps=40):
    """Every neuron's output over the plane: a list per layer of (width, steps, steps) arrays,
    inputs first, output last (the view behind each small picture of the network)."""
    return [h.T.reshape(-1, steps, steps) for h in playground.neuron_outputs(plane_grid(steps))]


NETWORK_WIDTH = 490   # px: the network picture's widest, so that it, the output and the curves share a 1280-px window


@dataclasses.dataclass
class NetworkLayout:
    """Where network_svg draws each neuron, so that a click or hover at (x, y) finds it again.

    size: the side of each neuron's picture (px); centres[layer]: (width of that layer, 2) array of the
    pictures' centres, inputs first; width, height: the whole picture; gap: px between layers' centres."""

    size: int
    gap: float
    width: int
    height: int
    centres: list

    def segment(self, k, i, j):
        """The line of weight W[i, j] of Linear layer k: (x1, y1, x2, y2), from the right edge of
        neuron i of layer k to the left edge of neuron j of layer k + 1. i and j may be index arrays."""
        start, end = self.centres[k][i], self.centres[k + 1][j]
        return start[..., 0] + self.size / 2, start[..., 1], end[..., 0] - self.size / 2, end[..., 1]


def network_layout(widths, max_width=NETWORK_WIDTH, size=30, left=44):
    """The NetworkLayout of layers of these widths (inputs first, output last): columns as far apart
    as max_width allows (at most 110 px), each column centred vertically."""
    gap = min(110.0, (max_width - left - size - 6) / max(len(widths) - 1, 1))
    gap_y, top = size + 10, 18
    height = top + max(widths) * gap_y
    centres = [np.column_stack([np.full(n, left + layer * gap + size / 2),
                                top + (max(widths) - n) * gap_y / 2 + np.arange(n) * gap_y + size / 2])
               for layer, n in enumerate(widths)]
    return NetworkLayout(size, gap, int(round(left + (len(widths) - 1) * gap + size + 6)), int(height), centres)


def pick_at(layout, x, y, tolerance=4.0):
    """What is at (x, y) of the network picture: ("neuron", layer, index) inside a neuron's square,
    else ("weight", k, i, j) for the line of W[i, j] of Linear layer k nearest to the point and at
    most `tolerance` px away, else None."""
    half = layout.size / 2
    for layer, centres in enumerate(layout.centres):
        inside = np.flatnonzero((np.abs(centres[:, 0] - x) <= half) & (np.abs(centres[:, 1] - y) <= half))
        if len(inside):
            return ("neuron", layer, int(inside[0]))
    best, nearest = None, tolerance
    for k in range(len(layout.centres) - 1):
        n_in, n_out = len(layout.centres[k]), len(layout.centres[k + 1])
        i, j = np.meshgrid(np.arange(n_in), np.arange(n_out), indexing="ij")
        x1, y1, x2, y2 = layout.segment(k, i.ravel(), j.ravel())   # every line between the two layers at once
        dx, dy = x2 - x1, y2 - y1
        t = np.clip(((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy), 0, 1)   # the nearest point's place
        distance = np.hypot(x1 + t * dx - x, y1 + t * dy - y)
        if distance.min() <= nearest:
            nearest, closest = float(distance.min()), int(distance.argmin())
            best = ("weight", k, int(i.ravel()[closest]), int(j.ravel()[closest]))
    return best


def column_title(playground, layer, layers, narrow):
    if layer == 0:
        return "inputs"
    if layer == layers - 1:
        return "output"
    activation = playground.config.activation_of(layer - 1)
    return f"{layer}: {activation}" if narrow else f"layer {layer}: {activation}"


def network_svg(playground, maps, picked=None, hovered=None, layout=None, stride=2, inputs=None):
    """The network as an SVG string: a small heat map per neuron (from neuron_maps, every
    stride-th row and column: a 30-pixel picture needs no more),
    lines for the weights, width by |w| and colour by sign (blue +, orange -).
    picked: a weight key (layer, row, column) drawn in red, or a bias key (layer, neuron, None)
    whose neuron gets a red frame. hovered: (layer, index) of a neuron that gets a black frame.
    layout: network_layout(...) of these maps' widths (made here if not given).
    inputs: the input neurons' <image> elements, if already made (they never change during training)."""
    widths = [m.shape[0] for m in maps]
    layout = layout or network_layout(widths)
    size = layout.size
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{layout.width}" height="{layout.height}" '
             f'style="flex:none; display:block" font-family="sans-serif" font-size="11">']
    for k, layer in enumerate(linear_layers(playground.model)):
        W = layer.W
        for i in range(W.shape[0]):
            for j in range(W.shape[1]):
                w = float(W[i, j])
                x1, y1, x2, y2 = layout.segment(k, i, j)
                colour = "red" if picked == (k, i, j) else ("#0877bd" if w > 0 else "#f59322")
                stroke = min(0.5 + 1.5 * abs(w), 7) if np.isfinite(w) else 1
                parts.append(f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" '
                             f'stroke="{colour}" stroke-width="{stroke:.1f}" opacity="0.8"/>')
    narrow = layout.gap < 90
    for layer, m in enumerate(maps):
        x = layout.centres[layer][0][0]
        parts.append(f'<text x="{x:.0f}" y="11" text-anchor="middle" font-size="{10 if narrow else 11}">'
                     f'{column_title(playground, layer, len(maps), narrow)}</text>')
        if layer == 0 and inputs is not None:
            parts.append(inputs)
            continue
        parts.append(neuron_images(playground, layout, layer, m, stride))
    frames = []
    if picked is not None and picked[2] is None:
        frames.append((picked[0] + 1, picked[1], "red"))
    if hovered is not None:
        frames.append((*hovered, "black"))
    for layer, index, colour in frames:
        if layer < len(layout.centres) and index < len(layout.centres[layer]):
            x, y = layout.centres[layer][index]
            parts.append(f'<rect x="{x - size / 2 - 1.5:.1f}" y="{y - size / 2 - 1.5:.1f}" width="{size + 3}" '
                         f'height="{size + 3}" fill="none" stroke="{colour}" stroke-width="2"/>')
    parts.append("</svg>")
    return "".join(parts)


def neuron_images(playground, layout, layer, m, stride=2):
    """The <image> elements (and, for the inputs, the names) of one layer's neurons: m (width, steps, steps)."""
    size, parts = layout.size, []
    pictures = colours(m[:, ::stride, ::stride])   # the whole layer at once
    for index in range(m.shape[0]):
        x, y = layout.centres[layer][index]
        uri = data_uri(png(pictures[index]))
        parts.append(f'<image x="{x - size / 2:.0f}" y="{y - size / 2:.0f}" width="{size}" height="{size}" href="{uri}"/>')
        if layer == 0:
            parts.append(f'<text x="{x - size / 2 - 4:.0f}" y="{y + 4:.0f}" text-anchor="end">'
                         f'{playground.neuron_name(0, index)}</text>')
    return "".join(parts)


def discretized(surface):
    """The surface as two colours, as TensorFlow Playground's "discretize output": +1 where it is 0 or
    more, -1 below; NaN stays NaN."""
    surface = np.asarray(surface, dtype=np.float64)
    return np.where(np.isnan(surface), np.nan, np.where(surface >= 0, 1.0, -1.0))


def output_frame(size=OUTPUT_SIZE):
    """(width, height, viewBox) shared by the output's SVG and the points' SVG laid over it."""
    width, height = size + OUTPUT_PAD + 10, size + OUTPUT_PAD + 26
    return width, height, f"0 -22 {width} {height}"


def points_svg(playground, size=OUTPUT_SIZE, show_test=True):
    """The training points (white rim) and, with show_test, the test points (black rim) as an SVG of
    output_svg's size, laid over it. The points change only with the data, so while the Playground
    plays this SVG stays in the page as it is, and each frame sends (and the browser redraws) the
    output picture under it only."""
    scale, pad = size / (2 * EXTENT), OUTPUT_PAD
    width, height, view = output_frame(size)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="{view}" '
             f'style="flex:none; display:block">']
    # Each point is a round dot: a zero-length path segment drawn with a round pen. Four paths per
    # set (rim, then the dots of each colour) instead of 500 circles keep the text small.
    sets = [(playground.x_train, playground.y_train, "white")]
    if show_test:
        sets.append((playground.x_test, playground.y_test, "black"))
    for x, y, rim in sets:
        cx = pad + (np.clip(x[:, 0], -EXTENT, EXTENT) + EXTENT) * scale
        cy = (EXTENT - np.clip(x[:, 1], -EXTENT, EXTENT)) * scale
        dots = ["".join(f"M{a:.1f} {b:.1f}h0" for a, b in zip(cx[where], cy[where])) for where in (y < 0, y >= 0)]
        parts.append(f'<path class="{"train" if rim == "white" else "test"}" d="{"".join(dots)}" stroke="{rim}" '
                     f'stroke-width="6.5" stroke-linecap="round"/>')
        if playground.problem == "classification":
            parts += [f'<path d="{d}" stroke="{colour}" stroke-width="4.5" stroke-linecap="round"/>'
                      for d, colour in zip(dots, ("#f59322", "#0877bd"))]
        else:   # regression: each dot has the colour of its own target
            fill = [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in colours(y)]
            parts += [f'<path d="M{a:.1f} {b:.1f}h0" stroke="{f}" stroke-width="4.5" stroke-linecap="round"/>'
                      for a, b, f in zip(cx, cy, fill)]
    return "".join(parts) + "</svg>"


def output_svg(playground, surface, size=OUTPUT_SIZE, discretize=False, title="output"):
    """The surface (steps, steps) over the plane (the output's, e.g. neuron_maps(...)[-1][0], or a hovered
    neuron's) as an SVG string with axis ticks and the title above; points_svg's points go over it.
    discretize: show the surface in two colours (discretized)."""
    scale, pad = size / (2 * EXTENT), OUTPUT_PAD
    width, height, view = output_frame(size)
    shown = discretized(surface) if discretize else surface
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="{view}" '
             f'style="flex:none; display:block" font-family="sans-serif" font-size="11">',
             f'<text x="{pad}" y="-8">{html.escape(title)}</text>',
             f'<image x="{pad}" y="0" width="{size}" height="{size}" preserveAspectRatio="none" '
             f'href="{data_uri(png(colours(shown)))}"/>']
    for tick in range(-6, 7, 3):
        parts.append(f'<text x="{pad + (tick + EXTENT) * scale:.0f}" y="{size + 14}" text-anchor="middle">{tick}</text>')
        parts.append(f'<text x="{pad - 3}" y="{(EXTENT - tick) * scale + 4:.0f}" text-anchor="end">{tick}</text>')
    parts.append(f'<text x="{pad + size / 2:.0f}" y="{size + pad + 2}" text-anchor="middle">x₁</text>'
                 f'<text x="4" y="{size / 2 - 12:.0f}">x₂</text></svg>')
    return "".join(parts)


def loss_svg(history, width=260, height=200):
    """Training (grey) and test (black) loss per epoch as two SVG polylines with labels, 0 at the
    bottom; at most one point per pixel column, so a long run stays a short text and a quick frame
    (only the epochs shown are read, and the top is the highest of them)."""
    epochs = len(history["train"])
    left, plot_top, plot_height = 34, 16, height - 34
    plot_width = width - left - 4
    shown = np.unique(np.linspace(0, epochs - 1, min(epochs, plot_width)).round().astype(int))
    train = np.array([history["train"][i] for i in shown], dtype=float)
    test = np.array([history["test"][i] for i in shown], dtype=float)
    finite = np.concatenate([train[np.isfinite(train)], test[np.isfinite(test)], [1e-9]])
    top = float(finite.max())

    def line(values, colour):
        if epochs < 2:
            return ""
        x = left + shown / (epochs - 1) * plot_width
        y = plot_top + plot_height - np.nan_to_num(values, nan=top, posinf=top) / top * plot_height
        points = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(x, y))
        return f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.5"/>'

    bottom = plot_top + plot_height
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" style="flex:none; display:block" '
            f'font-family="sans-serif" font-size="11"><text x="{left}" y="11">loss per epoch: <tspan fill="#999">training</tspan>, test</text>'
            f'<rect x="{left}" y="{plot_top}" width="{plot_width}" height="{plot_height}" fill="white" stroke="#ccc"/>'
            f'<text x="{left - 3}" y="{plot_top + 9}" text-anchor="end">{top:.2g}</text>'
            f'<text x="{left - 3}" y="{bottom}" text-anchor="end">0</text>'
            f'<text x="{left}" y="{bottom + 13}">0</text>'
            f'<text x="{left + plot_width}" y="{bottom + 13}" text-anchor="end">epoch {epochs - 1}</text>'
            f'{line(train, "#999")}{line(test, "black")}</svg>')


def status(playground):
    """One line a test (or a browser test) can read: epoch, both losses, and the test accuracy."""
    train, test = playground.history["train"][-1], playground.history["test"][-1]
    text = f"epoch {playground.epoch}: training loss {train:.3f}, test loss {test:.3f}"
    if playground.diverged:
        return text + " (diverged: the loss is not a number any more; lower the learning rate and reset)"
    if playground.problem == "classification":
        text += f", test accuracy {playground.accuracy():.0%}"
    return text


# ---------------------------------------------------------------- the widget

LEARNING_RATES = (0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
RATES = (0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
MAX_FPS = 60        # frames per second at most while playing: a browser paints no more often than this
MIN_PAUSE = 0.002   # s between two frames at least, in which the page's messages (a click, a slider) get the kernel


def frame_rate(times):
    """Frames per second from the times (s, increasing) at which the last frames were drawn:
    the frames after the first over the time they took; 0 for fewer than two."""
    times = list(times)
    if len(times) < 2 or times[-1] <= times[0]:
        return 0.0
    return (len(times) - 1) / (times[-1] - times[0])


def speed_text(times, playing):
    """The speed Label: the frame rate of the last second while playing; once paused, the rate it played at."""
    rate = frame_rate(times)
    if playing:
        return f"{rate:.0f} frames per second" if rate else "playing: measuring the speed"
    return f"not playing (played at {rate:.0f} frames per second)" if rate else "not playing"


def pointer_text(playground, hit):
    """What the pointer Label says about what is under the mouse (pick_at's answer)."""
    if hit is None:
        return ""
    if hit[0] == "neuron":
        _, layer, index = hit
        name = playground.neuron_name(layer, index)
        shown = f"{name}'s output over the plane is on the big picture"
        return shown + ("" if layer == 0 else f"; click to pick its bias ({playground.get_weight((layer - 1, index, None)):.2f})")
    _, k, i, j = hit
    return (f"{playground.neuron_name(k, i)} → {playground.neuron_name(k + 1, j)}: "
            f"{playground.get_weight((k, i, j)):.3f}; click to pick this weight")


class PlaygroundWidget:
    """The Playground's controls and live views.

    Read by tests (and browser tests), one Label per kind of message: status (epoch, losses, accuracy;
    every frame), speed (frames per second while playing), message (what the last button, click or
    setting did) and pointer (what is under the mouse in the network picture). network / output / curves
    are HTML holding SVG; clicks (pick a weight or a bias) and hovering (show a neuron's picture on the
    output) reach the network picture through a transparent ipycanvas Canvas laid over it (the course's
    drawing pad's Canvas: an HTML widget sends no mouse events). weight and weight_value are the picked
    weight and its slider (whose description names it), show_test and discretize the output's toggles,
    text the saved configuration (Textarea), code the nnlib code (HTML).
    Only one Playground plays at a time: building a new one pauses the others. Play has no epoch limit.
    """

    _instances = weakref.WeakSet()

    def __init__(self, config=None, grid_steps=40, max_fps=MAX_FPS, **settings):
        from ipycanvas import Canvas

        for other in list(PlaygroundWidget._instances):
            other.pause()
        PlaygroundWidget._instances.add(self)
        self.playground = Playground(config, **settings)
        self.grid_steps, self.max_fps = grid_steps, max_fps
        self.task = None
        self.playing = False
        self._syncing = False   # True while code (not the learner) moves a control
        # (time, value) of the weights put on the value slider in the last ECHO_SECONDS: a busy browser can
        # send one back, rounded, a second or more (a hundred frames) after it was shown.
        self.shown_values = collections.deque()
        self.frame_times = collections.deque(maxlen=2 * MAX_FPS)   # when the last frames of play were drawn
        self.frames = 0
        self.hovered = None      # (layer, index) of the neuron under the mouse, shown on the output
        self.maps = None         # the neuron maps of the last frame (hovering redraws the output from them)
        self.layout = None       # the network picture's NetworkLayout
        self._inputs = None   # the input neurons' pictures: they only change with the data
        c = self.playground.config

        def sized(width, description_width=None):
            style = {"description_width": description_width} if description_width else {}
            return dict(layout=widgets.Layout(width=width), style=style)

        self.data = widgets.Dropdown(options=list(DATASETS), value=c.data, description="data", **sized("160px", "35px"))
        self.noise = slider("noise", c.noise, 0, 0.5, 0.05, layout=widgets.Layout(width="210px"))
        self.train_ratio = slider("training share", c.train_ratio, 0.1, 0.9, 0.1, layout=widgets.Layout(width="260px"))
        self.batch_size = slider("batch size", c.batch_size, 1, 30, integer=True, layout=widgets.Layout(width="240px"))
        self.feature_boxes = {name: widgets.Checkbox(value=name in c.features, description=label, indent=False,
                                                     layout=widgets.Layout(width="62px"))
                              for name, (label, _) in FEATURES.items()}
        self.activation = widgets.Dropdown(options=list(ACTIVATIONS), value=c.activation, description="activation",
                                           **sized("170px", "65px"))
        self.layer_activation = [widgets.Dropdown(options=["same", *ACTIVATIONS], description=f"{k + 1}",
                                                  value=(c.layer_activations + ("same",) * MAX_LAYERS)[k],
                                                  **sized("105px", "12px")) for k in range(MAX_LAYERS)]
        self.init = widgets.Dropdown(options=list(INITS), value=c.init, description="init", **sized("140px", "30px"))
        self.dropout = slider("dropout p", c.dropout, 0, 0.5, 0.05, layout=widgets.Layout(width="230px"))
        self.lr = widgets.Dropdown(options=_options(LEARNING_RATES, c.lr), value=c.lr, description="lr",
                                   **sized("130px", "20px"))
        self.optimiser = widgets.Dropdown(options=list(OPTIMIZERS), value=c.optimiser, description="optimiser",
                                          **sized("190px", "65px"))
        self.regularisation = widgets.Dropdown(options=list(REGULARISATIONS), value=c.regularisation,
                                               description="regularisation", **sized("190px", "95px"))
        self.rate = widgets.Dropdown(options=_options(RATES, c.rate), value=c.rate, description="rate",
                                     **sized("130px", "35px"))
        self.settings = {"data": self.data, "noise": self.noise, "train_ratio": self.train_ratio,
                         "batch_size": self.batch_size, "activation": self.activation, "init": self.init,
                         "dropout": self.dropout, "lr": self.lr, "optimiser": self.optimiser,
                         "regularisation": self.regularisation, "rate": self.rate}
        for control in [*self.settings.values(), *self.feature_boxes.values(), *self.layer_activation]:
            control.observe(self.on_setting, names="value")

        small = widgets.Layout(width="auto")
        self.play_button = widgets.Button(description="▶ play", tooltip="train continuously", layout=small)
        self.pause_button = widgets.Button(description="⏸ pause", tooltip="stop training", layout=small)
        self.step_button = widgets.Button(description="step", tooltip="train one epoch", layout=small)
        self.reset_button = widgets.Button(description="reset", tooltip="new random weights, epoch 0", layout=small)
        self.new_data = widgets.Button(description="new data", tooltip="new random points (the next seed)", layout=small)
        self.add_layer = widgets.Button(description="+ layer", tooltip="add a hidden layer", layout=small)
        self.remove_layer = widgets.Button(description="− layer", tooltip="remove the last hidden layer", layout=small)
        self.add_neuron = [widgets.Button(description=f"+ {k + 1}", tooltip=f"add a neuron to layer {k + 1}",
                                          layout=widgets.Layout(width="34px", padding="0")) for k in range(MAX_LAYERS)]
        self.remove_neuron = [widgets.Button(description=f"− {k + 1}", tooltip=f"remove a neuron from layer {k + 1}",
                                             layout=widgets.Layout(width="34px", padding="0")) for k in range(MAX_LAYERS)]
        self.play_button.on_click(lambda _: self.play())
        self.pause_button.on_click(lambda _: self.pause())
        self.step_button.on_click(lambda _: self.step_once())
        self.reset_button.on_click(lambda _: self.reset())
        self.new_data.on_click(lambda _: self.set(seed=self.playground.config.seed + 1))
        self.add_layer.on_click(lambda _: self.change_layers(+1))
        self.remove_layer.on_click(lambda _: self.change_layers(-1))
        for k in range(MAX_LAYERS):
            self.add_neuron[k].on_click(lambda _, k=k: self.change_neurons(k, +1))
            self.remove_neuron[k].on_click(lambda _, k=k: self.change_neurons(k, -1))

        self.weight = widgets.Dropdown(description="pick", options=[("", None)], **sized("250px", "30px"))
        self.weight_value = slider("value", 0, -5, 5, 0.01, layout=widgets.Layout(width="380px"))
        self.weight_value.add_class("playground-weight")
        self.weight.observe(self.on_pick, names="value")
        self.weight_value.observe(self.on_weight, names="value")
        self.show_test = widgets.Checkbox(value=True, description="show test data", indent=False,
                                          layout=widgets.Layout(width="auto"))
        self.discretize = widgets.Checkbox(value=False, description="discretize output", indent=False,
                                           layout=widgets.Layout(width="auto"))
        self.show_test.observe(self.on_toggle, names="value")
        self.discretize.observe(self.on_toggle, names="value")

        self.text = widgets.Textarea(placeholder="save to text writes here; paste a saved text and load it",
                                     layout=widgets.Layout(flex="1 1 300px", height="30px"))
        self.save_button = widgets.Button(description="save to text", tooltip="write configuration and weights",
                                          layout=small)
        self.load_button = widgets.Button(description="load from text", tooltip="restore the text beside",
                                          layout=small)
        self.code_button = widgets.Button(description="show code", tooltip="the nnlib code of this network",
                                          layout=small)
        self.save_button.on_click(lambda _: self.save())
        self.load_button.on_click(lambda _: self.load())
        self.code_button.on_click(lambda _: self.show_code())
        self.code = widgets.HTML()

        # One Label per kind of message, each in a box of its own width, so that none runs into another.
        # Fixed widths that never shrink (flex none): the longest text of each fits ("not playing (played
        # at 60 frames per second)" needs about 310 px), and a row too narrow wraps instead of clipping.
        self.status = widgets.Label(layout=widgets.Layout(width="450px", flex="none", margin="0 12px 0 8px"))
        self.speed = widgets.Label(speed_text((), False), layout=widgets.Layout(width="330px", flex="none"))
        self.message = widgets.Label(layout=widgets.Layout(flex="1 1 300px", margin="0 12px 0 0"))
        self.pointer = widgets.Label(layout=widgets.Layout(flex="1 1 300px"))
        for label, name in ((self.status, "status"), (self.speed, "speed"), (self.message, "message"),
                            (self.pointer, "pointer")):
            label.add_class(f"playground-{name}")
        self.structure = widgets.Label()

        flush = dict(margin="0", padding="0", grid_area="network")
        self.network = widgets.HTML(layout=widgets.Layout(**flush))
        self.canvas = Canvas(width=10, height=10, layout=widgets.Layout(**flush))
        self.canvas.on_mouse_move(self.on_mouse_move)
        self.canvas.on_mouse_down(self.on_mouse_down)
        self.canvas.on_mouse_out(self.on_mouse_out)
        on_output = dict(margin="0", padding="0", grid_area="output")
        self.output, self.points = widgets.HTML(layout=widgets.Layout(**on_output)), widgets.HTML(layout=widgets.Layout(**on_output))
        self.curves = widgets.HTML()
        self.network.add_class("playground-network")
        self.curves.add_class("playground-curves")
        # The Canvas lies over the network's SVG (both in one grid cell, the Canvas above): it draws
        # nothing, so the picture shows through, and it tells the kernel where the mouse is.
        picture = widgets.GridBox([self.network, self.canvas],
                                  layout=widgets.Layout(grid_template_areas='"network"', align_items="flex-start",
                                                        flex="none"))
        # The points lie over the output picture the same way: they stay while the picture changes.
        output = widgets.GridBox([self.output, self.points],
                                 layout=widgets.Layout(grid_template_areas='"output"', align_items="flex-start"))
        output.add_class("playground-output")

        self.box = widgets.VBox([
            row([self.play_button, self.pause_button, self.step_button, self.reset_button, self.status, self.speed]),
            row([self.message, self.pointer]),
            widgets.HBox([picture, widgets.VBox([output, widgets.HBox([self.show_test, self.discretize])],
                                                layout=widgets.Layout(flex="none", margin="0 12px")),
                          self.curves], layout=widgets.Layout(align_items="flex-start", margin="4px 0")),
            row([self.weight, self.weight_value]),
            row([self.data, self.new_data, self.noise, self.train_ratio, self.batch_size]),
            row([widgets.Label("inputs:"), *self.feature_boxes.values()]),
            row([self.add_layer, self.remove_layer, self.structure,
                 *(widgets.HBox([add, remove]) for add, remove in zip(self.add_neuron, self.remove_neuron))]),
            row([self.activation, widgets.Label("own activation of layer"), *self.layer_activation]),
            row([self.lr, self.optimiser, self.regularisation, self.rate, self.init, self.dropout]),
            row([self.save_button, self.load_button, self.code_button, self.text]),
            self.code,
        ], layout=widgets.Layout(max_width="1100px"))
        self.box.add_class("playground")
        self.after_rebuild()

    # ------------------------------------------------------------ drawing

    def draw(self):
        """Redraw every view from the Playground as it is now (the input neurons' pictures and the
        points are kept from the last rebuild: they change only with the data)."""
        p = self.playground
        self.maps = neuron_maps(p, self.grid_steps)
        self.draw_network()
        self.draw_output()
        self.curves.value = loss_svg(p.history)
        self.status.value = status(p)
        self.frames += 1

    def draw_network(self):
        """The network picture from the last frame's neuron maps, the picked weight red, the hovered neuron framed."""
        if self._inputs is None:
            self._inputs = neuron_images(self.playground, self.layout, 0, self.maps[0])
        self.network.value = network_svg(self.playground, self.maps, picked=self.weight.value, hovered=self.hovered,
                                         layout=self.layout, inputs=self._inputs)

    def draw_output(self):
        """The big picture: the output over the plane, or the hovered neuron's."""
        p = self.playground
        layer, index = self.hovered or (len(self.maps) - 1, 0)
        title = "output" if self.hovered is None else f"{p.neuron_name(layer, index)} (the neuron under the mouse)"
        self.output.value = output_svg(p, self.maps[layer][index], discretize=self.discretize.value, title=title)

    def draw_points(self):
        """The points over the output: after the data changed, or "show test data" was ticked."""
        self.points.value = points_svg(self.playground, OUTPUT_SIZE, self.show_test.value)

    def after_rebuild(self):
        """The network or the data changed: renew the weight list, the buttons and the picture's layout, then redraw."""
        p = self.playground
        hidden = p.config.hidden
        self.structure.value = "hidden layers: " + (" - ".join(map(str, hidden)) if hidden else "none") + \
            f" ({len(hidden)} of {MAX_LAYERS}); neurons of layer k:"
        self.add_layer.disabled = len(hidden) >= MAX_LAYERS
        self.remove_layer.disabled = not hidden
        for k in range(MAX_LAYERS):
            self.add_neuron[k].disabled = k >= len(hidden) or hidden[k] >= MAX_NEURONS
            self.remove_neuron[k].disabled = k >= len(hidden) or hidden[k] <= 1
            self.layer_activation[k].disabled = k >= len(hidden)
        self.layout = network_layout([len(p.config.features), *hidden, 1])
        self.canvas.width, self.canvas.height = self.layout.width, self.layout.height
        self.canvas.layout.width, self.canvas.layout.height = f"{self.layout.width}px", f"{self.layout.height}px"
        self.hovered, self._inputs = None, None
        self.pointer.value = ""
        self.draw_points()
        self._syncing = True
        try:
            self.weight.options = p.weight_names()
            self.weight.value = p.weight_names()[0][1]
            self.show_weight()
        finally:
            self._syncing = False
        self.draw()

    # ------------------------------------------------------------ the mouse on the network picture

    def on_mouse_move(self, x, y):
        """Hovering: a neuron under the mouse shows its picture on the output; the pointer Label says what is there."""
        hit = pick_at(self.layout, x, y)
        self.pointer.value = pointer_text(self.playground, hit)
        hovered = hit[1:] if hit is not None and hit[0] == "neuron" else None
        if hovered != self.hovered:
            self.hovered = hovered
            self.draw_network()
            self.draw_output()

    def on_mouse_out(self, x=None, y=None):
        self.pointer.value = ""
        if self.hovered is not None:
            self.hovered = None
            self.draw_network()
            self.draw_output()

    def on_mouse_down(self, x, y):
        """A click picks the weight of the line under the mouse, or the bias of the neuron, for the value slider."""
        self.pick(pick_at(self.layout, x, y))

    def pick(self, hit):
        """Pick what pick_at found: ("weight", k, i, j) or ("neuron", layer, index) (its bias)."""
        if hit is None:
            return
        if hit[0] == "neuron":
            _, layer, index = hit
            if layer == 0:
                self.message.value = f"{self.playground.neuron_name(0, index)} is an input: it has no bias; click a line to pick a weight"
                return
            key = (layer - 1, index, None)
        else:
            key = hit[1:]
        self.weight.value = key   # on_pick puts it on the slider
        self.message.value = f"picked {self.weight.label}: the value slider edits it"

    # ------------------------------------------------------------ control callbacks

    def on_setting(self, change=None):
        if self._syncing:
            return
        chosen = tuple(name for name, box in self.feature_boxes.items() if box.value)
        if not chosen:   # no input at all: keep the one just unticked
            self._syncing = True
            change.owner.value = True
            self._syncing = False
            self.message.value = "the network needs at least one input"
            return
        settings = {name: control.value for name, control in self.settings.items()}
        own = tuple(dropdown.value for dropdown in self.layer_activation)
        what = (change.owner.description if change is not None and change.owner.description else "setting")
        if self.playground.reconfigure(features=chosen, layer_activations=own, **settings):
            self.message.value = f"{what} changed: a new network"
            self.after_rebuild()
        else:
            self.message.value = f"{what} changed: applies from the next epoch on"
            self.draw()   # a training setting: the same network, and the next step uses it

    def on_toggle(self, change=None):
        """show test data / discretize output: redraw the points and the output picture."""
        self.draw_points()
        self.draw_output()

    def change_layers(self, delta):
        hidden = list(self.playground.config.hidden)
        if delta > 0 and len(hidden) < MAX_LAYERS:
            hidden.append(hidden[-1] if hidden else 2)
        elif delta < 0 and hidden:
            hidden.pop()
        self.set_hidden(hidden)

    def change_neurons(self, k, delta):
        hidden = list(self.playground.config.hidden)
        if k < len(hidden) and 1 <= hidden[k] + delta <= MAX_NEURONS:
            hidden[k] += delta
        self.set_hidden(hidden)

    def set_hidden(self, hidden):
        if tuple(hidden) != self.playground.config.hidden:
            self.playground.reconfigure(hidden=tuple(hidden))
            self.message.value = "hidden layers " + (" - ".join(map(str, hidden)) or "none") + ": a new network"
        self.after_rebuild()

    def on_pick(self, change=None):
        if self._syncing or self.weight.value is None:
            return
        self._syncing = True
        try:
            self.show_weight()
        finally:
            self._syncing = False
        self.draw()

    def show_weight(self):
        """Put the picked weight on the value slider, named in its description (code's move, not the
        learner's), and remember the value: the page may send it back, rounded, a frame later."""
        value = slider_value(self.playground.get_weight(self.weight.value))
        now = time.monotonic()
        self.shown_values.append((now, value))
        while self.shown_values[0][0] < now - ECHO_SECONDS:
            self.shown_values.popleft()
        self.weight_value.description = self.weight.label or "value"
        self.weight_value.value = value

    def on_weight(self, change=None):
        """A weight set by hand: training pauses, the pictures show the network with the new weight."""
        if self._syncing or self.weight.value is None:
            return
        if change is not None and any(abs(change["new"] - shown) < 0.006 for _, shown in self.shown_values):
            # The page echoing a weight it was shown, snapped to its own grid (-5 + k * 0.01 in
            # floating point), maybe after the next frame: not a move (a move is at least one 0.01 step).
            return
        self.pause()
        self.playground.set_weight(self.weight.value, self.weight_value.value)
        self.message.value = f"set {self.weight.label} to {self.weight_value.value:.2f}"
        self.draw()

    # ------------------------------------------------------------ buttons

    def step(self):
        """Train one epoch and redraw (each frame of play)."""
        self.playground.step()
        if self.weight.value is not None:
            self._syncing = True
            self.show_weight()
            self._syncing = False
        self.draw()

    def step_once(self):
        """The Step button: one epoch, and the message says so."""
        self.step()
        self.message.value = f"stepped to epoch {self.playground.epoch}"

    def reset(self):
        self.playground.reset()
        self.message.value = "reset: new random weights"
        self.after_rebuild()

    def play(self):
        """Train and redraw frame after frame in an asyncio task, until pause.

        Between frames the task awaits asyncio.sleep, which hands the kernel's event loop
        back to the messages from the page: a control moved while playing takes effect at
        the next frame. Running any notebook cell pauses it (IPython's pre_run_cell event):
        the cell gets the kernel to itself, and no training goes on behind later cells.
        Without a running event loop (plain Python) play does nothing but say so.
        """
        if self.playing:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.message.value = "play needs a running event loop (a Jupyter kernel); use step"
            return
        for other in list(PlaygroundWidget._instances):
            if other is not self:
                other.pause()
        self.playing = True
        self.message.value = "playing"
        self.task = loop.create_task(self.run())
        shell = get_ipython()
        if shell is not None:
            shell.events.register("pre_run_cell", self.pause_for_cell)

    def pause_for_cell(self, info=None):
        """Called by IPython before any cell runs: pause, and say why."""
        self.pause()
        self.message.value = f"paused at epoch {self.playground.epoch}: a cell ran"

    async def run(self, frames=None, seconds=None):
        """Frames of step + redraw while playing (at most `frames` frames or `seconds` seconds, if given);
        returns the number of frames. A frame starts at most max_fps times a second; between two
        frames the task sleeps at least MIN_PAUSE, for the page's messages."""
        total, started = 0, time.perf_counter()
        deadline = None if seconds is None else started + seconds
        if frames is not None or seconds is not None:   # called directly, e.g. by a test
            self.playing = True
        self.frame_times.clear()
        period = 1 / self.max_fps if self.max_fps else 0.0
        try:
            while self.playing and not self.playground.diverged:
                if (frames is not None and total >= frames) or (deadline is not None and time.perf_counter() > deadline):
                    break
                start = time.perf_counter()
                self.step()
                total += 1
                now = time.perf_counter()
                self.frame_times.append(now)
                while now - self.frame_times[0] > 1:   # the frame rate of the last second
                    self.frame_times.popleft()
                self.speed.value = speed_text(self.frame_times, True)
                await asyncio.sleep(max(MIN_PAUSE, period - (now - start)))
        except asyncio.CancelledError:   # pause() cancelled the task, and has said so
            self.playing = False
            raise
        self.playing = False
        self.stop_listening()
        self.speed.value = speed_text(self.frame_times, False)
        why = " (the loss diverged)" if self.playground.diverged else ""
        self.message.value = f"paused at epoch {self.playground.epoch}{why}"
        return total

    def stop_listening(self):
        """Stop pausing when a cell runs (play registered that with IPython)."""
        shell = get_ipython()
        if shell is not None and self.pause_for_cell in shell.events.callbacks["pre_run_cell"]:
            shell.events.unregister("pre_run_cell", self.pause_for_cell)

    def pause(self):
        self.playing = False
        if self.task is not None and not self.task.done():
            self.task.cancel()
        self.task = None
        self.stop_listening()
        self.speed.value = speed_text(self.frame_times, False)
        self.message.value = f"paused at epoch {self.playground.epoch}"

    def save(self):
        self.text.value = self.playground.to_text()
        self.message.value = f"saved: {len(self.text.value)} characters"

    def load(self, text=None):
        """Restore a saved text (the Textarea's, or `text`); a text that is not one says so in message."""
        text = self.text.value if text is None else text
        try:
            restored = Playground.from_text(text)
        except (ValueError, TypeError) as error:
            self.message.value = f"could not load: {error}"
            return False
        self.pause()
        self.playground = restored
        self.sync_controls()
        self.message.value = f"loaded a {len(restored.config.hidden)}-hidden-layer network at epoch {restored.epoch}"
        self.after_rebuild()
        return True

    def sync_controls(self):
        c = self.playground.config
        self._syncing = True
        try:
            for name, control in self.settings.items():
                value = getattr(c, name)
                if isinstance(control, widgets.Dropdown) and value not in control.options:
                    control.options = _options(control.options, value)
                elif not isinstance(control, widgets.Dropdown):   # a slider: widen its range for a value beyond it
                    control.min, control.max = min(control.min, value), max(control.max, value)
                control.value = value
            for name, box in self.feature_boxes.items():
                box.value = name in c.features
            for dropdown, value in zip(self.layer_activation, c.layer_activations + ("same",) * MAX_LAYERS):
                dropdown.value = value
        finally:
            self._syncing = False

    def show_code(self):
        self.code.value = "<pre style='font-size:11px'>" + html.escape(self.playground.code()) + "</pre>"
        self.message.value = "the nnlib code of this network is below"

    def set(self, **settings):
        """Change settings from code (what the lesson's experiment cells do), as if moved by hand."""
        self.playground.reconfigure(**settings)
        self.sync_controls()
        self.after_rebuild()
        return self

    def train(self, epochs):
        """Train `epochs` epochs at once, then redraw once (for cells that set up an experiment)."""
        self.playground.step(epochs)
        self.draw()
        return self


def row(children):
    """Controls side by side, wrapping onto the next line when the notebook is narrow."""
    return widgets.HBox(children, layout=widgets.Layout(flex_flow="row wrap", align_items="center"))


ECHO_SECONDS = 5.0   # how long a value shown on the weight slider may come back from the page as an echo


def slider_value(weight):
    """A weight as the value slider can show it: within -5..5, on its 0.01 grid, and 0 for NaN
    (a widget value must be JSON). On the grid, because the page rounds any other value to
    its step and sends the rounded value back, which would look like a learner's move."""
    return round(float(np.clip(np.nan_to_num(weight, nan=0.0), -5, 5)), 2)


def _options(values, current):
    """A Dropdown's options: the values, plus the current one if it is not among them, sorted."""
    return sorted(set(values) | {current})


def build_playground(**settings):
    """The Playground widget; display(view.box) to show it."""
    return PlaygroundWidget(**settings)
