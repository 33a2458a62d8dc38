"""The use cases, written once for both front doors (the command line and the picker)."""
