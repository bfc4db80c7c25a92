"""MNIST CNN benchmark: nnlib's Conv2D against PyTorch on CPU and a tight NumPy version.

Trains conv(1 -> 8, 3x3, padding 1) - ReLU - maxpool(2) - flatten - linear(8*14*14 -> 10)
(softmax cross-entropy, plain SGD lr 0.1, batch 64, float32, He initialisation)
three ways in one run, from the same initial weights on the same shuffled
batches: nnlib (nn.fit), PyTorch on the CPU (skipped when torch is not
installed), and a tight NumPy loop written for this one network. Prints
seconds per epoch, test accuracy, and each time as a multiple of PyTorch's.
Then it times lesson 10a's live network (two convolution blocks, Adam, batch
64) in nnlib and PyTorch and prints their estimated seconds per epoch.

    python benchmarks/mnist_cnn.py              # 3 epochs each, every core (no thread pinning)
    python benchmarks/mnist_cnn.py --quick      # 1 epoch, a smoke run
    python benchmarks/mnist_cnn.py --threads 1  # pin BLAS and PyTorch to one thread each

PyTorch runs as its users write it: the epoch's tensors built once with
torch.from_numpy (no copy), a slice per batch, optimizer.zero_grad(), the
running loss and accuracy kept as tensors and read once per epoch, evaluation
in eval() mode under torch.no_grad(). By default nothing is pinned: NumPy's BLAS
and PyTorch use their default thread counts (every core), as a learner runs
them. The three take turns a whole epoch each (rotating who goes first), with a
short pause before each, so that a shared machine's changing load hits all three
alike and one library's spinning idle threads do not slow the next.
This is a script, not a test: it prints its figures and asserts nothing except
that nnlib and the NumPy loop do the same math (their weights end up equal:
both compute the convolution as one matrix per image). Figures: benchmarks/README.md.
"""
import argparse
import os
import time


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 epoch, for a smoke run")
    parser.add_argument("--epochs", type=int, default=None, help="epochs (default 3, 1 with --quick)")
    parser.add_argument("--threads", type=int, default=None,
                        help="pin BLAS and PyTorch to this many threads (default: no pinning, every core, "
                             "as a learner runs them)")
    parser.add_argument("--live-batches", type=int, default=100,
                        help="batches of lesson 10a's live network to time per library (0 to skip)")
    return parser.parse_args()


ARGS = parse_args()
if ARGS.threads:  # must be set before NumPy (or PyTorch) loads its BLAS library
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = str(ARGS.threads)

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
LIVE_BATCH = 64  # lesson 10a's live network
PAUSE = 0.2  # seconds between two timed runs: see main()


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


def torch_epoch(net, x, t):
    """One epoch over (x, t) in order, as PyTorch users write it: tensors built once (torch.from_numpy
    shares the arrays' memory), a slice per batch, the running loss and accuracy kept as tensors and
    read once at the end (the same figures nn.fit keeps)."""
    optimizer = torch.optim.SGD(net.parameters(), lr=LR)
    x, t = torch.from_numpy(x), torch.from_numpy(t)
    total_loss, correct = torch.zeros(()), torch.zeros((), dtype=torch.int64)
    net.train()
    for start in range(0, len(x), BATCH):
        xb, tb = x[start:start + BATCH], t[start:start + BATCH]
        optimizer.zero_grad()
        out = net(xb)
        loss = torch.nn.functional.cross_entropy(out, tb)
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            total_loss += loss * len(xb)
            correct += (out.argmax(1) == tb).sum()
    return total_loss.item() / len(x), correct.item() / len(x)


def torch_accuracy(net, x, t):
    net.eval()
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


# ---------------------------------------------------------------- lesson 10a's live network

