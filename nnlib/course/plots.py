"""Plot helpers: the data behind a picture as pure functions, and small drawing helpers."""
import numpy as np


def grid(xlim=(-1.5, 2.5), ylim=(-1.0, 1.5), steps=101):
    """Points covering a rectangle of the plane: (xx, yy, points).

    xx, yy: (steps, steps) coordinates; points: (steps * steps, 2), one row per point.
    """
    xx, yy = np.meshgrid(np.linspace(*xlim, steps), np.linspace(*ylim, steps))
    return xx, yy, np.column_stack([xx.ravel(), yy.ravel()])


def decision_surface(predict, xlim=(-1.5, 2.5), ylim=(-1.0, 1.5), steps=101):
    """Evaluate predict over a grid: (xx, yy, zz), all (steps, steps).

    predict: a function from points (n, 2) to one number per point, (n,) or (n, 1),
    e.g. a probability or a class label.
    """
    xx, yy, points = grid(xlim, ylim, steps)
    zz = np.asarray(predict(points)).reshape(xx.shape)
    return xx, yy, zz


def draw_decision_regions(ax, xx, yy, zz, x=None, y=None, levels=None, cmap="RdBu", vmin=0, vmax=1):
    """Colour the regions of zz on ax, and scatter the points x (n, 2) coloured by labels y.

    vmin, vmax: the values at the two ends of the colour map, shared by the regions and
    the points, so a point of class 1 has the colour of a region where zz is 1.
    """
    ax.contourf(xx, yy, zz, levels=levels if levels is not None else 20, cmap=cmap, alpha=0.6, vmin=vmin, vmax=vmax)
    if x is not None:
        ax.scatter(x[:, 0], x[:, 1], c=y, cmap=cmap, vmin=vmin, vmax=vmax, edgecolors="k", linewidths=1.2, s=45)
    ax.set_xlim(xx.min(), xx.max())
    ax.set_ylim(yy.min(), yy.max())
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")


def picture_grid(pictures, titles, ncols=8, title="", colors=None, size=(1.2, 1.45), **imshow):
    """Small pictures (each (h, w)) in rows of ncols, a title above each; returns the pyplot figure.

    colors: one title colour per picture (default black); size: inches per picture (width, height);
    imshow: passed to every ax.imshow (cmap, vmin, vmax).
    """
    import matplotlib.pyplot as plt

    n = len(pictures)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size[0] * ncols, size[1] * nrows + 0.45),
                             squeeze=False, dpi=100)
    for i, ax in enumerate(axes.ravel()):
        ax.set_axis_off()
        if i < n:
            ax.imshow(pictures[i], **imshow)
            ax.set_title(titles[i], fontsize=9, color="black" if colors is None else colors[i])
    fig.suptitle(title)
    return fig


def arrow_between(ax, start, end, color="gray"):
    """An arrow from Text `start` to Text `end` (both drawn with a bbox), from the right of one box to the left
    of the other. It is clipped at the two boxes' outlines, so its head lies just outside the box it points at,
    whatever the widths of the boxes' texts. Draw it after both texts."""
    return ax.annotate("", xy=(0, 0.5), xycoords=end, xytext=(1, 0.5), textcoords=start,
                       arrowprops=dict(arrowstyle="->", color=color, patchA=start.get_bbox_patch(),
                                       patchB=end.get_bbox_patch(), shrinkA=1, shrinkB=1))
