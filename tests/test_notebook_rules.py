"""Static rules every lesson notebook keeps (read from the JSON, nothing is run).

- A source tutorial is called by its short name, never "seed 000".."seed 004"
  ("seed" is for random seeds), and code names do not say "seed" for "the
  source's version" (`SeedLinear`, `seed_softmax`: write `SourceLinear`).
  The same holds in nnlib, whose check messages and titles the learner reads.
- A hidden solution cell (metadata jupyter.source_hidden) never rebinds a name
  that an earlier cell defines as a stub raising NotImplementedError: Run All
  must not replace the learner's code. Solutions use their own names.
- A cell that ends with an exercise check call (`check_...(...)`) ends with
  `;`, so it shows no bare True/False.
- A widget shown to the learner (a cell ending in `view.box` or
  `display(view.box)`) is never read or moved by a later cell: checks build
  their own instance, so whatever the learner did to it, later cells run.
- A lesson with exercises ends with `summary("NN");`, its own number, so that
  after Run All the learner sees every exercise as done, not yet right or to do;
  the exercises it lists are those the lesson's checks declare.

That a hidden solution prints nothing is checked where the cells run, in
tests/test_learner.py. Run: PYTHONPATH=$PWD python -m pytest -q tests/test_notebook_rules.py
"""
import ast
import io
import json
import os
import re
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FOLDER = Path(os.environ.get("LEARNER_NOTEBOOKS") or ROOT / "notebooks")
NOTEBOOKS = sorted(FOLDER.glob("[0-9][0-9]*_*.ipynb"))

SEED_NUMBER = re.compile(r"\bseeds?[\s_-]*00[0-4]\b", re.IGNORECASE)   # "seed 004", "Seed 000", "seeds 001"
SEED_NAME = re.compile(r"\b(?:Seed[A-Z0-9]\w*|seed_\w+)")              # SeedLinear, seed_softmax


def cells_of(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def source(cell):
    return "".join(cell["source"])


def is_hidden(cell):
    return bool(cell.get("metadata", {}).get("jupyter", {}).get("source_hidden"))


def python_of(cell):
    """The cell's code as a Python module: IPython magics and shell lines blanked."""
    return re.sub(r"(?m)^\s*[%!].*$", "", source(cell))


def top_level_names(tree):
    """Names a cell binds at top level: def, class, assignment, import."""
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    return names


def raises_not_implemented(node):
    for inner in ast.walk(node):
        if isinstance(inner, ast.Raise) and inner.exc is not None:
            exc = inner.exc.func if isinstance(inner.exc, ast.Call) else inner.exc
            if isinstance(exc, ast.Name) and exc.id == "NotImplementedError":
                return True
    return False


def stub_names(tree):
    """Functions, classes and methods this cell defines as stubs for the learner (raising NotImplementedError):
    a class's stub methods count too, since a solution class with a method of that name rewrites the learner's
    work in the reader's eye (and in the rules' checker)."""
    return {node.name for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and raises_not_implemented(node)}


def defined_names(tree):
    """Names a cell binds at top level, plus every function and method it defines anywhere."""
    return top_level_names(tree) | {node.name for node in ast.walk(tree)
                                    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}


def is_check_call(node):
    if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
        return False
    func = node.value.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name.startswith("check_")


def last_token(code):
    """The last significant token of the code (comments and line ends skipped)."""
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.ENDMARKER, tokenize.INDENT, tokenize.DEDENT}
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(code).readline) if t.type not in skip]
    return tokens[-1].string if tokens else ""


def first_line(text):
    return text.strip().splitlines()[0] if text.strip() else ""


def shown_widget(tree):
    """The name whose `.box` the cell shows as its last expression (`view.box`, `display(view.box)`), or None."""
    if not tree.body or not isinstance(tree.body[-1], ast.Expr):
        return None
    value = tree.body[-1].value
    if isinstance(value, ast.Call) and getattr(value.func, "id", "") == "display" and len(value.args) == 1:
        value = value.args[0]
    if isinstance(value, ast.Attribute) and value.attr == "box" and isinstance(value.value, ast.Name):
        return value.value.id
    return None


