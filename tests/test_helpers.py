"""nnlib.course.widgets and plots: the shared pieces of every lesson's views (the exercise engine: test_exercises.py)."""
import numpy as np

from nnlib.course.widgets import FigureWidget, slider


def test_figure_widget_refresh_changes_the_image():
    view = FigureWidget(figsize=(2, 2))
    (line,) = view.axes.plot([0, 1], [0, 1])
    view.refresh()
    first = view.image.value
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    line.set_ydata([1, 0])
    view.refresh()
    assert view.image.value != first


def test_slider_defaults():
    s = slider("w₁", 0.5, -2, 2)
    assert (s.value, s.min, s.max, s.description) == (0.5, -2, 2, "w₁")


def test_picture_grid_one_titled_picture_per_axis_and_the_rest_blank():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from nnlib.course.plots import picture_grid

    pictures = np.random.default_rng(0).random((5, 3, 4))
    fig = picture_grid(pictures, list("abcde"), ncols=3, title="five", colors=["red"] * 5, cmap="gray")
    axes = fig.axes
    assert len(axes) == 6 and fig._suptitle.get_text() == "five"
    assert [ax.get_title() for ax in axes] == ["a", "b", "c", "d", "e", ""]
    assert all(len(ax.images) == 1 for ax in axes[:5]) and not axes[5].images
    assert np.array_equal(axes[4].images[0].get_array(), pictures[4]) and axes[0].title.get_color() == "red"
    plt.close(fig)
