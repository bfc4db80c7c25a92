"""Tests for lesson 12's helpers: the scalar Value engine, the picture of its graph, backward_steps and the
backward stepper widget, the verdict on a topological order, the unbroadcast solution against nnlib's, the
lesson's MNIST claim on all 60,000 images, and the notebook's order of teaching.
(Every mistake of the three exercises runs through its check in tests/test_exercises.py.)"""
import numpy as np
import pytest
from matplotlib.figure import Figure

import nnlib as nn
import nnlib.autograd
from nnlib.course import l12_autograd as l12
from lesson_files import lesson_cells


def graph():
    return l12.lesson06_graph()


# ---- the Value engine

def test_backward_gives_lesson_06s_gradients():
    nodes = graph()
    nodes["L"].backward()
    assert {name: node.grad for name, node in nodes.items()} == {
        "a": -24.0, "b": 12.0, "c": -6.0, "d": 6.0, "e": -6.0, "L": 1.0}


def test_a_second_backward_doubles_the_leaves_and_zero_grad_resets_them():
    nodes = graph()
    nodes["L"].backward()
    nodes["L"].backward()
    assert (nodes["a"].grad, nodes["b"].grad, nodes["d"].grad) == (-48.0, 24.0, 6.0)   # computed nodes: one pass
    l12.zero_grad(nodes["L"])
    assert all(node.grad == 0.0 for node in nodes.values())


@pytest.mark.parametrize("build", [
    lambda a, b: (a * b + a).sigmoid(),
    lambda a, b: (a - b) ** 2 * 0.5,
    lambda a, b: (3.0 - a * b).relu() + b * b,
    lambda a, b: 2.0 * a + (b ** 3 - 1.0),
], ids=["sigmoid", "pow-sub", "rsub-relu", "rmul-pow"])
def test_every_value_operation_matches_a_numerical_slope(build):
    a, b = l12.Value(0.7, "a"), l12.Value(-1.3, "b")
    out = build(a, b)
    out.backward()
    h = 1e-6
    for leaf, shift in ((a, (h, 0)), (b, (0, h))):
        up = build(l12.Value(0.7 + shift[0]), l12.Value(-1.3 + shift[1])).data
        down = build(l12.Value(0.7 - shift[0]), l12.Value(-1.3 - shift[1])).data
        assert np.isclose(leaf.grad, (up - down) / (2 * h), rtol=1e-6, atol=1e-8)


def test_value_sigmoid_is_finite_far_out():
    for x in (-1e4, 1e4):
        v = l12.Value(x)
        out = v.sigmoid()
        out.backward()
        assert np.isfinite(out.data) and np.isfinite(v.grad)


def test_value_class_plugs_in_local_rules():
    def wrong(a, b, out):
        a.grad = out.grad
        b.grad = out.grad
    a = l12.value_class(add_backward=wrong)(1.0, "a")
    (a + a).backward()
    assert a.grad == 1.0
    b = l12.Value(1.0, "b")
    (b + b).backward()
    assert b.grad == 2.0


# ---- the picture

def texts(fig):
    return [t.get_text() for t in fig.axes[0].texts]


def test_draw_value_graph_shows_ops_data_and_grads():
    nodes = graph()
    nodes["L"].backward()
    fig = l12.draw_value_graph(nodes["L"])
    assert isinstance(fig, Figure)
    shown = "\n".join(texts(fig))
    assert "d = a × b" in shown and "e = a + c" in shown and "L = d × e" in shown
    assert "data -36" in shown and "grad -24" in shown
    assert min(t.get_fontsize() for t in fig.axes[0].texts) >= 9
    assert fig.axes[0].get_title()


def test_draw_value_graph_draws_a_tensor_graph_by_shapes():
    W = nn.Tensor(np.ones((3, 2)), requires_grad=True)
    x = nn.Tensor(np.ones((4, 3)))
    loss = (x @ W).relu().sum()
    loss.backward()
    shown = "\n".join(texts(l12.draw_value_graph(loss, names={W: "W", x: "x", loss: "loss"})))
    assert "· = x @ W" in shown and "data (4, 2)" in shown and "grad (3, 2)" in shown and "grad ?" in shown
    assert "loss = sum(·)" in shown and "data 24" in shown        # 4 rows × 2 columns of 3


