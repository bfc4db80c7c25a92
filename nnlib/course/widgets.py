"""Small pieces for the lessons' interactive views.

A view is a pure function of its parameters (tested in tests/); a wrapper
wires sliders to it. Figures are plain matplotlib Figures drawn into an
ipywidgets.Image, so a redraw changes one widget's value: no Output widget,
no flicker, nothing extra to install, and tests can read the image bytes.
"""
import io

import ipywidgets as widgets
from matplotlib.figure import Figure

# Pictures readable at a glance: at least 100 dots per inch, so a (5, 4) inch figure is 500 x 400
# pixels, and a 9 pt label is 12.5 pixels tall.
DPI = 100


class FigureWidget:
    """A matplotlib figure shown as an ipywidgets.Image.

    fig, axes: as from plt.subplots (but not managed by pyplot, so nothing is
    shown twice). Change artists on the axes, then call refresh().
    """

    def __init__(self, nrows=1, ncols=1, figsize=(5, 4), dpi=DPI, **subplot_kw):
        self.fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        self.axes = self.fig.subplots(nrows, ncols, **subplot_kw)
        # A wide figure shrinks to the notebook's width instead of spilling out of it.
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%", height="auto"))

    def refresh(self):
        """Render the figure into the image widget."""
        buffer = io.BytesIO()
        self.fig.savefig(buffer, format="png", dpi=self.fig.dpi)  # not rcParams["savefig.dpi"]
        self.image.value = buffer.getvalue()


def slider(description, value, min, max, step=None, *, integer=False, **kwargs):
    """THE slider of the course: every lesson's sliders come from here, so they all look and behave alike.

    A FloatSlider (step 0.1 unless given), or an IntSlider with integer=True (step 1 unless given),
    that updates while dragging and shows its whole description. Other keyword arguments (readout_format, layout, ...) go to the ipywidgets slider.
    """
    cls = widgets.IntSlider if integer else widgets.FloatSlider
    if step is None:
        step = 1 if integer else 0.1
    options = dict(continuous_update=True, style={"description_width": "initial"})
    options.update(kwargs)
    return cls(value=value, min=min, max=max, step=step, description=description, **options)
