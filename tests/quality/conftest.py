"""Quality tests: hypothesis shrinking of planted errors to minimal counterexamples, calibration of
claims' false-failure rates, and checks that repeat a cheaper default one at full cost.  They are marked
``@pytest.mark.quality`` (beside the claim tests they belong to, or in this folder) and the default run
(CI) deselects them; run them with ``pytest -m quality``."""
