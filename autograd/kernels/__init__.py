"""Kernels behind the backend table: ``reference`` (numpy) and the Numba ones.

Nothing here imports Numba at import time; Numba kernels compile on first use.
"""
