"""A live training plot: loss and accuracy curves that redraw after every epoch of nn.fit.

    live = LivePlot(epochs=10)
    display(live.box)
    nn.fit(model, loss, x, t, epochs=10, validation=(x_val, t_val), callback=live.callback)

nn.fit calls live.callback(history) after every epoch; the callback redraws the
two panels (loss, accuracy; training solid, validation dashed) and writes the
latest figures into live.label, and returns False (never asks fit to stop).
"""
import ipywidgets as widgets
import numpy as np

from .widgets import FigureWidget


def latest(history):
    """One line about the last epoch of a fit history, e.g.
    "epoch 3: loss 0.1234 (validation 0.1456) · accuracy 96.10% (validation 95.70%)".
    Validation figures that are NaN (no validation data) are left out."""
    epoch = len(history["loss"])
    if epoch == 0:
        return "no epoch finished yet"
    parts = []
    for key, fmt in (("loss", "{:.4f}"), ("accuracy", "{:.2%}")):
        text = f"{key} {fmt.format(history[key][-1])}"
        validation = history.get("val_" + key, [])
        if len(validation) == epoch and np.isfinite(validation[-1]):
            text += f" (validation {fmt.format(validation[-1])})"
        parts.append(text)
    return f"epoch {epoch}: " + " · ".join(parts)


class LivePlot:
    """Training and validation loss and accuracy, redrawn by callback(history) after every epoch.

    epochs: the number of epochs fit will run (fixes the x-axis), or None to let it grow.
    title:  shown above the panels.
    live.box is the widget to display; live.label holds the latest figures as text.
    """

    def __init__(self, epochs=None, title="training"):
        self.epochs = epochs
        self.label = widgets.Label("waiting for the first epoch…")
        self.figure = FigureWidget(1, 2, figsize=(9, 3.2), dpi=100)
        self.figure.fig.suptitle(title)
        self.lines = {}
        for ax, key in zip(self.figure.axes, ("loss", "accuracy")):
            self.lines[key] = ax.plot([], [], "o-", color="tab:blue", label="training")[0]
            self.lines["val_" + key] = ax.plot([], [], "o--", color="tab:orange", label="validation")[0]
            ax.set(xlabel="epoch", ylabel=key)
            ax.grid(alpha=0.3)
        self.figure.axes[0].legend(loc="upper right")
        self.figure.refresh()
        self.box = widgets.VBox([self.label, self.figure.image])

    def callback(self, history):
        """Redraw from a fit history {"loss": [...], "accuracy": [...], "val_loss": [...], "val_accuracy": [...]}."""
        epoch = len(history["loss"])
        for key, line in self.lines.items():
            values = np.asarray(history.get(key, []), dtype=np.float64)
            line.set_data(np.arange(1, len(values) + 1), values)
        for ax in self.figure.axes:
            ax.relim()
            ax.autoscale_view()
            ax.set_xlim(0.5, max(self.epochs or epoch, epoch, 1) + 0.5)
        self.label.value = latest(history)
        self.figure.refresh()
        return False
