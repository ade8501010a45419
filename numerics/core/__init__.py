"""What every theory's numerics share: the generated-code runtime, validation, seeds and
sampling, Gaussian quadrature, the SDE solver (:mod:`numerics.core.sde`) and the exact-in-law
sampling of the depth-and-width simulators."""