def test_draw_value_graph_marks_unknown_grads():
    nodes = graph()
    fig = l12.draw_value_graph(nodes["L"], grads={nodes["L"]: 1.0}, highlight=nodes["L"])
    assert sum("grad ?" in t for t in texts(fig)) == 5


def test_layout_puts_leaves_left_and_the_root_right():
    nodes = graph()
    places = l12.graph_layout(nodes["L"])
    assert {places[nodes[n]][0] for n in "abc"} == {0.0} and places[nodes["L"]][0] == 2.0
    assert len(set(places.values())) == 6


# ---- stepping through backward

def test_backward_steps_walks_reverse_topological_order_and_leaves_grads_alone():
    nodes = graph()
    states = l12.backward_steps(nodes["L"])
    assert [s["node"] for s in states] == l12._topological_order(nodes["L"])[::-1]
    assert all(node.grad == 0.0 for node in nodes.values())          # the graph itself is untouched
    assert [s["step"] for s in states] == list(range(6))
    final = {node.label: grad for node, grad in states[-1]["grads"].items()}
    assert final == {"a": -24.0, "b": 12.0, "c": -6.0, "d": 6.0, "e": -6.0, "L": 1.0}
    for state in states:                         # a node's grad is complete when its turn comes
        assert state["grad"] == final[state["node"].label]
    e_step = next(s for s in states if s["node"] is nodes["e"])
    assert e_step["grads"][nodes["a"]] == -6.0 and e_step["done"][-1] is nodes["e"]


def test_step_sentence_names_the_node_and_what_it_passes():
    states = l12.backward_steps(graph()["L"])
    assert l12.step_sentence(states[0]) == "step 1: node L (×) has grad 1 and passes on: d gets 6 (now 6), e gets -6 (now -6)"
    assert l12.step_sentence(states[3]) == ("step 4: node d (×) has grad 6 and passes on: a gets -18 (now -24), "
                                            "b gets 12 (now 12)")
    assert "leaf" in l12.step_sentence(states[-1]) and "-24" in l12.step_sentence(states[-1])


def test_a_value_used_twice_in_one_node_gets_both_shares_in_one_step():
    a = l12.Value(3.0, "a")
    square = a * a
    square.label = "s"
    states = l12.backward_steps(square)
    assert states[0]["shares"] == {a: 6.0} and "a gets 6 (now 6)" in l12.step_sentence(states[0])


def test_the_stepper_moves_and_says_what_happened():
    stepper = l12.build_backward_stepper(step=1)
    first = stepper.label.value
    image = stepper.figure.image.value
    assert first.startswith("step 1: node L")
    stepper.step.value = stepper.step.max
    assert stepper.label.value != first and "leaf a has grad -24" in stepper.label.value
    assert stepper.figure.image.value != image
    stepper.step.value = 0
    assert stepper.label.value.startswith("step 0")
    stepper.back.click()                                   # already at the start: stays there
    assert stepper.step.value == 0
    stepper.next.click()
    assert stepper.step.value == 1 and stepper.label.value == first


# ---- the verdict on an order

def test_every_right_order_gets_the_same_verdict():
    nodes = graph()
    right = l12._topological_order(nodes["L"])
    other = [nodes[n] for n in ("c", "b", "a", "e", "d", "L")]
    assert l12.order_verdict(right, nodes["L"]) == l12.order_verdict(other, nodes["L"])
    assert "each once" in l12.order_verdict(other, nodes["L"])
    assert "root first" in l12.order_verdict(right[::-1], nodes["L"])
    assert "more than once" in l12.order_verdict(right + [nodes["a"]], nodes["L"])
    assert "misses" in l12.order_verdict(right[1:], nodes["L"])
    assert "None" in l12.order_verdict(None, nodes["L"])


# ---- unbroadcast: the solution and nnlib's agree

@pytest.mark.parametrize("grad_shape, shape", [((4, 3), (3,)), ((4, 3), (1, 3)), ((4, 3), (4, 1)),
                                              ((2, 4, 3), (4, 1)), ((2, 4, 3), ()), ((2, 1, 3), (1, 3)),
                                              ((5,), (1,)), ((4, 3), (4, 3))])
