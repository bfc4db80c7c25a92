"""Lesson 09's 98% recipe, timed, and what Adam costs in nnlib against a tight NumPy Adam loop.

    python benchmarks/mnist_98.py              # both parts (about 1-2 minutes on 2 cores)
    python benchmarks/mnist_98.py --threads 1  # BLAS threads (default: os.cpu_count())

Part 1, the recipe of lesson 09's finale: 784-256-128-10, BatchNorm before each ReLU, Adam lr 0.003
decayed by 0.7 after every epoch, batch 256, 8 epochs on 55 000 training images (nn.seed(9)). It prints
the seconds and the test accuracy of every epoch (a benchmark may look at the test set every epoch;
the lesson touches it once, at the end).

Part 2, the cost of Adam: the same network and the same batches, trained one epoch at a time by
  A  nn.fit(..., optimizer=nn.Adam(model.parameters(), lr=0.003))
  T  a tight NumPy loop: preallocated float32 buffers, matmul with out=, BatchNorm's forward and backward
     written out, the softmax-cross-entropy gradient in place, no input gradient for the first layer,
     and Adam's update in place in one scratch array per parameter (as PyTorch does it; nnlib writes
     the formula instead: the scratch array saved 3-9% of an epoch, below the 10% that would keep it),
interleaved epoch by epoch, from the same initial weights. It prints the best and median seconds per
epoch, their ratio and both test accuracies (which agree up to float32 rounding).
It imports nothing from the lessons (nnlib.course).
"""
import argparse
import os
import time

parser = argparse.ArgumentParser(description="Lesson 09's 98% recipe, and Adam in nnlib against tight NumPy.")
parser.add_argument("--threads", type=int, default=os.cpu_count(), help="BLAS threads (default: all cores)")
parser.add_argument("--epochs", type=int, default=4, help="timed epochs per path in part 2 (default 4)")
ARGS = parser.parse_args()
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = str(ARGS.threads)

import numpy as np  # noqa: E402  (after the thread settings)

import nnlib as nn  # noqa: E402

F32 = np.float32
LR, BETAS, EPS, BN_EPS, BN_MOMENTUM = 0.003, (0.9, 0.999), 1e-8, 1e-5, 0.1


def recipe_model():
    return nn.Sequential([
        nn.Linear(784, 256), nn.BatchNorm(256), nn.ReLU(),
        nn.Linear(256, 128), nn.BatchNorm(128), nn.ReLU(),
        nn.Linear(128, 10),
    ])


def part1(x_fit, t_fit, x_test, t_test):
    nn.seed(9)
    model = recipe_model()
    optimizer = nn.Adam(model.parameters(), lr=LR)
    loss = nn.CrossEntropyLoss()
    print("Part 1: lesson 09's recipe, epoch by epoch")
    print(f"{'epoch':>5} {'seconds':>8} {'test accuracy':>14}")
    started = [time.perf_counter()]
    total = [0.0]

    def every_epoch(history):
        seconds = time.perf_counter() - started[0]
        total[0] += seconds
        accuracy = nn.evaluate(model, loss, x_test, t_test)[1]
        print(f"{len(history['loss']):>5} {seconds:>8.2f} {accuracy:>14.4f}", flush=True)
        optimizer.lr *= 0.7
        started[0] = time.perf_counter()

    nn.fit(model, loss, x_fit, t_fit, epochs=8, batch_size=256, optimizer=optimizer, callback=every_epoch,
           progress=False)
    accuracy = nn.evaluate(model, loss, x_test, t_test)[1]
    print(f"8 epochs in {total[0]:.1f} s of training, test accuracy {accuracy:.4f}\n")


