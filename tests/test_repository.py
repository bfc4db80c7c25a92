"""The repository keeps its promises: stripped notebooks, matching requirements, a README that fits."""
import json
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]*_*.ipynb"))


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
    names = set()
    for line in (ROOT / path).read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            names.add(re.split(r"[=<>!~\[; ]", line)[0].lower())
    return names


def test_binder_requirements_match():
    assert package_names("requirements.txt") == package_names("binder/requirements.txt")
    for path in ("requirements.txt", "binder/requirements.txt"):
        lines = [line.strip() for line in (ROOT / path).read_text().splitlines() if line.strip()]
        assert lines[-1] == "-e .", f"{path} must end with -e ."
    pins = {line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines() if "==" in line}
    assert pins == {line.strip() for line in (ROOT / "binder/requirements.txt").read_text().splitlines() if "==" in line}
    assert re.fullmatch(r"python-3\.1\d\s*", (ROOT / "binder/runtime.txt").read_text())


def test_required_stack_is_installed_from_requirements():
    assert {"numpy", "matplotlib", "jupyterlab", "ipywidgets", "nbval", "pytest"} <= package_names("requirements.txt")


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
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start")[1]
    test_command = quick_start.split("```bash")[2].split("```")[0].strip()
    assert "pytest --nbval-lax --nbval-current-env" in test_command


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
