"""Lesson 12, autograd: a scalar `Value` engine (micrograd's, in a few lines), pictures of its computational
graph, the checks of the learner's multiply backward, topological order and unbroadcast, and the backward
stepper: a pure function listing each step of a backward pass, and the widget that walks through it.

The library's own engine for arrays is nnlib/autograd.py (`nn.Tensor`); this module only teaches.
"""
import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from .exercise import Case, Exercise, Mistake
from .plots import arrow_between
from .widgets import DPI, FigureWidget, slider

# ---------------------------------------------------------------- the engine's local rules


def _add_backward(a, b, out):
    """out = a + b: each input's gradient grows by out.grad (the slope of a sum is 1)."""
    a.grad += out.grad
    b.grad += out.grad


def _mul_backward(a, b, out):
    """out = a · b: each input's gradient grows by out.grad times the OTHER input."""
    a.grad += out.grad * b.data
    b.grad += out.grad * a.data


def _topological_order(root):
    """Every node of root's graph once, each after the nodes it was computed from; root last."""
    order, visited = [], set()

    def visit(node):
        if node not in visited:
            visited.add(node)
            for parent in node._parents:
                visit(parent)
            order.append(node)

    visit(root)
    return order


# ---------------------------------------------------------------- Value: a number that remembers how it was made


class Value:
    """One number and how it was computed, micrograd's `Value`.

    data: the number (forward); grad: ∂(root)/∂(this number), filled by root.backward(), starting at 0;
    _parents: the Values it was computed from; _op: how ("+", "×", ...); _backward: passes this node's
    grad on to its parents with the op's local rule (a leaf's does nothing). label: a name for pictures.
    add_backward and mul_backward are the local rules of + and ×; a subclass may plug in others.
    """
    add_backward = staticmethod(_add_backward)
    mul_backward = staticmethod(_mul_backward)

    def __init__(self, data, label="", _parents=(), _op=""):
        self.data = float(data)
        self.grad = 0.0
        self.label = label
        self._parents = tuple(_parents)
        self._op = _op
        self._backward = lambda: None

    def _new(self, data, parents, op):
        return type(self)(data, "", parents, op)      # a subclass's result keeps its rules

    def _wrap(self, other):
        return other if isinstance(other, Value) else type(self)(other)

    def __add__(self, other):
        other = self._wrap(other)
        out = self._new(self.data + other.data, (self, other), "+")
        out._backward = lambda: self.add_backward(self, other, out)
        return out

    def __mul__(self, other):
        other = self._wrap(other)
        out = self._new(self.data * other.data, (self, other), "×")
        out._backward = lambda: self.mul_backward(self, other, out)
        return out

    def __pow__(self, k):
        """self ** k for a plain number k: slope k · self^(k−1)."""
        out = self._new(self.data ** k, (self,), f"**{k}")

        def _backward():
            self.grad += out.grad * k * self.data ** (k - 1)
        out._backward = _backward
        return out

    def sigmoid(self):
        """σ(self) = 1 / (1 + e^(−self)): slope σ(1 − σ) (lesson 03)."""
        s = 0.5 * (1.0 + np.tanh(0.5 * self.data))      # σ written with tanh: finite for any input
        out = self._new(s, (self,), "σ")

        def _backward():
            self.grad += out.grad * s * (1.0 - s)
        out._backward = _backward
        return out

    def relu(self):
        out = self._new(max(0.0, self.data), (self,), "relu")

        def _backward():
            self.grad += out.grad * (self.data > 0)
        out._backward = _backward
        return out

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-self._wrap(other))

    __radd__ = __add__
    __rmul__ = __mul__

    def __rsub__(self, other):
        return self._wrap(other) - self

    def backward(self):
        """Fill the grad of every node of the graph with ∂self/∂node: run each node's _backward in reverse
        topological order, so that a node passes its grad on only once every share has arrived.
        A computed node's grad belongs to this pass and starts at 0; a leaf's (a weight's) keeps adding
        up over passes, as in PyTorch: zero it (zero_grad) before the next backward."""
        order = _topological_order(self)
        for node in order:
            if node._parents:
                node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            node._backward()

    def __repr__(self):
        name = f"{self.label}: " if self.label else ""
        return f"Value({name}data={self.data:.4g}, grad={self.grad:.4g})"


