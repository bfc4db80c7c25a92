"""README.md's "Quick start", followed literally.

The Quick start has exactly two shell commands, each in its own ```bash block: the first installs
the course and opens lesson 01 in JupyterLab, the second installs it and runs every test.

The commands are read by tests/readme_commands.py, the same parser .ci/run uses.

- test_quick_start_matches_repository (fast): both commands parse, every path they mention is in the
  repository (and committed), and JupyterLab is told to serve the whole repository (not notebooks/).
- test_quick_start_installs_and_opens_lesson (slow, ~1-2 min with a warm pip cache): in a temporary copy
  of the repository (its git-tracked files, plus data/), run command 1 with its final `jupyter lab PATH`
  replaced by a background server (127.0.0.1, free port, token, --no-browser, same PATH and options);
  check that its root is the repository (nnlib/ can be opened from the file browser), fetch PATH from
  the server and check it is a valid notebook; follow command 2's install too; check `import nnlib` and
  that every package of the requirements files both commands install (following `-r`) is installed at
  its pinned version in the fresh venv. Command 2's test run itself
  is not repeated here (it is the run this test is part of); nor is its install when this test runs in the
  venv command 2 creates (as in CI): its pins are checked in the running venv instead.
"""
import json
import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

try:  # the e2e suite's server helpers and the README parser (tests/ is on sys.path under pytest's default import mode)
    import readme_commands
    from e2e.conftest import free_port, isolated_env, stop_process_group
except ImportError:  # tests/ became a package
    from tests import readme_commands
    from tests.e2e.conftest import free_port, isolated_env, stop_process_group

REPO = Path(__file__).resolve().parents[1]
INSTALL_TIMEOUT = 1200  # s for venv + pip install (a cold pip cache downloads ~150 MB)
SERVER_TIMEOUT = 120  # s until the server answers /api/status


# ---- reading the README ------------------------------------------------------------------------

def steps(command):
    """Split `a && b && c` into token lists; only `&&` may join the steps."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    result = [[]]
    for token in lexer:
        if token == "&&":
            result.append([])
        elif token in (";", "|", "||", "&", ">", "<", ">>"):
            raise AssertionError(f"unexpected shell operator {token!r} in Quick start command: {command}")
        else:
            result[-1].append(token)
    assert all(result), f"empty step in Quick start command: {command}"
    return result


def quick_start_commands(readme_text):
    """(open_command, test_command): the two Quick start commands, checked for their shape."""
    open_cmd, test_cmd = readme_commands.quick_start_commands(readme_text)
    last = steps(open_cmd)[-1]
    assert Path(last[0]).name == "jupyter" and last[1:2] == ["lab"], (
        f"the first Quick start command must end with `.../jupyter lab PATH`, it ends with {shlex.join(last)!r}")
    assert any("pytest" in step for step in steps(test_cmd)), (
        f"the second Quick start command must run pytest: {test_cmd!r}")
    return open_cmd, test_cmd


def setup_steps(command):
    """The steps before the one that opens JupyterLab or runs pytest: the install."""
    all_steps = steps(command)
    for i, step in enumerate(all_steps):
        if "pytest" in step or (Path(step[0]).name == "jupyter" and step[1:2] == ["lab"]):
            return all_steps[:i]
    return all_steps


def mentioned_paths(command):
    """Repository paths a command relies on: `-r FILE`, and every argument that looks like a file path
    (has a `/` or a file suffix) and is not an option, a `-m` module, or inside the venv it creates."""
    paths, venvs = [], []
    for step in steps(command):
        for i, token in enumerate(step):
            before = step[i - 1] if i else None
            if before == "-m" and token == "venv" and i + 1 < len(step):
                venvs.append(step[i + 1].rstrip("/"))
            if i == 0 or token.startswith("-") or before == "-m":
                continue
            if before in ("-r", "--requirement", "-c", "--constraint"):
                paths.append(token)
            elif ("/" in token or re.search(r"\.[A-Za-z]\w*$", token)) and not any(
                    token == v or token.startswith(v + "/") for v in venvs):
                paths.append(token)
    return list(dict.fromkeys(paths))


def option_value(step, name):
    """The value of `--name=VALUE` or `--name VALUE` in a command's tokens, or None."""
    for i, token in enumerate(step):
        if token.startswith(f"{name}="):
            return token.split("=", 1)[1]
        if token == name and i + 1 < len(step):
            return step[i + 1]
    return None


