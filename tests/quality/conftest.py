"""Quality tests: hypothesis shrinking of planted errors to minimal counterexamples, and calibration
of claims' false-failure rates.  They re-run whole simulations many times, so each module here sets
``pytestmark = pytest.mark.quality`` and the default run (CI) skips them; run them with
``pytest -m quality``."""
