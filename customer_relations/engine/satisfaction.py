"""Satisfaction survey statistics: scoring, reliability, factor analysis and drivers.

Plain pandas / numpy / scipy. Every function takes a DataFrame of answers (one row per
respondent, one column per item, values already on a 0-100 scale unless stated) and returns
plain data. Documented choices:

* Unanswered items are NaN and are left out of means, never counted as zero.
* Reliability (alpha, alpha if item deleted, item-total correlations, per-dimension alpha),
  KMO, Bartlett and the factor analysis read ONE covariance matrix of the scale's complete
  cases (listwise deletion, the convention SPSS uses for item-total statistics): every result
  carries ``n`` (the complete cases used) and ``n_total`` (the answers), and a finding when
  answers were left out or ``n`` is too small for the statistic.
* Where a statistic cannot be estimated (too few answers, a constant item, fewer answers
  than items) the result carries ``None`` for the value and a finding saying why, instead of
  NaN or an exception. Intervals are clipped to the scale (0-100, NPS -100..100).
* Findings are ``{"code": ..., <numbers>}`` dicts, never sentences: the caller words them in
  the reader's language (``FINDING_CODES`` lists the codes).
"""

import math

import numpy as np
import pandas as pd
from scipy import stats

LIKERT_MIN = 1.0
LIKERT_MAX = 5.0
SCALE_BOUNDS = (0.0, 100.0)
NPS_BOUNDS = (-100.0, 100.0)
RECOMMEND_BOUNDS = (0.0, 10.0)
#: below this many complete answers alpha, KMO, factors and drivers are not estimated
MIN_ESTIMATE_N = 3
#: alpha on fewer complete answers than this gets a small-sample finding
ALPHA_SMALL_N = 30
#: KMO / Bartlett / factors on fewer than this many complete answers per item get one
FACTOR_ANSWERS_PER_ITEM = 5
SIGNIFICANCE = 0.05
#: dissatisfied < 60 <= average < 75 <= satisfied < 90 <= fully satisfied
LEVEL_BANDS = (60.0, 75.0, 90.0)
#: promoter 9-10, passive 7-8, detractor 0-6 (0-10 recommend answers)
NPS_PROMOTER = 9
NPS_PASSIVE = 7

FINDING_CODES = (
    "too_few_to_estimate",  # n: only n answers, intervals clipped, the rest not estimated
    "few_answers",  # n, needed: read with care
    "fewer_than_two_items",
    "too_few_complete",  # statistic, n, needed
    "listwise",  # statistic, n, total: complete cases only
    "sparse_item",  # item, n, total: an item answered by few respondents
    "small_sample",  # statistic, n, needed
    "no_variance",
    "alpha_low",  # alpha
    "constant_items",  # items
    "fewer_answers_than_items",  # n, k
    "kmo_low",  # kmo
    "bartlett_not_significant",  # p
    "no_overall",  # no overall-satisfaction answers: drivers skipped
    "too_few_for_regression",  # n, k
    "constant_dimensions",  # dimensions
    "overall_constant",
    "collinear",
    "recommend_out_of_scale",  # low, high
)


def _flag(code, **values):
    return {"code": code, **values}