ROOT_OPTIONS = ("--ServerApp.root_dir", "--ServerApp.notebook_dir", "--notebook-dir")


def jupyter_root(jupyter_step):
    """The root folder the README's `jupyter lab` step gives the server (relative to where it runs), or None."""
    for name in ROOT_OPTIONS:
        value = option_value(jupyter_step, name)
        if value is not None:
            return value
    return None


def requirement_files(command):
    """The requirements files a command installs (`pip install -r FILE`)."""
    return [step[i + 1] for step in steps(command) for i, token in enumerate(step[:-1])
            if token in ("-r", "--requirement")]


def tracked_files(repo):
    """git ls-files of `repo`, or None when it is not a git checkout (or git is missing)."""
    try:
        out = subprocess.run(["git", "-C", str(repo), "ls-files", "-z"], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    return [p for p in out.stdout.decode().split("\0") if p]


def requirement_pins(path, _seen=None):
    """{distribution name: pinned version or None} of a requirements file and the files it includes
    with `-r`; `-e .` is the course (nnlib)."""
    path = Path(path)
    seen = set() if _seen is None else _seen
    assert path.resolve() not in seen, f"{path} includes itself (-r)"
    seen.add(path.resolve())
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split(" #")[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(("-e", "--editable")):
            pins["nnlib"] = None  # the repository itself, installed editable
            continue
        if line.startswith(("-r", "--requirement")):
            included = line.split(None, 1)[1] if " " in line else line.split("=", 1)[1]
            pins.update(requirement_pins(path.parent / included.strip(), seen))
            continue
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*(?:==\s*([^\s;,]+))?", line)
        assert match, f"cannot read requirement line {line!r}"
        pins[match.group(1)] = match.group(2)
    return pins


# ---- the tests ---------------------------------------------------------------------------------

def read_readme(repo=REPO):
    readme = repo / "README.md"
    assert readme.is_file(), f"{readme} is missing: the Quick start lives there"
    return readme.read_text(encoding="utf-8")


def test_quick_start_matches_repository():
    """Both Quick start commands parse, and every path they mention exists in the repository and is committed."""
    open_cmd, test_cmd = quick_start_commands(read_readme())
    tracked = tracked_files(REPO)
    for command in (open_cmd, test_cmd):
        for path in mentioned_paths(command):
            assert (REPO / path).exists(), f"README's Quick start mentions {path!r}, which is not in the repository"
            if tracked is not None and (REPO / path).is_file():
                assert path in tracked, (
                    f"README's Quick start mentions {path!r}: it exists here but is not committed (git ls-files), "
                    "so a fresh clone would not have it")
    assert "requirements.txt" in requirement_files(open_cmd), "the first Quick start command must install requirements.txt"
    jupyter_step = steps(open_cmd)[-1]
    root = jupyter_root(jupyter_step)
    assert root is not None and (REPO / root).resolve() == REPO, (
        f"the first Quick start command must serve the whole repository (e.g. `--ServerApp.root_dir=.`), so that "
        f"nnlib/ can be opened from JupyterLab's file browser; `jupyter lab FILE` alone serves FILE's folder: "
        f"{shlex.join(jupyter_step)!r}")
    notebooks = [t for t in jupyter_step[2:] if not t.startswith("-") and t.endswith(".ipynb")]
    assert notebooks == ["notebooks/01_neuron.ipynb"], f"the first Quick start command must open lesson 01: {open_cmd!r}"


def test_readme_says_what_to_add_as_root():
    """JupyterLab refuses to start as root (a container): the README says to add --allow-root."""
    readme = read_readme()
    assert "--allow-root" in readme and "root" in readme.split("--allow-root")[0][-300:]


def copy_repository(repo, dest):
    """Copy what a fresh clone holds: the git-tracked files (as in the working tree), plus data/."""
    tracked = tracked_files(repo)
    skip = shutil.ignore_patterns(".git", ".venv", "artifacts", "__pycache__", "*.egg-info", ".ipynb_checkpoints",
                                  ".cache", "build", ".pytest_cache")
    if tracked is None:  # not a git checkout: everything but the usual generated files
        shutil.copytree(repo, dest, ignore=skip, symlinks=True)
        return
    for rel in tracked:
        source = repo / rel
        if source.is_file() or source.is_symlink():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / rel, follow_symlinks=False)
    if (repo / "data").is_dir():
        shutil.copytree(repo / "data", dest / "data", ignore=skip, dirs_exist_ok=True)


def without_this_venv(env):
    """`env` without this test run's venv, so `python3` is the machine's Python, as for a learner."""
    env = dict(env)
    own_bin = str(Path(sys.executable).parent)
    if sys.prefix != sys.base_prefix:
        env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != own_bin)
    for name in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PIP_REQUIRE_VIRTUALENV", "PIP_NO_CACHE_DIR"):
        env.pop(name, None)
    return env