def test_unbroadcast_solution_agrees_with_nnlib(grad_shape, shape):
    grad = np.random.default_rng(0).normal(size=grad_shape)
    copy = grad.copy()
    ours = l12._unbroadcast(grad, shape)
    assert np.shape(ours) == shape
    assert np.allclose(ours, nnlib.autograd.unbroadcast(grad, shape))
    assert np.array_equal(grad, copy)


# ---- the lesson's claim about lesson 07's whole training set

@pytest.mark.alone
def test_a_tensor_mlp_matches_nn_fit_on_all_of_lesson_07s_images():
    """The notebook trains on 10,000 images for time; its text says that on all 60,000 (lesson 07's setup)
    both reach lesson 07's 95%."""
    (x, t), (x_test, t_test) = nn.load_mnist()
    init = np.random.default_rng(7)
    model = nn.Sequential([nn.Linear(784, 64, rng=init, dtype=np.float32), nn.ReLU(),
                           nn.Linear(64, 10, rng=init, dtype=np.float32)])
    params = [nn.Tensor(a, requires_grad=True)
              for a in (model.layers[0].W, model.layers[0].b, model.layers[2].W, model.layers[2].b)]
    nn.fit(model, nn.CrossEntropyLoss(), x, t, epochs=2, batch_size=32, lr=0.1, rng=np.random.default_rng(12),
           progress=False)
    optimizer = nn.SGD([(p.data, p.grad) for p in params], lr=0.1)
    shuffle = np.random.default_rng(12)
    for _ in range(2):
        order = shuffle.permutation(len(x))
        for first in range(0, len(x), 32):
            batch = order[first:first + 32]
            logits = (nn.Tensor(x[batch]) @ params[0] + params[1]).relu() @ params[2] + params[3]
            loss = -logits.log_softmax(axis=1)[np.arange(len(batch)), t[batch]].mean()
            for p in params:
                p.zero_grad()
            loss.backward()
            optimizer.step()
    with nn.no_grad():
        logits = (nn.Tensor(x_test) @ params[0] + params[1]).relu() @ params[2] + params[3]
    accuracy_tensor = nn.accuracy(logits.data, t_test)
    accuracy_fit = nn.accuracy(model.forward(x_test), t_test)
    assert accuracy_fit >= 0.95 and accuracy_tensor >= 0.95
    assert abs(accuracy_tensor - accuracy_fit) <= 0.005


# ---- the notebook teaches before it uses

def cells():
    return [(c["cell_type"], "".join(c["source"]), c["metadata"]) for c in lesson_cells("12_autograd")]


def first(predicate):
    return next(i for i, cell in enumerate(cells()) if predicate(*cell))


def test_lesson_12_derives_before_the_code_relies_on_it():
    terms = first(lambda kind, s, m: "自动微分" in s)
    graph_term = first(lambda kind, s, m: "计算图" in s)
    mul_stub = first(lambda kind, s, m: kind == "code" and "def mul_backward(a, b, out):" in s)
    mul_rule = first(lambda kind, s, m: kind == "markdown" and "`out.grad`" in s and "local slope" in s)
    topo_term = first(lambda kind, s, m: kind == "markdown" and "拓扑排序" in s)
    topo_stub = first(lambda kind, s, m: kind == "code" and "def topological_order(root):" in s)
    matmul_derived = first(lambda kind, s, m: kind == "markdown" and "(x^\\top g)_{ij}" in s and "(g W^\\top)_{ni}" in s)
    matmul_code = first(lambda kind, s, m: kind == "code" and "y_t.backward(g2)" in s)
    broadcast_term = first(lambda kind, s, m: kind == "markdown" and "广播" in s and "\\sum_n g_{nj}" in s)
    unbroadcast_stub = first(lambda kind, s, m: kind == "code" and "def unbroadcast(grad, shape):" in s)
    nnlib_beside = first(lambda kind, s, m: kind == "code" and "getsource(nnlib.autograd.unbroadcast)" in s)
    training = first(lambda kind, s, m: kind == "code" and "optimizer.step()" in s and "nn.no_grad()" in s)
    assert terms < graph_term < mul_rule < mul_stub < topo_term < topo_stub
    assert topo_stub < matmul_derived < matmul_code < broadcast_term < unbroadcast_stub < nnlib_beside < training
    text = "\n".join(s for kind, s, m in cells() if kind == "markdown")
    assert "*Basic Network in Python*" in text and "*Build Your Own Network*" in text
    assert "optional" in text and "PyTorch" in text
