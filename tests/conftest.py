"""Test configuration: hypothesis profiles and shared fixtures.

Profiles: ``ci`` (hypothesis' built-in, auto-loaded when CI is set: derandomised,
no database, no deadline), ``dev`` (default locally: few examples), and
``thorough`` (many examples; select with HYPOTHESIS_PROFILE=thorough).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=25, deadline=None)
settings.register_profile("thorough", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci-deeplimits", max_examples=25, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
if "HYPOTHESIS_PROFILE" in os.environ:
    settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])
elif os.environ.get("CI"):
    settings.load_profile("ci-deeplimits")
else:
    settings.load_profile("dev")


import pytest  # noqa: E402


@pytest.fixture(autouse=True, scope="session")
def _private_record_cache(tmp_path_factory):
    """Tests never read or write the user's record cache (``deeplimits show``): a private one per run."""
    previous = os.environ.get("DEEPLIMITS_CACHE_DIR")
    os.environ["DEEPLIMITS_CACHE_DIR"] = str(tmp_path_factory.mktemp("deeplimits-cache"))
    yield
    if previous is None:
        os.environ.pop("DEEPLIMITS_CACHE_DIR", None)
    else:
        os.environ["DEEPLIMITS_CACHE_DIR"] = previous
