"""MNIST MLP benchmark: nnlib's training loop against the same math in bare NumPy.

Trains 784-128-10 and 784-256-128-10 (ReLU, softmax cross-entropy, plain SGD
lr 0.1, batch 128, float32, He initialisation) for 5 epochs, with nnlib
(nn.fit) and with a bare-NumPy loop that uses the same initial weights, the
same shuffling and the same batches. Prints seconds per epoch, samples/s, test
accuracy per epoch, the time ratio nnlib / bare NumPy, and the inference time
for the 10 000 test images as one batch, in batches of 100, and one at a time.

    python benchmarks/mnist_mlp.py            # the full run (about a minute)
    python benchmarks/mnist_mlp.py --quick    # 1 epoch, a smoke run
    python benchmarks/mnist_mlp.py --threads 2 --profile

The inputs are standardised with the training set's mean and standard deviation
(0.1307 and 0.3081), the usual MNIST preprocessing: with the plain [0, 1]
pixels this setup reaches about 0.960 after 5 epochs, with standardised ones
about 0.974 (see --raw-inputs).

This is a script, not a test: it prints its figures and asserts nothing except
that the first network reaches 0.97 test accuracy after 5 epochs.
"""
import argparse
import os
import sys


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 epoch, for a smoke run")
    parser.add_argument("--epochs", type=int, default=None, help="epochs per network (default 5, 1 with --quick)")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS threads (default 1: steady timings on a shared machine)")
    parser.add_argument("--raw-inputs", action="store_true",
                        help="train on the [0, 1] pixels instead of standardised ones (reaches about 0.96, not 0.97)")
    parser.add_argument("--profile", action="store_true", help="also profile one nnlib epoch of the first network")
    return parser.parse_args()


ARGS = parse_args()
# The thread count must be set before NumPy loads its BLAS library.
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = str(ARGS.threads)

import time  # noqa: E402

import numpy as np  # noqa: E402

import nnlib as nn  # noqa: E402
from nnlib.course.l07_mnist import best_time  # noqa: E402  (fastest of a few runs)

SEED = 0
LR = 0.1
BATCH = 128
NETWORKS = [(784, 128, 10), (784, 256, 128, 10)]


def blas_summary():
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    return f"numpy {np.__version__}, BLAS {blas.get('name')} {blas.get('version')}, threads {ARGS.threads} (OPENBLAS/OMP/MKL_NUM_THREADS)"


# ---------------------------------------------------------------- the two implementations

def nnlib_model(sizes, seed):
    rng = np.random.default_rng(seed)
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(n_in, n_out, rng=rng, dtype=np.float32))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(layers)


def bare_params(sizes, seed):
    """The same He-initialised weights as nnlib.Linear, drawn in the same order from the same seed."""
    rng = np.random.default_rng(seed)
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        W = (rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)).astype(np.float32)
        params.append((W, np.zeros(n_out, dtype=np.float32)))
    return params


def bare_forward(params, x):
    for i, (W, b) in enumerate(params):
        x = x @ W + b
        if i < len(params) - 1:
            x = np.maximum(x, 0)
    return x


def bare_epoch(params, x, t, rng, first_input_grad=False):
    """One epoch of mini-batch SGD, the same math and bookkeeping as nn.fit
    (shuffle, forward, cross-entropy, its mean loss and accuracy, backward, step).
    first_input_grad=True also computes the first layer's input gradient, which
    nothing uses: nn.fit used to, before Sequential.backward(grad, input_grad=False);
    --profile keeps this variant to show what that cost."""
    order = rng.permutation(len(x))
    total_loss, correct = 0.0, 0
    last = len(params) - 1
    for start in range(0, len(x), BATCH):
        batch = order[start:start + BATCH]
        xb, tb = x[batch], t[batch]
        n = len(batch)
        inputs = []
        a = xb
        for i, (W, b) in enumerate(params):
            inputs.append(a)
            a = a @ W + b
            if i < last:
                a = np.maximum(a, 0)
        z = a - a.max(axis=1, keepdims=True)  # fused softmax cross-entropy, max-shifted
        e = np.exp(z)
        s = e.sum(axis=1, keepdims=True)
        rows = np.arange(n)
        total_loss += float(np.sum(np.log(s[:, 0]) - z[rows, tb]))
        correct += int(np.sum(z.argmax(axis=1) == tb))
        grad = e / s
        grad[rows, tb] -= 1
        grad /= n
        for i in range(last, -1, -1):
            W, b = params[i]
            dW = inputs[i].T @ grad
            db = grad.sum(axis=0)
            if i > 0:  # the input gradient of the first layer is not needed
                grad = (grad @ W.T) * (inputs[i] > 0)
            elif first_input_grad:
                grad = grad @ W.T
            W -= LR * dW
            b -= LR * db
    return total_loss / len(x), correct / len(x)


# ---------------------------------------------------------------- measuring

