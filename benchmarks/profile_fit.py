"""Where nnlib's training time goes: nn.fit's batch loop, piece by piece, against the tight loop.

Replays exactly the calls nn.fit makes for each mini-batch of MNIST 784-128-10
(float32, batch 128, SGD lr 0.1), times every call, and prints the median
microseconds per batch of each piece next to what the same piece costs in the
tight NumPy loop of mnist_mlp.py. Then it times the pieces inside the calls
(input checks, one-hot targets, the two softmaxes, allocations) on arrays of a
batch's shape, and ends with a cProfile of one real nn.fit epoch.

    python benchmarks/profile_fit.py               # about 30 s
    python benchmarks/profile_fit.py --threads 1   # steadier on a busy machine

Medians, not means: on a shared machine a few batches get descheduled.
"""
import argparse
import os
import sys

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="BLAS threads (default %(default)s)")
parser.add_argument("--epochs", type=int, default=2, help="epochs replayed (default %(default)s)")
ARGS = parser.parse_args()
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = str(ARGS.threads)

import cProfile  # noqa: E402
import pstats  # noqa: E402
import time  # noqa: E402
import timeit  # noqa: E402

import numpy as np  # noqa: E402

import nnlib as nn  # noqa: E402
from nnlib.activations import log_softmax, relu_derivative, softmax  # noqa: E402
from nnlib.validate import as_batch  # noqa: E402

BATCH, LR, F32 = 128, 0.1, np.float32
clock = time.perf_counter


def linear_kwargs():
    probe = nn.Linear(2, 2, rng=np.random.default_rng(0))
    return {} if probe.W.dtype == F32 else {"dtype": F32}


def model_784_128_10():
    rng = np.random.default_rng(0)
    kw = linear_kwargs()
    return nn.Sequential([nn.Linear(784, 128, rng=rng, **kw), nn.ReLU(), nn.Linear(128, 10, rng=rng, **kw)])


def replay_fit(x, t, epochs):
    """nn.fit's loop (train.py), with a timer around every call it makes. Returns {piece: [seconds per batch]}."""
    model, loss = model_784_128_10(), nn.CrossEntropyLoss()
    optimizer = nn.SGD(model.parameters(), LR)
    lin1, relu, lin2 = model.layers
    labels = nn.class_labels(t)
    pieces = {}

    def add(name, seconds):
        pieces.setdefault(name, []).append(seconds)

    for epoch in range(epochs):
        order = np.random.default_rng([0, epoch]).permutation(len(x))
        for start in range(0, len(x) - BATCH + 1, BATCH):  # full batches only
            t0 = clock()
            batch = order[start:start + BATCH]
            xb, yb = x[batch], t[batch]
            t1 = clock()
            with np.errstate(over="ignore", invalid="ignore"):
                t2 = clock()
                h = lin1.forward(xb)
                t3 = clock()
                a = relu.forward(h)
                t4 = clock()
                out = lin2.forward(a)
                t5 = clock()
                value = loss.forward(out, yb)
                t6 = clock()
                np.isfinite(value)
                t7 = clock()
                grad = loss.backward()
                t8 = clock()
                grad = lin2.backward(grad)
                t9 = clock()
                grad = relu.backward(grad)
                t10 = clock()
                lin1.needs_input_grad = False   # what model.backward does for the first layer
                lin1.backward(grad)
                lin1.needs_input_grad = True
                t11 = clock()
                optimizer.step()
                t12 = clock()
            t13 = clock()
            np.count_nonzero(nn.predicted_classes(out) == labels[batch])  # fit's running accuracy
            t14 = clock()
            add("x[batch], t[batch] gather", t1 - t0)
            add("np.errstate enter+exit", (t2 - t1) + (t13 - t12))
            add("Linear(784,128).forward", t3 - t2)
            add("ReLU.forward", t4 - t3)
            add("Linear(128,10).forward", t5 - t4)
            add("CrossEntropyLoss.forward", t6 - t5)
            add("isfinite(loss value)", t7 - t6)
            add("CrossEntropyLoss.backward", t8 - t7)
            add("Linear(128,10).backward", t9 - t8)
            add("ReLU.backward", t10 - t9)
            add("Linear(784,128).backward (no dX)", t11 - t10)
            add("SGD.step", t12 - t11)
            add("accuracy per batch", t14 - t13)
            add("TOTAL per batch", t14 - t0)
    return pieces