# ---------------------------------------------------------------------------------------
# scoring
# ---------------------------------------------------------------------------------------
def scale_to_100(value, low=LIKERT_MIN, high=LIKERT_MAX, reverse=False):
    """Map an answer on [low, high] to 0-100; (a - 1) / 4 * 100 for a 1-5 Likert answer."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if high <= low:
        raise ValueError("The scale's upper bound must exceed its lower bound.")
    score = (float(value) - low) / (high - low) * 100.0
    score = min(max(score, 0.0), 100.0)
    return 100.0 - score if reverse else score


def weighted_mean(values, weights):
    """Weighted mean over the values that are present; None when none is."""
    pairs = [
        (float(v), float(w))
        for v, w in zip(values, weights, strict=True)
        if v is not None and not (isinstance(v, float) and math.isnan(v)) and w and w > 0
    ]
    total = sum(w for _v, w in pairs)
    if not pairs or total <= 0:
        return None
    return sum(v * w for v, w in pairs) / total


def satisfaction_level(index, bands=LEVEL_BANDS):
    """dissatisfied / average / satisfied / fully_satisfied from a 0-100 index."""
    if index is None:
        return None
    low, mid, high = bands
    if index < low:
        return "dissatisfied"
    if index < mid:
        return "average"
    if index < high:
        return "satisfied"
    return "fully_satisfied"


def nps_category(score):
    """promoter (9-10), passive (7-8), detractor (0-6) from a 0-10 answer."""
    if score is None or (isinstance(score, float) and math.isnan(score)):
        return None
    if score >= NPS_PROMOTER:
        return "promoter"
    if score >= NPS_PASSIVE:
        return "passive"
    return "detractor"


def nps(scores, confidence=0.95):
    """Net promoter score with a normal-approximation confidence interval.

    NPS = %promoters - %detractors; its variance is (p + d - (p - d)^2) / n. The interval is
    clipped to -100..100 and left out below two answers; answers outside 0-10 are refused
    (None and a ``recommend_out_of_scale`` finding), never read as detractors.
    :return: dict with nps, promoters, passives, detractors (shares), n, low, high, flags
    """
    values = pd.Series(scores, dtype="float64").dropna()
    n = len(values)
    empty = {"nps": None, "n": n, "low": None, "high": None, "promoters": None, "passives": None, "detractors": None}
    if n == 0:
        return {**empty, "flags": []}
    low_bound, high_bound = RECOMMEND_BOUNDS
    if values.min() < low_bound or values.max() > high_bound:
        return {**empty, "flags": [_flag("recommend_out_of_scale", low=float(values.min()), high=float(values.max()))]}
    promoters = float((values >= NPS_PROMOTER).mean())
    detractors = float((values < NPS_PASSIVE).mean())
    value = promoters - detractors
    low = high = None
    if n >= 2:
        variance = (promoters + detractors - value**2) / n
        z = stats.norm.ppf(0.5 + confidence / 2.0)
        half = z * math.sqrt(max(variance, 0.0))
        low, high = _clip((value - half) * 100.0, NPS_BOUNDS), _clip((value + half) * 100.0, NPS_BOUNDS)
    return {
        "nps": value * 100.0,
        "promoters": promoters,
        "passives": 1.0 - promoters - detractors,
        "detractors": detractors,
        "n": n,
        "low": low,
        "high": high,
        "flags": [],
    }


def _clip(value, bounds):
    if value is None or bounds is None:
        return value
    return min(max(value, bounds[0]), bounds[1])


def mean_ci(values, confidence=0.95, bounds=None):
    """Mean with a t-based confidence interval; None bounds below two values. ``bounds``
    (low, high) clips the interval to the scale (a 0-100 score cannot be 121)."""
    values = pd.Series(values, dtype="float64").dropna()
    n = len(values)
    if n == 0:
        return {"mean": None, "n": 0, "low": None, "high": None, "std": None}
    mean = float(values.mean())
    if n < 2:
        return {"mean": mean, "n": n, "low": None, "high": None, "std": None}
    std = float(values.std(ddof=1))
    half = stats.t.ppf(0.5 + confidence / 2.0, n - 1) * std / math.sqrt(n)
    return {"mean": mean, "n": n, "low": _clip(mean - half, bounds), "high": _clip(mean + half, bounds), "std": std}


def item_statistics(items, top_box_threshold=75.0):
    """Per item: n, mean, standard deviation and top-2-box share (0-100 scale: >= 75 is a
    4 or a 5 on a 1-5 scale). Each item on its own answers (pairwise: n per item)."""
    values = items.to_numpy(dtype=float)
    present = ~np.isnan(values)
    counts = present.sum(axis=0)
    filled = np.where(present, values, 0.0)
    sums = filled.sum(axis=0)
    means = np.divide(sums, counts, out=np.full(len(counts), np.nan), where=counts > 0)
    deviations = np.where(present, values - means, 0.0)
    variances = np.divide((deviations**2).sum(axis=0), counts - 1, out=np.full(len(counts), np.nan), where=counts > 1)
    top = np.divide(
        (present & (filled >= top_box_threshold)).sum(axis=0),
        counts,
        out=np.full(len(counts), np.nan),
        where=counts > 0,
    )
    return [
        {
            "item": column,
            "n": int(counts[i]),
            "mean": float(means[i]) if counts[i] else None,
            "std": float(math.sqrt(variances[i])) if counts[i] > 1 else None,
            "top2": float(top[i]) if counts[i] else None,
        }
        for i, column in enumerate(items.columns)
    ]


# ---------------------------------------------------------------------------------------
# the scale: complete cases and one covariance matrix
# ---------------------------------------------------------------------------------------
class Scale:
    """The complete cases of a set of items (listwise deletion) and their covariance and
    correlation matrices, computed once. Alpha, alpha if item deleted, item-total
    correlations, per-dimension alpha, KMO, Bartlett and the factor analysis are all derived
    from these two matrices (no statistic goes back to the raw answers)."""

    def __init__(self, items):
        self.columns = list(items.columns)
        values = items.to_numpy(dtype=float)
        self.total = values.shape[0]
        self.k = values.shape[1]
        data = values[~np.isnan(values).any(axis=1)] if self.k else values[:0]
        self.n = data.shape[0]
        self.answered = (~np.isnan(values)).sum(axis=0) if self.k else np.zeros(0, dtype=int)
        self.cov = self.corr = None
        self.constant = []
        if self.n >= 2 and self.k >= 1:
            centered = data - data.mean(axis=0)
            self.cov = centered.T @ centered / (self.n - 1)
            variance = np.diag(self.cov)
            tolerance = 1e-12 * max(1.0, float(np.abs(data).max()) ** 2)
            self.constant = [c for c, v in zip(self.columns, variance, strict=True) if v <= tolerance]
            if not self.constant:
                sd = np.sqrt(variance)
                self.corr = self.cov / np.outer(sd, sd)
                np.fill_diagonal(self.corr, 1.0)

    def positions(self, keys):
        index = {c: i for i, c in enumerate(self.columns)}
        return [index[k] for k in keys if k in index]

    def missing_flags(self, statistic):
        """``listwise`` when answers were left out, and ``sparse_item`` for items answered by
        at most half of the respondents (they shrink every scale statistic)."""
        flags = []
        if self.n < self.total:
            flags.append(_flag("listwise", statistic=statistic, n=self.n, total=self.total))
            for column, answered in zip(self.columns, self.answered, strict=True):
                if answered * 2 <= self.total:
                    flags.append(_flag("sparse_item", item=column, n=int(answered), total=self.total))
        return flags


def _as_scale(items):
    return items if isinstance(items, Scale) else Scale(items)


# ---------------------------------------------------------------------------------------
# reliability
# ---------------------------------------------------------------------------------------
def _alpha_from_cov(cov):
    k = cov.shape[0]
    total = float(cov.sum())
    if k < 2 or total <= 0:
        return None
    return k / (k - 1.0) * (1.0 - float(np.trace(cov)) / total)


def alpha_interval(alpha, n, k, confidence=0.95):
    """Feldt's (1965) interval for Cronbach's alpha: (1 - alpha) / (1 - alpha_hat) follows
    F(n - 1, (n - 1)(k - 1)). The upper bound is at most 1."""
    if alpha is None or n < MIN_ESTIMATE_N or k < 2:
        return None, None
    df1, df2 = n - 1, (n - 1) * (k - 1)
    low = 1.0 - (1.0 - alpha) * stats.f.ppf(0.5 + confidence / 2.0, df1, df2)
    high = 1.0 - (1.0 - alpha) * stats.f.ppf(0.5 - confidence / 2.0, df1, df2)
    return float(low), float(min(high, 1.0))


def _alpha_of(scale, positions=None):
    """(alpha, flags) of the items at ``positions`` (all by default) from the scale's
    covariance matrix; None with the reason where it cannot be estimated."""
    k = scale.k if positions is None else len(positions)
    if k < 2:
        return None, [_flag("fewer_than_two_items")]
    if scale.n < MIN_ESTIMATE_N or scale.cov is None:
        return None, [_flag("too_few_complete", statistic="alpha", n=scale.n, needed=MIN_ESTIMATE_N)]
    cov = scale.cov if positions is None else scale.cov[np.ix_(positions, positions)]
    alpha = _alpha_from_cov(cov)
    if alpha is None:
        return None, [_flag("no_variance")]
    return alpha, []


def cronbach_alpha(items):
    """Cronbach's alpha from the item covariance matrix:
    alpha = k / (k - 1) * (1 - sum(var_i) / var_total). Complete cases only.

    :return: (alpha or None, n used, flags)
    """
    scale = _as_scale(items)
    alpha, flags = _alpha_of(scale)
    return alpha, scale.n, flags


def reliability(items, confidence=0.95):
    """Alpha with its Feldt interval, alpha if item deleted and corrected item-total
    correlation per item, all from one covariance matrix of the complete cases.

    With S the sum of the covariance matrix, T its trace and c_i the sum of row i: the scale
    without item i has total variance S - 2 c_i + v_i and trace T - v_i, and the item's
    covariance with the rest is c_i - v_i.
    """
    scale = _as_scale(items)
    alpha, flags = _alpha_of(scale)
    low, high = alpha_interval(alpha, scale.n, scale.k, confidence)
    per_item = []
    cov = scale.cov
    estimable = cov is not None and scale.n >= MIN_ESTIMATE_N and scale.k >= 2
    if estimable:
        total, trace = float(cov.sum()), float(np.trace(cov))
        row_sums, variances = cov.sum(axis=1), np.diag(cov)
    for position, column in enumerate(scale.columns):
        alpha_deleted = correlation = None
        if estimable:
            rest_variance = total - 2.0 * row_sums[position] + variances[position]
            if scale.k >= 3 and rest_variance > 0:
                alpha_deleted = (
                    (scale.k - 1.0) / (scale.k - 2.0) * (1.0 - (trace - variances[position]) / rest_variance)
                )
            if variances[position] > 0 and rest_variance > 0:
                correlation = (row_sums[position] - variances[position]) / math.sqrt(
                    variances[position] * rest_variance
                )
        per_item.append({"item": column, "alpha_if_deleted": alpha_deleted, "item_total": correlation})
    if alpha is not None:
        flags += scale.missing_flags("alpha")
        if scale.n < ALPHA_SMALL_N:
            flags.append(_flag("small_sample", statistic="alpha", n=scale.n, needed=ALPHA_SMALL_N))
        if alpha < 0.7:
            flags.append(_flag("alpha_low", alpha=alpha))
    return {
        "alpha": alpha,
        "low": low,
        "high": high,
        "n": scale.n,
        "n_total": scale.total,
        "k": scale.k,
        "missing": "listwise",
        "items": per_item,
        "flags": flags,
    }


def dimension_reliability(items, dimension_items, confidence=0.95):
    """Alpha (with its Feldt interval) of each dimension's items, from the submatrix of the
    whole scale's covariance matrix (the same complete cases as the overall alpha)."""
    scale = _as_scale(items)
    rows = []
    for dimension, keys in (dimension_items or {}).items():
        positions = scale.positions(keys)
        alpha, flags = _alpha_of(scale, positions)
        low, high = alpha_interval(alpha, scale.n, len(positions), confidence)
        rows.append(
            {
                "dimension": dimension,
                "alpha": alpha,
                "low": low,
                "high": high,
                "n": scale.n,
                "k": len(positions),
                "flags": flags,
            }
        )
    return rows


