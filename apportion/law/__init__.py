"""The law core: pure, vectorised functions over frames indexed by code; no I/O.

One module per statutory concept; each function cites its source on its first
docstring line and takes its parameters as arguments.
"""