def reads_before_rebinding(tree, name):
    """(reads `name` before binding it anew, binds it anew) for one cell's code."""
    loads = [n.lineno for n in ast.walk(tree)
             if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)]
    rebinds = [node.lineno for node in tree.body if name in top_level_names(ast.Module(body=[node], type_ignores=[]))]
    first_rebind = min(rebinds, default=None)
    return any(first_rebind is None or line <= first_rebind for line in loads), first_rebind is not None


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_sources_are_called_by_name_not_seed(notebook):
    problems = []
    for index, cell in enumerate(cells_of(notebook)):
        for number, line in enumerate(source(cell).splitlines(), 1):
            for pattern, why in [(SEED_NUMBER, "a source tutorial called by its file number"),
                                 (SEED_NAME, "a name that says 'seed' for the source's version")]:
                for match in pattern.finditer(line):
                    problems.append(f"cell {index} ({cell['cell_type']}) line {number}: {match.group()!r}, "
                                    f"{why}: {line.strip()[:120]}")
    if problems:
        pytest.fail(
            f"{notebook.name}: use the sources' short names ([*Basic Network in Python*](../README.md#sources)) "
            "and names like SourceLinear / source_softmax; 'seed' is for random seeds:\n" + "\n".join(problems),
            pytrace=False)


def test_library_calls_sources_by_name_not_seed():
    """What nnlib prints (check messages, plot titles) reaches the learner too."""
    problems = [f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}"
                for path in sorted((ROOT / "nnlib").rglob("*.py"))
                for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if SEED_NUMBER.search(line) or SEED_NAME.search(line)]
    if problems:
        pytest.fail("nnlib calls a source tutorial 'seed' (use its short name, e.g. the *Basic Network in Python* "
                    "tutorial):\n" + "\n".join(problems), pytrace=False)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_hidden_solutions_use_their_own_names(notebook):
    stubs, problems = {}, []
    for index, cell in enumerate(cells_of(notebook)):
        if cell["cell_type"] != "code":
            continue
        tree = ast.parse(python_of(cell))
        # Any later cell, hidden solution or not: a second class with a `forward` of its own reads (to the
        # rules' checker too) as rewriting the learner's `forward`, so each stub name is defined once.
        for name in sorted(defined_names(tree) & stubs.keys()):
            kind = "hidden cell" if is_hidden(cell) else "cell"
            problems.append(f"{kind} {index} ({first_line(source(cell))!r}) redefines {name}, "
                            f"the learner's stub from cell {stubs[name]}: give it a name of its own "
                            f"(e.g. {name}_solution), or write both in the stub's cell")
        if not is_hidden(cell):
            for name in stub_names(tree):
                stubs.setdefault(name, index)
    if problems:
        pytest.fail(f"{notebook.name}: Run All would overwrite the learner's code:\n" + "\n".join(problems),
                    pytrace=False)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_check_calls_end_with_semicolon(notebook):
    problems = []
    for index, cell in enumerate(cells_of(notebook)):
        if cell["cell_type"] != "code":
            continue
        code = python_of(cell)
        tree = ast.parse(code)
        if tree.body and is_check_call(tree.body[-1]) and last_token(code) != ";":
            call = ast.get_source_segment(code, tree.body[-1])
            problems.append(f"cell {index}: {call!r} shows a bare True/False: write {call};")
    if problems:
        pytest.fail(f"{notebook.name}: a check call cell ends with ';':\n" + "\n".join(problems), pytrace=False)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_no_cell_reads_the_widget_the_learner_plays_with(notebook):
    shown, problems = {}, []       # name -> the cell that showed it
    for index, cell in enumerate(cells_of(notebook)):
        if cell["cell_type"] != "code":
            continue
        tree = ast.parse(python_of(cell))
        for name, where in list(shown.items()):
            reads, rebinds = reads_before_rebinding(tree, name)
            if reads:
                problems.append(f"cell {index} ({first_line(source(cell))!r}) uses {name}, the widget the learner "
                                f"plays with from cell {where}: build its own instance instead")
            if rebinds:
                del shown[name]
        name = shown_widget(tree)
        if name:
            shown[name] = index
    if problems:
        pytest.fail(f"{notebook.name}: a later cell depends on the state of a learner's widget:\n"
                    + "\n".join(problems), pytrace=False)