def zero_grad(root):
    """Set the grad of every node of root's graph back to 0."""
    for node in _topological_order(root):
        node.grad = 0.0


def value_class(add_backward=None, mul_backward=None):
    """A Value class whose + and × use these local rules (the given ones, else the right ones)."""
    rules = {}
    if add_backward is not None:
        rules["add_backward"] = staticmethod(add_backward)
    if mul_backward is not None:
        rules["mul_backward"] = staticmethod(mul_backward)
    return type("Value", (Value,), rules)


def lesson06_graph(cls=Value):
    """Lesson 06's graph as Values: a = 2, b = −3, c = 4, d = a·b, e = a + c, L = d·e (a is used twice).
    Returns {name: Value}; the grads are all 0 until L.backward()."""
    a, b, c = cls(2.0, "a"), cls(-3.0, "b"), cls(4.0, "c")
    d = a * b
    e = a + c
    L = d * e
    d.label, e.label, L.label = "d", "e", "L"
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "L": L}


# ---------------------------------------------------------------- the picture of a graph


def graph_layout(root):
    """{node: (x, y)}: a computed node one column right of its rightmost input, a leaf one column left of
    the first node that uses it; y spreads the nodes of a column in topological order, top to bottom."""
    order = _topological_order(root)
    depth = {}
    for node in order:
        depth[node] = 1 + max((depth[p] for p in node._parents), default=-1)
    for node in reversed(order):                      # a leaf sits right before its first use
        if not node._parents and node is not root:
            depth[node] = min(depth[child] for child in order if node in child._parents) - 1
    columns = {}
    for node in order:
        columns.setdefault(depth[node], []).append(node)
    return {node: (float(x), (len(column) - 1) / 2 - i) for x, column in columns.items()
            for i, node in enumerate(column)}


def _name(node, names):
    """What a node is called in a picture: names[node], its label, a plain number, or its op."""
    given = names.get(node) or getattr(node, "label", "")
    if given:
        return given
    if np.ndim(node.data) == 0 and not node._parents:
        return f"{float(node.data):g}"
    return "·"


def _amount(value):
    """A number as 1.5, an array by its shape, None as '?'."""
    if value is None:
        return "?"
    return f"{float(value):.4g}" if np.ndim(value) == 0 else str(np.shape(value))


def node_text(node, grad=None, names=None):
    """What a node's box says: its name and op, its data, and its grad ('?' when grad is None).
    Works for a Value and for an nn.Tensor (whose data and grad are shown by their shapes)."""
    names = names or {}
    name = _name(node, names)
    inputs = [_name(p, names) for p in node._parents]
    if len(inputs) == 2:
        head = f"{name} = {inputs[0]} {node._op} {inputs[1]}"
    elif node._op.startswith("**"):
        head = f"{name} = {inputs[0]}{node._op}"
    elif node._op == "[]":
        head = f"{name} = {inputs[0]}[…]"
    elif inputs:
        head = f"{name} = {node._op}({inputs[0]})"
    else:
        head = name
    return f"{head}\ndata {_amount(node.data)}\ngrad {_amount(grad)}"


def draw_value_graph(root, grads=None, highlight=None, done=(), title=None, ax=None, names=None, fontsize=10):
    """The computational graph of root as a matplotlib Figure: one box per node with its op, data and grad,
    an arrow from each input to the node computed from it. root: a Value, or an nn.Tensor.

    grads: {node: grad} to show instead of each node's own .grad (a node missing from it shows '?');
    highlight: the node to draw in orange (the widget's current step); done: nodes drawn in green
    (their grad is final); names: {node: name} for nodes without a label (Tensors).
    ax: draw into these axes instead of a new figure. Returns the figure.
    """
    names = names or {}
    places = graph_layout(root)
    if ax is None:
        columns = 1 + max(x for x, _ in places.values()) - min(x for x, _ in places.values())
        height = 1.3 * (1 + max(y for _, y in places.values()) - min(y for _, y in places.values()))
        fig = Figure(figsize=(max(5.0, min(16.0, 2.2 * columns)), max(2.8, height)), dpi=DPI, layout="constrained")
        ax = fig.subplots()
    fig = ax.figure
    done = set(done)
    boxes = {}
    for node, (x, y) in places.items():
        grad = node.grad if grads is None else grads.get(node)
        color = "orange" if node is highlight else "palegreen" if node in done else "lightyellow"
        boxes[node] = ax.text(x, y, node_text(node, grad, names), ha="center", va="center", fontsize=fontsize,
                              family="monospace", bbox=dict(boxstyle="round", facecolor=color, edgecolor="gray"))
    for node in places:
        for parent in dict.fromkeys(node._parents):
            arrow_between(ax, boxes[parent], boxes[node])
    xs = [x for x, _ in places.values()]
    ys = [y for _, y in places.values()]
    ax.set_xlim(min(xs) - 0.5, max(xs) + 0.5)
    ax.set_ylim(min(ys) - 0.6, max(ys) + 0.6)
    ax.axis("off")
    ax.set_title(title or "Computational graph: data forward (left to right), grad backward", fontsize=10)
    return fig


