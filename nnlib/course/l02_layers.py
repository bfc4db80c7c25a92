"""Lesson 02 (layers): shape tables, the weight-matrix widget and the exercise check.

A layer of `out` neurons with `in` inputs each: y = x @ W + b,
x: (batch, in), W: (in, out) (column j holds neuron j's weights), b: (out,), y: (batch, out).
"""

import ipywidgets as widgets
import numpy as np

from ..activations import sigmoid
from .numbers import fmt
from .exercise import Case, Exercise, Mistake
from ..layers import Linear
from .widgets import FigureWidget, slider

# The first layer and input of the DLFS Notes (notes on chapter 3 of Koki Saito's "Deep Learning from Scratch").
W1 = np.array([[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]])
B1 = np.array([0.1, 0.2, 0.3])
# A batch of five 2-D inputs for the widget; the first row is the DLFS Notes' x.
BATCH = np.array([[1.0, 0.5], [0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [-1.0, 2.0]])

SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉"


def shape_table(x, W, b):
    """Rows (name, shape, meaning) for every array of y = x @ W + b; x: (batch, in)."""
    x, W, b = np.asarray(x), np.asarray(W), np.asarray(b)
    product = x @ W
    return [
        ("x", x.shape, "(batch, in): one sample per row"),
        ("W", W.shape, "(in, out): one column per neuron"),
        ("b", b.shape, "(out,): one bias per neuron"),
        ("x @ W", product.shape, "(batch, out): every weighted sum"),
        ("y = x @ W + b", (product + b).shape, "(batch, out): b is added to every row (broadcasting)"),
    ]


def layer_outputs(x, W, b):
    """y = x @ W + b computed by nnlib's Linear layer with these weights: (batch, out)."""
    return Linear.from_weights(W, b).forward(x)


def outputs_html(x, y):
    """An HTML table: one row per sample (numbered from 1, as the course counts) with its inputs x (batch, in)
    and outputs y (batch, out)."""
    x, y = np.atleast_2d(x), np.atleast_2d(y)
    head = "<th>n</th>" + "".join(f"<th>x{SUBSCRIPTS[i + 1]}</th>" for i in range(x.shape[1]))
    head += "".join(f"<th>y{SUBSCRIPTS[j + 1]}</th>" for j in range(y.shape[1]))
    rows = ""
    for n, (xn, yn) in enumerate(zip(x, y)):
        cells = "".join(f"<td>{fmt(v, 2)}</td>" for v in xn) + "".join(f"<td><b>{fmt(v, 2)}</b></td>" for v in yn)
        rows += f"<tr><td>{n + 1}</td>{cells}</tr>"
    return f"<table><tr>{head}</tr>{rows}</table>"


def layer_view(x, W, b):
    """What the layer widget shows: y (batch, out), params (in + 1, out) = W with b as its last row, html."""
    W, b = np.asarray(W, dtype=float), np.asarray(b, dtype=float)
    y = layer_outputs(x, W, b)
    return {"y": y, "params": np.vstack([W, b]), "html": outputs_html(x, y)}


def _heatmap(ax, values, row_names, col_names, title):
    """Draw values (rows, cols) as a colour grid with the numbers written in; return (image, texts)."""
    image = ax.imshow(values, cmap="RdBu", vmin=-2, vmax=2)
    texts = [[ax.text(j, i, "", ha="center", va="center", fontsize=9) for j in range(values.shape[1])]
             for i in range(values.shape[0])]
    ax.set_xticks(range(len(col_names)), col_names)
    ax.set_yticks(range(len(row_names)), row_names)
    ax.set_title(title)
    return image, texts


def _draw_values(image, texts, values):
    image.set_data(values)
    for i, row in enumerate(texts):
        for j, text in enumerate(row):
            text.set_text(fmt(values[i, j], 2))


class LayerWidget:
    """One slider per weight w_ij (attributes w11, w12, ...) and bias b_j (b1, b2, ...);
    a heat map of W, b and the batch's outputs y in `figure`, and the numbers in the HTML `table`."""

    def __init__(self, x=BATCH, W=W1, b=B1):
        self.x = np.asarray(x, dtype=float)
        n_in, n_out = np.shape(W)
        self.W_sliders = [[slider(f"w{SUBSCRIPTS[i + 1]}{SUBSCRIPTS[j + 1]}", W[i][j], -1, 1, 0.05)
                           for j in range(n_out)] for i in range(n_in)]
        self.b_sliders = [slider(f"b{SUBSCRIPTS[j + 1]}", b[j], -1, 1, 0.05) for j in range(n_out)]
        for i, row in enumerate(self.W_sliders):
            for j, s in enumerate(row):
                setattr(self, f"w{i + 1}{j + 1}", s)
        for j, s in enumerate(self.b_sliders):
            setattr(self, f"b{j + 1}", s)
        self.table = widgets.HTML()
        self.figure = FigureWidget(1, 2, figsize=(7, 3.4), dpi=100)
        left, right = self.figure.axes
        outputs = [f"y{SUBSCRIPTS[j + 1]}" for j in range(n_out)]
        rows = [f"W row {i + 1} (x{SUBSCRIPTS[i + 1]})" for i in range(n_in)] + ["b"]
        self.params_plot = _heatmap(left, np.zeros((n_in + 1, n_out)), rows, [f"neuron {j + 1}" for j in range(n_out)],
                                    "Parameters: W, then b")
        self.y_plot = _heatmap(right, np.zeros((len(self.x), n_out)), [f"sample {n + 1}" for n in range(len(self.x))],
                               outputs, "Outputs y = x @ W + b")
        columns = [widgets.VBox([widgets.HTML(f"<b>neuron {j + 1}</b>"), *[row[j] for row in self.W_sliders],
                                 self.b_sliders[j]]) for j in range(n_out)]
        for s in [*sum(self.W_sliders, []), *self.b_sliders]:
            s.observe(self.update, names="value")
        self.box = widgets.VBox([widgets.HBox(columns), widgets.HBox([self.figure.image, self.table])])
        self.update()

    @property
    def W(self):
        return np.array([[s.value for s in row] for row in self.W_sliders])

    @property
    def b(self):
        return np.array([s.value for s in self.b_sliders])

    def update(self, change=None):
        view = layer_view(self.x, self.W, self.b)
        _draw_values(*self.params_plot, view["params"])
        _draw_values(*self.y_plot, view["y"])
        self.table.value = view["html"]
        self.figure.refresh()


def build_layer_widget(**defaults):
    """The lesson's weight-matrix widget; display(view.box) to show it."""
    return LayerWidget(**defaults)


# ---- exercise: a layer's forward pass with a width check ----------------------------------------

ORDER_HINT = ("Multiply x @ W, in that order: x's rows are samples (batch, in) and W's rows are inputs (in, out), "
              "so the inner sizes meet. W @ x and x @ W.T do not fit.")


def _layer_forward(x, W, b):
    """nnlib's Linear with these weights; one sample x (in,) gives one row (out,). A wrong width raises."""
    y = layer_outputs(x, W, b)
    return y[0] if np.ndim(x) == 1 else y


def _is_numpy_shape_error(error):
    message = str(error)
    return isinstance(error, ValueError) and (
        "matmul" in message or "not aligned" in message or "could not be broadcast" in message)


def _run(fn, case):
    """fn's answer; on an input of the wrong width, which error it raised, in words."""
    x, W, b = case.args
    if x.shape[-1] == W.shape[0]:
        return fn(x, W, b)
    try:
        got = fn(x, W, b)
    except ValueError as error:
        if _is_numpy_shape_error(error):
            return f"NumPy's own ValueError from @ ({error})"
        if str(W.shape[0]) in str(error) and str(x.shape[-1]) in str(error):
            return f"a ValueError (each sample needs {W.shape[0]} features, not {x.shape[-1]})"
        return f"a ValueError that says {str(error)!r}"
    return f"no error: it returned {type(got).__name__} {np.shape(got)}"


def _checked(product=lambda x, W, b: x @ W + b, width=lambda x: x.shape[-1], needed=lambda W: W.shape[0],
             message="expected {} features per sample, got {}"):
    """A layer_forward (for a mistake) that raises ValueError(message) when width(x) != needed(W), else
    returns product(x, W, b); by default the width check and the product are right."""
    def layer_forward(x, W, b):
        if width(x) != needed(W):
            raise ValueError(message.format(needed(W), width(x)))
        return product(x, W, b)
    return layer_forward


def _asserted(x, W, b):
    """A slip: the width checked with assert instead of raise ValueError."""
    assert x.shape[-1] == W.shape[0], f"expected {W.shape[0]}, got {x.shape[-1]}"
    return x @ W + b


def _cases():
    rng = np.random.default_rng(2)
    W, b, x = rng.standard_normal((3, 2)), rng.standard_normal(2), rng.standard_normal((4, 3))
    return [Case("the DLFS Notes' x = [[1.0, 0.5]] (shape (1, 2)) with W1 (2, 3) and b1",
                 np.array([[1.0, 0.5]]), W1, B1),
            Case("a batch x of shape (4, 3) with W (3, 2)", x, W, b),
            Case("one sample x of shape (3,) with W (3, 2)", x[0], W, b),
            Case("x of shape (2, 5) with W (3, 2)", rng.standard_normal((2, 5)), W, b),
            Case("x of shape (5,) with W (3, 2)", rng.standard_normal(5), W, b)]


def _says(start):
    return lambda attempt: isinstance(attempt.got, str) and attempt.got.startswith(start)


LAYER_FORWARD = Exercise(
    "layer_forward", lesson="02", solution=_layer_forward, run=_run, cases=_cases,
    mistakes=[
        Mistake("You returned x @ W; the bias b is missing.", answer=_checked(lambda x, W, b: x @ W)),
        Mistake("You applied the sigmoid; this layer is only x @ W + b (activations between layers come in "
                "lesson 03).", answer=_checked(lambda x, W, b: sigmoid(x @ W + b))),
        Mistake("The bias is subtracted; add it: x @ W + b.", answer=_checked(lambda x, W, b: x @ W - b)),
        Mistake("You added b to W before multiplying; add it after the product: x @ W + b.",
                answer=_checked(lambda x, W, b: x @ (W + b))),
        Mistake("One sample gives one output per neuron, shape (out,), as x @ W + b gives: do not add a batch axis.",
                answer=_checked(lambda x, W, b: np.atleast_2d(x) @ W + b)),
        Mistake(f"NumPy's @ could not multiply x and W the way your code asks. {ORDER_HINT}",
                answer=_checked(lambda x, W, b: W @ x + b), raises=_is_numpy_shape_error),
        Mistake("One sample has only one axis, so x.shape[1] does not exist; x.shape[-1], the last axis, is the "
                "width for one sample and for a batch.", answer=_checked(width=lambda x: x.shape[1]),
                raises=lambda error: isinstance(error, IndexError) and "tuple index" in str(error)),
        Mistake("Your ValueError stopped an input that fits: W of shape (in, out) expects x.shape[-1] == W.shape[0]. "
                "Compare x.shape[-1] with W.shape[0].", answer=_checked(needed=lambda W: W.shape[1]),
                raises=lambda error: isinstance(error, ValueError)),
        Mistake("The ValueError came from NumPy's @, not from your check. Compare x.shape[-1] with W.shape[0] first "
                "and raise your own ValueError.", answer=lambda x, W, b: x @ W + b, when=_says("NumPy's own")),
        Mistake("Say in your message which width was expected (3) and which came (5), so the user can fix the input.",
                answer=_checked(message="bad input"), when=_says("a ValueError that says")),
        Mistake("An assert is for checking your own code (python -O even switches asserts off), and callers do "
                "not expect an AssertionError for a bad input: raise ValueError(...) yourself, saying which width "
                "was expected and which came.", answer=_asserted,
                raises=lambda error: isinstance(error, AssertionError)),
    ],
    success="layer_forward gives x @ W + b for batches and single samples, and rejects a wrong width.")
check_layer_forward = LAYER_FORWARD.check
