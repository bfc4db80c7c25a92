"""The shell commands of README.md's "Quick start": the one parser every check uses.

The Quick start holds exactly two ```bash blocks, one command each: the first installs the course
and opens lesson 01 in JupyterLab, the second installs the course and its test tools and runs every
test. `.ci/run` runs the second one (before any venv exists, with the system Python: so this module
needs only the standard library), and tests/test_repository.py and tests/test_readme_quickstart.py
check both.

    python3 tests/readme_commands.py test    # prints the test command
    python3 tests/readme_commands.py open    # prints the command that opens lesson 01
"""
import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
NAMES = ("open", "test")


class ReadmeError(AssertionError):
    """README.md's Quick start is not shaped as expected (an AssertionError, so pytest reports a failure)."""


def quick_start_blocks(readme_text):
    """The bodies of the ```bash blocks of the README's "Quick start" section (up to the next heading
    of its level or higher). Any other fenced block there is an error."""
    lines = readme_text.splitlines()
    start = level = None
    for i, line in enumerate(lines):
        heading = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line)
        if heading and start is None and re.fullmatch(r"quick\s*-?\s*start", heading.group(2), re.IGNORECASE):
            start, level = i + 1, len(heading.group(1))
        elif heading and start is not None and len(heading.group(1)) <= level:
            lines = lines[start:i]
            break
    else:
        if start is None:
            raise ReadmeError("README.md has no '## Quick start' section")
        lines = lines[start:]
    section = "\n".join(lines)
    blocks = re.findall(r"^```[ \t]*([\w-]*)[ \t]*\n(.*?)^```[ \t]*$", section, re.MULTILINE | re.DOTALL)
    bash = [body for lang, body in blocks if lang in ("bash", "sh", "shell")]
    if len(bash) != len(blocks):
        raise ReadmeError(f"Quick start has fenced blocks that are not ```bash: {[b[0] for b in blocks]}")
    return bash


def block_command(body):
    """The one shell command of a ```bash block (comments and blank lines dropped, `\\` lines joined)."""
    joined = re.sub(r"\\\n", " ", body)
    commands = [ln.strip().removeprefix("$ ") for ln in joined.splitlines()
                if ln.strip() and not ln.strip().startswith("#")]
    if len(commands) != 1:
        raise ReadmeError(f"a Quick start block must hold exactly one command, found {commands}")
    return commands[0]


def quick_start_commands(readme_text=None):
    """(open_command, test_command): the Quick start's two commands, each one line of shell."""
    if readme_text is None:
        readme_text = README.read_text(encoding="utf-8")
    blocks = quick_start_blocks(readme_text)
    if len(blocks) != 2:
        raise ReadmeError(f"Quick start must have exactly two ```bash commands, found {len(blocks)}")
    return tuple(block_command(body) for body in blocks)


def command(name, readme_text=None):
    """The Quick start command called `name`: "open" (the first) or "test" (the second)."""
    if name not in NAMES:
        raise ValueError(f"no Quick start command called {name!r}: use one of {NAMES}")
    return quick_start_commands(readme_text)[NAMES.index(name)]


def main(argv):
    if len(argv) != 2 or argv[1] not in NAMES:
        print(f"usage: python3 {argv[0]} {{{'|'.join(NAMES)}}}", file=sys.stderr)
        return 2
    try:
        print(command(argv[1]))
    except (OSError, ReadmeError) as error:
        print(f"{argv[0]}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
