"""MNIST CNN benchmark: nnlib's Conv2D against PyTorch on CPU and a tight NumPy version.

Trains conv(1 -> 8, 3x3, padding 1) - ReLU - maxpool(2) - flatten - linear(8*14*14 -> 10)
(softmax cross-entropy, plain SGD lr 0.1, batch 64, float32, He initialisation)
three ways in one run, from the same initial weights on the same shuffled
batches: nnlib (nn.fit), PyTorch on the CPU (skipped when torch is not
installed), and a tight NumPy loop written for this one network. Prints
seconds per epoch, test accuracy, and each time as a multiple of PyTorch's.
Then it times a few hundred batches of the 99% model of scripts/train_cnn.py
(Adam, batch 64) and prints its estimated seconds per epoch.

    python benchmarks/mnist_cnn.py            # 3 epochs each, about a minute
    python benchmarks/mnist_cnn.py --quick    # 1 epoch, a smoke run
    python benchmarks/mnist_cnn.py --threads 2

Each epoch is cut into 10 segments of whole batches, and the three take turns
segment by segment, so that the changing load of a shared machine hits all
three alike. This is a script, not a test: it prints its figures and asserts
nothing except that nnlib and the NumPy loop do the same math (their weights
end up equal: both compute the convolution as one matrix per image).

Measured on this machine (2 cores shared with other jobs, load average about 2;
numpy 2.4.6 with scipy-openblas 0.3.31, torch 2.13.0+cpu, 1 thread each), best
epoch of 3; the test accuracy after 3 epochs is 0.975 for all three:

| implementation | s/epoch | samples/s | x PyTorch |
|---|---|---|---|
| nnlib (nn.fit) | 1.81 | 33 100 | **0.71** (median over 30 segments 0.70) |
| tight NumPy    | 1.55 | 38 600 | 0.61 (median 0.59) |
| PyTorch (CPU)  | 2.56 | 23 500 | 1.00 |

A second run gave 0.70 and 0.59. The 99% model of scripts/train_cnn.py: about
35 s per epoch (from 200 batches; its real training run took 29-40 s per epoch).
"""
import argparse
import os
import sys
from pathlib import Path


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 epoch, for a smoke run")
    parser.add_argument("--epochs", type=int, default=None, help="epochs (default 3, 1 with --quick)")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS and PyTorch threads (default 1: steady timings on a shared machine)")
    parser.add_argument("--big-batches", type=int, default=200,
                        help="batches of the 99%% model to time (0 to skip)")
    return parser.parse_args()


ARGS = parse_args()
# The thread count must be set before NumPy (or PyTorch) loads its BLAS library.
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = str(ARGS.threads)

import time  # noqa: E402

import numpy as np  # noqa: E402

import nnlib as nn  # noqa: E402

try:
    import torch  # noqa: E402
except ImportError:
    torch = None

SEED = 0
LR = 0.1
BATCH = 64
CHANNELS = 8
SEGMENTS = 10  # per epoch, timed in turns


# ---------------------------------------------------------------- the three implementations

def nnlib_model(seed):
    rng = np.random.default_rng(seed)
    return nn.Sequential([
        nn.Conv2D(1, CHANNELS, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2D(2),
        nn.Flatten(), nn.Linear(CHANNELS * 14 * 14, 10, rng=rng),
    ])


def torch_model(model):
    """The same network in PyTorch, with copies of nnlib's initial weights."""
    conv, linear = model.layers[0], model.layers[-1]
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, CHANNELS, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(CHANNELS * 14 * 14, 10),
    )
    with torch.no_grad():
        net[0].weight.copy_(torch.from_numpy(conv.W))
        net[0].bias.copy_(torch.from_numpy(conv.b))
        net[4].weight.copy_(torch.from_numpy(linear.W.T.copy()))  # PyTorch stores (out, in)
        net[4].bias.copy_(torch.from_numpy(linear.b))
    return net


def torch_epoch(net, x, t, order):
    """One epoch with the usual PyTorch loop, keeping the same running loss and accuracy as nn.fit."""
    optimizer = torch.optim.SGD(net.parameters(), lr=LR)
    x, t, order = torch.from_numpy(x), torch.from_numpy(t), torch.from_numpy(order)
    total_loss, correct = 0.0, 0
    for start in range(0, len(x), BATCH):
        batch = order[start:start + BATCH]
        xb, tb = x[batch], t[batch]
        optimizer.zero_grad()
        out = net(xb)
        loss = torch.nn.functional.cross_entropy(out, tb)
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(batch)
        correct += int((out.argmax(1) == tb).sum())
    return total_loss / len(x), correct / len(x)


def torch_accuracy(net, x, t):
    with torch.no_grad():
        return float((net(torch.from_numpy(x)).argmax(1).numpy() == t).mean())


