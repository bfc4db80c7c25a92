"""Play the learner: run each lesson cell by cell and fiddle with every control.

For each lesson ``notebooks/[0-9][0-9]*_*.ipynb`` and each of a few seeds, this
starts a fresh kernel of the current Python (cwd = the notebook's folder, the
environment inherited, so PYTHONPATH decides which nnlib is imported) and runs
the code cells in order, like a learner pressing Shift-Enter. Right after every
cell that displays a widget, it moves EVERY live ipywidgets control to a random
valid value (seeded by the seed and the cell index): sliders and bounded text
boxes to a value on their step grid (one time in four to an end of the
range, where learners like to drag), range sliders to a random pair, selections
to a random option, checkboxes and toggle buttons to a random bool, and it
clicks each button with probability 1/2. Disabled controls are left alone.

A run fails when any cell (or any move: an observer that raises) produces an
error or writes to stderr, when a cell's result is a bare ``True``/``False``
(check cells end with ``;``), or when a hidden solution cell
(``jupyter.source_hidden``) prints anything or shows its result. The failure names the notebook,
the seed, the cell, the first lines of its source, the error and every move
made so far, so it can be reproduced.

Run it on one notebook as a script (from the root of your checkout, which
puts your nnlib first on the path; exit status 1 on failure):

    PYTHONPATH=$PWD python tests/test_learner.py notebooks/01_neuron.ipynb --seeds 2

(``--seeds N`` runs seeds 0..N-1, default 3; ``--seed S`` runs only seed S;
``-v`` prints each cell and move; several notebooks may be given; no notebook
means every lesson in ./notebooks.) Run from another checkout of the repository, it tests that
checkout's notebooks and nnlib:

    cd <another checkout> && PYTHONPATH=$PWD python <this checkout>/tests/test_learner.py notebooks/01_neuron.ipynb

The last seed also runs every quick cell (under TWICE_UNDER seconds) twice in a row, as a
learner pressing Shift-Enter twice; ``--twice`` does that for every seed of the script.

Under pytest (one test per notebook, PYTEST_SEEDS seeds, run side by side in kernels of their own;
not marked e2e or slow):

    PYTHONPATH=$PWD python -m pytest -q tests/test_learner.py
    PYTHONPATH=$PWD python -m pytest -q tests/test_learner.py -k 01_neuron

``LEARNER_NOTEBOOKS=/some/folder`` runs the lessons of another folder instead.
"""
import argparse
import ast
import asyncio
import json
import os
import queue
import re
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = 3          # the script's default
PYTEST_SEEDS = 1   # under pytest: one learner per lesson (with the quick cells twice) keeps the README's test
                   # command under ten minutes; each further seed costs one more run of every lesson
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
CELL_TIMEOUT = 180  # seconds; lesson 07 trains on MNIST for ~10 s
MOVES_VARIABLE = "__learner_moves__"
TWICE_UNDER = 2.0   # seconds: the last seed runs every cell quicker than this twice
BARE_BOOLS = ("True", "False", "np.True_", "np.False_")   # what a check's return value shows without ';'


def lesson_notebooks(folder=None):
    folder = Path(folder or os.environ.get("LEARNER_NOTEBOOKS") or ROOT / "notebooks")
    return sorted(folder.glob("[0-9][0-9]*_*.ipynb"))


