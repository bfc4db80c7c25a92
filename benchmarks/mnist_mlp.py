"""MNIST MLP benchmark: nnlib against a tight NumPy loop and PyTorch, side by side in one run.

Trains 784-128-10 and 784-256-128-10 (ReLU, softmax cross-entropy, plain SGD
lr 0.1, batch 128, float32) on MNIST from nn.load_mnist() (float32 pixels in
[0, 1]), four ways, each from the same initial weights and on the same batches:

  A  nnlib, the README path:  nn.fit(model, nn.CrossEntropyLoss(), x, t, epochs=1,
                               batch_size=128, lr=0.1, rng=..., progress=False)
  B  nnlib, a hand-written loop over the public API:
                               out = model.forward(xb); loss.forward(out, tb)
                               model.backward(loss.backward()); opt.step()
  C  a tight NumPy loop: preallocated float32 buffers, np.matmul(..., out=...),
     an in-place softmax-cross-entropy gradient with lr folded in, an in-place
     ReLU mask, no input gradient for the first layer. The bar nnlib is held to.
  D  PyTorch on the CPU (optional: skipped with one line when torch is missing),
     torch.nn.Sequential + CrossEntropyLoss + torch.optim.SGD.

Epochs are interleaved (A B C D, then B C D A, ...) so machine load hits every
path alike. Prints seconds per epoch (best and median), every path's ratio to
the tight loop and to PyTorch, test accuracy after 3 epochs (the same weights
and batches give the same accuracy, to float32 rounding), and the inference
time of the 10 000 test images as one batch.

    python benchmarks/mnist_mlp.py              # the full run, 2-4 minutes on 2 cores
    python benchmarks/mnist_mlp.py --quick      # a smoke run, about 15 s
    python benchmarks/mnist_mlp.py --threads 1 --epochs 6
    pip install -r benchmarks/requirements.txt  # adds PyTorch (CPU) for path D

This is a script, not a test: pytest does not collect it. It imports nothing
from the lessons (nnlib.course).
"""
import argparse
import os
import sys


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                        help="BLAS / torch threads (default: the machine's core count, %(default)s here)")
    parser.add_argument("--epochs", type=int, default=None,
                        help="timed epochs per path and network (default 10, 1 with --quick); "
                             "test accuracy is reported after epoch 3 (or the last, if fewer)")
    parser.add_argument("--quick", action="store_true", help="a short smoke run: 1 epoch, few inference repeats")
    parser.add_argument("--no-torch", action="store_true", help="leave PyTorch out even when it is installed")
    return parser.parse_args()


ARGS = parse_args()
# The thread count must be set before NumPy (or torch) loads its BLAS / OpenMP library.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
for variable in THREAD_VARIABLES:
    os.environ[variable] = str(ARGS.threads)

import inspect  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import nnlib as nn  # noqa: E402

try:
    if ARGS.no_torch:
        raise ImportError("left out with --no-torch")
    import torch  # noqa: E402
except ImportError as error:
    torch = None
    TORCH_MISSING = str(error)

SEED = 0
LR = 0.1
BATCH = 128
ACCURACY_EPOCH = 3
NETWORKS = [(784, 128, 10), (784, 256, 128, 10)]
F32 = np.float32


def timer(run, repeat=5):
    """(best seconds, result of the last run) over `repeat` calls of run()."""
    best, result = np.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


# ---------------------------------------------------------------- threads and versions

def thread_summary():
    lines = [f"threads: {ARGS.threads} (os.cpu_count() = {os.cpu_count()}); "
             f"set {', '.join(THREAD_VARIABLES)} = {ARGS.threads} before importing numpy"]
    try:
        from threadpoolctl import threadpool_info
        pools = [f"{pool['internal_api']} {pool.get('version') or ''} ({os.path.basename(pool['filepath'])}): "
                 f"{pool['num_threads']} threads" for pool in threadpool_info()]
        lines.append("threadpoolctl sees: " + "; ".join(pools))
    except ImportError:
        lines.append("threadpoolctl is not installed: thread counts above are what was set, not checked")
    if torch is not None:
        lines.append(f"torch.get_num_threads() = {torch.get_num_threads()}")
    return "\n".join(lines)


