"""`python -m tui.bench`: a benchmark that starts the simulator and prints a table of figures.

A developer tool, not part of the product: no other module imports it. It measures what issue 5
asks for (catalog against its floor and a sequential baseline, throttling, cached commands,
filtering, picker start, memory) and says which targets are met. Timings are printed, never
asserted.
"""