def train_both(sizes, x, t, x_test, t_test, epochs):
    model = nnlib_model(sizes, SEED)
    params = bare_params(sizes, SEED)
    loss = nn.CrossEntropyLoss()
    rng_nnlib, rng_bare = np.random.default_rng(SEED + 1), np.random.default_rng(SEED + 1)
    times = {"nnlib": [], "bare": []}
    print(f"\n== {'-'.join(map(str, sizes))}: ReLU, softmax cross-entropy, SGD lr {LR}, batch {BATCH}, float32 ==")
    print("epoch   nnlib s  samples/s  test acc |  bare s  samples/s  test acc | nnlib/bare")
    for epoch in range(epochs):
        # Interleave, and alternate which goes first, so drifting machine load hits both alike.
        runs = [("nnlib", lambda: nn.fit(model, loss, x, t, epochs=1, batch_size=BATCH, lr=LR,
                                          rng=rng_nnlib, progress=False)),
                ("bare", lambda: bare_epoch(params, x, t, rng_bare))]
        for name, run in (runs if epoch % 2 == 0 else runs[::-1]):
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
        acc_nnlib = nn.accuracy(model.forward(x_test), t_test)
        acc_bare = nn.accuracy(bare_forward(params, x_test), t_test)
        tn, tb = times["nnlib"][-1], times["bare"][-1]
        print(f"{epoch + 1:5d}  {tn:8.2f}  {len(x) / tn:9.0f}  {acc_nnlib:8.4f} | {tb:7.2f}  {len(x) / tb:9.0f}  "
              f"{acc_bare:8.4f} | {tn / tb:6.2f}")
    best_n, best_b = min(times["nnlib"]), min(times["bare"])
    print(f"best epoch: nnlib {best_n:.2f} s ({len(x) / best_n:.0f} samples/s), bare NumPy {best_b:.2f} s "
          f"({len(x) / best_b:.0f} samples/s); ratio nnlib/bare = {best_n / best_b:.2f} (target <= 1.10); "
          f"median ratio {np.median(times['nnlib']) / np.median(times['bare']):.2f}")
    weights_nnlib = [value for value, _ in model.parameters()]
    weights_bare = [array for pair in params for array in pair]
    drift = max(float(np.max(np.abs(a - b))) for a, b in zip(weights_nnlib, weights_bare))
    print(f"same math check: largest |W_nnlib - W_bare| after training = {drift:.2e} (float32 rounding only)")
    return model, acc_nnlib, best_n / best_b


def inference(model, x_test):
    def one_at_a_time():
        return np.array([model.forward(x_test[i:i + 1]).argmax(axis=1)[0] for i in range(len(x_test))])

    def batches_of_100():
        return np.concatenate([model.forward(x_test[i:i + 100]).argmax(axis=1) for i in range(0, len(x_test), 100)])

    t_whole, p_whole = best_time(lambda: model.forward(x_test).argmax(axis=1))
    t_100, p_100 = best_time(batches_of_100)
    t_one, p_one = best_time(one_at_a_time, repeat=2)
    same = np.array_equal(p_whole, p_100) and np.array_equal(p_whole, p_one)
    print(f"inference on {len(x_test)} test images: one batch {1000 * t_whole:.1f} ms, "
          f"batches of 100 {1000 * t_100:.1f} ms, one at a time {1000 * t_one:.0f} ms "
          f"({t_one / t_100:.0f}x slower than batches of 100); identical predictions: {same}")


def profile_epoch(x, t):
    """Where nnlib's extra time goes: a profile of one epoch, and bare NumPy with and
    without the first layer's (unused) input gradient."""
    import cProfile
    import pstats

    sizes = NETWORKS[0]
    model = nnlib_model(sizes, SEED)
    profiler = cProfile.Profile()
    profiler.enable()
    nn.fit(model, nn.CrossEntropyLoss(), x, t, epochs=1, batch_size=BATCH, lr=LR,
           rng=np.random.default_rng(SEED + 1), progress=False)
    profiler.disable()
    print("\n== profile of one nnlib epoch (784-128-10), by own time ==")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(8)

    runs = {
        "nnlib (nn.fit)": lambda: nn.fit(nnlib_model(sizes, SEED), nn.CrossEntropyLoss(), x, t, epochs=1,
                                         batch_size=BATCH, lr=LR, rng=np.random.default_rng(SEED + 1), progress=False),
        "bare NumPy": lambda: bare_epoch(bare_params(sizes, SEED), x, t, np.random.default_rng(SEED + 1)),
        "bare NumPy + first-layer dX": lambda: bare_epoch(bare_params(sizes, SEED), x, t,
                                                           np.random.default_rng(SEED + 1), first_input_grad=True),
    }
    best = {name: np.inf for name in runs}
    for _ in range(3):  # interleaved repetitions, best of 3
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - start)
    print("== one epoch of 784-128-10, best of 3 interleaved runs ==")
    for name, seconds in best.items():
        print(f"{name:30s} {seconds:.3f} s   ratio to bare NumPy {seconds / best['bare NumPy']:.2f}")


def main():
    epochs = ARGS.epochs or (1 if ARGS.quick else 5)
    print(blas_summary())
    (x, t), (x_test, t_test) = nn.load_mnist()
    if not ARGS.raw_inputs:
        mean, std = x.mean(), x.std()
        x, x_test = (x - mean) / std, (x_test - mean) / std  # float32 stays float32
        print(f"inputs standardised with the training mean {mean:.4f} and std {std:.4f}")
    print(f"MNIST: train {x.shape} {x.dtype}, test {x_test.shape}; {epochs} epoch(s) per network")
    first_accuracy = None
    for sizes in NETWORKS:
        model, acc, _ = train_both(sizes, x, t, x_test, t_test, epochs)
        inference(model, x_test)
        if first_accuracy is None:
            first_accuracy = acc
    if ARGS.profile:
        profile_epoch(x, t)
    if epochs >= 5 and not ARGS.raw_inputs:
        assert first_accuracy >= 0.97, f"784-128-10 reached only {first_accuracy:.4f} after {epochs} epochs"
        print(f"\n784-128-10 test accuracy after {epochs} epochs: {first_accuracy:.4f} (>= 0.97: ok)")


if __name__ == "__main__":
    main()
