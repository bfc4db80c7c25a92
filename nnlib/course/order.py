"""Cells run out of order: a learner who runs a cell before the cells above it gets one sentence.

Imported by every lesson (through nnlib.course), this tells IPython to answer a NameError,
the sign of a name that an earlier cell makes, with what to do instead of a traceback.
"""
import difflib


def explain_name_error(name, defined):
    """The sentence for a NameError on `name`, given the names the notebook has defined so far."""
    close = difflib.get_close_matches(name, [n for n in defined if not n.startswith("_")], n=1)
    if close:
        return (f"NameError: `{name}` is not defined. Did you mean `{close[0]}`? If not, run the cells above "
                "this one first.")
    return (f"NameError: `{name}` is not defined yet: an earlier cell makes it. Run the cells above this one first "
            "(in JupyterLab: Run ▸ Run All Above Selected Cell), then this one again.")


def _in_a_cell(filename):
    """Is this code a notebook cell's (rather than a library's, where a NameError is a bug to locate)?"""
    return filename.startswith("<") or "ipykernel_" in filename


def _handler(shell, etype, value, tb, tb_offset=None):
    name = getattr(value, "name", None) or str(value)
    lines = [explain_name_error(name, shell.user_ns)]
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is not None and not _in_a_cell(tb.tb_frame.f_code.co_filename):
        lines.append(f"(raised in {tb.tb_frame.f_code.co_filename}, line {tb.tb_lineno})")
    shell._showtraceback(etype, value, lines)   # shown as the cell's error: a sentence, not a traceback
    return lines


def install():
    """Answer NameErrors in the running IPython kernel with explain_name_error; nothing outside IPython."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        shell.set_custom_exc((NameError,), _handler)
