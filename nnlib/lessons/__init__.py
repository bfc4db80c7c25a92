"""One module per lesson: the pure functions behind its widgets, the widget
wrappers, and its exercise checks. Lessons import from here; tests test here."""
