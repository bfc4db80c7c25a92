"""The course's teaching helpers, apart from the library itself.

Everything a lesson needs besides nnlib's own code: one module per lesson
(lNN_*.py: the pure functions behind its widgets, the widget wrappers and its
exercise checks), plus what they share: `widgets` (figures as images,
sliders), `plots` (grids and decision regions), `exercise` (checks that
explain) and `live` (a live training plot); `drawing` is lesson 10's drawing
pad and `playground`/`playground_data` lesson 11's Playground. These need
matplotlib and ipywidgets (and ipycanvas for the pad); `import nnlib` does not.
Lessons import from here; tests test here. Importing it also installs `order`'s
answer to a cell run before the cells above it.
"""
from . import order

order.install()   # a cell run before the cells above it gets a sentence, not a NameError traceback