class TightNumPy:
    """The same network as one hand-written NumPy loop, specialised for it.

    im2col writes into one preallocated, zero-bordered buffer, one (9, 784)
    matrix per image, so the convolution K (8, 9) @ cols (n, 9, 784) lands in
    the layout (n, 8, 28, 28) that pooling and the linear layer read without
    a transpose; ReLU is folded into the pooling's backward.
    """

    def __init__(self, model):
        conv, linear = model.layers[0], model.layers[-1]
        self.K = conv.W.reshape(CHANNELS, 9).copy()
        self.kb = conv.b.copy()
        self.W, self.b = linear.W.copy(), linear.b.copy()
        self.padded = None

    def conv_relu_pool(self, xb):
        n = len(xb)
        if self.padded is None or len(self.padded) != n:
            self.padded = np.zeros((n, 30, 30), dtype=np.float32)
            self.cols = np.empty((n, 3, 3, 28, 28), dtype=np.float32)
        self.padded[:, 1:29, 1:29] = xb
        for i in range(3):
            for j in range(3):
                self.cols[:, i, j] = self.padded[:, i:i + 28, j:j + 28]
        cols = self.cols.reshape(n, 9, 784)
        a = np.matmul(self.K, cols)  # (n, 8, 784)
        a += self.kb[:, None]
        np.maximum(a, 0, out=a)
        a = a.reshape(n, CHANNELS, 28, 28)
        pooled = a[:, :, 0::2, 0::2].copy()  # (n, 8, 14, 14)
        for i, j in ((0, 1), (1, 0), (1, 1)):
            np.maximum(pooled, a[:, :, i::2, j::2], out=pooled)
        return cols, a, pooled

    def forward(self, x):
        _, _, pooled = self.conv_relu_pool(x)
        return pooled.reshape(len(x), -1) @ self.W + self.b

    def epoch(self, x, t, order):
        total_loss, correct = 0.0, 0
        for start in range(0, len(x), BATCH):
            batch = order[start:start + BATCH]
            xb, tb = x[batch], t[batch]
            n = len(batch)
            cols, a, pooled = self.conv_relu_pool(xb)
            flat = pooled.reshape(n, -1)
            z = flat @ self.W + self.b
            z -= z.max(axis=1, keepdims=True)
            e = np.exp(z)
            s = e.sum(axis=1, keepdims=True)
            rows = np.arange(n)
            total_loss += float(np.sum(np.log(s[:, 0]) - z[rows, tb]))
            correct += int(np.sum(z.argmax(axis=1) == tb))
            grad = e / s
            grad[rows, tb] -= 1
            grad /= n
            dW = flat.T @ grad
            db = grad.sum(axis=0)
            dflat = (grad @ self.W.T).reshape(n, CHANNELS, 14, 14)
            # Max-pool backward: the first maximum of each 2x2 window gets the gradient.
            # ReLU's backward is folded in: a window whose maximum is 0 was all
            # clipped by ReLU and passes nothing, hence the (pooled > 0) factor.
            dflat *= pooled > 0
            da = np.empty_like(a)
            taken = np.zeros(pooled.shape, dtype=bool)
            for i in range(2):
                for j in range(2):
                    hit = a[:, :, i::2, j::2] == pooled
                    np.greater(hit, taken, out=hit)
                    taken |= hit
                    np.multiply(dflat, hit, out=da[:, :, i::2, j::2])
            da = da.reshape(n, CHANNELS, 784)
            dK = np.matmul(da, cols.transpose(0, 2, 1)).sum(axis=0)
            dkb = da.sum(axis=(0, 2))
            self.W -= LR * dW
            self.b -= LR * db
            self.K -= LR * dK
            self.kb -= LR * dkb
        return total_loss / len(x), correct / len(x)


# ---------------------------------------------------------------- the 99% model