# ---------------------------------------------------------------- stepping through a backward pass


def backward_steps(root):
    """The backward pass of root, step by step, without touching the graph's grads.

    Returns a list of states, one per node in reverse topological order. State k says which node
    runs its _backward at step k and with what grad (final by then: every node computed from it came
    earlier), what it added to each input's grad, and every grad as it is after that step:
    {"step": k, "node": Value, "grad": float, "shares": {parent: added}, "grads": {node: grad},
    "done": [nodes whose grad is final]}.
    """
    order = _topological_order(root)
    saved = [node.grad for node in order]
    states = []
    try:
        for node in order:
            node.grad = 0.0
        root.grad = 1.0
        done = []
        for step, node in enumerate(reversed(order)):
            grad = node.grad
            before = {parent: parent.grad for parent in node._parents}
            node._backward()
            done.append(node)
            states.append({"step": step, "node": node, "grad": grad,
                           "shares": {parent: parent.grad - before[parent] for parent in before},
                           "grads": {n: n.grad for n in order}, "done": list(done)})
    finally:
        for node, grad in zip(order, saved):
            node.grad = grad
    return states


def step_sentence(state):
    """The widget's label, e.g. 'step 4: node d (×) has grad 6 and passes on: a gets -18 (now -24), b gets 12
    (now 12)'."""
    node, grad = state["node"], state["grad"]
    name = node.label or node._op
    if not node._parents:
        return f"step {state['step'] + 1}: leaf {name} has grad {grad:.4g} (nothing to pass on)"
    passes = ", ".join(f"{p.label or p._op} gets {share:.4g} (now {state['grads'][p]:.4g})"
                       for p, share in state["shares"].items())
    op = f" ({node._op})" if node._op else ""
    return f"step {state['step'] + 1}: node {name}{op} has grad {grad:.4g} and passes on: {passes}"


class BackwardStepper:
    """A slider (and ◀ ▶ buttons) over the steps of a backward pass: the graph redrawn with the grads filled in
    so far (the current node orange, finished ones green, untouched ones '?'), and a Label saying what the step
    did."""

    def __init__(self, root, step=1):
        self.root = root
        self.states = backward_steps(root)
        self.step = slider("step", step, 0, len(self.states), integer=True)
        self.back = widgets.Button(description="◀ back", layout=widgets.Layout(width="80px"))
        self.next = widgets.Button(description="next ▶", layout=widgets.Layout(width="80px"))
        self.back.on_click(lambda button: self.move(-1))
        self.next.on_click(lambda button: self.move(+1))
        self.label = widgets.Label()
        self.figure = FigureWidget(figsize=(7.5, 3.6))
        self.step.observe(self.update, names="value")
        self.box = widgets.VBox([widgets.HBox([self.back, self.step, self.next]), self.label, self.figure.image])
        self.update()

    def move(self, by):
        """One step forward (+1) or back (-1), staying within the slider's range."""
        self.step.value = min(self.step.max, max(self.step.min, self.step.value + by))

    def update(self, change=None):
        k = self.step.value
        ax = self.figure.axes
        ax.clear()
        if k == 0:
            self.label.value = "step 0: nothing has run yet; every grad is unknown"
            draw_value_graph(self.root, grads={}, ax=ax, title="before backward")
        else:
            state = self.states[k - 1]
            touched = {node: grad for node, grad in state["grads"].items()
                       if grad != 0 or node in state["done"]}
            self.label.value = step_sentence(state)
            draw_value_graph(self.root, grads=touched, highlight=state["node"], done=state["done"][:-1], ax=ax,
                             title=f"step {k} of {len(self.states)}: orange runs its backward, green are final")
        self.figure.refresh()

    def _ipython_display_(self):
        from IPython.display import display
        display(self.box)


