"""Playground frame rate: one training epoch plus a redraw of every view, per second.

A frame of lesson 11's Playground while it plays is PlaygroundWidget.step():
one epoch of training (every training point once, in mini-batches), then new
values for every view: the network diagram (an SVG with a PNG heat map per
neuron and a line per weight), the output surface with the 500 points (an SVG
around a PNG), the loss curves (an SVG) and the status Label. This script
times that frame in the kernel, for TensorFlow Playground's default network
2-4-4-1 (features x1, x2; tanh; batch 10; half of the 500 points for training)
and for the largest one the Playground allows (all 7 features, 6 layers of 8),
and prints the frames per second, how the frame splits into training and
drawing, and how many bytes of widget values one frame sends to the page.

    python benchmarks/playground_fps.py             # 200 frames per network
    python benchmarks/playground_fps.py --frames 50 --threads 2

The browser's own drawing is not measured here: tests/e2e/test_browser.py's
test_playground_plays_30_frames_per_second counts the frames Chromium paints.
In the page a frame replaces the SVG text of the network, the output picture
and the loss curves (the points over the output stay). While playing, the
widget starts a frame at most MAX_FPS = 60 times a second and sleeps at least
MIN_PAUSE = 2 ms between frames, to hand the event loop to the page's messages,
so it plays at min(60, 1 / (frame time + 2 ms)) frames per second.
"""
import argparse
import os
import sys
import time


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=200, help="frames to time per network (default 200)")
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1)")
    return parser.parse_args()


def main():
    args = parse_args()
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = str(args.threads)
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    import numpy as np

    from nnlib.apps import playground

    networks = {
        "2-4-2-1 (the Playground's default)": dict(features=("x1", "x2"), hidden=(4, 2)),
        "2-4-4-1 (TensorFlow Playground's default)": dict(features=("x1", "x2"), hidden=(4, 4)),
        "7-8-8-8-8-8-8-1 (the largest)": dict(features=tuple(playground.FEATURES), hidden=(8,) * 6, lr=0.003),
    }
    print(f"{args.frames} frames per network, {args.threads} BLAS thread(s), NumPy {np.__version__}")
    for name, settings in networks.items():
        view = playground.PlaygroundWidget(data="spiral", **settings)
        view.step()   # warm up
        frames, steps, draws = [], [], []
        for _ in range(args.frames):
            start = time.perf_counter()
            view.playground.step()
            middle = time.perf_counter()
            view.draw()
            end = time.perf_counter()
            steps.append(middle - start)
            draws.append(end - middle)
            frames.append(end - start)
        frames, steps, draws = (np.array(t) * 1000 for t in (frames, steps, draws))
        sent = sum(len(w.value.encode()) for w in (view.network, view.output, view.curves, view.status, view.speed))
        median = np.median(frames)
        print(f"\n{name}")
        print(f"  frame (epoch + redraw): median {median:.1f} ms, 90th percentile {np.percentile(frames, 90):.1f} ms"
              f" -> {1000 / median:.0f} frames per second in the kernel")
        print(f"  of which training one epoch {np.median(steps):.1f} ms (mean {steps.mean():.1f}), "
              f"drawing every view {np.median(draws):.1f} ms (mean {draws.mean():.1f})")
        playing = min(playground.MAX_FPS, 1000 / (median + 1000 * playground.MIN_PAUSE))
        print(f"  playing (at most {playground.MAX_FPS} a second, {playground.MIN_PAUSE * 1000:.0f} ms between frames): "
              f"{playing:.0f} frames per second")
        print(f"  widget values per frame: {sent / 1024:.0f} KiB; {playground.status(view.playground)}")


if __name__ == "__main__":
    main()