# ---------------------------------------------------------------------------------------
# sampling adequacy and sphericity
# ---------------------------------------------------------------------------------------
def _adequacy_flags(scale):
    """Why the correlation matrix cannot be used (None-valued result), else []."""
    if scale.constant:
        return [_flag("constant_items", items=[str(c) for c in scale.constant])]
    if scale.k < 2:
        return [_flag("fewer_than_two_items")]
    if scale.n <= scale.k or scale.corr is None:
        return [_flag("fewer_answers_than_items", n=scale.n, k=scale.k)]
    return []


def _size_flags(scale, statistic):
    flags = scale.missing_flags(statistic)
    needed = FACTOR_ANSWERS_PER_ITEM * scale.k
    if scale.n < needed:
        flags.append(_flag("small_sample", statistic=statistic, n=scale.n, needed=needed))
    return flags


def kmo(items):
    """Kaiser-Meyer-Olkin measure overall and per item (MSA), from the correlation matrix R
    and the partial correlations derived from its inverse. The pseudo-inverse is the inverse of
    a regular R; for a singular one (an item repeating another, or the sum of others) a plain
    inversion does not always fail but returns huge values with a negative diagonal (KMO NaN)."""
    scale = _as_scale(items)
    flags = _adequacy_flags(scale)
    if flags:
        return {"kmo": None, "msa": {}, "n": scale.n, "n_total": scale.total, "flags": flags}
    corr = scale.corr
    inverse = np.linalg.pinv(corr, hermitian=True)
    scale_matrix = np.sqrt(np.outer(np.diag(inverse), np.diag(inverse)))
    partial = -inverse / scale_matrix
    np.fill_diagonal(partial, 0.0)
    r2 = corr.copy()
    np.fill_diagonal(r2, 0.0)
    r2 = r2**2
    p2 = partial**2
    overall = r2.sum() / (r2.sum() + p2.sum())
    per_item = r2.sum(axis=0) / (r2.sum(axis=0) + p2.sum(axis=0))
    flags = _size_flags(scale, "kmo")
    if overall < 0.6:
        flags.append(_flag("kmo_low", kmo=float(overall)))
    return {
        "kmo": float(overall),
        "msa": dict(zip(scale.columns, map(float, per_item), strict=True)),
        "n": scale.n,
        "n_total": scale.total,
        "flags": flags,
    }