# The snippet run in the kernel after a cell that displays a widget. It moves
# every live control and leaves the list of moves (and of errors raised by
# observers) as JSON in a global variable that the test reads back.
MOVE_SNIPPET = r'''
def __learner_move__(seed, cell):
    import json, random, traceback
    import ipywidgets as W
    from ipywidgets.widgets import widget as widget_module
    rng = random.Random(f"learner:{seed}:{cell}")
    moves = []

    def grid(low, high, step, integer):
        # a value on the slider's grid; one time in four an end, where learners love to drag
        end = rng.random() < 0.25
        if integer:
            step = max(1, int(step or 1))
            n = (high - low) // step
            return low + step * (rng.choice((0, n)) if end else rng.randint(0, n))
        if not step:
            return rng.choice((low, high)) if end else rng.uniform(low, high)
        n = int((high - low) / step + 1e-9)
        return round(min(high, low + step * (rng.choice((0, n)) if end else rng.randint(0, n))), 12)

    def pair(values):
        i, j = sorted(rng.sample(range(len(values)), 2) if len(values) > 1 else (0, 0))
        return values[i], values[j]

    registry = getattr(widget_module, "_instances", None)   # ipywidgets 8.1; 8.0 has Widget.widgets
    for widget in list((W.Widget.widgets if registry is None else registry).values()):
        if getattr(widget, "comm", None) is None or getattr(widget, "disabled", False):
            continue   # closed, or a control the learner cannot touch
        name = type(widget).__name__
        label = getattr(widget, "description", "") or getattr(widget, "tooltip", "") or ""
        what = f"{name}({label!r}) #{widget.model_id[:6]}"
        try:
            if isinstance(widget, W.Button):
                if rng.random() < 0.5:
                    moves.append({"control": what, "value": "click"})
                    widget.click()
                continue
            if isinstance(widget, (W.FloatProgress, W.IntProgress)):
                continue   # a display, not a control
            if isinstance(widget, (W.Checkbox, W.ToggleButton)):
                value = rng.random() < 0.5
                moves.append({"control": what, "value": value})
                widget.value = value
            elif isinstance(widget, W.FloatLogSlider):
                exponent = grid(widget.min, widget.max, widget.step, False)
                value = widget.base ** exponent
                moves.append({"control": what, "value": value})
                widget.value = value
            elif isinstance(widget, (W.FloatRangeSlider, W.IntRangeSlider)):
                integer = isinstance(widget, W.IntRangeSlider)
                low, high = sorted((grid(widget.min, widget.max, widget.step, integer) for _ in range(2)))
                moves.append({"control": what, "value": [low, high]})
                widget.value = (low, high)
            elif isinstance(widget, W.widget_float._BoundedFloat):
                value = grid(widget.min, widget.max, widget.step, False)
                moves.append({"control": what, "value": value})
                widget.value = value
            elif isinstance(widget, W.widget_int._BoundedInt):
                value = grid(widget.min, widget.max, widget.step, True)
                moves.append({"control": what, "value": value})
                widget.value = value
            elif isinstance(widget, W.SelectionRangeSlider):
                if widget.options:
                    index = pair(range(len(widget.options)))
                    moves.append({"control": what, "value": [widget.options[i] for i in index]})
                    widget.index = index
            elif isinstance(widget, W.widget_selection._Selection):
                if widget.options:
                    index = rng.randrange(len(widget.options))
                    moves.append({"control": what, "value": widget._options_labels[index]})
                    widget.index = index
            elif isinstance(widget, W.widget_selection._MultipleSelection):
                if widget.options:
                    index = tuple(i for i in range(len(widget.options)) if rng.random() < 0.5)
                    moves.append({"control": what, "value": [widget._options_labels[i] for i in index]})
                    widget.index = index
        except Exception:
            moves[-1]["error"] = traceback.format_exc()
    return json.dumps(moves, default=repr)


__learner_moves__ = __learner_move__(%(seed)d, %(cell)d)
del __learner_move__
'''