class TightAdamNet:
    """784-256-128-10 with BatchNorm and ReLU, Adam, written as tightly as NumPy allows."""

    def __init__(self, model, batch):
        L1, B1, _, L2, B2, _, L3 = model.layers
        self.W = [L1.W.copy(), L2.W.copy(), L3.W.copy()]
        self.b = [L1.b.copy(), L2.b.copy(), L3.b.copy()]
        self.g = [B1.gamma.copy(), B2.gamma.copy()]
        self.be = [B1.beta.copy(), B2.beta.copy()]
        self.rm = [B1.running_mean.copy(), B2.running_mean.copy()]
        self.rv = [B1.running_var.copy(), B2.running_var.copy()]
        self.params = self.W + self.b + self.g + self.be
        self.grads = [np.zeros_like(p) for p in self.params]
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.s = [np.zeros_like(p) for p in self.params]
        self.t = 0
        self.buffers(batch)

    def buffers(self, n):
        self.n = n
        e = lambda *shape: np.empty(shape, F32)  # noqa: E731
        self.xb = e(n, 784)
        self.z = [e(n, 256), e(n, 128), e(n, 10)]
        self.xh = [e(n, 256), e(n, 128)]
        self.a = [e(n, 256), e(n, 128)]
        self.mask = [np.empty((n, 256), bool), np.empty((n, 128), bool)]
        self.d = [e(n, 256), e(n, 128)]
        self.inv = [e(256), e(128)]

    def step(self, x, t, idx):
        n = len(idx)
        if n != self.n:
            self.buffers(n)
        np.take(x, idx, axis=0, out=self.xb, mode="clip")
        h = self.xb
        for k in range(2):                                    # Linear, BatchNorm, ReLU
            z, xh, a = self.z[k], self.xh[k], self.a[k]
            np.matmul(h, self.W[k], out=z)
            z += self.b[k]
            mean = z.mean(axis=0)
            var = z.var(axis=0)
            self.rm[k] *= 1 - BN_MOMENTUM
            self.rm[k] += BN_MOMENTUM * mean
            self.rv[k] *= 1 - BN_MOMENTUM
            self.rv[k] += BN_MOMENTUM * var * (n / (n - 1))
            np.sqrt(var + BN_EPS, out=self.inv[k])
            np.divide(1, self.inv[k], out=self.inv[k])
            np.subtract(z, mean, out=xh)
            xh *= self.inv[k]
            np.multiply(xh, self.g[k], out=a)
            a += self.be[k]
            np.greater(a, 0, out=self.mask[k])
            a *= self.mask[k]
            h = a
        o = self.z[2]
        np.matmul(h, self.W[2], out=o)
        o += self.b[2]
        o -= o.max(axis=1, keepdims=True)                     # softmax-cross-entropy gradient in place
        np.exp(o, out=o)
        o /= o.sum(axis=1, keepdims=True)
        o[np.arange(n), t[idx]] -= 1
        o *= 1 / n
        dW, db = self.grads[0:3], self.grads[3:6]
        dg, dbe = self.grads[6:8], self.grads[8:10]
        np.matmul(self.a[1].T, o, out=dW[2])
        np.sum(o, axis=0, out=db[2])
        grad = o
        for k in (1, 0):
            d = self.d[k]
            np.matmul(grad, self.W[k + 1].T, out=d)           # dLoss/da
            d *= self.mask[k]                                 # through ReLU
            np.sum(d * self.xh[k], axis=0, out=dg[k])
            np.sum(d, axis=0, out=dbe[k])
            d *= self.g[k]                                    # dLoss/dx_hat
            mean_d = d.mean(axis=0)
            mean_dx = (d * self.xh[k]).mean(axis=0)
            d -= mean_d
            d -= self.xh[k] * mean_dx
            d *= self.inv[k]                                  # dLoss/dz
            below = self.a[0] if k == 1 else self.xb
            np.matmul(below.T, d, out=dW[k])
            np.sum(d, axis=0, out=db[k])
            grad = d
        self.adam()

    def adam(self):
        b1, b2 = BETAS
        self.t += 1
        c1, c2 = LR / (1 - b1**self.t), np.sqrt(1 - b2**self.t)
        for p, g, m, v, s in zip(self.params, self.grads, self.m, self.v, self.s):
            m *= b1
            np.multiply(g, 1 - b1, out=s)
            m += s
            v *= b2
            np.multiply(g, g, out=s)
            s *= 1 - b2
            v += s
            np.sqrt(v, out=s)
            s /= c2
            s += EPS
            np.divide(m, s, out=s)
            s *= c1
            p -= s

    def accuracy(self, x, t):
        h = x
        for k in range(2):
            z = h @ self.W[k] + self.b[k]
            z = (z - self.rm[k]) / np.sqrt(self.rv[k] + BN_EPS) * self.g[k] + self.be[k]
            h = np.maximum(z, 0)
        return float(np.mean((h @ self.W[2] + self.b[2]).argmax(axis=1) == t))


def part2(x_fit, t_fit, x_test, t_test):
    nn.seed(9)
    model = recipe_model()
    tight = TightAdamNet(model, 256)
    optimizer = nn.Adam(model.parameters(), lr=LR)
    loss = nn.CrossEntropyLoss()
    times = {"A nn.fit + nn.Adam": [], "T tight NumPy Adam": []}
    print(f"Part 2: Adam, the same net and batches, {ARGS.epochs} epochs each, interleaved")
    for epoch in range(ARGS.epochs):
        order = np.random.default_rng([0, epoch]).permutation(len(x_fit))

        class Same:  # hands nn.fit this epoch's permutation
            def permutation(self, n):
                return order

        start = time.perf_counter()
        nn.fit(model, loss, x_fit, t_fit, epochs=1, batch_size=256, optimizer=optimizer, rng=Same(), progress=False)
        times["A nn.fit + nn.Adam"].append(time.perf_counter() - start)
        start = time.perf_counter()
        for s in range(0, len(x_fit), 256):
            tight.step(x_fit, t_fit, order[s:s + 256])
        times["T tight NumPy Adam"].append(time.perf_counter() - start)
        print(f"  epoch {epoch + 1}: A {times['A nn.fit + nn.Adam'][-1]:.3f} s, T {times['T tight NumPy Adam'][-1]:.3f} s, "
              f"load {os.getloadavg()[0]:.1f}", flush=True)
    accuracy_a = nn.evaluate(model, loss, x_test, t_test)[1]
    accuracy_t = tight.accuracy(x_test, t_test)
    best_t = min(times["T tight NumPy Adam"])
    print(f"\n{'path':<22} {'best s':>7} {'median s':>9} {'/ tight':>8} {'test acc':>9}")
    for (name, seconds), accuracy in zip(times.items(), (accuracy_a, accuracy_t)):
        print(f"{name:<22} {min(seconds):>7.3f} {np.median(seconds):>9.3f} {min(seconds) / best_t:>8.2f} {accuracy:>9.4f}")
    if abs(accuracy_a - accuracy_t) > 0.003:
        print("WARNING: the two paths' test accuracies differ by more than 0.003")


def main():
    print(f"numpy {np.__version__}, {ARGS.threads} BLAS thread(s) set, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.2f}\n")
    (x_train, t_train), (x_test, t_test) = nn.load_mnist()
    x_fit, t_fit = x_train[:55000], t_train[:55000]
    part1(x_fit, t_fit, x_test, t_test)
    part2(x_fit, t_fit, x_test, t_test)


if __name__ == "__main__":
    main()