def build_backward_stepper(step=1):
    """The stepper on lesson 06's graph."""
    return BackwardStepper(lesson06_graph()["L"], step=step)


# ---------------------------------------------------------------- exercise 1: the multiply node's backward


def _grads_after_backward(mul_backward, build):
    """{"a.grad": ..., ...}: the leaves' grads after build(cls)'s root.backward(), × using mul_backward."""
    cls = value_class(mul_backward=mul_backward)
    root, leaves = build(cls)
    root.backward()
    return {f"{leaf.label}.grad": leaf.grad for leaf in leaves}


def _product(cls):
    a, b = cls(2.0, "a"), cls(-3.0, "b")
    return a * b, (a, b)


def _product_times_four(cls):
    a, b = cls(2.0, "a"), cls(-3.0, "b")
    return (a * b) * 4.0, (a, b)


def _a_times_a(cls):
    a = cls(3.0, "a")
    return a * a, (a,)


def _lesson06(cls):
    nodes = lesson06_graph(cls)
    return nodes["L"], (nodes["a"], nodes["b"], nodes["c"])


def _mul_run(fn, case):
    return _grads_after_backward(fn, case.args[0])


def _mul_cases():
    return [Case("L = a·b with a = 2, b = −3", _product),
            Case("L = (a·b)·4 with a = 2, b = −3, so a·b gets out.grad = 4", _product_times_four),
            Case("L = a·a with a = 3 (a is both inputs)", _a_times_a),
            Case("lesson 06's graph, d = a·b, e = a + c, L = d·e", _lesson06)]


def _mul_swapped(a, b, out):
    a.grad += out.grad * a.data
    b.grad += out.grad * b.data


def _mul_assigns(a, b, out):
    a.grad = out.grad * b.data
    b.grad = out.grad * a.data


def _mul_without_chain(a, b, out):
    a.grad += b.data
    b.grad += a.data


def _mul_uses_out_data(a, b, out):
    a.grad += out.data * b.data
    b.grad += out.data * a.data


def _mul_returns(a, b, out):
    return out.grad * b.data, out.grad * a.data


def _mul_uses_values(a, b, out):
    a.grad += out.grad * b        # b, the Value, where its number b.data is meant
    b.grad += out.grad * a


def _a_grad_is_not_a_number(attempt):
    return any(not isinstance(v, (int, float, np.number)) for v in attempt.got.values())


def _all_zero(attempt):
    return all(v == 0 for v in attempt.got.values()) and any(v != 0 for v in attempt.expected.values())


MUL_BACKWARD = Exercise(
    "mul_backward", lesson="12", solution=_mul_backward, cases=_mul_cases, run=_mul_run,
    mistakes=[
        Mistake("Each input gets the gradient times the OTHER input: out = a·b, so ∂out/∂a = b and ∂out/∂b = a: "
                "a.grad += out.grad * b.data, b.grad += out.grad * a.data.", answer=_mul_swapped),
        Mistake("Use +=, not =: a value used twice (a·a, or a in both d and e) gets a share from each use, and "
                "= keeps only the last share. a.grad += out.grad * b.data.", answer=_mul_assigns),
        Mistake("The chain rule multiplies by the gradient from above, out.grad: ∂L/∂a = ∂L/∂out · ∂out/∂a "
                "= out.grad * b.data. (With out.grad = 1 both look alike.)", answer=_mul_without_chain),
        Mistake("out.data is the product's value; the chain rule needs the gradient from above, out.grad: "
                "a.grad += out.grad * b.data.", answer=_mul_uses_out_data),
        Mistake("Every grad stayed 0. mul_backward returns nothing: it adds each share to the inputs' grads in "
                "place (a.grad += ..., b.grad += ...), and each share is out.grad times the other input's value, "
                "b.data (b.grad is still 0 while × runs its backward).", answer=_mul_returns, when=_all_zero),
        Mistake("out.grad * b multiplies by the Value b, which builds a new node of the graph instead of a "
                "number. The share is a number: multiply by b's number, a.grad += out.grad * b.data (and "
                "b.grad += out.grad * a.data).", answer=_mul_uses_values, when=_a_grad_is_not_a_number),
    ],
    success="mul_backward is right: each input gets out.grad times the other input, added with +=.")
