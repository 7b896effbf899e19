"""The satisfaction closed loop: what an improvement plan takes up from a campaign, and how
each of its lines is evaluated at the next campaign on the same survey.

Plain Python / pandas / scipy. Documented choices:

* A weak dimension is one the campaign's importance-performance analysis puts in the
  quadrant "concentrate here" (``satisfaction.importance_performance``): the plan reads the
  campaign's quadrants, it never re-derives them.
* A customer needs a follow-up when one of its answers is dissatisfied (index below the first
  level band) or a detractor (recommend 0-6): the campaign's own level and NPS category.
* A dimension is evaluated on the per-answer dimension scores (0-100) of the two campaigns with
  Welch's t-test, the test the campaign already uses to compare its index with the previous
  campaign (``satisfaction.compare_means``): two independent groups of respondents, of
  different sizes and spreads; dimension scores are means of several items, so their mean is
  close to normal from a few dozen answers. Improved = a higher mean, significant at 5 %.
  Fewer than two scores on either side: not measured. Both sides without any spread (every
  score the same): no test (t is undefined), improved when the mean rose.
* A customer is evaluated on its answers to the next campaign: improved when none of them is
  dissatisfied or a detractor any more, not improved otherwise, not measured when it did not
  answer (or its answer could not be scored). One answer cannot be tested for significance;
  the scores before and after are shown with the outcome.
"""

import math

import pandas as pd

from .satisfaction import SIGNIFICANCE, compare_means

EVALUATION = ("improved", "not_improved", "not_measured")
WEAK_QUADRANT = "concentrate"
#: fewer scores than this on either side of a dimension: not measured
MIN_SCORES = 2


def _number(value):
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value


def weak_dimensions(quadrants):
    """The dimensions of an analysis' quadrants {dimension: quadrant} to concentrate on."""
    return sorted(key for key, quadrant in (quadrants or {}).items() if quadrant == WEAK_QUADRANT)


def needs_follow_up(level, nps_category):
    """Whether an answer of this level and NPS category calls for a follow-up."""
    return level == "dissatisfied" or nps_category == "detractor"


def evaluate_dimension(before, after, significance=SIGNIFICANCE):
    """A dimension's scores before (the plan's campaign) and after (the next campaign).

    :param before: per-answer dimension scores 0-100 (None / NaN for an answer that did not
        score the dimension: left out)
    :param after: the same for the next campaign
    :return: dict with n_before, n_after, mean_before, mean_after, difference, t, p, test
        ("welch") and status (improved / not_improved / not_measured)
    """
    a = pd.Series(before, dtype="float64").dropna()
    b = pd.Series(after, dtype="float64").dropna()
    result = {
        "n_before": len(a),
        "n_after": len(b),
        "mean_before": _number(a.mean()) if len(a) else None,
        "mean_after": _number(b.mean()) if len(b) else None,
        "difference": None,
        "t": None,
        "p": None,
        "test": "welch",
    }
    if len(a) and len(b):
        result["difference"] = result["mean_after"] - result["mean_before"]
    if len(a) < MIN_SCORES or len(b) < MIN_SCORES:
        result["status"] = "not_measured"
        return result
    if a.nunique() == 1 and b.nunique() == 1:
        # no spread on either side: no test to run (t is undefined), the means speak alone
        result["status"] = "improved" if result["difference"] > 0 else "not_improved"
        return result
    # compare_means(current, previous): after against before
    test = compare_means(b, a)
    result["t"] = _number(test.get("t"))
    result["p"] = _number(test.get("p"))
    improved = result["difference"] > 0 and result["p"] is not None and result["p"] < significance
    result["status"] = "improved" if improved else "not_improved"
    return result


def evaluate_customer(before, after):
    """A customer's answers to the plan's campaign (``before``) and to the next one (``after``).

    :param before: list of dicts with index (0-100 or None), level and nps_category
    :param after: the same for the next campaign (empty: the customer did not answer)
    :return: dict with index_before, index_after (means of the answers' indexes), difference,
        n_after and status (improved / not_improved / not_measured)
    """

    def mean_index(answers):
        values = [a["index"] for a in answers if _number(a.get("index")) is not None]
        return sum(values) / len(values) if values else None

    scored = [a for a in after or [] if _number(a.get("index")) is not None or a.get("nps_category")]
    index_before, index_after = mean_index(before or []), mean_index(scored)
    result = {
        "index_before": index_before,
        "index_after": index_after,
        "difference": index_after - index_before if index_before is not None and index_after is not None else None,
        "n_after": len(scored),
    }
    if not scored:
        result["status"] = "not_measured"
    elif any(needs_follow_up(a.get("level"), a.get("nps_category")) for a in scored):
        result["status"] = "not_improved"
    else:
        result["status"] = "improved"
    return result
