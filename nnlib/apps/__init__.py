"""The course's applications: whole interactive tools built on nnlib and the course's widgets.

An application is not a lesson: it teaches no single step and declares no exercise, it is a
tool a learner plays with once the lessons have built its parts. `playground` (with its data
sets and input features in `playground_data`) is TensorFlow Playground rebuilt on nnlib, the
tool of lesson 11; `drawing` is a pad to draw a digit on and watch lesson 10a's networks read
it. They need matplotlib and ipywidgets (and ipycanvas for the pad), like `nnlib.course`;
`import nnlib` does not import them.
"""