check_mul_backward = MUL_BACKWARD.check


# ---------------------------------------------------------------- exercise 2: the topological order


def _names(nodes):
    return ", ".join(node.label or node._op for node in nodes)


def order_verdict(order, root):
    """What is right or wrong with `order` as a topological order of root's graph, in a phrase: the
    phrase for a right one is the same for every right order."""
    everything = _topological_order(root)
    if order is None:
        return "None (did you forget `return order`?)"
    if isinstance(order, (set, frozenset)):
        return "a set, whose order Python does not keep: return a list"
    if not isinstance(order, (list, tuple)):
        return f"a {type(order).__name__}, not a list of Values"
    if not all(isinstance(node, Value) for node in order):
        kinds = sorted({type(node).__name__ for node in order if not isinstance(node, Value)})
        return f"a list holding {', '.join(kinds)}, not only the Values themselves"
    seen, twice = set(), []
    for node in order:
        if node in seen and node not in twice:
            twice.append(node)
        seen.add(node)
    if twice:
        verb = "comes" if len(twice) == 1 else "come"
        return f"a list of {len(order)} nodes where {_names(twice)} {verb} more than once"
    missing = [node for node in everything if node not in seen]
    if missing:
        kind = "leaves" if all(not node._parents for node in missing) else "computed nodes"
        return f"a list that misses {_names(missing)} ({kind})"
    if len(order) > len(everything):
        return f"a list of {len(order)} nodes, more than the graph's {len(everything)}"
    position = {node: i for i, node in enumerate(order)}
    late = [(node, parent) for node in order for parent in node._parents if position[parent] > position[node]]
    if late:
        if all(position[parent] > position[node] for node in order for parent in node._parents):
            return "a list with the root first and every node before its inputs (backward's order)"
        node, parent = late[0]
        return f"a list with {node.label or node._op} before its input {parent.label or parent._op}"
    return f"all {len(everything)} nodes, each once and after its inputs"


def _order_run(fn, case):
    root = case.args[0]()
    return order_verdict(fn(root), root)


def _chain_of_doublings():
    x = Value(1.0, "x")
    for i in range(10):
        x = x + x
        x.label = f"x{i + 1}"
    return x


def _deep_reuse():
    a, b, c = Value(2.0, "a"), Value(-3.0, "b"), Value(4.0, "c")
    d = a * b
    e = d + c
    L = a * e
    d.label, e.label, L.label = "d", "e", "L"
    return L


def _single_leaf():
    return Value(5.0, "a")


def _order_cases():
    return [Case("L = a·e, e = d + c, d = a·b (a is used twice, once deep)", _deep_reuse),
            Case("lesson 06's graph (a feeds d and e)", lambda: lesson06_graph()["L"]),
            Case("a single leaf a", _single_leaf),
            Case("x1 = x + x, x2 = x1 + x1, ... x10 (each node used twice)", _chain_of_doublings)]


def _order_reversed(root):
    return _topological_order(root)[::-1]


def _order_without_visited(root):
    order = []

    def visit(node):
        for parent in node._parents:
            visit(parent)
        order.append(node)

    visit(root)
    return order


def _order_without_leaves(root):
    return [node for node in _topological_order(root) if node._parents]


def _order_one_level(root):
    return list(dict.fromkeys(root._parents)) + [root]


def _order_preorder(root):
    order, visited = [], set()

    def visit(node):
        if node not in visited:
            visited.add(node)
            order.append(node)       # before its parents: a node comes before its inputs
            for parent in node._parents:
                visit(parent)

    visit(root)
    return order


def _order_set(root):
    return set(_topological_order(root))


def _order_data(root):
    return [node.data for node in _topological_order(root)]


def _verdict_says(*words):
    return lambda attempt: isinstance(attempt.got, str) and all(word in attempt.got for word in words)


