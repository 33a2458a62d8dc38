"""Reusable widgets of the picker: the filter list, the row list, the status line, big text."""