def replay_tight(x, t, epochs):
    """The tight loop of mnist_mlp.py (784-128-10), the same pieces timed."""
    rng = np.random.default_rng(0)
    W1 = (rng.standard_normal((784, 128)) * np.sqrt(2 / 784)).astype(F32)
    W2 = (rng.standard_normal((128, 10)) * np.sqrt(2 / 128)).astype(F32)
    b1, b2 = np.zeros(128, F32), np.zeros(10, F32)
    xb, h, mask, z = np.empty((BATCH, 784), F32), np.empty((BATCH, 128), F32), np.empty((BATCH, 128), bool), np.empty((BATCH, 10), F32)
    g1, dW1, dW2, db1, db2 = np.empty((BATCH, 128), F32), np.empty_like(W1), np.empty_like(W2), np.empty_like(b1), np.empty_like(b2)
    rowmax, rowsum, rows = np.empty((BATCH, 1), F32), np.empty((BATCH, 1), F32), np.arange(BATCH)
    scale = F32(LR / BATCH)
    pieces = {}

    def add(name, seconds):
        pieces.setdefault(name, []).append(seconds)

    for epoch in range(epochs):
        order = np.random.default_rng([0, epoch]).permutation(len(x))
        for start in range(0, len(x) - BATCH + 1, BATCH):
            t0 = clock()
            idx = order[start:start + BATCH]
            np.take(x, idx, axis=0, out=xb, mode="clip")  # "clip": out= without a buffered copy
            tb = t[idx]
            t1 = clock()
            np.matmul(xb, W1, out=h)
            h += b1
            t2 = clock()
            np.greater(h, 0, out=mask)
            h *= mask
            t3 = clock()
            np.matmul(h, W2, out=z)
            z += b2
            t4 = clock()
            np.max(z, axis=1, keepdims=True, out=rowmax)
            z -= rowmax
            np.exp(z, out=z)
            np.sum(z, axis=1, keepdims=True, out=rowsum)
            np.divide(scale, rowsum, out=rowsum)
            z *= rowsum
            z[rows, tb] -= scale
            t5 = clock()
            np.matmul(z, W2.T, out=g1)
            np.matmul(h.T, z, out=dW2)
            np.sum(z, axis=0, out=db2)
            t6 = clock()
            g1 *= mask
            t7 = clock()
            np.matmul(xb.T, g1, out=dW1)
            np.sum(g1, axis=0, out=db1)
            t8 = clock()
            W2 -= dW2
            b2 -= db2
            W1 -= dW1
            b1 -= db1
            t9 = clock()
            add("x[batch], t[batch] gather", t1 - t0)
            add("Linear(784,128).forward", t2 - t1)
            add("ReLU.forward", t3 - t2)
            add("Linear(128,10).forward", t4 - t3)
            add("CrossEntropyLoss.forward", t5 - t4)  # forward + backward fused: softmax, minus one-hot, times lr/n
            add("Linear(128,10).backward", t6 - t5)
            add("ReLU.backward", t7 - t6)
            add("Linear(784,128).backward (no dX)", t8 - t7)
            add("SGD.step", t9 - t8)
            add("TOTAL per batch", t9 - t0)
    return pieces