def bartlett(items):
    """Bartlett's test of sphericity: chi2 = -(n - 1 - (2k + 5) / 6) ln|R|, df = k(k - 1) / 2."""
    scale = _as_scale(items)
    n, k = scale.n, scale.k
    empty = {"chi2": None, "df": None, "p": None, "n": n, "n_total": scale.total}
    if _adequacy_flags(scale):
        return empty
    # A singular R (an item repeating another) has no statistic, whether its determinant comes
    # out as 0 or, by rounding, as a tiny positive number.
    sign, logdet = np.linalg.slogdet(scale.corr)
    if sign <= 0 or np.linalg.matrix_rank(scale.corr, hermitian=True) < k:
        return empty
    chi2 = -(n - 1 - (2 * k + 5) / 6.0) * logdet
    df = k * (k - 1) / 2.0
    return {"chi2": float(chi2), "df": df, "p": float(stats.chi2.sf(chi2, df)), "n": n, "n_total": scale.total}


# ---------------------------------------------------------------------------------------
# exploratory factor analysis (principal components extraction, varimax rotation)
# ---------------------------------------------------------------------------------------
def varimax(loadings, gamma=1.0, max_iter=100, tol=1e-8):
    """Kaiser's varimax rotation of a loadings matrix (items x factors)."""
    p, k = loadings.shape
    if k < 2:
        return loadings
    rotation = np.eye(k)
    criterion = 0.0
    for _iteration in range(max_iter):
        rotated = loadings @ rotation
        u, s, vt = np.linalg.svd(
            loadings.T @ (rotated**3 - (gamma / p) * rotated @ np.diag(np.sum(rotated**2, axis=0)))
        )
        rotation = u @ vt
        new_criterion = np.sum(s)
        if new_criterion < criterion * (1 + tol):
            break
        criterion = new_criterion
    return loadings @ rotation


