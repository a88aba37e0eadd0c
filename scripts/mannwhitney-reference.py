#!/usr/bin/env python3
"""SciPy's two-sided Mann-Whitney U p-values for fixed samples, as the JSON fixture the Swift tests check against.

    python3 scripts/mannwhitney-reference.py > Tests/ReportingTests/Fixtures/mannwhitney-scipy.json

Needs SciPy (the system python3 here has 1.17; the project venv does not). Each case records the samples, SciPy's
`statistic` (U of the first sample), `pvalue` with method="auto" (exact when min(n1, n2) <= 8 and there are no ties,
else the normal approximation with tie and continuity correction) and the method auto chose, so a test can use a
tight tolerance for exact values and a looser one for the approximation. The samples are fixed (a seeded generator
plus hand-written tie cases), so re-running the script reproduces the file byte for byte with the same SciPy.
"""
import json
import random
import sys

import scipy
from scipy import stats
from scipy.stats._mannwhitneyu import _mwu_choose_method


def sample(rng, n, shift, ties=False):
    # Run-like values: a latency around 100 ms with 5 % noise; with ties, rounded to whole ms so some coincide.
    xs = [100 * (1 + shift) * (1 + rng.uniform(-0.05, 0.05)) for _ in range(n)]
    return [float(round(x)) for x in xs] if ties else [round(x, 6) for x in xs]


def cases():
    rng = random.Random(20261203)
    sizes = [(3, 3), (3, 4), (4, 4), (4, 5), (5, 5), (5, 7), (6, 9), (8, 8), (8, 12), (9, 9), (10, 12), (20, 15)]
    for n1, n2 in sizes:
        for shift in (0.0, 0.08, 0.2):
            yield f"{n1}v{n2} shift {shift:+.0%}", sample(rng, n1, 0.0), sample(rng, n2, shift)
    for n1, n2 in [(4, 4), (5, 7), (8, 8), (10, 12)]:
        yield f"{n1}v{n2} ties (whole ms)", sample(rng, n1, 0.0, ties=True), sample(rng, n2, 0.05, ties=True)
    # Hand-written edge cases: complete separation, a tie across the samples, all equal, one tie group inside a sample.
    yield "3v3 complete separation", [1.0, 2.0, 3.0], [4.0, 5.0, 6.0]
    yield "4v4 complete separation", [10.0, 11.0, 12.0, 13.0], [14.0, 15.0, 16.0, 17.0]
    yield "4v4 ties across samples", [1.0, 2.0, 3.0, 3.0], [3.0, 4.0, 5.0, 6.0]
    yield "3v5 ties within and across", [2.0, 2.0, 4.0], [4.0, 5.0, 5.0, 5.0, 9.0]
    yield "5v5 ties across samples", [1.0, 2.0, 2.0, 3.0, 4.0], [3.0, 4.0, 5.0, 5.0, 6.0]
    yield "3v3 all equal", [7.0, 7.0, 7.0], [7.0, 7.0, 7.0]
    yield "8v8 one tie inside a sample", [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 6.0, 8.5], [7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0]
    yield "10v5 Hollander-Wolfe", [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46], [1.15, 0.88, 0.90, 0.74, 1.21]


def main():
    out = []
    for name, x, y in cases():
        r = stats.mannwhitneyu(x, y, alternative="two-sided", method="auto")
        ties = len(set(x + y)) < len(x) + len(y)
        out.append({
            "name": name,
            "x": x,
            "y": y,
            "method": "exact" if _mwu_choose_method(len(x), len(y), ties) == "exact" else "normal",
            "u": float(r.statistic),
            "p": float(r.pvalue),
        })
    json.dump({"generator": "scripts/mannwhitney-reference.py", "scipy": scipy.__version__,
               "call": "scipy.stats.mannwhitneyu(x, y, alternative='two-sided', method='auto')", "cases": out},
              sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
