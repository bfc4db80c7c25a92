"""The repository keeps its promises: stripped notebooks, matching requirements, a README that fits."""
import ast
import collections
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

try:  # the one parser of the README's Quick start (tests/ is on sys.path under pytest's default import mode)
    import readme_commands
except ImportError:  # tests/ became a package
    from tests import readme_commands

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]*_*.ipynb"))
# What only the tests use: never installed for a learner or on Binder.
TEST_TOOLS = {"pytest", "nbval", "nbstripout", "playwright"}
SOURCES = ("Library from Scratch", "Build Your Own Network", "DLFS Notes", "Deep Learning Wheels",
           "Basic Network in Python")


def tracked(pattern):
    out = subprocess.run(["git", "ls-files", pattern], cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:  # not a git checkout (e.g. an unpacked archive): check what is on disk
        return sorted(p.relative_to(ROOT).as_posix() for p in ROOT.glob(pattern))
    return out.stdout.split()


@pytest.mark.parametrize("path", tracked("*.ipynb") or ["(no notebooks)"])
def test_notebook_committed_without_outputs(path):
    if path == "(no notebooks)":
        pytest.skip("no notebooks yet")
    nb = json.loads((ROOT / path).read_text(encoding="utf-8"))
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            assert not cell.get("outputs"), f"{path} cell {i} has outputs: run nbstripout {path}"
            assert cell.get("execution_count") is None, f"{path} cell {i} has an execution count: run nbstripout"


def package_names(path):
    """The packages a requirements file names, following its `-r FILE` includes."""
    names = set()
    for line in (ROOT / path).read_text().splitlines():
        line = line.split("#")[0].strip()
        if line.startswith(("-r ", "--requirement ")):
            names |= package_names((Path(path).parent / line.split(None, 1)[1]).as_posix())
        elif line and not line.startswith("-"):
            names.add(re.split(r"[=<>!~\[; ]", line)[0].lower())
    return names


def installed_by(command):
    """The packages a README command installs (its `pip install -r FILE`s)."""
    tokens = command.split()
    files = [tokens[i + 1] for i, token in enumerate(tokens[:-1]) if token in ("-r", "--requirement")]
    assert files, f"this README command installs no requirements file: {command}"
    return set().union(*(package_names(f) for f in files))


def test_binder_requirements_match():
    assert package_names("requirements.txt") == package_names("binder/requirements.txt")
    for path in ("requirements.txt", "binder/requirements.txt"):
        lines = [line.strip() for line in (ROOT / path).read_text().splitlines() if line.strip()]
        assert lines[-1] == "-e .", f"{path} must end with -e ."
    pins = {line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines() if "==" in line}
    assert pins == {line.strip() for line in (ROOT / "binder/requirements.txt").read_text().splitlines() if "==" in line}
    assert re.fullmatch(r"python-3\.1\d\s*", (ROOT / "binder/runtime.txt").read_text())


def test_required_stack_is_installed_by_the_test_command():
    open_cmd, test_cmd = readme_commands.quick_start_commands()
    assert {"numpy", "matplotlib", "jupyterlab", "ipywidgets", "nbval", "pytest"} <= installed_by(test_cmd)
    assert {"numpy", "matplotlib", "jupyterlab", "ipywidgets", "ipykernel", "tqdm"} <= installed_by(open_cmd)


def test_learners_get_no_test_tools():
    """requirements.txt (and so Binder) is what the course needs; the test tools are in requirements-test.txt."""
    for path in ("requirements.txt", "binder/requirements.txt"):
        assert not TEST_TOOLS & package_names(path), f"{path} installs test tools {TEST_TOOLS & package_names(path)}"
    lines = [ln.split("#")[0].strip() for ln in (ROOT / "requirements-test.txt").read_text().splitlines()]
    lines = [ln for ln in lines if ln]
    assert lines[0] == "-r requirements.txt", "requirements-test.txt must start from the course: -r requirements.txt"
    assert TEST_TOOLS <= package_names("requirements-test.txt")
    for line in lines[1:]:
        assert re.fullmatch(r"[A-Za-z0-9._-]+==[0-9][\w.]*", line), f"requirements-test.txt: pin {line!r} (name==version)"


def test_nnlib_core_needs_only_numpy_and_tqdm():
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = lambda specs: {re.split(r"[=<>!~\[; ]", spec)[0].lower() for spec in specs}
    assert names(project["dependencies"]) == {"numpy", "tqdm"}
    assert names(project["optional-dependencies"]["course"]) == {"matplotlib", "ipywidgets", "ipycanvas"}


def test_readme_has_binder_badge_quick_start_and_every_lesson():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "urlpath=lab/tree/notebooks/01_neuron.ipynb" in readme
    quick_start = readme.split("## Quick start")[1].split("\n## ")[0]
    assert quick_start.count("```bash") == 2
    for nb in NOTEBOOKS:
        assert f"(notebooks/{nb.name})" in readme, f"README's lesson table does not link {nb.name}"
    for linked in re.findall(r"\(notebooks/([^)]+\.ipynb)\)", readme):
        assert (ROOT / "notebooks" / linked).is_file(), f"README links notebooks/{linked}, which does not exist"
    assert "CC BY-SA 3.0" in readme


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci/run").read_text()
    assert "README.md" in ci and "-eq 5" in ci
    assert "python3 tests/readme_commands.py test" in ci, ".ci/run must read the test command with tests/readme_commands.py"
    assert "awk" not in ci and "sed " not in ci, ".ci/run must not parse the README a second way"
    test_command = readme_commands.command("test")
    assert "pytest --nbval-lax --nbval-current-env" in test_command
    result = subprocess.run([sys.executable, "tests/readme_commands.py", "test"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == test_command, result.stderr


def test_readme_commands_needs_only_the_standard_library():
    """.ci/run runs tests/readme_commands.py with the machine's python3, before any venv exists."""
    source = (ROOT / "tests/readme_commands.py").read_text()
    imported = set(re.findall(r"^\s*(?:import|from)\s+([A-Za-z_]\w*)", source, re.MULTILINE))
    assert imported <= set(sys.stdlib_module_names), imported - set(sys.stdlib_module_names)


def test_ci_installs_chromium_and_the_fonts_the_screenshots_need():
    ci = (ROOT / ".ci/run").read_text()
    for package in ("chromium", "fonts-noto-cjk", "fonts-noto-color-emoji"):
        assert package in ci, f".ci/run must install Debian's {package}"
    assert "dpkg -s" in ci and "apt-get update" in ci and "DEBIAN_FRONTEND=noninteractive" in ci


def test_readme_sources_table():
    """## Sources is a table of the five tutorials by their short names; the course never calls them seeds."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "\n## Sources\n" in readme, "keep the heading '## Sources': lessons link ../README.md#sources"
    sources = readme.split("\n## Sources\n")[1].split("\n## ")[0]
    rows = [line for line in sources.splitlines() if line.startswith("| *")]
    assert [row.split("|")[1].strip().strip("*") for row in rows] == list(SOURCES)
    for author in ("James Loy", "Victor Zhou", "Koki Saito"):
        assert author in sources
    assert not re.search(r"\bseed\s*0\d\d", readme, re.IGNORECASE), "the README calls a source tutorial a seed"


def test_readme_what_is_here_lists_the_layout():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## What is here")[1].split("\n## ")[0]
    for part, path in (("lessons", "`notebooks/`"), ("library", "`nnlib/`"), ("lessons", "`nnlib/course/`"),
                       ("applications", "`nnlib/apps/`"), ("tests", "`tests/`"), ("tools", "`benchmarks/`"),
                       ("setup", "`requirements.txt`"), ("setup", "`requirements-test.txt`"), ("setup", "`binder/`"),
                       ("setup", "`.ci/run`")):
        assert f"| {part} | {path} |" in table, f"README's 'What is here' table does not list {path} under {part}"
    core_row = next(line for line in table.splitlines() if line.startswith("| library | `nnlib/` |"))
    for module in sorted((ROOT / "nnlib").glob("*.py")):
        if module.name != "__init__.py":
            assert f"`{module.name}`" in core_row, f"README's 'What is here' does not list nnlib/{module.name}"


def defined_names(path):
    """The names a module defines at its top: classes, functions (public and private), and checks
    bound by assignment (check_softmax = SOFTMAX.check)."""
    names = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {target.id for target in node.targets
                      if isinstance(target, ast.Name) and target.id.startswith("check_")}
    return names


def test_no_two_course_or_app_modules_define_the_same_name():
    """"Which check_x is this?" never arises: a class, function or check defined at the top of one module
    of nnlib/course/ or nnlib/apps/ is defined in no other of them."""
    modules = collections.defaultdict(list)
    for path in sorted((ROOT / "nnlib/course").glob("*.py")) + sorted((ROOT / "nnlib/apps").glob("*.py")):
        for name in defined_names(path):
            modules[name].append(path.relative_to(ROOT).as_posix())
    clashes = {name: paths for name, paths in sorted(modules.items()) if len(paths) > 1}
    assert not clashes, "defined in more than one module (rename one of each):\n" + "\n".join(
        f"  {name}: {', '.join(paths)}" for name, paths in clashes.items())


def test_figures_are_readable_by_default():
    """Pictures at least 100 dpi; a wide figure widget shrinks to the notebook's width rather than spilling out."""
    pytest.importorskip("matplotlib")
    pytest.importorskip("ipywidgets")
    import inspect

    from nnlib.course.widgets import FigureWidget

    assert inspect.signature(FigureWidget).parameters["dpi"].default >= 100
    figure = FigureWidget()
    assert figure.fig.dpi >= 100 and figure.image.layout.max_width == "100%"


def test_mnist_is_bundled_with_its_licence():
    for name in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        assert f"data/mnist/{name}.gz" in tracked("data/mnist/*.gz")
    assert "CC BY-SA 3.0" in (ROOT / "data/mnist/README.md").read_text()


def test_nothing_is_loaded_with_pickle():
    for path in tracked("*.py") + tracked("*.ipynb"):
        if path.startswith("tests/"):
            continue
        text = (ROOT / path).read_text(encoding="utf-8")
        assert "import pickle" not in text and "allow_pickle=True" not in text, path


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_lesson_opens_with_objectives_and_time_matching_the_readme(nb):
    cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
    opening = "".join(cells[0]["source"]) if cells[0]["cell_type"] == "markdown" else ""
    assert "Objectives" in opening and "Prerequisites" in opening, f"{nb.name} must open with objectives and prerequisites"
    minutes = re.search(r"[Aa]bout (\d+) minutes", opening)
    assert minutes, f"{nb.name} must say how long it takes ('about N minutes')"
    row = next(line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines() if f"(notebooks/{nb.name})" in line)
    assert row.rstrip(" |").endswith(minutes.group(1)), f"README says {row.split('|')[-2].strip()} minutes for {nb.name}"
    closing = "".join("".join(c["source"]) for c in cells[-3:] if c["cell_type"] == "markdown")
    assert "Recap" in closing or "recap" in closing.lower(), f"{nb.name} must close with a recap"


HISTORY = re.compile("|".join(["used to " + "(give|be|return|pass|print)", "/work/" + "wt", "work" + "tree",
                               "before the " + "fix", "no longer " + "(gives|returns|passes)"]), re.IGNORECASE)


def test_code_explains_itself_without_narrating_its_history():
    """Comments, docstrings and test names say what the code does and why, not what it once did
    or where a developer kept it."""
    found = []
    for folder in ("nnlib", "tests", "scripts", "benchmarks"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if HISTORY.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "lines that narrate history:\n" + "\n".join(found)