def factor_analysis(items, n_factors=None, significance=SIGNIFICANCE):
    """Principal-component factor extraction from the correlation matrix, number of factors
    by eigenvalue > 1 unless given, varimax rotation. When Bartlett's test does not reject
    sphericity (p >= ``significance``) the items are not shown to share factors: the
    eigenvalues are reported, no factor is retained, and a finding says why.

    :return: dict with eigenvalues, explained (share per factor), cumulative, loadings
        ({item: [loading per factor]}), n_factors, n, flags
    """
    scale = _as_scale(items)
    n, k = scale.n, scale.k
    flags = []
    if scale.constant:
        flags.append(_flag("constant_items", items=[str(c) for c in scale.constant]))
    if n <= k or (scale.corr is None and not scale.constant):
        flags.append(_flag("fewer_answers_than_items", n=n, k=k))
    if k < 2:
        flags.append(_flag("fewer_than_two_items"))
    result = {
        "eigenvalues": [],
        "explained": [],
        "cumulative": [],
        "loadings": {},
        "n_factors": 0,
        "n": n,
        "n_total": scale.total,
        "flags": flags,
    }
    if flags:
        return result
    eigenvalues, vectors = np.linalg.eigh(scale.corr)
    order = np.argsort(eigenvalues)[::-1]
    eigenvalues, vectors = eigenvalues[order], vectors[:, order]
    explained = eigenvalues / k
    result.update(
        {
            "eigenvalues": [float(v) for v in eigenvalues],
            "explained": [float(v) for v in explained],
            "cumulative": [float(v) for v in np.cumsum(explained)],
            "flags": _size_flags(scale, "factors"),
        }
    )
    if n_factors is None:
        sphericity = bartlett(scale)
        if sphericity["p"] is not None and sphericity["p"] >= significance:
            result["flags"].append(_flag("bartlett_not_significant", p=sphericity["p"]))
            return result
    count = n_factors or max(1, int((eigenvalues > 1.0).sum()))
    loadings = vectors[:, :count] * np.sqrt(np.clip(eigenvalues[:count], 0.0, None))
    loadings = varimax(loadings)
    # Sign convention: each factor's largest loading is positive.
    for j in range(loadings.shape[1]):
        if loadings[np.argmax(np.abs(loadings[:, j])), j] < 0:
            loadings[:, j] *= -1
    result["loadings"] = {item: [float(x) for x in row] for item, row in zip(scale.columns, loadings, strict=True)}
    result["n_factors"] = count
    return result


# ---------------------------------------------------------------------------------------
# drivers
# ---------------------------------------------------------------------------------------
def driver_correlations(dimensions, overall):
    """Pearson correlation of each dimension with overall satisfaction, with p-values."""
    result = []
    for column in dimensions.columns:
        pair = pd.concat([dimensions[column], pd.Series(overall, index=dimensions.index)], axis=1).dropna()
        if len(pair) < 3 or pair.iloc[:, 0].std() == 0 or pair.iloc[:, 1].std() == 0:
            result.append({"dimension": column, "r": None, "p": None, "n": len(pair)})
            continue
        r, p = stats.pearsonr(pair.iloc[:, 0], pair.iloc[:, 1])
        result.append({"dimension": column, "r": float(r), "p": float(p), "n": len(pair)})
    return result


