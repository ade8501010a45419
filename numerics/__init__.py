"""Numerics of deeplimits: NumPy, SciPy and mpmath only (never SymPy).

``numerics.generated`` holds modules emitted from the derivation records by
``deeplimits codegen``; the rest builds on them, one sub-package per theory,
named like its record-id prefix (``dual``, ``kernel``, ``log_gaussian``,
``covariance_sde``, ``resnet_sde``), and ``numerics.core`` for what they share
(runtime, validation, seeds and sampling, quadrature, the SDE solver).
"""
