"""The satisfaction statistics against datasets whose results are published.

* Longley (1967), the multicollinear regression benchmark of the NIST Statistical Reference
  Datasets (StRD, linear least squares, "higher difficulty"): employment on six economic
  series, 16 years. NIST publishes certified estimates, standard deviations of the estimates
  and R-squared to 15 digits (https://www.itl.nist.gov/div898/strd/lls/data/Longley.shtml).
  The driver regression works on standardised variables, so its betas are the certified
  coefficients times sd(x) / sd(y), and its t-values are the certified estimate / standard
  deviation ratios.
* NumAcc1, NIST StRD univariate summary statistics: certified mean 10000002 and standard
  deviation 1 of three values that defeat naive one-pass variance formulas.
"""

import pathlib

import numpy as np
import pandas as pd
import pytest
from cr_engine.satisfaction import mean_ci, regression
from scipy import stats

DATA = pathlib.Path(__file__).parent / "data"

# NIST certified values for Longley: (estimate, standard deviation of estimate) per predictor.
LONGLEY_CERTIFIED = {
    "deflator": (15.0618722713733, 84.9149257747669),
    "gnp": (-0.358191792925910e-01, 0.334910077722432e-01),
    "unemployed": (-2.02022980381683, 0.488399681651699),
    "armed_forces": (-1.03322686717359, 0.214274163161675),
    "population": (-0.511041056535807e-01, 0.226073200069370),
    "year": (1829.15146461355, 455.478499142212),
}
LONGLEY_R2 = 0.995479004577296


@pytest.fixture(scope="module")
def longley():
    return pd.read_csv(DATA / "longley.csv")


def test_longley_r_squared_is_the_certified_value(longley):
    result = regression(longley[list(LONGLEY_CERTIFIED)], longley["employed"])
    assert result["n"] == 16
    assert result["r2"] == pytest.approx(LONGLEY_R2, abs=1e-9)


def test_longley_standardised_betas_and_p_values_follow_from_the_certified_estimates(longley):
    result = regression(longley[list(LONGLEY_CERTIFIED)], longley["employed"])
    by_name = {row["dimension"]: row for row in result["coefficients"]}
    sd_y = longley["employed"].std(ddof=1)
    dof = 16 - 6 - 1
    for name, (estimate, deviation) in LONGLEY_CERTIFIED.items():
        beta = estimate * longley[name].std(ddof=1) / sd_y
        assert by_name[name]["beta"] == pytest.approx(beta, rel=1e-6), name
        p_value = 2 * stats.t.sf(abs(estimate / deviation), dof)
        assert by_name[name]["p"] == pytest.approx(p_value, rel=1e-6, abs=1e-12), name
    importance = np.array([by_name[name]["importance"] for name in LONGLEY_CERTIFIED])
    assert importance.sum() == pytest.approx(1.0)


def test_numacc1_mean_and_standard_deviation_are_certified():
    summary = mean_ci([10000001, 10000003, 10000002])
    assert summary["mean"] == 10000002.0
    assert summary["std"] == pytest.approx(1.0, abs=1e-9)
