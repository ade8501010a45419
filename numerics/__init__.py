"""Numerics of deeplimits: NumPy, SciPy and mpmath only (never SymPy).

``numerics.generated`` holds modules emitted from the derivation records by
``deeplimits codegen``; the rest of the package (kernels, quadrature,
activations) builds on them.
"""
