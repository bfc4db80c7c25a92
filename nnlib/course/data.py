"""The lessons' own small data: the *Basic Network in Python* tutorial's people (lessons 05 and 06b)."""
import numpy as np


def height_weight():
    """The *Basic Network in Python* tutorial's people: (x, y, names).

    x: (4, 2) = (weight - 135 lb, height - 66 in); y: (4, 1), 1 = female.
    The new people to classify are in NEW_PEOPLE.
    """
    names = ["Alice", "Bob", "Charlie", "Diana"]
    x = np.array([[-2.0, -1.0], [25.0, 6.0], [17.0, 4.0], [-15.0, -6.0]])
    y = np.array([[1.0], [0.0], [0.0], [1.0]])
    return x, y, names


# The *Basic Network in Python* tutorial's two people the trained network has never seen.
NEW_PEOPLE = {"Emily": np.array([-7.0, -3.0]), "Frank": np.array([20.0, 2.0])}