def micro(x, t):
    """The sub-pieces inside the calls, on arrays of one batch's shape: median microseconds."""
    rng = np.random.default_rng(1)
    xb = x[:BATCH].copy()
    h = rng.standard_normal((BATCH, 128)).astype(F32)
    logits = rng.standard_normal((BATCH, 10)).astype(F32)
    tb = t[:BATCH].copy()
    W1 = rng.standard_normal((784, 128)).astype(F32)
    dW1 = rng.standard_normal((784, 128)).astype(F32)
    b1 = np.zeros(128, F32)
    order = rng.permutation(len(x))
    idx = order[:BATCH]
    out_x = np.empty_like(xb)
    one_hot = np.zeros((BATCH, 10), F32)
    p = softmax(logits)
    cases = [
        ("as_batch(x 128x784) in Linear.forward", lambda: as_batch(xb, "L", width=784, dtype=F32)),
        ("  of which np.isfinite(x).all()", lambda: np.isfinite(xb).all()),
        ("  of which x.astype(float32, copy=False)", lambda: xb.astype(F32, copy=False)),
        ("as_batch(h 128x128)", lambda: as_batch(h, "L", width=128, dtype=F32)),
        ("x[idx] fancy-index gather (allocates)", lambda: x[idx]),
        ("np.take(x, idx, axis=0, out=buf) (mode raise: buffered)", lambda: np.take(x, idx, axis=0, out=out_x)),
        ("np.take(x, idx, axis=0, out=buf, mode='clip')", lambda: np.take(x, idx, axis=0, out=out_x, mode="clip")),
        ("xb @ W1 (gemm 128x784x128, allocates)", lambda: xb @ W1),
        ("np.matmul(xb, W1, out=buf)", lambda: np.matmul(xb, W1, out=h)),
        ("xb.T @ g (dW1 gemm)", lambda: np.matmul(xb.T, h, out=dW1)),
        ("h + b (allocates)", lambda: h + b1),
        ("h += b (in place)", lambda: np.add(h, b1, out=h)),
        ("np.maximum(h, 0) (ReLU, allocates)", lambda: np.maximum(h, 0)),
        ("relu_derivative(h): (h > 0).astype", lambda: relu_derivative(h)),
        ("grad * relu_derivative(h)", lambda: h * relu_derivative(h)),
        ("np.multiply(g, mask, out=g) (bool mask)", lambda: np.multiply(h, h > 0, out=h)),
        ("np.where(h > 0, g, 0)", lambda: np.where(h > 0, h, 0)),
        ("softmax(logits 128x10)", lambda: softmax(logits)),
        ("log_softmax(logits 128x10)", lambda: log_softmax(logits)),
        ("CrossEntropyLoss._one_hot(labels) (checks + to_one_hot)",
         lambda: nn.CrossEntropyLoss._one_hot(tb, BATCH, 10, F32)),
        ("  of which to_one_hot (zeros + scatter)", lambda: nn.to_one_hot(tb, 10, F32)),
        ("  of which target.min() + target.max()", lambda: (tb.min(), tb.max())),
        ("-np.sum(target * log_p) / batch", lambda: float(-np.sum(one_hot * p) / BATCH)),
        ("loss from labels: -log_p[rows, t].mean()", lambda: float(-p[np.arange(BATCH), tb].mean())),
        ("(probabilities - target) / batch", lambda: (p - one_hot) / BATCH),
        ("W -= lr * dW (784x128: temp + subtract)", lambda: np.subtract(W1, 1e-9 * dW1, out=W1)),
        ("W -= dW (in place, lr folded earlier)", lambda: np.subtract(W1, dW1, out=W1)),
        ("nn.accuracy(out, labels) per batch", lambda: nn.accuracy(logits, tb)),
        ("  of which class_labels(labels)", lambda: nn.class_labels(tb)),
        ("(out.argmax(1) == labels).sum()", lambda: int((logits.argmax(1) == tb).sum())),
        ("with np.errstate(...): pass", lambda: _errstate()),
        ("np.isfinite(python float)", lambda: np.isfinite(0.5)),
        ("math.isfinite(python float)", lambda: _isfinite(0.5)),
    ]
    print(f"\n== the pieces inside the calls, median of 7 x 2000 runs (µs, {ARGS.threads} BLAS thread(s)) ==")
    for name, run in cases:
        runs = timeit.repeat(run, number=200, repeat=7)
        print(f"{name:58s} {1e6 * float(np.median(runs)) / 200:8.1f}")


def _errstate():
    with np.errstate(over="ignore", invalid="ignore"):
        pass


def _isfinite(value, _isf=__import__("math").isfinite):
    return _isf(value)


def main():
    (x, t), _ = nn.load_mnist()
    print(f"numpy {np.__version__}, {ARGS.threads} BLAS thread(s), load average %.2f %.2f %.2f" % os.getloadavg())
    nnlib_pieces = replay_fit(x, t, ARGS.epochs)
    tight_pieces = replay_tight(x, t, ARGS.epochs)
    nnlib_pieces = replay_fit(x, t, ARGS.epochs)  # again, after the tight loop, so both ran warm
    print(f"\n== 784-128-10, batch {BATCH}: median µs per batch over {ARGS.epochs} epoch(s) "
          f"({len(nnlib_pieces['TOTAL per batch'])} batches) ==")
    print(f"{'piece':36s} {'nn.fit':>8s} {'tight':>8s} {'extra':>8s}")
    for name, values in nnlib_pieces.items():
        n_us = 1e6 * float(np.median(values))
        tight = tight_pieces.get(name)
        t_us = 1e6 * float(np.median(tight)) if tight else 0.0
        print(f"{name:36s} {n_us:8.1f} {t_us:8.1f} {n_us - t_us:8.1f}")
    print("(tight: the loss row is the fused softmax-cross-entropy gradient; the SGD row is W -= dW, b -= db.)")
    n_total = 1e6 * float(np.median(nnlib_pieces["TOTAL per batch"]))
    t_total = 1e6 * float(np.median(tight_pieces["TOTAL per batch"]))
    print(f"per epoch (468 full batches): nn.fit {n_total * 468e-6:.3f} s, tight {t_total * 468e-6:.3f} s, "
          f"ratio {n_total / t_total:.2f}")

    micro(x, t)

    model = model_784_128_10()
    profiler = cProfile.Profile()
    profiler.enable()
    nn.fit(model, nn.CrossEntropyLoss(), x, t, epochs=1, batch_size=BATCH, lr=LR,
           rng=np.random.default_rng(0), progress=False)
    profiler.disable()
    print("\n== cProfile of one nn.fit epoch, by own time (cProfile's overhead inflates small calls) ==")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(18)


if __name__ == "__main__":
    main()