TOPOLOGICAL_ORDER = Exercise(
    "topological_order", lesson="12", solution=_topological_order, cases=_order_cases, run=_order_run,
    mistakes=[
        Mistake("That is the order backward walks, root first. Return the forward order, each node after "
                "the nodes it was computed from and the root last; backward() reverses it itself.",
                answer=_order_reversed, when=_verdict_says("root first")),
        Mistake("A node reached along two paths is listed twice: keep a set of the nodes already visited and "
                "skip a node found in it. (Without that, x10 of the doubling chain is reached 2¹⁰ = 1024 ways, "
                "and a chain of 40 would never finish.)", answer=_order_without_visited,
                when=_verdict_says("more than once")),
        Mistake("The leaves are part of the graph too: a, b and c need their grads. Visit every node, also "
                "those with no _parents, and append each one.", answer=_order_without_leaves,
                when=_verdict_says("misses", "(leaves)")),
        Mistake("Only the root's own inputs are listed: visit each input's inputs too, recursively "
                "(visit(parent) inside visit).", answer=_order_one_level, when=_verdict_says("misses", "computed nodes")),
        Mistake("Append a node AFTER visiting its parents (post-order): then everything it was computed from "
                "is already in the list.", answer=_order_preorder, when=_verdict_says("before its input")),
        Mistake("A set has no order: build a list, appending each node after its parents.", answer=_order_set,
                when=_verdict_says("a set")),
        Mistake("Return the Value objects themselves (backward calls node._backward() on each), "
                "not their numbers.", answer=_order_data, when=_verdict_says("not only the Values")),
    ],
    success="topological_order is right: every node once, each after its inputs, the root last.")
check_topological_order = TOPOLOGICAL_ORDER.check


# ---------------------------------------------------------------- exercise 3: the sum that broadcasting needs


def _unbroadcast(grad, shape):
    """grad summed down to shape: over the axes NumPy prepended, and over the axes where shape has a 1."""
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


def _unbroadcast_cases():
    rng = np.random.default_rng(12)
    return [Case("grad (3, 3) for b of shape (3,)", rng.normal(size=(3, 3)), (3,)),
            Case("grad (4, 3) for shape (4, 1)", rng.normal(size=(4, 3)), (4, 1)),
            Case("grad (4, 3) for shape (1, 3)", rng.normal(size=(4, 3)), (1, 3)),
            Case("grad (2, 4, 3) for shape (4, 1)", rng.normal(size=(2, 4, 3)), (4, 1)),
            Case("grad (4, 3) for shape (4, 3) (nothing was broadcast)", rng.normal(size=(4, 3)), (4, 3)),
            Case("grad (4, 3) for a number, shape ()", rng.normal(size=(4, 3)), ())]


def _unbroadcast_keeps_prepended(grad, shape):
    for axis, size in enumerate(shape):
        if size == 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


def _unbroadcast_drops_ones(grad, shape):
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis in reversed(range(len(shape))):
        if shape[axis] == 1:
            grad = grad.sum(axis=axis)
    return grad


UNBROADCAST = Exercise(
    "unbroadcast", lesson="12", solution=_unbroadcast, cases=_unbroadcast_cases,
    mistakes=[
        Mistake("An axis where shape has a 1 was stretched: sum over it but keep it, "
                "grad.sum(axis=..., keepdims=True), so (4, 3) becomes (4, 1) or (1, 3), not (4,) or (3,).",
                answer=_unbroadcast_drops_ones),
        Mistake("Sum over the axes that broadcasting ADDED, the leading ones: b of shape (3,) was repeated over "
                "the rows (axis 0), so its gradient sums over axis 0. Axis 1 mixes b's own elements.",
                answer=lambda grad, shape: grad.sum(axis=1)),
        Mistake("That is the sum of everything, one number: sum only over the axes broadcasting added or "
                "stretched, so that the result has the given shape.", answer=lambda grad, shape: grad.sum()),
        Mistake("Sum, do not average: b was used by every row, and its shares add up (lesson 06's +=).",
                answer=lambda grad, shape: grad.mean(axis=0)),
        Mistake("One row is only one sample's share: b was used by every row, so add up all of them, "
                "grad.sum(axis=0).", answer=lambda grad, shape: grad[0]),
        Mistake("First sum away the axes NumPy put in front (grad has more axes than shape: sum over axis 0 "
                "until grad.ndim == len(shape)), then the stretched 1-axes.",
                answer=_unbroadcast_keeps_prepended),
        Mistake("Always summing over axis 0 fits only a b of shape (n,): loop over the axes, summing the "
                "prepended ones away and the 1-axes with keepdims=True.",
                answer=lambda grad, shape: grad.sum(axis=0)),
    ],
    success="unbroadcast is right: prepended axes summed away, stretched 1-axes summed with keepdims.")
check_unbroadcast = UNBROADCAST.check
