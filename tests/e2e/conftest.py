"""Fixtures for the end-to-end suite: one JupyterLab server and one Chromium for all lessons
(module scope: both stop right after the browser tests, not at the end of the whole test run).

The server runs on 127.0.0.1 on a free port with a generated token, over a fresh temporary copy of
notebooks/, with its own Jupyter config/data/runtime dirs, IPython dir, matplotlib config dir and
HOME, so it neither reads nor writes the user's settings. Both processes are stopped by PID at the
end of the suite, also when a test fails.

When Chromium is missing (a learner's laptop) the tests skip, unless CI=true: then they fail.
"""
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
TIMINGS_FILE = ARTIFACTS / "e2e_timings.json"
# The lessons to test; NNLIB_E2E_NOTEBOOKS points the suite at another folder (to develop the suite itself).
NOTEBOOKS = Path(os.environ.get("NNLIB_E2E_NOTEBOOKS", REPO / "notebooks"))
CHROMIUM = os.environ.get("NNLIB_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SERVER_START_TIMEOUT = 90  # seconds until /api/status must answer

# JupyterLab user settings for the test server: no news/update toasts over the notebook, and every
# cell kept in the DOM (no windowing) so the checks and the screenshot see the whole lesson.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}

# Filled during the suite, written to artifacts/e2e_timings.json at the end.
TIMINGS = {"lessons_seconds": {}}


def lesson_notebooks():
    """The lessons under test, sorted: NOTEBOOKS/NN*_*.ipynb (06b too)."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]*_*.ipynb"))


def skip_or_fail(reason):
    """Skip on a learner's machine; fail in CI (CI=true), where the e2e tests must never silently skip."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: the e2e tests must run in CI)", pytrace=False)
    pytest.skip(reason)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_process_group(proc, timeout=15):
    """Terminate a process started with start_new_session=True and its group; kill after `timeout`."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
    try:  # leftovers of the group (the leader may be gone while children remain)
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait(timeout=timeout)


def descendant_pids(pid):
    """PIDs of all live descendants of `pid` (Linux /proc; empty elsewhere)."""
    children = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def cmdline(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def kill_pids(pids, timeout=10):
    """SIGTERM each PID, then SIGKILL whatever is still alive after `timeout` seconds."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            try:
                os.kill(pid, sig)
            except (ProcessLookupError, PermissionError):
                pass
        deadline = time.monotonic() + timeout
        while sig == signal.SIGTERM and time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in pids):
            time.sleep(0.2)


class Server:
    """A running JupyterLab: base URL, token, its root dir, and a tiny REST client."""

    def __init__(self, url, token, root, proc, log_path):
        self.url, self.token, self.root, self.proc, self.log_path = url, token, root, proc, log_path
        self.workspaces = 0  # lab_url's counter: one fresh workspace per page

    def api(self, path, method="GET", timeout=10):
        request = urllib.request.Request(
            f"{self.url}{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def lab_url(self, notebook_name):
        """The notebook in a workspace of its own: the default workspace would restore, as tabs with
        running kernels, every notebook an earlier test opened (and Run All could go to the wrong one)."""
        self.workspaces += 1
        return f"{self.url}/lab/workspaces/e2e-{self.workspaces}/tree/{notebook_name}?token={self.token}"

    def kernel_state(self, notebook_name):
        """execution_state of the kernel of `notebook_name`'s session, or None if it has none."""
        for session in self.api("/api/sessions"):
            if session.get("path") == notebook_name and session.get("kernel"):
                return session["kernel"].get("execution_state")
        return None

    def shutdown_sessions(self, notebook_name=None):
        """Delete the sessions (and so shut down the kernels) of one notebook, or of all notebooks."""
        for session in self.api("/api/sessions"):
            if notebook_name is None or session.get("path") == notebook_name:
                try:
                    self.api(f"/api/sessions/{session['id']}", method="DELETE", timeout=30)
                except urllib.error.HTTPError as error:
                    error.close()
        if notebook_name is None:
            for kernel in self.api("/api/kernels"):
                try:
                    self.api(f"/api/kernels/{kernel['id']}", method="DELETE", timeout=30)
                except urllib.error.HTTPError as error:
                    error.close()

    def log_tail(self, n=40):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no server log)"