def live_nnlib(rng):
    """Lesson 10a's live network (nnlib.course.l10a_cnn_backward.build_live_cnn; written out here
    because the benchmarks import nothing from the lessons)."""
    return nn.Sequential([
        nn.Conv2D(1, 16, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2D(2),
        nn.Conv2D(16, 32, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2D(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 128, rng=rng), nn.ReLU(), nn.Dropout(0.25, rng=rng),
        nn.Linear(128, 10, rng=rng),
    ])


def live_torch():
    T = torch.nn
    return T.Sequential(T.Conv2d(1, 16, 3, padding=1), T.ReLU(), T.MaxPool2d(2),
                        T.Conv2d(16, 32, 3, padding=1), T.ReLU(), T.MaxPool2d(2),
                        T.Flatten(), T.Linear(32 * 7 * 7, 128), T.ReLU(), T.Dropout(0.25), T.Linear(128, 10))


def live_network_seconds(x, t, batches, rounds=4):
    """Seconds per epoch of the live network (Adam lr 0.002, batch 64) in nnlib and PyTorch, each timed
    on `batches` batches per round, the two taking turns; the best round of each."""
    size = batches * LIVE_BATCH
    model = live_nnlib(np.random.default_rng(SEED))
    optimizer = nn.Adam(model.parameters(), lr=2e-3)
    runs = {"nnlib": lambda: nn.fit(model, nn.CrossEntropyLoss(), x[:size], t[:size], epochs=1, batch_size=LIVE_BATCH,
                                    optimizer=optimizer, rng=_InOrder(), progress=False)}
    if torch is not None:
        net = live_torch()
        adam = torch.optim.Adam(net.parameters(), lr=2e-3)
        X, T = torch.from_numpy(x[:size]), torch.from_numpy(t[:size])

        def torch_run():
            net.train()
            for start in range(0, size, LIVE_BATCH):
                adam.zero_grad()
                loss = torch.nn.functional.cross_entropy(net(X[start:start + LIVE_BATCH]), T[start:start + LIVE_BATCH])
                loss.backward()
                adam.step()
        runs["PyTorch"] = torch_run
    best = dict.fromkeys(runs, np.inf)
    for round_ in range(rounds):
        for name in list(runs)[round_ % len(runs):] + list(runs)[:round_ % len(runs)]:
            time.sleep(PAUSE)
            start = time.perf_counter()
            runs[name]()
            best[name] = min(best[name], (time.perf_counter() - start) * len(x) / size)
    return best


# ---------------------------------------------------------------- measuring

def thread_counts():
    """What each library really uses: BLAS threads (threadpoolctl, when installed) and torch's."""
    try:
        from threadpoolctl import threadpool_info
        blas = ", ".join(f"{pool['internal_api']} {pool['num_threads']}" for pool in threadpool_info())
    except ImportError:
        blas = f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}"
    return blas + (f"; torch {torch.get_num_threads()}" if torch is not None else "")


def main():
    epochs = ARGS.epochs or (1 if ARGS.quick else 3)
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    if torch is not None:
        if ARGS.threads:
            torch.set_num_threads(ARGS.threads)
        torch.manual_seed(SEED)
    print(f"numpy {np.__version__}, BLAS {blas.get('name')} {blas.get('version')}; "
          f"torch {torch.__version__ if torch else 'not installed'}; "
          f"threads {'pinned to ' + str(ARGS.threads) if ARGS.threads else 'not pinned'} ({thread_counts()}); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    (x, t), (x_test, t_test) = nn.load_mnist(flatten=False)
    mean, std = x.mean(), x.std()
    x, x_test = (x - mean) / std, (x_test - mean) / std  # standardised, float32
    x4, x4_test = x[:, np.newaxis], x_test[:, np.newaxis]  # (n, 1, 28, 28)
    t = t.astype(np.int64)  # PyTorch's cross_entropy wants int64 labels

    model = nnlib_model(SEED)
    tight = TightNumPy(model)
    net = torch_model(model) if torch is not None else None
    loss = nn.CrossEntropyLoss()
    rng = np.random.default_rng(SEED + 1)
    runs = {  # each trains one epoch on the images (n, 1, 28, 28) and labels it is given, in that order
        "nnlib": lambda images, labels: nn.fit(model, loss, images, labels, epochs=1, batch_size=BATCH, lr=LR,
                                               rng=_InOrder(), progress=False),
        "NumPy": lambda images, labels: tight.epoch(images[:, 0], labels, np.arange(len(labels))),
    }
    if net is not None:
        runs["PyTorch"] = lambda images, labels: torch_epoch(net, images, labels)
    print(f"\n== {model!r}\n   SGD lr {LR}, batch {BATCH}, float32, {epochs} epoch(s), same weights and batches ==")
    print("epoch | " + " | ".join(f"{name:>7s} s  test acc" for name in runs) + " | load")
    # The implementations take turns, a whole epoch each, rotating who goes first, so that the
    # changing load of a shared machine hits all three alike. Before each timed epoch the script
    # sleeps PAUSE seconds: BLAS (and OpenMP) worker threads keep spinning for a moment after
    # their last call, and would otherwise take a core from the next implementation.
    times = {name: [] for name in runs}
    names = list(runs)
    for epoch in range(epochs):
        order = rng.permutation(len(x))
        images, labels = x4[order], t[order]  # the same shuffled copy for all three, outside the timing
        for name in names[epoch % len(names):] + names[:epoch % len(names)]:
            time.sleep(PAUSE)
            start = time.perf_counter()
            runs[name](images, labels)
            times[name].append(time.perf_counter() - start)
        accuracies = {"nnlib": nn.accuracy(model.forward(x4_test), t_test),
                      "NumPy": nn.accuracy(tight.forward(x_test), t_test)}
        if net is not None:
            accuracies["PyTorch"] = torch_accuracy(net, x4_test, t_test)
        print(f"{epoch + 1:5d} | " + " | ".join(f"{times[name][-1]:9.2f}  {accuracies[name]:8.4f}" for name in runs)
              + f" | {os.getloadavg()[0]:.1f}")
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
        ratios = [a / b for a, b in zip(times["nnlib"], times["PyTorch"])]
        print(f"nnlib / PyTorch = {best['nnlib'] / best['PyTorch']:.2f} (best epochs; target <= 0.60), "
              f"median over epochs {np.median(ratios):.2f}; "
              f"tight NumPy / PyTorch = {best['NumPy'] / best['PyTorch']:.2f}")

    if ARGS.live_batches:
        best = live_network_seconds(x4, t, ARGS.live_batches)
        print(f"\nlesson 10a's live network, Adam, batch {LIVE_BATCH} (best of 4 rounds of {ARGS.live_batches} batches), "
              "s/epoch: " + ", ".join(f"{name} {seconds:.1f}" for name, seconds in best.items())
              + (f"; nnlib / PyTorch = {best['nnlib'] / best['PyTorch']:.2f}" if "PyTorch" in best else "")
              + f"\n{live_nnlib(None)!r}")
    print(f"load average at the end {' '.join(f'{v:.1f}' for v in os.getloadavg())}")


class _InOrder(np.random.Generator):
    """A generator for fit whose permutation keeps the order: the batches were shuffled outside, for all three."""

    def __init__(self):
        super().__init__(np.random.PCG64(SEED))

    def permutation(self, n):
        return np.arange(n)


if __name__ == "__main__":
    main()