class Kernel:
    """A fresh kernel of the current interpreter, started in folder cwd."""

    def __init__(self, cwd):
        import ipykernel.kernelspec
        from jupyter_client.kernelspec import KernelSpecManager
        from jupyter_client.manager import KernelManager

        class CurrentPython(KernelSpecManager):
            def get_kernel_spec(self, kernel_name):
                return self.kernel_spec_class(resource_dir=ipykernel.kernelspec.RESOURCES,
                                              **ipykernel.kernelspec.get_kernel_dict())

        self.stderr_file = tempfile.TemporaryFile()
        self.km = KernelManager(kernel_name="learner-current-python", kernel_spec_manager=CurrentPython())
        self.km.start_kernel(cwd=str(cwd), env=dict(os.environ), stderr=self.stderr_file)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)

    def execute(self, code, store_history=True, user_expressions=None):
        """Run code; return (outputs, reply content). Outputs are iopub messages' contents with their type."""
        msg_id = self.kc.execute(code, store_history=store_history, allow_stdin=False,
                                 user_expressions=user_expressions or {})
        outputs = []
        deadline = time.monotonic() + CELL_TIMEOUT
        while True:
            try:
                msg = self.kc.get_iopub_msg(timeout=1)
            except queue.Empty:
                if not self.km.is_alive():
                    raise RuntimeError("the kernel died") from None
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the cell did not finish within {CELL_TIMEOUT} s") from None
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind = msg["msg_type"]
            if kind == "status" and msg["content"]["execution_state"] == "idle":
                break
            if kind in ("stream", "display_data", "execute_result", "error", "update_display_data"):
                outputs.append(dict(msg["content"], output_type=kind))
        reply = self.kc.get_shell_msg(timeout=CELL_TIMEOUT)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = self.kc.get_shell_msg(timeout=CELL_TIMEOUT)
        return outputs, reply["content"]

    def process_stderr(self):
        """What the kernel process wrote to its own stderr so far (logged exceptions land here)."""
        self.stderr_file.seek(0)
        return self.stderr_file.read().decode("utf-8", "replace")

    def close(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)
        self.stderr_file.close()


def problems_in(outputs, hidden=False):
    """Sentences saying what is wrong with one cell's (or one move's) outputs."""
    problems = []
    for out in outputs:
        kind = out["output_type"]
        if kind == "error":
            trace = "\n".join(strip_ansi("\n".join(out.get("traceback") or [])).splitlines()[-40:])
            problems.append(f"error {out.get('ename')}: {out.get('evalue')}\n{trace}")
        elif kind == "stream" and out.get("name") == "stderr":
            problems.append(f"wrote to stderr:\n{out.get('text', '')}")
        elif kind == "stream" and hidden and out.get("text", "").strip():
            problems.append(f"a hidden solution cell printed (it must pass its check silently):\n{out['text']}")
        elif kind == "execute_result" and hidden:
            problems.append(f"a hidden solution cell shows its result (it must pass its check silently):\n"
                            f"{out.get('data', {}).get('text/plain', '')[:300]}")
        elif kind == "execute_result" and out.get("data", {}).get("text/plain") in BARE_BOOLS:
            problems.append(f"the cell's result is a bare {out['data']['text/plain']} (end the check call with ';')")
    return problems


def strip_ansi(text):
    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)


def shows_widget(outputs):
    return any(WIDGET_MIME in out.get("data", {}) for out in outputs
               if out["output_type"] in ("display_data", "execute_result", "update_display_data"))


def shown(path):
    """A path as short as it can be: relative to the current folder when inside it."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def is_hidden(cell):
    return bool(cell.get("metadata", {}).get("jupyter", {}).get("source_hidden"))


def marked(cell, marker):
    """nbval's markers: a tag (raises-exception, nbval-skip) or a first-line comment (# NBVAL_SKIP)."""
    tags = cell.get("metadata", {}).get("tags", [])
    first = "".join(cell["source"]).lstrip().split("\n")[0].replace(" ", "").upper()
    return marker in tags or f"nbval-{marker}" in tags or first == "#NBVAL_" + marker.upper().replace("-", "_")


