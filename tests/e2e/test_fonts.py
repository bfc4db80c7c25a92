"""The fonts the browser tests' screenshots need: without them Chromium draws empty boxes (tofu) for the
lessons' Chinese terms (激活函数) and for the exercise marks ✅ and ⏳, and no other test would notice.

.ci/run installs Debian's fonts-noto-cjk and fonts-noto-color-emoji. In CI (CI=true) a missing font
fails here; on a learner's machine this test skips.
"""
import shutil
import subprocess

import pytest

from .conftest import skip_or_fail

pytestmark = pytest.mark.e2e

# Characters the lessons show, and the Debian package whose font draws them.
NEEDED = {
    "fonts-noto-cjk": {"family": "Noto Sans CJK", "chars": "激活函数损失"},
    "fonts-noto-color-emoji": {"family": "Noto Color Emoji", "chars": "✅⏳"},
}


def fc_list(*args):
    result = subprocess.run(["fc-list", *args], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"fc-list {' '.join(args)} failed: {result.stderr}"
    return result.stdout


@pytest.mark.parametrize("package", sorted(NEEDED))
def test_screenshot_fonts_are_installed(package):
    if shutil.which("fc-list") is None:
        skip_or_fail("fc-list (fontconfig) is not installed, so the screenshot fonts cannot be checked")
    family, chars = NEEDED[package]["family"], NEEDED[package]["chars"]
    families = fc_list(":", "family")
    if family not in families:
        skip_or_fail(f"the font {family!r} is missing: the screenshots would show boxes; install Debian's {package}")
    for char in chars:
        # The fonts able to draw `char` (fontconfig's charset is the code point in hex).
        covering = fc_list(f":charset={ord(char):x}", "family")
        assert family in covering, (
            f"{family} is installed but does not draw {char!r} (U+{ord(char):04X}); fonts that do: "
            f"{sorted(set(covering.splitlines()))[:5] or 'none'}")