def install_env():
    """The user's own environment (their pip configuration and cache), minus this test run's venv."""
    env = without_this_venv(os.environ)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INPUT"] = "1"
    # The same packages, without compiling every .py file to bytecode at install time (Python does that at
    # first import): 13 s of the 47 s install here, and nothing this test checks depends on it.
    env["PIP_COMPILE"] = "0"   # pip's --compile off (PIP_NO_COMPILE=1 would turn it ON: pip inverts "no-" options)
    return env


def run_shell(command, cwd, env, timeout, what):
    try:
        result = subprocess.run(["bash", "-c", command], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{what} did not finish within {timeout} s: {command}", pytrace=False)
    assert result.returncode == 0, (
        f"{what} failed (exit {result.returncode}): {command}\n--- stdout (end) ---\n{result.stdout[-3000:]}"
        f"\n--- stderr (end) ---\n{result.stderr[-3000:]}")
    return result.stdout


def http_get(url, token, timeout=30):
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, response.read()


def check_installed(venv_python, course, pins):
    """In the fresh venv: nnlib imports from the copy, and every requirement is installed at its pin."""
    script = (
        "import json, importlib.metadata as m, sys\n"
        "import nnlib\n"
        "found = {}\n"
        f"for name in {sorted(pins)!r}:\n"
        "    try: found[name] = m.version(name)\n"
        "    except m.PackageNotFoundError: found[name] = None\n"
        "print(json.dumps({'nnlib_file': nnlib.__file__, 'versions': found}))\n"
    )
    result = subprocess.run([str(venv_python), "-c", script], cwd=course, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"`import nnlib` fails in the fresh venv:\n{result.stderr[-3000:]}"
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert Path(report["nnlib_file"]).resolve().is_relative_to(course.resolve()), (
        f"nnlib in the fresh venv comes from {report['nnlib_file']}, not from the course copy {course}")
    problems = [f"{name}: wanted {pin or 'any version'}, installed {report['versions'][name]}"
                for name, pin in pins.items()
                if report["versions"][name] is None or (pin and report["versions"][name] != pin)]
    assert not problems, "requirements.txt packages missing or at another version in the fresh venv:\n" + "\n".join(problems)


def serve_and_fetch(course, jupyter_step, env):
    """Run `jupyter lab PATH` (from the README) as a background server; fetch PATH; stop the server by PID."""
    notebook_paths = [t for t in jupyter_step[2:] if not t.startswith("-")]
    assert notebook_paths, f"the README's `jupyter lab` opens no notebook: {shlex.join(jupyter_step)}"
    port, token = free_port(), secrets.token_hex(24)
    extra = ["--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
             f"--IdentityProvider.token={token}", "--LabApp.news_url=None", "--LabApp.extension_manager=readonly"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        extra.append("--allow-root")
    log_path = course.parent / "quickstart_jupyter.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([*jupyter_step, *extra], cwd=course, env=env, stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_TIMEOUT
        while True:
            assert proc.poll() is None, (
                f"`{shlex.join(jupyter_step)}` exited with code {proc.returncode}:\n{log_path.read_text()[-3000:]}")
            try:
                http_get(f"{base}/api/status", token, timeout=2)
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                assert time.monotonic() < deadline, (
                    f"JupyterLab did not answer within {SERVER_TIMEOUT} s:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.25)
        # `jupyter lab FILE` serves FILE's folder: find the server's root in its runtime file.
        runtime = sorted(Path(env["JUPYTER_RUNTIME_DIR"]).glob("jpserver-*.json"))
        assert runtime, "the JupyterLab server wrote no jpserver-*.json runtime file"
        root = Path(json.loads(runtime[-1].read_text())["root_dir"]).resolve()
        assert root == course.resolve(), f"JupyterLab serves {root}, not the repository {course}"
        status, body = http_get(f"{base}/api/contents/nnlib?content=1", token)
        listing = json.loads(body)
        assert listing["type"] == "directory" and any(item["name"] == "layers.py" for item in listing["content"]), (
            "nnlib/ cannot be opened from JupyterLab's file browser")
        import nbformat

        for path in notebook_paths:
            api_path = (course / path).resolve().relative_to(root).as_posix()
            try:
                status, body = http_get(f"{base}/api/contents/{api_path}?content=1&type=notebook", token)
            except urllib.error.HTTPError as error:
                error.close()
                pytest.fail(f"JupyterLab cannot open {path} (HTTP {error.code}) in the fresh install", pytrace=False)
            model = json.loads(body)
            assert model["type"] == "notebook" and model["path"] == api_path, f"{path}: unexpected contents model"
            notebook = nbformat.from_dict(model["content"])
            nbformat.validate(notebook)
            assert notebook.nbformat == 4 and notebook.cells, f"{path} is not a non-empty nbformat 4 notebook"
            status, page = http_get(f"{base}/lab/tree/{api_path}?token={token}", token)
            assert status == 200 and b"jupyter-config-data" in page, f"the JupyterLab page for {path} did not load"
    finally:
        stop_process_group(proc)


def running_in_the_test_commands_venv(test_cmd):
    """True when this test runs in the venv that the second Quick start command creates in this checkout
    (as in CI): that command's install has just been followed, so it is checked here, not repeated."""
    venvs = [s[s.index("venv") + 1] for s in setup_steps(test_cmd) if "-m" in s and "venv" in s]
    return bool(venvs) and Path(sys.prefix).resolve() == (REPO / venvs[0]).resolve()


def follow_quick_start(open_cmd, test_cmd, course, env, tmp_path):
    install = setup_steps(open_cmd)
    run_shell(" && ".join(shlex.join(s) for s in install), course, env, INSTALL_TIMEOUT, "Quick start install")
    test_install = setup_steps(test_cmd)
    if test_install != install and not running_in_the_test_commands_venv(test_cmd):
        run_shell(" && ".join(shlex.join(s) for s in test_install), course, env, INSTALL_TIMEOUT,
                  "Quick start install (second command)")

    venv_python = course / ".venv" / "bin" / "python"
    venvs = [s[s.index("venv") + 1] for s in install if "-m" in s and "venv" in s]
    if venvs:
        venv_python = course / venvs[0] / "bin" / "python"
    pins, test_pins = {}, {}
    for path in requirement_files(open_cmd):
        pins.update(requirement_pins(course / path))
    for path in requirement_files(test_cmd):
        test_pins.update(requirement_pins(course / path))
    for name in ("pytest", "nbval"):
        assert name in test_pins, f"the second Quick start command does not install {name}: {test_cmd!r}"
    if running_in_the_test_commands_venv(test_cmd):   # command 2's fresh install is the one running this test
        check_installed(venv_python, course, pins)
        check_installed(Path(sys.executable), REPO, test_pins)
    else:
        check_installed(venv_python, course, {**pins, **test_pins})
    # The server gets its own Jupyter/IPython/matplotlib dirs and HOME: it touches nothing of the user's.
    serve_and_fetch(course, steps(open_cmd)[-1], without_this_venv(isolated_env(tmp_path / "home")))


@pytest.mark.slow
def test_quick_start_installs_and_opens_lesson(tmp_path):
    """Command 1 in a copy of the repository: fresh venv, install, JupyterLab serves lesson 01."""
    open_cmd, test_cmd = quick_start_commands(read_readme())
    course = tmp_path / "course"
    course.mkdir()
    copy_repository(REPO, course)
    for path in mentioned_paths(open_cmd) + mentioned_paths(test_cmd):
        assert (course / path).exists(), (
            f"README's Quick start mentions {path!r}, which a fresh clone does not have (not committed?)")
    env = install_env()
    try:
        follow_quick_start(open_cmd, test_cmd, course, env, tmp_path)
    finally:  # the fresh venv is ~400 MB: do not leave it in pytest's kept temp dirs
        shutil.rmtree(course, ignore_errors=True)
