"""nnlib.course.exercise and nnlib.course.widgets: the shared pieces of every lesson's checks and views."""
import numpy as np

from nnlib.course import exercise
from nnlib.course.widgets import FigureWidget, slider


def test_compare_names_shape_and_value():
    assert exercise.compare("f", [1.0, 2.0], [1.0, 2.0]) is None
    assert "expected shape (2,), got shape (3,)" in exercise.compare("f", [1, 2, 3], [1.0, 2.0])
    assert "expected 2 at index (1,), got 5" in exercise.compare("f", [1, 5], [1.0, 2.0])
    assert "NaN" in exercise.compare("f", [np.nan], [1.0])
    assert "array of numbers" in exercise.compare("f", "abc", [1.0])


def test_shape_problem_is_the_one_shape_check_of_every_lesson():
    assert exercise.shape_problem(np.zeros((2, 3)), (2, 3)) is None
    assert exercise.shape_problem(np.zeros(3), (1, 3)) == "expected shape (1, 3), got shape (3,)."
    assert exercise.shape_problem("abc", (1,)).startswith("expected an array of numbers")


def test_run_check_reports_not_done_failure_and_success(capsys):
    cases = [("x = 2", (2,), 4.0)]

    def stub(x):
        raise NotImplementedError

    assert exercise.run_check("square", stub, cases, "well done") is False
    assert "not done yet" in capsys.readouterr().out
    assert exercise.run_check("square", lambda x: x + 1, cases, "well done") is False
    assert "square on x = 2: expected 4, got 3" in capsys.readouterr().out
    assert exercise.run_check("square", lambda x: x / 0 if x == 2 else x, cases, "ok") is False
    assert "raised ZeroDivisionError on x = 2" in capsys.readouterr().out
    assert exercise.run_check("square", lambda x: x * x, cases, "well done") is True
    assert "well done" in capsys.readouterr().out


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


def test_quietly_hides_a_pass_but_shows_a_failure(capsys):
    assert exercise.quietly(lambda: exercise.passed("fine"), quiet=True) is True
    assert capsys.readouterr().out == ""
    assert exercise.quietly(lambda: exercise.failed("broken"), quiet=True) is False
    assert "❌ broken" in capsys.readouterr().out
    assert exercise.quietly(lambda: exercise.passed("fine"), quiet=False) is True
    assert "✅ fine" in capsys.readouterr().out


def test_answer_type_problem_says_what_came_back():
    import numpy as np
    assert exercise.answer_type_problem("f", np.zeros((1, 3)), (1, 3)) is None
    assert "did you forget the `return`" in exercise.answer_type_problem("f", None, (1, 3))
    assert "Python list" in exercise.answer_type_problem("f", [1, 2, 3], (1, 3))
    assert "a tuple of 2 values" in exercise.answer_type_problem("f", (1, 2), (1, 3))
    assert "a dict" in exercise.answer_type_problem("f", {}, (1, 3))


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