def version_summary():
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    text = f"python {sys.version.split()[0]}, numpy {np.__version__} (BLAS {blas.get('name')} {blas.get('version')})"
    text += f", nnlib {getattr(nn, '__version__', '?')}"
    text += f", torch {torch.__version__}" if torch is not None else ""
    return text


def load_average():
    try:
        return "load average %.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        return "load average unknown"


# ---------------------------------------------------------------- the models

def linear_dtype_kwargs():
    """{} when nn.Linear already defaults to float32, else {"dtype": np.float32}."""
    probe = nn.Linear(2, 2, rng=np.random.default_rng(0))
    if probe.W.dtype == F32:
        return {}, "float32 (nn.Linear's default: no dtype passed)"
    return {"dtype": F32}, f"float32 (passed dtype=np.float32: nn.Linear's default is {probe.W.dtype})"


DTYPE_KWARGS, DTYPE_NOTE = linear_dtype_kwargs()


def backward_note():
    """What path B's model.backward(grad) computes: today's default makes the first
    layer's input gradient too (a product as large as the forward one); soon it will not."""
    default = inspect.signature(nn.Sequential.backward).parameters.get("input_grad")
    if default is not None and default.default is True:
        return ("B's model.backward(grad) also computes the first layer's unused input gradient "
                "(Sequential.backward defaults to input_grad=True in this nnlib)")
    return "B's model.backward(grad) skips the first layer's input gradient (this nnlib's default)"


def nnlib_model(sizes, seed=SEED):
    """nn.Sequential([Linear, ReLU, ..., Linear]) with weights drawn from one seeded generator."""
    rng = np.random.default_rng(seed)
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(n_in, n_out, rng=rng, **DTYPE_KWARGS))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(layers)


def linears(model):
    return [layer for layer in model.layers if isinstance(layer, nn.Linear)]


def copy_model(model, sizes):
    copy = nnlib_model(sizes, seed=SEED + 99)
    for (value, _), (source, _) in zip(copy.parameters(), model.parameters()):
        value[...] = source
    return copy


def numpy_forward(weights, x):
    """Plain float32 forward: x @ W + b, ReLU between layers. weights: [(W (in, out), b)]."""
    for i, (W, b) in enumerate(weights):
        x = x @ W + b
        if i < len(weights) - 1:
            x = np.maximum(x, 0)
    return x


