"""The course's teaching helpers, apart from the library itself.

Everything a lesson needs besides nnlib's own code: one module per lesson
(lNN_*.py: the pure functions behind its widgets, the widget wrappers and its
exercise checks), plus what they share: `widgets` (figures as images,
sliders), `plots` (grids and decision regions), `exercise` (the one exercise
engine: every check is an Exercise declared as data), `live` (a live training
plot), `data` (the lessons' own small data sets) and `order` (cells run out of
order). The two applications, the drawing pad and the Playground, live apart in
nnlib.apps. These need matplotlib and ipywidgets; `import nnlib` does not.
Lessons import from here; tests test here. Importing it also installs `order`'s
answer to a cell run before the cells above it.
"""
from . import order

order.install()   # a cell run before the cells above it gets a sentence, not a NameError traceback