def isolated_env(home):
    """Environment for a Jupyter server that reads and writes nothing of the user's."""
    env = dict(os.environ)
    dirs = {
        "HOME": home,
        "JUPYTER_CONFIG_DIR": home / "jupyter_config",
        "JUPYTER_DATA_DIR": home / "jupyter_data",
        "JUPYTER_RUNTIME_DIR": home / "jupyter_runtime",
        "JUPYTERLAB_SETTINGS_DIR": home / "lab_settings",
        "JUPYTERLAB_WORKSPACES_DIR": home / "lab_workspaces",
        "IPYTHONDIR": home / "ipython",
        "MPLCONFIGDIR": home / "matplotlib",
        "XDG_CONFIG_HOME": home / "xdg_config",
        "XDG_CACHE_HOME": home / "xdg_cache",
        "XDG_DATA_HOME": home / "xdg_data",
    }
    for name, path in dirs.items():
        path.mkdir(parents=True, exist_ok=True)
        env[name] = str(path)
    for name in ("JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "JUPYTER_TOKEN", "JUPYTER_PREFER_ENV_PATH"):
        env.pop(name, None)
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    return env


@pytest.fixture(scope="module")
def e2e_clock():
    """Suite start time; on teardown prints the timings and writes artifacts/e2e_timings.json."""
    start = time.monotonic()
    yield start
    if not TIMINGS["lessons_seconds"]:  # nothing ran (skipped): keep the last real timings
        return
    TIMINGS["suite_seconds"] = round(time.monotonic() - start, 2)
    ARTIFACTS.mkdir(exist_ok=True)
    TIMINGS_FILE.write_text(json.dumps(TIMINGS, indent=2, ensure_ascii=False) + "\n")
    print(f"\n[e2e timings] {json.dumps(TIMINGS, ensure_ascii=False)}  (written to {TIMINGS_FILE})")


@pytest.fixture(scope="module")
def jupyter_server(tmp_path_factory, e2e_clock):
    """A JupyterLab server over a fresh copy of the notebooks; stopped by PID (process group) at the end."""
    tmp = tmp_path_factory.mktemp("e2e")
    for old in SCREENSHOTS.glob("*.png"):  # the screenshots show the last run only
        old.unlink()
    root = tmp / "notebooks"
    shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    env = isolated_env(tmp / "home")
    settings_dir = Path(env["JUPYTERLAB_SETTINGS_DIR"])
    for name, value in LAB_SETTINGS.items():
        target = settings_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(value))
    # Build matplotlib's font cache now, so no "building the font cache" note reaches a lesson's stderr.
    subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env=env, check=True, timeout=120,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    port, token = free_port(), secrets.token_hex(24)
    log_path = tmp / "jupyter_server.log"
    started = time.monotonic()
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "lab", "--no-browser",
             "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
             f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
             "--ServerApp.open_browser=False", "--LabApp.news_url=None", "--LabApp.extension_manager=readonly",
             *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else [])],
            cwd=root, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(f"http://127.0.0.1:{port}", token, root, proc, log_path)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"jupyter lab exited with code {proc.returncode} before answering:\n{server.log_tail()}")
            try:
                server.api("/api/status", timeout=2)
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                if time.monotonic() > deadline:
                    pytest.fail(f"jupyter lab did not answer /api/status within {SERVER_START_TIMEOUT} s:\n"
                                f"{server.log_tail()}")
                time.sleep(0.25)
        TIMINGS["server_ready_seconds"] = round(time.monotonic() - started, 2)
        server.started = started
        yield server
    finally:
        if proc.poll() is None:
            try:
                server.shutdown_sessions()
            except (urllib.error.URLError, OSError):
                pass
        stop_process_group(proc)
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.copyfile(log_path, ARTIFACTS / "e2e_jupyter_server.log")


@pytest.fixture(scope="module")
def browser(e2e_clock):
    """Headless Chromium driven by playwright; skipped (or failed in CI) when it is not installed."""
    if not Path(CHROMIUM).is_file():
        skip_or_fail(f"Chromium not found at {CHROMIUM}: the browser tests need it")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("the playwright Python package is not installed: the browser tests need it")
    playwright = sync_playwright().start()
    browser, chromium_pids = None, []
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        chromium_pids = [p for p in descendant_pids(os.getpid()) if "chrom" in cmdline(p)]
        yield browser
    finally:
        try:
            if browser is not None:
                browser.close()
        finally:
            playwright.stop()
            kill_pids([p for p in chromium_pids if Path(f"/proc/{p}").exists()])