def run_learner(path, seed, log=None, twice=False):
    """Run one notebook as a learner with this seed; return a list of failure reports (empty: passed).

    twice: run every cell that took under TWICE_UNDER seconds a second time right away, as a
    learner who presses Shift-Enter twice (a cell must not depend on running only once).

    Cells are numbered as in the notebook's JSON, from 0, markdown included
    (the report also gives the code cell's number, counting code cells from 1).
    """
    path = Path(path)
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    kernel = Kernel(path.parent)
    moves, failures = [], []

    def report(index, number, cell, what, problems):
        source = "".join(cell["source"]).splitlines()
        head = "\n".join("    | " + line for line in source[:6]) + ("\n    | ..." if len(source) > 6 else "")
        made = "\n".join(f"    after cell {m['cell']}: {m['control']} = {m['value']!r}" for m in moves) or "    (none)"
        hidden = ", hidden solution" if is_hidden(cell) else ""
        failures.append(
            f"{path.name}, seed {seed}, cell {index} (code cell {number}{hidden}), {what}:\n{head}\n"
            + "\n".join(problems)
            + f"\n  moves made so far:\n{made}"
            + f"\n  reproduce: PYTHONPATH=$PWD python {shown(__file__)} {shown(path)} --seed {seed}"
        )

    def logged_since(start):
        logged = kernel.process_stderr()[start:]
        if any(sign in logged for sign in ("Traceback", "Exception", "ERROR")):
            return [f"the kernel logged an error:\n{logged}"]
        return []

    number = 0
    try:
        for index, cell in enumerate(cells):
            if cell["cell_type"] != "code" or not "".join(cell["source"]).strip():
                continue
            number += 1
            if marked(cell, "skip"):
                continue
            if log:
                log(f"{path.name} seed {seed}: cell {index} (code cell {number})")
            start = len(kernel.process_stderr())
            try:
                began = time.monotonic()
                outputs, _ = kernel.execute("".join(cell["source"]))
                if twice and time.monotonic() - began < TWICE_UNDER and not marked(cell, "raises-exception"):
                    first = problems_in(outputs, hidden=is_hidden(cell))
                    outputs, _ = kernel.execute("".join(cell["source"]))   # the learner runs it again
                    if not first and problems_in(outputs, hidden=is_hidden(cell)):
                        what = "running the cell a second time"
                        report(index, number, cell, what, problems_in(outputs, hidden=is_hidden(cell)))
                        outputs = []
            except (TimeoutError, RuntimeError) as error:
                report(index, number, cell, "running the cell", [str(error)])
                break
            if marked(cell, "raises-exception"):   # a cell meant to fail: its error is the lesson
                if not any(out["output_type"] == "error" for out in outputs):
                    report(index, number, cell, "running the cell", ["the cell is marked to raise, but did not"])
                outputs = [out for out in outputs if out["output_type"] != "error"]
            problems = problems_in(outputs, hidden=is_hidden(cell)) + logged_since(start)
            if problems:
                report(index, number, cell, "running the cell", problems)
            if not shows_widget(outputs):
                continue
            start = len(kernel.process_stderr())
            try:
                outputs, reply = kernel.execute(MOVE_SNIPPET % {"seed": seed, "cell": index}, store_history=False,
                                                user_expressions={"moves": MOVES_VARIABLE})
            except (TimeoutError, RuntimeError) as error:
                report(index, number, cell, "moving the controls after the cell", [str(error)])
                break
            made = []
            result = reply.get("user_expressions", {}).get("moves", {})
            if result.get("status") == "ok":
                made = json.loads(ast.literal_eval(result["data"]["text/plain"]))
                outputs += kernel.execute(f"del {MOVES_VARIABLE}", store_history=False)[0]
            moves.extend(dict(move, cell=index) for move in made)
            if log:
                for move in made:
                    log(f"    move: {move['control']} = {move['value']!r}")
            problems = problems_in(outputs)
            problems += [f"moving {m['control']} to {m['value']!r} raised:\n{m['error']}" for m in made if "error" in m]
            if reply.get("status") != "ok":
                problems.append(f"the move snippet failed: {reply.get('ename')}: {reply.get('evalue')}")
            problems += logged_since(start)
            if problems:
                report(index, number, cell, "moving the controls after the cell", problems)
    finally:
        kernel.close()
    return failures


def run_seeds(notebook, seeds):
    """The failures of every seed, the seeds run side by side, each in a kernel of its own.

    A lesson spends most of its time computing in its kernel, so on a machine with
    several cores the seeds together take little longer than one (at most one kernel per core).
    """
    seeds = list(seeds)
    # at most one kernel per core: with xdist's second worker busy too, more kernels than cores slowed a
    # training cell five-fold and tripped lesson 10a's timing claim
    with ThreadPoolExecutor(max_workers=max(1, min(len(seeds), os.cpu_count() or 1))) as pool:
        runs = list(pool.map(lambda seed: _run_in_thread(notebook, seed, twice=seed == seeds[-1]), seeds))
    return [failure for failures in runs for failure in failures]