class TightLoop:
    """Path C: mini-batch SGD for an MLP of ReLU layers and softmax cross-entropy,
    written as tightly as NumPy allows. Every array is float32 and preallocated;
    all products go through np.matmul(..., out=...); the softmax-cross-entropy
    gradient is computed in place in the logits buffer, with lr / batch folded
    into its scale, so that W -= h.T @ g needs no further scaling; the ReLU mask
    is kept from the forward pass and applied in place; the first layer's input
    gradient is never computed. No loss value is computed (training needs none)."""

    def __init__(self, weights, batch):
        self.W = [np.ascontiguousarray(W, dtype=F32).copy() for W, _ in weights]
        self.b = [np.array(b, dtype=F32) for _, b in weights]
        sizes = [self.W[0].shape[0]] + [W.shape[1] for W in self.W]
        self.x = np.empty((batch, sizes[0]), F32)
        self.a = [np.empty((batch, n), F32) for n in sizes[1:]]      # layer outputs (ReLU applied)
        self.g = [np.empty((batch, n), F32) for n in sizes[1:]]      # lr * dLoss/d(pre-activation)
        self.mask = [np.empty((batch, n), bool) for n in sizes[1:-1]]
        self.dW = [np.empty_like(W) for W in self.W]
        self.db = [np.empty_like(b) for b in self.b]
        self.rowmax = np.empty((batch, 1), F32)
        self.rowsum = np.empty((batch, 1), F32)
        self.rows = np.arange(batch)

    def weights(self):
        return list(zip(self.W, self.b))

    def epoch(self, x, t, order, lr=LR, batch=BATCH):
        last = len(self.W) - 1
        for start in range(0, len(order), batch):
            idx = order[start:start + batch]
            n = len(idx)
            xb = self.x[:n]
            np.take(x, idx, axis=0, out=xb, mode="clip")  # "clip": out= without a buffered copy
            tb = t[idx]
            # forward
            inp = xb
            for i in range(last + 1):
                a = self.a[i][:n]
                np.matmul(inp, self.W[i], out=a)
                a += self.b[i]
                if i < last:
                    mask = self.mask[i][:n]
                    np.greater(a, 0, out=mask)
                    a *= mask  # ReLU in place
                inp = a
            # softmax cross-entropy gradient, in place in the logits, times lr
            z = self.a[last][:n]
            rowmax, rowsum = self.rowmax[:n], self.rowsum[:n]
            np.max(z, axis=1, keepdims=True, out=rowmax)
            z -= rowmax
            np.exp(z, out=z)
            np.sum(z, axis=1, keepdims=True, out=rowsum)
            scale = F32(lr / n)
            np.divide(scale, rowsum, out=rowsum)
            z *= rowsum
            z[self.rows[:n], tb] -= scale
            # backward and update, last layer first
            g = z
            for i in range(last, -1, -1):
                below = self.a[i - 1][:n] if i > 0 else xb
                if i > 0:  # the gradient for the layer below, before W[i] changes
                    g_below = self.g[i - 1][:n]
                    np.matmul(g, self.W[i].T, out=g_below)
                    g_below *= self.mask[i - 1][:n]
                np.matmul(below.T, g, out=self.dW[i])
                self.W[i] -= self.dW[i]
                np.sum(g, axis=0, out=self.db[i])
                self.b[i] -= self.db[i]
                if i > 0:
                    g = g_below


class TorchPath:
    """Path D: the usual PyTorch loop on the CPU, from the same weights and batches."""

    def __init__(self, weights, x, t):
        layers = []
        for i, (W, b) in enumerate(weights):
            linear = torch.nn.Linear(W.shape[0], W.shape[1])
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(np.ascontiguousarray(W.T)))
                linear.bias.copy_(torch.from_numpy(np.asarray(b)))
            layers.append(linear)
            if i < len(weights) - 1:
                layers.append(torch.nn.ReLU())
        self.model = torch.nn.Sequential(*layers)
        self.loss = torch.nn.CrossEntropyLoss()
        self.opt = torch.optim.SGD(self.model.parameters(), lr=LR)
        self.x = torch.from_numpy(x)  # shares memory with the NumPy arrays
        self.t = torch.from_numpy(t)

    def epoch(self, order):
        order = torch.from_numpy(order)
        model, loss, opt = self.model, self.loss, self.opt
        for start in range(0, len(order), BATCH):
            idx = order[start:start + BATCH]
            opt.zero_grad()
            loss(model(self.x[idx]), self.t[idx]).backward()
            opt.step()

    def weights(self):
        linear_layers = [layer for layer in self.model if isinstance(layer, torch.nn.Linear)]
        return [(layer.weight.detach().numpy().T.copy(), layer.bias.detach().numpy().copy()) for layer in linear_layers]


# ---------------------------------------------------------------- one network, all paths

def epoch_order(epoch, n):
    """The permutation every path uses in `epoch`; nn.fit draws it from the same generator."""
    return np.random.default_rng([SEED, epoch]).permutation(n)