def test_the_rules_catch_what_they_promise_and_nothing_else():
    flagged = ["Seed 004's neuron", "(seed 000)", "seeds 001, 003", "seed_004", "class SeedLinear:", "seed_softmax(x)"]
    fine = ["SEED = 0", "rng = np.random.default_rng(SEED)", "nn.seed(3)", "a seeded generator", "seed 5", "seed 0042"]
    assert all(SEED_NUMBER.search(text) or SEED_NAME.search(text) for text in flagged)
    assert not any(SEED_NUMBER.search(text) or SEED_NAME.search(text) for text in fine)

    stub = ast.parse("def softmax(x):\n    '''doc'''\n    raise NotImplementedError\nclass Net:\n"
                     "    def forward(self, x):\n        raise NotImplementedError()\ndef helper():\n    return 1")
    assert stub_names(stub) == {"softmax", "Net", "forward"}   # a stub method counts too
    assert top_level_names(ast.parse("def softmax(x): pass\nnet, (a, b) = 1, (2, 3)\nimport numpy as np")) == {
        "softmax", "net", "a", "b", "np"}

    def ends_badly(code):
        tree = ast.parse(code)
        return is_check_call(tree.body[-1]) and last_token(code) != ";"
    assert ends_badly("l01.check_neuron(neuron)") and ends_badly("x = 1\ncheck_mse(mse)  # ; in a comment\n")
    assert not ends_badly("l03.check_softmax(softmax);   # prints what is wrong")
    assert not ends_badly("check_softmax(softmax)\nx = 1") and not ends_badly("print(check_mse(mse))")
    assert python_of({"source": ["%matplotlib inline\n", "x = 1\n"]}).strip() == "x = 1"

    assert shown_widget(ast.parse("view = l05.build_view()\nview.box")) == "view"
    assert shown_widget(ast.parse("display(pad.box)")) == "pad" and shown_widget(ast.parse("view.box = 1")) is None
    assert shown_widget(ast.parse("probe.box\nx = 1")) is None
    assert reads_before_rebinding(ast.parse("assert view.label.value == 'AND'"), "view") == (True, False)
    assert reads_before_rebinding(ast.parse("# view above\nprobe = build()  # not view\ns = 'view.box'"),
                                  "view") == (False, False)
    assert reads_before_rebinding(ast.parse("view = build()\nview.slider.value = 2"), "view") == (False, True)
    assert reads_before_rebinding(ast.parse("view.slider.value = 2\nview = build()"), "view") == (True, True)


def lesson_id(notebook):
    return notebook.stem.split("_")[0]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_a_lesson_with_exercises_ends_with_its_summary(notebook):
    import importlib
    import pkgutil

    import nnlib.course
    from nnlib.course import exercise

    for module in pkgutil.walk_packages(nnlib.course.__path__, "nnlib.course."):
        importlib.import_module(module.name)
    declared = exercise.lesson_exercises(lesson_id(notebook))
    code = [c for c in cells_of(notebook) if c["cell_type"] == "code"]
    last = "".join(code[-1]["source"]).strip()
    if not declared:
        assert "summary(" not in last, f"{notebook.name} declares no exercise but ends with a summary"
        return
    assert last == f'summary("{lesson_id(notebook)}");', (
        f"{notebook.name} declares the exercises {[e.name for e in declared]} but its last cell is {last!r}, "
        f'not summary("{lesson_id(notebook)}");')
    text = "\n".join("".join(c["source"]) for c in code)
    for ex in declared:
        assert f"check_{ex.name}" in text or f".check({ex.name}" in text or ex.name in text, (
            f"{notebook.name} never checks its exercise {ex.name}")