def _run_in_thread(notebook, seed, twice):
    """run_learner, then close the event loop that jupyter_client made for this worker thread."""
    try:
        return run_learner(notebook, seed, twice=twice)
    finally:
        loop = asyncio.get_event_loop_policy().get_event_loop()
        if not loop.is_running():
            loop.close()


NOTEBOOKS = lesson_notebooks()


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[notebook.stem for notebook in NOTEBOOKS])
def test_learner(notebook):
    failures = run_seeds(notebook, range(PYTEST_SEEDS))
    if failures:
        shown = "\n\n".join(failures[:3])
        rest = "".join(f"\n  and: {failure.splitlines()[0]}" for failure in failures[3:])
        pytest.fail(f"{len(failures)} failure(s) playing the learner:\n\n{shown}{rest}", pytrace=False)


OUT_OF_ORDER_CELLS = 3   # cells per lesson run right after the imports, as a learner who skipped ahead


def run_out_of_order(path, seed=0):
    """Run the first code cell, then a few later ones (picked by seed) without the cells between.

    Each must either work or stop with nnlib.course.order's one sentence ("run the cells above
    first"), never a NameError's traceback or another error. Returns failure reports.
    """
    import random

    path = Path(path)
    cells = [cell for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]
             if cell["cell_type"] == "code" and "".join(cell["source"]).strip() and not marked(cell, "skip")
             and not marked(cell, "raises-exception")]
    picked = sorted(random.Random(f"out of order:{path.name}:{seed}").sample(
        range(1, len(cells)), min(OUT_OF_ORDER_CELLS, len(cells) - 1)))
    kernel = Kernel(path.parent)
    failures = []
    try:
        kernel.execute("".join(cells[0]["source"]))
        for index in picked:
            outputs, _ = kernel.execute("".join(cells[index]["source"]))
            for out in outputs:
                if out["output_type"] != "error":
                    continue
                trace = out.get("traceback") or []
                if out.get("ename") != "NameError" or len(trace) > 2 or "run the cells above" not in trace[0].lower():
                    text = strip_ansi("\n".join(trace))[-1500:]
                    failures.append(f"{path.name}, code cell {index + 1} run right after the first: "
                                    f"{out.get('ename')}: {out.get('evalue')}\n{text}")
    finally:
        kernel.close()
    return failures


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[notebook.stem for notebook in NOTEBOOKS])
def test_a_cell_run_before_the_cells_above_it_says_so_in_one_sentence(notebook):
    failures = run_out_of_order(notebook)
    assert not failures, "\n\n".join(failures)


SELF_TEST_CELLS = [
    # 0: every kind of control, 1: after they moved, each holds a valid value
    """import sys
import ipywidgets as W
c = dict(
    fs=W.FloatSlider(value=0.5, min=-1, max=1, step=0.25), i=W.IntSlider(value=3, min=0, max=12, step=3),
    log=W.FloatLogSlider(value=1, min=-2, max=2, step=1), fr=W.FloatRangeSlider(value=(0, 1), min=0, max=2, step=0.5),
    ir=W.IntRangeSlider(value=(1, 2), min=0, max=9), bt=W.BoundedFloatText(value=1, min=1, max=2, step=0.1),
    dd=W.Dropdown(options=["a", "b", "c"]), rb=W.RadioButtons(options=[("one", 1), ("two", 2)]),
    tb=W.ToggleButtons(options=["x", "y"]), ss=W.SelectionSlider(options=list("pqrs")),
    sr=W.SelectionRangeSlider(options=list("pqrs"), index=(0, 1)), sm=W.SelectMultiple(options=list("uvw")),
    cb=W.Checkbox(value=False), tg=W.ToggleButton(value=False), off=W.FloatSlider(value=0.3, disabled=True),
)
W.VBox(list(c.values()))""",
    """assert c["fs"].value in (-1, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1) and c["i"].value % 3 == 0
assert c["log"].value in (0.01, 0.1, 1, 10, 100) and c["fr"].value[0] in (0, 0.5, 1, 1.5, 2)
assert 0 <= c["ir"].value[0] <= c["ir"].value[1] <= 9 and 1 <= c["bt"].value <= 2
assert c["dd"].value in "abc" and c["rb"].value in (1, 2) and c["ss"].value in "pqrs"
assert c["off"].value == 0.3   # disabled: left alone""",
    # 2: an observer that raises, 3: a bare bool, 4: a hidden cell that prints, 5: stderr
    """s = W.FloatSlider(value=0.55, min=0, max=1, step=0.1)   # off the grid: any move changes it
s.observe(lambda change: 1 / 0, "value")
s""",
    "import numpy as np\nnp.bool_(1 == 1)",
    "print('the answer')\n41 + 1",
    "print('careful', file=sys.stderr)",
    # 6: buttons whose click handlers raise (ipywidgets logs these instead of raising)
    """def broken(button):
    raise KeyError("click handler")
buttons = [W.Button(description=f"b{i}") for i in range(8)]
for button in buttons:
    button.on_click(broken)
W.HBox(buttons)""",
    # 7: meant to raise (nbval's marker), 8: marked to raise but does not, 9: skipped
    "# NBVAL_RAISES_EXCEPTION\nraise ValueError('the lesson shows this error')",
    "x = 1",
    "# NBVAL_SKIP\nraise ValueError('never run')",
]


