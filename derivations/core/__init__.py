"""What every theory's derivations share: records and parameters, the Gaussian toolkit (Price's
theorem for kinked functions, the moment generating function, Isserlis, Price-chain integrals), the
safe parser of user expressions, the time budget of symbolic work, and the code emitter."""
