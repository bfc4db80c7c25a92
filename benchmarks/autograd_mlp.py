"""Autograd MLP benchmark: an epoch trained with nn.Tensor against nn.fit on the same network.

Trains 784-128-10 and 784-256-128-10 (ReLU, softmax cross-entropy, plain SGD
lr 0.1, batch 128, float32) on MNIST from nn.load_mnist(), two ways, from the
same initial weights and on the same batches:

  F  nn.fit(model, nn.CrossEntropyLoss(), x, t, epochs=1, batch_size=128, lr=0.1,
            rng=..., progress=False) on nn.Sequential([Linear, ReLU, ..., Linear])
  T  nn.Tensor: the same network written with Tensor operations, a graph per batch,
            logits = (x @ W1 + b1).relu() @ W2 + b2
            loss = -logits.log_softmax()[rows, labels].mean()
            zero_grad(params); loss.backward(); opt.step()
     with opt = nn.SGD([(p.data, p.grad) for p in params], lr=0.1).

Epochs are interleaved (F T, then T F, ...) so machine load hits both alike. Prints
seconds per epoch (best and median), the ratio T / F (the target: at most 1.5), the
same for the process's CPU seconds (time.process_time: on a busy machine, the
time the epoch really computed, without the waits for a core; with one thread it
is the steadier figure),
the largest difference between the two paths' weights after the first epoch, and
test accuracy after the last.

    python benchmarks/autograd_mlp.py              # 5 timed epochs per path and network
    python benchmarks/autograd_mlp.py --quick      # 1 epoch, a smoke run
    python benchmarks/autograd_mlp.py --threads 1 --epochs 8

This is a script, not a test: pytest does not collect it.
"""
import argparse
import os


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                        help="BLAS threads (default: the machine's core count, %(default)s here)")
    parser.add_argument("--epochs", type=int, default=None, help="timed epochs per path and network (default 5)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 1 timed epoch")
    return parser.parse_args()


ARGS = parse_args()
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):   # before NumPy loads BLAS
    os.environ[variable] = str(ARGS.threads)

import time  # noqa: E402

import numpy as np  # noqa: E402

import nnlib as nn  # noqa: E402
from nnlib.autograd import Tensor, zero_grad  # noqa: E402

SEED = 0
LR = 0.1
BATCH = 128
NETWORKS = [(784, 128, 10), (784, 256, 128, 10)]


def nnlib_model(sizes):
    """nn.Sequential([Linear, ReLU, ..., Linear]), float32, weights from one seeded generator."""
    rng = np.random.default_rng(SEED)
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(n_in, n_out, rng=rng, dtype=np.float32))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(layers)


def epoch_order(epoch, n):
    """The permutation of epoch e: nn.fit draws it from np.random.default_rng([SEED, e]) too."""
    return np.random.default_rng([SEED, epoch]).permutation(n)


class TensorMLP:
    """The MLP as Tensor operations: params [W1, b1, W2, b2, ...], trained by nn.SGD in place."""

    def __init__(self, model):
        self.params = [Tensor(value.copy(), requires_grad=True) for value, _ in model.parameters()]
        self.opt = nn.SGD([(p.data, p.grad) for p in self.params], lr=LR)

    def forward(self, x):
        """x: (batch, 784) -> logits (batch, 10)."""
        h = Tensor(x)
        layers = list(zip(self.params[0::2], self.params[1::2]))
        for i, (W, b) in enumerate(layers):
            h = h @ W + b
            if i < len(layers) - 1:
                h = h.relu()
        return h

    def epoch(self, x, t, order):
        for start in range(0, len(order), BATCH):
            idx = order[start:start + BATCH]
            logits = self.forward(x[idx])
            loss = -logits.log_softmax()[np.arange(len(idx)), t[idx]].mean()
            zero_grad(self.params)
            loss.backward()
            self.opt.step()

    def weights(self):
        return [p.data for p in self.params]