def test_the_learner_catches_what_it_promises(tmp_path):
    cells = [{"cell_type": "code", "source": source, "metadata": {}, "outputs": [], "execution_count": None}
             for source in SELF_TEST_CELLS]
    cells[4]["metadata"] = {"jupyter": {"source_hidden": True}}
    cells[8]["metadata"] = {"tags": ["raises-exception"]}
    notebook = tmp_path / "01_self_test.ipynb"
    notebook.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    failures = {failure.split(",")[2].strip(): failure for failure in run_learner(notebook, seed=0)}
    assert sorted(failures) == ["cell 2 (code cell 3)", "cell 3 (code cell 4)", "cell 4 (code cell 5",
                                "cell 5 (code cell 6)", "cell 6 (code cell 7)", "cell 8 (code cell 9)"], failures.keys()
    assert "ZeroDivisionError" in failures["cell 2 (code cell 3)"] and "FloatSlider" in failures["cell 2 (code cell 3)"]
    assert "bare np.True_" in failures["cell 3 (code cell 4)"]
    assert "printed" in failures["cell 4 (code cell 5"] and "the answer" in failures["cell 4 (code cell 5"]
    assert "shows its result" in failures["cell 4 (code cell 5"] and "42" in failures["cell 4 (code cell 5"]
    assert "stderr" in failures["cell 5 (code cell 6)"] and "careful" in failures["cell 5 (code cell 6)"]
    assert "KeyError: 'click handler'" in failures["cell 6 (code cell 7)"]
    assert "marked to raise, but did not" in failures["cell 8 (code cell 9)"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: every lesson)")
    parser.add_argument("--seeds", type=int, default=SEEDS, help="run seeds 0..N-1 (default %(default)s)")
    parser.add_argument("--seed", type=int, help="run only this seed")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each cell as it runs")
    parser.add_argument("--twice", action="store_true", help="run every quick cell twice in a row")
    args = parser.parse_args(argv)
    here = Path.cwd() / "notebooks"   # run from a checkout's root: its lessons, not this file's
    notebooks = args.notebooks or lesson_notebooks(here if here.is_dir() and "LEARNER_NOTEBOOKS" not in os.environ else None)
    seeds = [args.seed] if args.seed is not None else range(args.seeds)
    log = (lambda text: print(text, flush=True)) if args.verbose else None
    failed = 0
    for notebook in notebooks:
        for seed in seeds:
            start = time.monotonic()
            failures = run_learner(notebook, seed, log=log, twice=args.twice)
            status = "ok" if not failures else f"FAILED ({len(failures)})"
            print(f"{notebook} seed {seed}: {status} in {time.monotonic() - start:.1f} s", flush=True)
            for failure in failures:
                print("\n" + failure + "\n", flush=True)
            failed += bool(failures)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
