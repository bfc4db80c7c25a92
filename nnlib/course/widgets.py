"""Small pieces for the lessons' interactive views.

A view is a pure function of its parameters (tested in tests/); a wrapper
wires sliders to it. Figures are plain matplotlib Figures drawn into an
ipywidgets.Image, so a redraw changes one widget's value: no Output widget,
no flicker, nothing extra to install, and tests can read the image bytes.
"""
import io

import ipywidgets as widgets
from matplotlib.figure import Figure


class FigureWidget:
    """A matplotlib figure shown as an ipywidgets.Image.

    fig, axes: as from plt.subplots (but not managed by pyplot, so nothing is
    shown twice). Change artists on the axes, then call refresh().
    """

    def __init__(self, nrows=1, ncols=1, figsize=(5, 4), dpi=80, **subplot_kw):
        self.fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        self.axes = self.fig.subplots(nrows, ncols, **subplot_kw)
        self.image = widgets.Image(format="png")

    def refresh(self):
        """Render the figure into the image widget."""
        buffer = io.BytesIO()
        self.fig.savefig(buffer, format="png")
        self.image.value = buffer.getvalue()


def slider(description, value, min, max, step=0.1, **kwargs):
    """A FloatSlider with the course's defaults: updates while dragging, full-width label."""
    return widgets.FloatSlider(
        value=value, min=min, max=max, step=step, description=description,
        continuous_update=True, style={"description_width": "initial"}, **kwargs
    )