def compare(sizes, x, t, x_test, t_test, epochs):
    name = "-".join(map(str, sizes))
    model = nnlib_model(sizes)
    tensors = TensorMLP(model)
    loss = nn.CrossEntropyLoss()
    paths = {
        "F nn.fit": lambda e: nn.fit(model, loss, x, t, epochs=1, batch_size=BATCH, lr=LR,
                                     rng=np.random.default_rng([SEED, e]), progress=False),
        "T nn.Tensor": lambda e: tensors.epoch(x, t, epoch_order(e, len(x))),
    }
    # Warm up both paths on throwaway copies (BLAS threads, caches).
    warm = slice(0, 20 * BATCH)
    nn.fit(nnlib_model(sizes), nn.CrossEntropyLoss(), x[warm], t[warm], epochs=1, batch_size=BATCH, lr=LR,
           rng=np.random.default_rng(1), progress=False)
    TensorMLP(nnlib_model(sizes)).epoch(x[warm], t[warm], np.arange(20 * BATCH))

    print(f"\n== {name}: ReLU, softmax cross-entropy, SGD lr {LR}, batch {BATCH}, float32; "
          f"{epochs} timed epoch(s) per path, interleaved ==")
    names = list(paths)
    times = {path: [] for path in names}
    cpu_times = {path: [] for path in names}
    print("epoch  " + "  ".join(f"{path:>12s}" for path in names) + "  (wall seconds)  load avg")
    for epoch in range(epochs):
        for path in (names if epoch % 2 == 0 else names[::-1]):
            start, start_cpu = time.perf_counter(), time.process_time()
            paths[path](epoch)
            times[path].append(time.perf_counter() - start)
            cpu_times[path].append(time.process_time() - start_cpu)
        print(f"{epoch + 1:5d}  " + "  ".join(f"{times[path][-1]:12.3f}" for path in names)
              + f"  {os.getloadavg()[0]:8.2f}")
        if epoch == 0:
            drift = max(float(np.max(np.abs(a - b)))
                        for a, b in zip(tensors.weights(), [value for value, _ in model.parameters()]))
            print(f"       largest |weight difference| between the paths after epoch 1: {drift:.1e}")
    accuracy = {"F nn.fit": nn.accuracy(model.forward(x_test), t_test),
                "T nn.Tensor": nn.accuracy(tensors.forward(x_test).data, t_test)}
    return name, times, cpu_times, accuracy, epochs


def main():
    epochs = ARGS.epochs or (1 if ARGS.quick else 5)
    print(f"numpy {np.__version__}, nnlib {nn.__version__}, {ARGS.threads} BLAS thread(s), "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} before the run")
    (x, t), (x_test, t_test) = nn.load_mnist()
    start = time.perf_counter()
    rows = [compare(sizes, x, t, x_test, t_test, epochs) for sizes in NETWORKS]
    print(f"\n== summary: seconds per epoch (60 000 images), {ARGS.threads} thread(s) ==")
    header = (f"{'network':15s} {'path':12s} {'best s':>7s} {'median s':>8s} {'/ nn.fit':>9s} "
              f"{'best CPU s':>10s} {'/ nn.fit':>9s} {'test acc':>9s}")
    print(header + "\n" + "-" * len(header))
    for name, times, cpu_times, accuracy, epochs in rows:
        fit_best, fit_cpu = min(times["F nn.fit"]), min(cpu_times["F nn.fit"])
        for path, values in times.items():
            best, median, cpu = min(values), float(np.median(values)), min(cpu_times[path])
            print(f"{name:15s} {path:12s} {best:7.3f} {median:8.3f} {best / fit_best:9.2f} "
                  f"{cpu:10.3f} {cpu / fit_cpu:9.2f} {accuracy[path]:9.4f}")
        print(f"{'':15s} (ratios of the best epochs; of the medians T / F = "
              f"{np.median(times['T nn.Tensor']) / np.median(times['F nn.fit']):.2f}; "
              f"test accuracy after {epochs} epoch(s))")
    print(f"\nload average {os.getloadavg()[0]:.2f} after the run; the run took {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
