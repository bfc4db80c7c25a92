"""The lessons' notebooks as the tests read them (a helper module, not a test file)."""
import json
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def lesson_cells(stem):
    """The cells of notebooks/<stem>.ipynb, e.g. lesson_cells("01_neuron")."""
    return json.loads((NOTEBOOKS / f"{stem}.ipynb").read_text(encoding="utf-8"))["cells"]