def regression(dimensions, overall):
    """OLS of overall satisfaction on the dimensions: standardised coefficients (beta),
    p-values, R-squared and relative importance (share of sum |beta|)."""
    data = pd.concat([dimensions, pd.Series(overall, index=dimensions.index, name="__overall")], axis=1).dropna()
    n, k = data.shape[0], dimensions.shape[1]
    flags = []
    if n <= k + 1:
        flags.append(_flag("too_few_for_regression", n=n, k=k))
    constant = [str(c) for c in dimensions.columns if n and data[c].std() == 0]
    if constant:
        flags.append(_flag("constant_dimensions", dimensions=constant))
    if flags or data["__overall"].std() == 0:
        return {"r2": None, "n": n, "coefficients": [], "flags": flags or [_flag("overall_constant")]}
    standardised = (data - data.mean()) / data.std(ddof=1)
    x = standardised[list(dimensions.columns)].to_numpy()
    y = standardised["__overall"].to_numpy()
    design = np.column_stack([np.ones(n), x])
    coef, _res, rank, _sv = np.linalg.lstsq(design, y, rcond=None)
    fitted = design @ coef
    residual = y - fitted
    ss_res = float(residual @ residual)
    ss_tot = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - ss_res / ss_tot if ss_tot else None
    dof = n - k - 1
    sigma2 = ss_res / dof if dof > 0 else float("nan")
    # Collinear dimensions (one repeating another, or the sum of others) have no standard
    # errors. The rank says so: a plain inversion of such a matrix does not always fail but may
    # return meaningless values (p-values of 0.99999 for a duplicated dimension).
    if rank < k + 1:
        se = np.full(k + 1, np.nan)
        flags.append(_flag("collinear"))
    else:
        se = np.sqrt(np.diag(sigma2 * np.linalg.inv(design.T @ design)))
    betas = coef[1:]
    total = np.abs(betas).sum()
    coefficients = []
    for index, column in enumerate(dimensions.columns):
        t_value = betas[index] / se[index + 1] if se[index + 1] and not np.isnan(se[index + 1]) else None
        p_value = float(2 * stats.t.sf(abs(t_value), dof)) if t_value is not None and dof > 0 else None
        coefficients.append(
            {
                "dimension": column,
                "beta": float(betas[index]),
                "p": p_value,
                "importance": float(abs(betas[index]) / total) if total else None,
            }
        )
    return {"r2": r2, "n": n, "coefficients": coefficients, "flags": flags, "rank": int(rank)}


IPA_QUADRANTS = {
    ("high", "high"): "keep_up",
    ("high", "low"): "concentrate",
    ("low", "low"): "low_priority",
    ("low", "high"): "overkill",
}


def importance_performance(importance, performance):
    """Importance-performance quadrant per dimension, split at the means.

    :param importance: {dimension: driver strength}
    :param performance: {dimension: mean score}
    :return: {dimension: quadrant}: keep_up (important, performing), concentrate (important,
        under-performing), low_priority, overkill (performing on what matters little)
    """
    keys = [k for k in importance if importance[k] is not None and performance.get(k) is not None]
    if not keys:
        return {}
    mean_importance = sum(importance[k] for k in keys) / len(keys)
    mean_performance = sum(performance[k] for k in keys) / len(keys)
    return {
        k: IPA_QUADRANTS[
            (
                "high" if importance[k] >= mean_importance else "low",
                "high" if performance[k] >= mean_performance else "low",
            )
        ]
        for k in keys
    }


# ---------------------------------------------------------------------------------------
# comparisons
# ---------------------------------------------------------------------------------------
def compare_means(current, previous):
    """Difference of means with Welch's t-test; None where either side has under two values."""
    a = pd.Series(current, dtype="float64").dropna()
    b = pd.Series(previous, dtype="float64").dropna()
    if len(a) < 2 or len(b) < 2:
        return {"difference": None if a.empty or b.empty else float(a.mean() - b.mean()), "p": None}
    t_stat, p_value = stats.ttest_ind(a, b, equal_var=False)
    return {"difference": float(a.mean() - b.mean()), "t": float(t_stat), "p": float(p_value)}