def train_all(sizes, x, t, x_test, t_test, epochs):
    name = "-".join(map(str, sizes))
    reference = nnlib_model(sizes)
    initial = [(layer.W.copy(), layer.b.copy()) for layer in linears(reference)]

    model_a = reference
    model_b = copy_model(reference, sizes)
    loss_a, loss_b = nn.CrossEntropyLoss(), nn.CrossEntropyLoss()
    opt_b = nn.SGD(model_b.parameters(), LR)
    tight = TightLoop(initial, BATCH)
    torch_path = TorchPath(initial, x, t) if torch is not None else None

    def run_a(order_seed):
        nn.fit(model_a, loss_a, x, t, epochs=1, batch_size=BATCH, lr=LR,
               rng=np.random.default_rng(order_seed), progress=False)

    def run_b(order):
        for start in range(0, len(order), BATCH):
            idx = order[start:start + BATCH]
            out = model_b.forward(x[idx])
            loss_b.forward(out, t[idx])
            model_b.backward(loss_b.backward())
            opt_b.step()

    paths = {
        "A nnlib nn.fit": (lambda e: run_a([SEED, e]), lambda: [(l.W, l.b) for l in linears(model_a)]),
        "B nnlib API loop": (lambda e: run_b(epoch_order(e, len(x))), lambda: [(l.W, l.b) for l in linears(model_b)]),
        "C tight NumPy": (lambda e: tight.epoch(x, t, epoch_order(e, len(x))), tight.weights),
    }
    if torch_path is not None:
        paths["D PyTorch"] = (lambda e: torch_path.epoch(epoch_order(e, len(x))), torch_path.weights)

    # Warm up every path on throwaway copies (BLAS threads, torch's first calls, caches).
    warm_x, warm_t = x[:20 * BATCH], t[:20 * BATCH]
    nn.fit(copy_model(reference, sizes), nn.CrossEntropyLoss(), warm_x, warm_t, epochs=1, batch_size=BATCH,
           lr=LR, rng=np.random.default_rng(1), progress=False)
    TightLoop(initial, BATCH).epoch(warm_x, warm_t, np.arange(len(warm_x)))
    if torch_path is not None:
        TorchPath(initial, warm_x, warm_t).epoch(np.arange(len(warm_x)))

    times = {path: [] for path in paths}
    accuracy, drift = {}, {}
    names = list(paths)
    acc_epoch = min(ACCURACY_EPOCH, epochs)
    print(f"\n== {name}: ReLU, softmax cross-entropy, SGD lr {LR}, batch {BATCH}, {DTYPE_NOTE}; "
          f"{epochs} timed epoch(s) per path, interleaved ==")
    print(backward_note())
    print("epoch  " + "  ".join(f"{path:>17s}" for path in names) + "   (seconds)  load avg")
    for epoch in range(epochs):
        rotated = names[epoch % len(names):] + names[:epoch % len(names)]
        for path in rotated:
            start = time.perf_counter()
            paths[path][0](epoch)
            times[path].append(time.perf_counter() - start)
        print(f"{epoch + 1:5d}  " + "  ".join(f"{times[path][-1]:17.3f}" for path in names)
              + f"  {os.getloadavg()[0]:18.2f}")
        if epoch + 1 == acc_epoch:
            tight_weights = paths["C tight NumPy"][1]()
            for path in names:
                weights = paths[path][1]()
                accuracy[path] = nn.accuracy(numpy_forward(weights, x_test), t_test)
                drift[path] = max(float(np.max(np.abs(np.asarray(a) - b)))
                                  for (a, _), (b, _) in zip(weights, tight_weights))
    print(f"test accuracy after epoch {acc_epoch}: " + ", ".join(f"{p[0]} {accuracy[p]:.4f}" for p in names)
          + "; largest |W - W_tight|: " + ", ".join(f"{p[0]} {drift[p]:.1e}" for p in names))
    spread = max(accuracy.values()) - min(accuracy.values())
    if spread > 0.003:
        print(f"WARNING: the paths' test accuracies differ by {spread:.4f} (> 0.003): not the same training")

    models = {"A": model_a, "D": torch_path}
    return name, times, accuracy, acc_epoch, models