def big_model_seconds_per_epoch(x, t, batches):
    """Seconds per epoch of the 99% model (scripts/train_cnn.py), from `batches` batches of 64."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
    import train_cnn

    model = train_cnn.build_cnn(rng=np.random.default_rng(SEED))
    optimizer = nn.Adam(model.parameters(), lr=1e-3)
    size = batches * train_cnn.BATCH
    start = time.perf_counter()
    nn.fit(model, nn.CrossEntropyLoss(), x[:size], t[:size], epochs=1, batch_size=train_cnn.BATCH,
           optimizer=optimizer, rng=np.random.default_rng(SEED), progress=False)
    seconds = time.perf_counter() - start
    return seconds * len(x) / size, model


# ---------------------------------------------------------------- measuring

def main():
    epochs = ARGS.epochs or (1 if ARGS.quick else 3)
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    print(f"numpy {np.__version__}, BLAS {blas.get('name')} {blas.get('version')}, "
          f"threads {ARGS.threads}; torch {torch.__version__ if torch else 'not installed'}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if torch is not None:
        torch.set_num_threads(ARGS.threads)
        torch.manual_seed(SEED)
    (x, t), (x_test, t_test) = nn.load_mnist(flatten=False)
    mean, std = x.mean(), x.std()
    x, x_test = (x - mean) / std, (x_test - mean) / std  # standardised, float32
    x4, x4_test = x[:, np.newaxis], x_test[:, np.newaxis]  # (n, 1, 28, 28)

    model = nnlib_model(SEED)
    tight = TightNumPy(model)
    net = torch_model(model) if torch is not None else None
    loss = nn.CrossEntropyLoss()
    rng = np.random.default_rng(SEED + 1)
    runs = {  # each trains on the images (n, 1, 28, 28) and labels it is given, in that order
        "nnlib": lambda images, labels: nn.fit(model, loss, images, labels, epochs=1, batch_size=BATCH, lr=LR,
                                               rng=_InOrder(), progress=False),
        "NumPy": lambda images, labels: tight.epoch(images[:, 0], labels, np.arange(len(labels))),
    }
    if net is not None:
        runs["PyTorch"] = lambda images, labels: torch_epoch(net, images, labels, np.arange(len(labels)))
    print(f"\n== {model!r}\n   SGD lr {LR}, batch {BATCH}, float32, {epochs} epoch(s), same weights and batches ==")
    print("epoch | " + " | ".join(f"{name:>7s} s  test acc" for name in runs))
    # Each epoch is cut into SEGMENTS runs of whole batches, and the implementations take
    # turns segment by segment (rotating who goes first), so that the load of a shared
    # machine, which changes within seconds, hits all three alike.
    times = {name: [] for name in runs}
    ratios = []
    names = list(runs)
    for epoch in range(epochs):
        order = rng.permutation(len(x))
        step = -(-len(x) // (SEGMENTS * BATCH)) * BATCH
        epoch_times = dict.fromkeys(runs, 0.0)
        for number, begin in enumerate(range(0, len(x), step)):
            segment = order[begin:begin + step]
            images, labels = x4[segment], t[segment]  # the same copy for all three, outside the timing
            seconds = {}
            for name in names[number % len(names):] + names[:number % len(names)]:
                start = time.perf_counter()
                runs[name](images, labels)
                seconds[name] = time.perf_counter() - start
                epoch_times[name] += seconds[name]
            if net is not None:
                ratios.append((seconds["nnlib"] / seconds["PyTorch"], seconds["NumPy"] / seconds["PyTorch"]))
        for name in runs:
            times[name].append(epoch_times[name])
        accuracies = {"nnlib": nn.accuracy(model.forward(x4_test), t_test),
                      "NumPy": nn.accuracy(tight.forward(x_test), t_test)}
        if net is not None:
            accuracies["PyTorch"] = torch_accuracy(net, x4_test, t_test)
        print(f"{epoch + 1:5d} | " + " | ".join(f"{times[name][-1]:9.2f}  {accuracies[name]:8.4f}" for name in runs))
    drift = max(float(np.max(np.abs(a - b))) for a, b in
                [(model.layers[0].W.reshape(CHANNELS, 9), tight.K), (model.layers[-1].W, tight.W)])
    print(f"same math check: largest |W_nnlib - W_NumPy| after training = {drift:.1e} (float32 rounding only)")
    assert drift < 1e-3, drift

    best = {name: min(seconds) for name, seconds in times.items()}
    reference = "PyTorch" if net is not None else "NumPy"
    print(f"\nbest epoch of {epochs} (seconds, samples/s, multiple of {reference}'s best epoch):")
    print("| implementation | s/epoch | samples/s | x " + reference + " |")
    print("|---|---|---|---|")
    for name in runs:
        print(f"| {name} | {best[name]:.2f} | {len(x) / best[name]:,.0f} | {best[name] / best[reference]:.2f} |")
    if net is not None:
        nnlib_ratio, numpy_ratio = np.median(ratios, axis=0)
        print(f"nnlib / PyTorch = {best['nnlib'] / best['PyTorch']:.2f} (best epochs; target <= 0.80), "
              f"median over {len(ratios)} segments {nnlib_ratio:.2f}; "
              f"tight NumPy / PyTorch = {best['NumPy'] / best['PyTorch']:.2f}, median {numpy_ratio:.2f}")

    if ARGS.big_batches:
        seconds, big = big_model_seconds_per_epoch(x4, t, ARGS.big_batches)
        print(f"\n99% model (scripts/train_cnn.py), Adam, batch 64: about {seconds:.1f} s per epoch "
              f"(from {ARGS.big_batches} batches)\n{big!r}")


class _InOrder:
    """A stand-in generator for fit that keeps the order: the batches were shuffled outside, for all three."""

    @staticmethod
    def permutation(n):
        return np.arange(n)


if __name__ == "__main__":
    main()