def compare_groups(values, groups, min_size=5):
    """One-way ANOVA and Kruskal-Wallis across the groups that have at least ``min_size``
    answers; None when fewer than two groups qualify."""
    frame = pd.DataFrame({"value": values, "group": groups}).dropna()
    samples = [g["value"].to_numpy() for _name, g in frame.groupby("group") if len(g) >= min_size]
    if len(samples) < 2 or all(np.std(s) == 0 for s in samples):
        return {"anova_p": None, "kruskal_p": None, "groups": len(samples)}
    return {
        "anova_p": float(stats.f_oneway(*samples).pvalue),
        "kruskal_p": float(stats.kruskal(*samples).pvalue),
        "groups": len(samples),
    }


# ---------------------------------------------------------------------------------------
# scoring answers and analysing a set of them
# ---------------------------------------------------------------------------------------
ROLES = ("item", "overall", "recommend", "repurchase")


def score_answers(lines, dimension_weights, bands=LEVEL_BANDS):
    """Score survey answers.

    :param lines: DataFrame with one row per answered item: ``response`` (answer id),
        ``item`` (item key), ``dimension`` (id or None), ``item_weight``, ``role`` (item,
        overall, recommend, repurchase), ``value`` (0-100) and ``raw`` (the answer on its
        own scale, used for the 0-10 recommend question)
    :param dimension_weights: {dimension id: weight}
    :return: (responses, dimension_scores) where ``responses`` is a DataFrame indexed by
        response with index, level, overall, recommend, nps_category, repurchase, and
        ``dimension_scores`` a DataFrame with response, dimension, score
    """
    columns = ["index", "level", "overall", "recommend", "nps_category", "repurchase"]
    if lines.empty:
        return pd.DataFrame(columns=columns), pd.DataFrame(columns=["response", "dimension", "score"])
    lines = lines.dropna(subset=["value"])
    items = lines[(lines["role"] == "item") & lines["dimension"].notna()].copy()
    items = items[items["item_weight"] > 0]
    items["weighted"] = items["value"] * items["item_weight"]
    grouped = items.groupby(["response", "dimension"])[["weighted", "item_weight"]].sum()
    dimension_scores = (grouped["weighted"] / grouped["item_weight"]).rename("score").reset_index()
    dimension_scores["weight"] = dimension_scores["dimension"].map(dimension_weights).fillna(0.0)
    used = dimension_scores[dimension_scores["weight"] > 0].copy()
    used["weighted"] = used["score"] * used["weight"]
    per_response = used.groupby("response")[["weighted", "weight"]].sum()
    index = per_response["weighted"] / per_response["weight"]
    responses = pd.DataFrame(index=pd.Index(sorted(lines["response"].unique()), name="response"))
    responses["index"] = index
    for role, column, source in (
        ("overall", "overall", "value"),
        ("recommend", "recommend", "raw"),
        ("repurchase", "repurchase", "value"),
    ):
        values = lines[lines["role"] == role].groupby("response")[source].mean()
        responses[column] = values
    responses["level"] = responses["index"].map(
        lambda v: None if v is None or (isinstance(v, float) and math.isnan(v)) else satisfaction_level(v, bands)
    )
    responses["nps_category"] = responses["recommend"].map(nps_category)
    return responses[columns], dimension_scores[["response", "dimension", "score"]]


