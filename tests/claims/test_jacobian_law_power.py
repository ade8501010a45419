"""``claim.jacobian_law``: the smoothed CDF rows catch a 5% error on their own at the pinned tanh example.

Before the smoothed statistic (issue 12) the lower-quartile CDF row resolved 10.3% there and a x1.05 plant of the
whole prediction was caught by the moments only; here only the three CDF values are planted (moments untouched), so
the limit law fails iff the CDF rows reject.  Each run is the tanh example's whole sweep (slow marker).
"""

import numpy as np
import pytest

from verify.claims import PROFILES
from verify.claims.resnet_sde import JACOBIAN_CLAIM
from verify.core import predictions

QUICK = PROFILES["quick"]
TANH = JACOBIAN_CLAIM.examples[0]


def _cdf_scaled(factor):
    def predict(p):
        out = dict(predictions(JACOBIAN_CLAIM, p))
        law = np.array(out["limit law"], dtype=float)
        law[4:] *= factor
        return {**out, "limit law": law}
    return JACOBIAN_CLAIM.with_prediction(predict)


def _run(claim):
    return claim.run(claim, TANH, 0, JACOBIAN_CLAIM.false_fail_rate / 4, QUICK)


@pytest.mark.slow  # the pinned tanh example (about 5 s CPU unloaded)
def test_true_prediction_passes_at_the_pinned_tanh_example():
    assert TANH["phi"] == "tanh"
    assert _run(JACOBIAN_CLAIM).passed


@pytest.mark.slow  # the pinned tanh example, twice
@pytest.mark.parametrize("factor", [1.05, 0.95])
def test_cdf_rows_alone_reject_a_five_percent_error(factor):
    result = _run(_cdf_scaled(factor))
    assert [o["name"] for o in result.data["outcomes"] if not o["passed"]] == ["limit law"]
    rows = [r for r in result.data["power"] if r["component"].startswith("P(")]
    assert len(rows) == 3 and max(r["relative"] for r in rows) < 0.05  # each resolves better than 5%