def inference(model_a, torch_path, x_test, repeat):
    # Every way runs the same weights: the trained nnlib model's.
    weights = [(l.W, l.b) for l in linears(model_a)]
    results = {}
    results["nnlib model.forward"], out_a = timer(lambda: model_a.forward(x_test), repeat)
    results["NumPy forward"], out_np = timer(lambda: numpy_forward(weights, x_test), repeat)
    W1 = weights[0][0]
    results["x @ W1 alone"], _ = timer(lambda: x_test @ W1, repeat)
    same = np.array_equal(np.asarray(out_a).argmax(1), out_np.argmax(1))
    if torch_path is not None:
        xt = torch.from_numpy(x_test)
        model = TorchPath(weights, x_test[:1], np.zeros(1, np.int64)).model

        def run_torch():
            with torch.no_grad():
                return model(xt)

        results["PyTorch no_grad"], out_t = timer(run_torch, repeat)
        same = same and np.array_equal(out_t.numpy().argmax(1), out_np.argmax(1))
    print(f"inference, {len(x_test)} test images in one batch, best of {repeat} (ms): "
          + ", ".join(f"{k} {1000 * v:.1f}" for k, v in results.items()) + f"; same predictions: {same}")
    return results


# ---------------------------------------------------------------- the table

def summary_table(rows, inference_rows, threads):
    print(f"\n== summary: seconds per epoch (60 000 images), {threads} thread(s); ratios use the best epoch ==")
    header = (f"{'network':15s} {'path':17s} {'best s':>7s} {'median s':>8s} {'samples/s':>10s} "
              f"{'/ tight':>8s} {'/ torch':>8s} {'test acc':>9s}")
    print(header)
    print("-" * len(header))
    for name, times, accuracy, acc_epoch in rows:
        tight_best = min(times["C tight NumPy"])
        torch_best = min(times["D PyTorch"]) if "D PyTorch" in times else None
        for path, values in times.items():
            best, median = min(values), float(np.median(values))
            vs_torch = f"{best / torch_best:8.2f}" if torch_best else f"{'-':>8s}"
            print(f"{name:15s} {path:17s} {best:7.3f} {median:8.3f} {60000 / best:10.0f} "
                  f"{best / tight_best:8.2f} {vs_torch} {accuracy[path]:9.4f}")
        print(f"{'':15s} (test accuracy after epoch {acc_epoch}; median ratio A / C = "
              f"{np.median(times['A nnlib nn.fit']) / np.median(times['C tight NumPy']):.2f})")
    print("\n== inference: 10 000 test images in one batch, ms (best of several) ==")
    keys = list(inference_rows[0][1])
    print(f"{'network':15s} " + " ".join(f"{k:>20s}" for k in keys))
    for name, results in inference_rows:
        print(f"{name:15s} " + " ".join(f"{1000 * results[k]:20.1f}" for k in keys))


def main():
    epochs = ARGS.epochs or (1 if ARGS.quick else 10)
    repeat = 3 if ARGS.quick else 15
    if torch is not None:
        torch.set_num_threads(ARGS.threads)
        torch.manual_seed(SEED)
    print(version_summary())
    print(thread_summary())
    if torch is None:
        print(f"PyTorch: not importable ({TORCH_MISSING}); path D skipped "
              "(pip install -r benchmarks/requirements.txt to add it)")
    print(f"{load_average()} before the run (other processes on the machine make timings noisy)")
    busy = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    if ARGS.threads > 1 and busy + ARGS.threads > (os.cpu_count() or 1) + 0.5:
        print(f"WARNING: {ARGS.threads} threads on {os.cpu_count()} cores with a load average of {busy:.1f}: "
              "a BLAS / OpenMP thread that waits for a descheduled partner stalls, so epochs will be several "
              "times slower at random. Read the best epochs, add --epochs, or use --threads 1.")
    (x, t), (x_test, t_test) = nn.load_mnist()
    assert x.dtype == F32 and x_test.dtype == F32, "nn.load_mnist() should give float32 images"
    print(f"MNIST: train {x.shape} {x.dtype} in [{x.min():.0f}, {x.max():.0f}], test {x_test.shape}")
    rows, inference_rows = [], []
    start = time.perf_counter()
    for sizes in NETWORKS:
        name, times, accuracy, acc_epoch, models = train_all(sizes, x, t, x_test, t_test, epochs)
        rows.append((name, times, accuracy, acc_epoch))
        inference_rows.append((name, inference(models["A"], models["D"], x_test, repeat)))
    summary_table(rows, inference_rows, ARGS.threads)
    print(f"\n{load_average()} after the run; the run took {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