def _clean(value):
    """JSON-safe: NaN and infinities become None, numpy scalars become Python numbers."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        value = float(value)
        return None if math.isnan(value) or math.isinf(value) else value
    return value


def analyse(
    items,
    dimensions,
    overall,
    recommend,
    segments=None,
    dimension_items=None,
    previous=None,
    min_n=10,
    index=None,
    previous_recommend=None,
    significance=SIGNIFICANCE,
):
    """Everything the campaign shows and exports, as JSON-safe plain data.

    :param items: DataFrame respondents x items (0-100, NaN where unanswered)
    :param dimensions: DataFrame respondents x dimensions (0-100, full precision)
    :param overall: Series of overall satisfaction per respondent, the dependent variable of
        the driver analysis, or None when the survey asks no overall-satisfaction question:
        then the drivers are skipped with a ``no_overall`` finding (the composite index is a
        weighted sum of the dimensions and would only explain itself, R² = 1)
    :param index: Series of the composite index per respondent for the summary, the segments
        and the comparison (defaults to ``overall``)
    :param recommend: Series of 0-10 recommend answers
    :param segments: DataFrame of segment labels per respondent (tier, class, region, ...)
    :param dimension_items: {dimension: [item keys]} for per-dimension alpha
    :param previous: Series of the previous campaign's index values, for the comparison
    :param previous_recommend: Series of the previous campaign's recommend answers (NPS trend)
    """
    index = overall if index is None else index
    index = pd.Series(index, dtype="float64") if not isinstance(index, pd.Series) else index
    n = len(index) if index is not None else len(items)
    flags = []
    if n < MIN_ESTIMATE_N:
        flags.append(_flag("too_few_to_estimate", n=n))
    elif n < min_n:
        flags.append(_flag("few_answers", n=n, needed=min_n))
    has_overall = overall is not None and pd.Series(overall, dtype="float64").notna().any()
    if not has_overall:
        flags.append(_flag("no_overall"))
    scale = Scale(items)
    reliability_result = reliability(scale)
    factors = factor_analysis(scale, significance=significance)
    result = {
        "n": n,
        "index": mean_ci(index, bounds=SCALE_BOUNDS),
        "nps": nps(recommend),
        "items": item_statistics(items),
        "dimensions": [
            {
                "dimension": column,
                **mean_ci(dimensions[column], bounds=SCALE_BOUNDS),
                "top2": float((dimensions[column].dropna() >= 75).mean()) if dimensions[column].notna().any() else None,
            }
            for column in dimensions.columns
        ],
        "reliability": reliability_result,
        "reliability_by_dimension": dimension_reliability(scale, dimension_items),
        "kmo": kmo(scale),
        "bartlett": bartlett(scale),
        "factors": factors,
        "correlations": driver_correlations(dimensions, overall) if has_overall and n >= MIN_ESTIMATE_N else [],
        "regression": regression(dimensions, overall)
        if has_overall and dimensions.shape[1] >= 1 and n >= MIN_ESTIMATE_N
        else {"r2": None, "n": 0, "coefficients": [], "flags": []},
        "flags": flags,
    }
    importance = {row["dimension"]: abs(row["r"]) if row["r"] is not None else None for row in result["correlations"]}
    performance = {row["dimension"]: row["mean"] for row in result["dimensions"]}
    result["quadrants"] = importance_performance(importance, performance)
    result["comparison"] = compare_means(index, previous) if previous is not None else None
    if previous_recommend is not None:
        before = nps(previous_recommend)
        result["nps_comparison"] = {
            "previous": before["nps"],
            "n": before["n"],
            "difference": result["nps"]["nps"] - before["nps"]
            if result["nps"]["nps"] is not None and before["nps"] is not None
            else None,
        }
    result["segments"] = {}
    for column in segments.columns if segments is not None else []:
        labels = segments[column]
        groups = []
        for label, idx in labels.groupby(labels).groups.items():
            groups.append({"segment": label, "n": len(idx), "index": _clean(mean_ci(index.loc[idx])["mean"])})
        test = compare_groups(index, labels)
        test["significant"] = test["anova_p"] is not None and test["anova_p"] < significance
        result["segments"][column] = {"groups": groups, "test": test}
    return _clean(result)


# ---------------------------------------------------------------------------------------
# chart layout (the importance-performance chart drawn as SVG by the campaign)
# ---------------------------------------------------------------------------------------
def _step(span, count=5):
    raw = span / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def chart_range(low, high, floor, ceiling, count=5):
    """An axis range around the data [low, high], on round steps, within [floor, ceiling]
    (so that points are spread over the plot instead of bunched in a corner)."""
    span = high - low
    pad = span * 0.15 if span > 0 else max(abs(high) * 0.1, (ceiling - floor) * 0.05)
    step = _step(span + 2 * pad, count)
    start = max(floor, math.floor((low - pad) / step) * step)
    end = min(ceiling, math.ceil((high + pad) / step) * step)
    if end <= start:
        end = start + step
    return start, end


def chart_ticks(low, high, count=5):
    """Round tick values from ``low`` to ``high``."""
    step = _step(high - low, count)
    first = math.ceil(low / step - 1e-9) * step
    ticks = []
    value = first
    while value <= high + 1e-9 and len(ticks) < 50:
        ticks.append(round(value, 10))
        value += step
    return ticks


def spread_labels(positions, gap, low, high):
    """Label positions (same order as the sorted ``positions``) at least ``gap`` apart,
    each as close to its point as possible, all within [low, high]."""
    placed = []
    for position in positions:
        y = max(position, low) if not placed else max(position, placed[-1] + gap)
        placed.append(y)
    overflow = placed[-1] - high if placed else 0
    if overflow > 0:  # push the stack back up from the bottom
        placed[-1] = high
        for i in range(len(placed) - 2, -1, -1):
            placed[i] = min(placed[i], placed[i + 1] - gap)
    return placed
