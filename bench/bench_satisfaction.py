"""Benchmark: satisfaction analysis and the leadership Excel export (engine level).

Times, on seeded synthetic answers:
  (a) the engine's full analysis of 10,000 answers x 30 items (scores, alpha, KMO, Bartlett,
      factor analysis, drivers, segments) against (n) a naive pure-Python Cronbach's alpha
      alone on the same data;
  (b) the Excel export of 50,000 answers in constant-memory mode against (m) the same
      workbook written in xlsxwriter's default in-memory mode,
and prints times, ratios and peak Python memory (tracemalloc). Run with ``make bench``
(odoo options on the command line are ignored) or directly with the project's venv.
"""

import importlib.util
import io
import pathlib
import sys
import time
import tracemalloc

import numpy as np
import pandas as pd

ROOT = pathlib.Path(__file__).resolve().parent.parent
ENGINE = ROOT / "customer_relations" / "engine"
spec = importlib.util.spec_from_file_location(
    "cr_engine", ENGINE / "__init__.py", submodule_search_locations=[str(ENGINE)]
)
cr_engine = importlib.util.module_from_spec(spec)
sys.modules["cr_engine"] = cr_engine
spec.loader.exec_module(cr_engine)
from cr_engine import satisfaction, workbook  # noqa: E402

RESPONDENTS, ITEMS, DIMENSIONS, EXPORT_ROWS = 10_000, 30, 6, 50_000


def synthetic(n, k, dims, seed=42):
    rng = np.random.default_rng(seed)
    factors = rng.normal(size=(n, dims))
    columns = {}
    for item in range(k):
        latent = factors[:, item % dims]
        answer = np.clip(np.round(3 + latent + 0.8 * rng.normal(size=n)), 1, 5)
        answer[rng.random(n) < 0.03] = np.nan  # unanswered items
        columns[f"item {item + 1}"] = (answer - 1) / 4 * 100
    items = pd.DataFrame(columns)
    dimension_items = {f"dim {d + 1}": [f"item {i + 1}" for i in range(k) if i % dims == d] for d in range(dims)}
    dimensions = pd.DataFrame({d: items[keys].mean(axis=1) for d, keys in dimension_items.items()})
    overall = dimensions.mean(axis=1)
    recommend = np.clip(np.round(overall / 10 + rng.normal(size=n)), 0, 10)
    segments = pd.DataFrame({"tier": rng.choice(["a", "b", "c"], size=n), "region": rng.choice(list("ENWSC"), size=n)})
    return items, dimensions, overall, pd.Series(recommend), segments, dimension_items


def naive_alpha(items):
    rows = [r for r in items.itertuples(index=False) if all(v == v for v in r)]
    k = len(rows[0])

    def variance(values):
        mean = sum(values) / len(values)
        return sum((v - mean) ** 2 for v in values) / (len(values) - 1)

    item_var = sum(variance([r[i] for r in rows]) for i in range(k))
    total_var = variance([sum(r) for r in rows])
    return k / (k - 1) * (1 - item_var / total_var)


def timed(function):
    """(result, seconds without tracing, peak traced MiB on a second, traced run)."""
    start = time.perf_counter()
    result = function()
    elapsed = time.perf_counter() - start
    tracemalloc.start()
    function()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, elapsed, peak / 2**20


def main():
    items, dimensions, overall, recommend, segments, dimension_items = synthetic(RESPONDENTS, ITEMS, DIMENSIONS)
    analysis, t_analysis, m_analysis = timed(
        lambda: satisfaction.analyse(
            items, dimensions, overall, recommend, segments, dimension_items, previous=overall - 2
        )
    )
    alpha, t_naive, _m = timed(lambda: naive_alpha(items))
    print(f"(a) analysis of {RESPONDENTS} answers x {ITEMS} items: {t_analysis:8.3f} s, peak {m_analysis:7.1f} MiB")
    print(f"(n) naive pure-Python Cronbach's alpha alone:          {t_naive:8.3f} s")
    print(f"    n/a = {t_naive / t_analysis:.1f}  (alpha {analysis['reliability']['alpha']:.4f} vs naive {alpha:.4f})")

    rng = np.random.default_rng(1)

    def customers():
        for row in range(EXPORT_ROWS):
            yield (
                f"客户 {row} Customer {row}",
                float(rng.uniform(40, 100)),
                float(rng.integers(0, 11)),
                "a",
                "key",
                "王伟",
                "华东",
            )

    def comments():
        for row in range(EXPORT_ROWS // 5):
            yield (f"客户 {row}", "意见与建议 Comments", "交货及时，服务很好。Deliveries on time, good service.")

    def export(constant):
        buffer = io.BytesIO()
        original = workbook.xlsxwriter.Workbook

        def factory(target, options):
            return original(target, {**options, "constant_memory": constant})

        workbook.xlsxwriter.Workbook = factory
        try:
            workbook.write_summary(buffer, analysis, comments=comments(), customers=customers())
        finally:
            workbook.xlsxwriter.Workbook = original
        return len(buffer.getvalue())

    size, t_export, m_export = timed(lambda: export(True))
    _size, t_memory, m_memory = timed(lambda: export(False))
    print(
        f"(b) Excel export of {EXPORT_ROWS} answers, constant memory: {t_export:8.3f} s, "
        f"peak {m_export:7.1f} MiB, {size / 2**20:.1f} MiB file"
    )
    print(f"(m) the same in xlsxwriter's in-memory mode:             {t_memory:8.3f} s, peak {m_memory:7.1f} MiB")
    print(f"    peak memory m/b = {m_memory / m_export:.1f}")


if __name__ == "__main__":
    main()
