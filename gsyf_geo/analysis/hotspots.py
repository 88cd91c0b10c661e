"""Hot spots: Getis-Ord Gi* with conditional permutations and false-discovery-rate control.

Rules (a reviewer can apply them by hand):

Statistic
    Getis-Ord Gi* (PySAL ``esda.G_Local`` with ``star=True``) of a value per cell, with
    binary weights: a cell's neighbours are the cells of the analysis within
    ``ring`` H3 steps (default 1: the six adjacent hexagons), the cell itself included.
    Gi* is the share of the total value that lies in the cell's neighbourhood.
Which cells
    The accident rate: every hexagon with a rate (not 样本不足); pneumoconiosis cases and the
    enrollment gap (uninsured workers): every hexagon holding at least one of the view's
    enterprises. Cells outside the analysis are 样本不足 (rate) or not drawn.
Inference
    Conditional permutations (:data:`PERMUTATIONS` = 9,999, seed :data:`SEED` = 2021, so the
    same data always gives the same answer; :func:`conditional_pvalues`): the cell's own
    value stays, the values of its neighbours are drawn at random from the other cells,
    9,999 times. One-sided pseudo p-values count the permuted neighbourhood sums at least
    as high (p_upper) or at least as low (p_lower) as the observed one, (count + 1) ÷
    (permutations + 1); the two-sided p-value is twice the smaller (at most 1), and the
    smaller tail says hot (upper) or cold (lower). A cell with fewer than 10 permuted sums
    as extreme gets 40,000 more draws (49,999 in all, smallest p 0.00004): with 9,999 alone
    the smallest p (0.0002) could not pass the 99% level after FDR over hundreds of cells.
    No normal approximation is used for significance: counts of rare events
    (pneumoconiosis) are far from normal. The statistic and its analytical z-score (shown in
    the table) are PySAL's ``esda.G_Local(star=True)``; esda's own permutation p-value is
    not used, because esda 2.9 counts ties only on the upper side and so calls every empty
    neighbourhood among many empty ones a cold spot. The page computes the statistic with
    :func:`gi_star` (same formula; importing esda and libpysal takes seconds), and the
    tests check it against ``esda.G_Local``.
False discovery rate
    Benjamini–Hochberg over all cells of the analysis: with the p-values sorted,
    q₍ᵢ₎ = minⱼ≥ᵢ p₍ⱼ₎ · m / j (capped at 1). A cell is a hot spot (z > 0) or a cold spot
    (z < 0) at 99% when q ≤ 0.01, at 95% when q ≤ 0.05, at 90% when q ≤ 0.10, else 不显著.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from gsyf_geo.analysis.rates import SMALL_SAMPLE, RateTable

PERMUTATIONS = 9_999
REFINED_PERMUTATIONS = 49_999
REFINE_BELOW = 10
SEED = 2021
LEVELS: tuple[tuple[float, int], ...] = ((0.01, 99), (0.05, 95), (0.10, 90))
"""(largest q, confidence %) from the strictest."""

CLASSES: tuple[tuple[str, str, str], ...] = (
    ("hot_99", "热点 99%", "#b2182b"),
    ("hot_95", "热点 95%", "#ef8a62"),
    ("hot_90", "热点 90%", "#fddbc7"),
    ("ns", "不显著", "#f7f7f7"),
    ("cold_90", "冷点 90%", "#d1e5f0"),
    ("cold_95", "冷点 95%", "#67a9cf"),
    ("cold_99", "冷点 99%", "#2166ac"),
    ("small", SMALL_SAMPLE, "#bdbdbd"),
)
"""(id, Chinese legend label, colour) of each hot-spot class (ColorBrewer RdBu)."""
CLASS_LABELS: dict[str, str] = {c: label for c, label, _ in CLASSES}
CLASS_COLORS: dict[str, str] = {c: color for c, _, color in CLASSES}

MEASURES: dict[str, tuple[str, str]] = {
    "accident_rate": ("万人事故率", "人/万人"),
    "pneumoconiosis": ("新发尘肺病", "例"),
    "gap": ("参保缺口", "人"),
}
"""Measures the hot-spot analysis offers: id -> (Chinese name, unit)."""


def bh_qvalues(p: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q-values), in the input order."""
    p = np.asarray(p, dtype=float)
    m = p.size
    if m == 0:
        return p.copy()
    order = np.argsort(p, kind="stable")
    ranked = p[order] * m / np.arange(1, m + 1)
    q_sorted = np.minimum.accumulate(ranked[::-1])[::-1]
    q = np.empty(m)
    q[order] = np.minimum(q_sorted, 1.0)
    return q


def classify(z: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Class id of each cell from the sign of ``z`` and its q-value (see the module docstring)."""
    z = np.asarray(z, dtype=float)
    q = np.asarray(q, dtype=float)
    out = np.full(z.shape, "ns", dtype=object)
    for level, pct in reversed(LEVELS):  # loosest first, so the strictest met wins
        hit = np.isfinite(q) & (q <= level)
        out[hit & (z > 0)] = f"hot_{pct}"
        out[hit & (z < 0)] = f"cold_{pct}"
    return out


def h3_neighbours(cells: np.ndarray, ring: int = 1) -> dict[int, list[int]]:
    """Positions of each cell's neighbours among ``cells`` (within ``ring`` H3 steps, not itself)."""
    import h3.api.basic_int as h3i

    position = {int(c): i for i, c in enumerate(cells)}
    out: dict[int, list[int]] = {}
    for i, c in enumerate(cells):
        near = h3i.grid_disk(int(c), ring)
        out[i] = sorted(position[n] for n in near if n != int(c) and n in position)
    return out


def weights_from_neighbours(neighbours: dict[int, list[int]]) -> sparse.csr_matrix:
    """Binary weights (CSR, no diagonal) from positions 0..n-1 and their neighbours."""
    n = len(neighbours)
    rows = np.repeat(np.arange(n), [len(neighbours[i]) for i in range(n)])
    cols = np.fromiter((j for i in range(n) for j in neighbours[i]), dtype=np.int64, count=rows.size)
    return sparse.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n, n))


def _csr(w) -> sparse.csr_matrix:
    """Binary CSR weights without diagonal, from a matrix or a libpysal ``W``."""
    m = w.sparse if hasattr(w, "sparse") else w
    m = sparse.csr_matrix(m, dtype=float, copy=True)
    m.setdiag(0)
    m.eliminate_zeros()
    m.data[:] = 1.0
    return m


def gi_star(y: np.ndarray, w) -> tuple[np.ndarray, np.ndarray]:
    """Getis-Ord Gi* and its analytical z-score, binary weights with the cell itself included.

    With W* = W + I, Sᵢ = Σⱼ w*ᵢⱼ yⱼ, Kᵢ = Σⱼ w*ᵢⱼ, ȳ = Σy / n and s² = Σy² / n − ȳ²:
    Gi* = Sᵢ / Σy, E = Kᵢ / n, Var = Kᵢ (n − Kᵢ) / (n − 1) / n² · s² / ȳ², z = (Gi* − E) / √Var —
    the same as PySAL ``esda.G_Local(y, w, transform="B", star=True)`` (checked in the tests).
    """
    y = np.asarray(y, dtype=float)
    n = y.size
    ws = _csr(w) + sparse.identity(n, format="csr")
    total = y.sum()
    g = (ws @ y) / total
    k = np.asarray(ws.sum(axis=1)).ravel()
    mean = total / n
    var = (y**2).sum() / n - mean**2
    expected = k / n
    variance = k * (n - k) / (n - 1) / n**2 * var / mean**2
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(variance > 0, (g - expected) / np.sqrt(variance), 0.0)
    return g, z


def _distinct_draws(rng: np.random.Generator, rows: int, k: int, n: int) -> np.ndarray:
    """``rows`` rows of ``k`` distinct integers in [0, n): uniform draws, rows with a repeat redrawn."""
    if k == 0:
        return np.zeros((rows, 0), dtype=np.int64)
    if k > n:
        raise ValueError("more neighbours than other cells")
    draws = rng.integers(0, n, size=(rows, k))
    while True:
        ordered = np.sort(draws, axis=1)
        bad = np.flatnonzero((ordered[:, 1:] == ordered[:, :-1]).any(axis=1))
        if bad.size == 0:
            return draws
        draws[bad] = rng.integers(0, n, size=(bad.size, k))


def conditional_pvalues(
    y: np.ndarray, w, *, permutations: int = PERMUTATIONS, seed: int = SEED, refine_to: int = REFINED_PERMUTATIONS
) -> tuple[np.ndarray, np.ndarray]:
    """One-sided permutation p-values of Gi* (upper and lower tail) under conditional randomisation.

    For cell i with kᵢ neighbours (binary weights, the cell itself included in Gi*), the
    cell's own value stays and kᵢ values are drawn without replacement from the other n − 1
    cells, ``permutations`` times (one shared table of draws from ``numpy.random.default_rng(seed)``,
    as PySAL does). With S the observed neighbourhood sum (own value included) and Sᵣ the
    permuted ones: p_upper = (#{Sᵣ ≥ S} + 1) / (P + 1), p_lower = (#{Sᵣ ≤ S} + 1) / (P + 1).
    Ties count as at least as extreme on both sides, so a cell whose neighbourhood holds
    nothing, among many such cells, is not a cold spot. A cell with fewer than
    :data:`REFINE_BELOW` permuted sums as extreme in its nearer tail gets ``refine_to −
    permutations`` more draws (``default_rng([seed, 1])``) and its p-values count over all
    ``refine_to``.
    """
    y = np.asarray(y, dtype=float)
    n = y.size
    ws = _csr(w)
    card = np.diff(ws.indptr)
    kmax = int(card.max()) if n else 0
    rng = np.random.default_rng(seed)
    draws = _distinct_draws(rng, permutations, kmax, n - 1)
    observed = y + ws @ y
    upper = np.ones(n)
    lower = np.ones(n)
    ge = np.zeros(n)
    le = np.zeros(n)
    y_next = np.append(y, 0.0)[1:]  # y[d + 1]: the value at position d among the others when d >= i
    # A permutation's neighbourhood sum for cell i takes y[d] for a draw d < i and y[d + 1]
    # for d >= i (position d among the other cells): Σ y[d + 1] + Σ_{d < i} (y[d] − y[d + 1]),
    # a running sum over i, so one pass gives the sums of every cell at once.
    rows_per_chunk = max(1, 4_000_000 // (n + 1))
    tol = 1e-9 * max(1.0, float(np.abs(y).max()))
    for k in np.unique(card):
        cells = np.flatnonzero(card == k)
        if k == 0:
            continue
        if cells.size * k < n:  # a few cells: drawing their neighbours directly is cheaper
            for i in cells:
                d = draws[:, :k]
                sums = y[d + (d >= i)].sum(axis=1) + y[i]
                ge[i] += (sums >= observed[i] - tol).sum()
                le[i] += (sums <= observed[i] + tol).sum()
            continue
        for r0 in range(0, permutations, rows_per_chunk):
            d = draws[r0 : r0 + rows_per_chunk, :k]
            pc = d.shape[0]
            base = y_next[d].sum(axis=1)
            flat = (np.arange(pc)[:, None] * (n + 1) + d + 1).ravel()
            delta = np.bincount(flat, weights=(y[d] - y_next[d]).ravel(), minlength=pc * (n + 1))
            sums = base[:, None] + np.cumsum(delta.reshape(pc, n + 1), axis=1)[:, :n][:, cells]
            sums += y[cells][None, :]
            obs = observed[cells][None, :]
            ge[cells] += (sums >= obs - tol).sum(axis=0)
            le[cells] += (sums <= obs + tol).sum(axis=0)
    has = card > 0
    total = np.full(n, float(permutations))
    # Cells with fewer than REFINE_BELOW permuted sums as extreme in their tail get more draws
    # (up to refine_to in all), so that a strong cluster can pass the 99% level after FDR.
    extra = refine_to - permutations
    refine = np.flatnonzero(has & (np.minimum(ge, le) < REFINE_BELOW)) if extra > 0 else np.zeros(0, int)
    if refine.size:
        more = _distinct_draws(np.random.default_rng([seed, 1]), extra, kmax, n - 1)
        for i in refine:
            k = card[i]
            d = more[:, :k]
            sums = y[d + (d >= i)].sum(axis=1) + y[i]
            ge[i] += (sums >= observed[i] - tol).sum()
            le[i] += (sums <= observed[i] + tol).sum()
            total[i] += extra
    upper[has] = (ge[has] + 1) / (total[has] + 1)
    lower[has] = (le[has] + 1) / (total[has] + 1)
    return upper, lower


def getis_ord_star(
    values: np.ndarray,
    w,
    *,
    permutations: int = PERMUTATIONS,
    seed: int = SEED,
) -> pd.DataFrame:
    """Gi* of ``values`` on weights ``w`` with conditional permutations and BH q-values.

    Parameters
    ----------
    values
        One number per cell, in the order of ``w``'s ids.
    w
        Binary weights without self-neighbours (Gi* adds the cell itself): a scipy sparse
        matrix (:func:`weights_from_neighbours`) or a libpysal ``W``.
    permutations, seed
        Conditional permutations and their seed.

    Returns
    -------
    DataFrame
        ``gi`` (Gi*), ``z`` (analytical z-score), ``p`` (two-sided permutation p-value),
        ``q`` (Benjamini–Hochberg) and ``cls`` (class id).
    """
    y = np.asarray(values, dtype=float)
    n = y.size
    empty = pd.DataFrame({"gi": np.full(n, np.nan), "z": np.nan, "p": np.nan, "q": np.nan, "cls": "ns"})
    if n < 3 or not np.isfinite(y).all() or np.ptp(y) == 0 or y.sum() <= 0:
        return empty
    gi, z = gi_star(y, w)
    upper, lower = conditional_pvalues(
        y, w, permutations=permutations, seed=seed, refine_to=max(REFINED_PERMUTATIONS, permutations)
    )
    p = np.minimum(2.0 * np.minimum(upper, lower), 1.0)
    # Direction: the tail the observed value lies in (the analytical z where both tie).
    side = np.where(upper < lower, 1.0, np.where(lower < upper, -1.0, np.sign(z)))
    q = bh_qvalues(p)
    return pd.DataFrame({"gi": gi, "z": z, "p": p, "q": q, "cls": classify(side, q)})


@dataclass(frozen=True)
class HotSpots:
    """Hot spots of one measure over the hexagons of a :class:`~gsyf_geo.analysis.rates.RateTable`.

    ``table``: the rate table's rows with ``value`` (the measure; NaN outside the analysis),
    ``gi``, ``z``, ``p``, ``q``, ``cls`` (class id, ``"small"`` outside the
    analysis) and ``label`` (Chinese class name).
    """

    table: pd.DataFrame
    measure: str
    smoothed: bool
    permutations: int
    seed: int
    ring: int

    def counts(self) -> dict[str, int]:
        """Cells per class id, every class present (0 when none)."""
        vc = self.table["cls"].value_counts()
        return {c: int(vc.get(c, 0)) for c, _, _ in CLASSES}


def measure_values(rates: RateTable, measure: str, smoothed: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The measure per cell and the mask of cells in the analysis (see the module docstring)."""
    t = rates.table
    if measure == "accident_rate":
        col = "rate_eb" if smoothed and rates.smoothed else "rate"
        v = t[col].to_numpy(dtype=float)
        return v, np.isfinite(v) & ~t["small_sample"].to_numpy(dtype=bool)
    if measure == "pneumoconiosis":
        return t["pneumoconiosis"].to_numpy(dtype=float), t["enterprises"].to_numpy() > 0
    if measure == "gap":
        return t["gap"].to_numpy(dtype=float), t["enterprises"].to_numpy() > 0
    raise ValueError(f"未知的热点指标：{measure!r}")


def hot_spots(
    rates: RateTable,
    measure: str = "accident_rate",
    *,
    smoothed: bool = False,
    ring: int = 1,
    permutations: int = PERMUTATIONS,
    seed: int = SEED,
) -> HotSpots:
    """Gi* hot and cold spots of ``measure`` over the hexagons of ``rates``.

    Parameters
    ----------
    rates
        :func:`gsyf_geo.analysis.rates.hexagon_rates` of the view.
    measure
        ``"accident_rate"``, ``"pneumoconiosis"`` or ``"gap"`` (:data:`MEASURES`).
    smoothed
        Test the empirical-Bayes rate (``rates`` must have been smoothed).
    ring, permutations, seed
        Neighbourhood (H3 steps), conditional permutations and their seed.
    """
    if rates.kind != "hexagon":
        raise ValueError("热点分析需要六边形单元")
    t = rates.table.copy()
    values, inside = measure_values(rates, measure, smoothed)
    cells = t["cell"].to_numpy()[inside]
    w = weights_from_neighbours(h3_neighbours(cells, ring))
    res = getis_ord_star(values[inside], w, permutations=permutations, seed=seed)
    t["value"] = np.where(inside, values, np.nan)
    for col in ("gi", "z", "p", "q"):
        t[col] = np.nan
        t.loc[inside, col] = res[col].to_numpy()
    t["cls"] = "small"
    t.loc[inside, "cls"] = res["cls"].to_numpy()
    t["label"] = t["cls"].map(CLASS_LABELS)
    return HotSpots(t, measure, smoothed, permutations, seed, ring)


def hot_spot_table(spots: HotSpots, limit: int | None = None) -> pd.DataFrame:
    """The significant cells with Chinese headers: hot spots first, strongest first."""
    from gsyf_geo.domain import REPORTING_UNIT_BY_CODE

    name, unit = MEASURES[spots.measure]
    t = spots.table[~spots.table["cls"].isin(["ns", "small"])]
    t = t.assign(_hot=t["cls"].str.startswith("hot")).sort_values(["_hot", "z"], ascending=[False, False])
    t = pd.concat([t[t["_hot"]], t[~t["_hot"]].sort_values("z")])
    if limit is not None:
        t = t.head(limit)
    value_fmt = (lambda v: round(float(v), 1)) if spots.measure == "accident_rate" else (lambda v: int(round(v)))
    return pd.DataFrame({
        "类别": t["label"].to_numpy(),
        "六边形编号": [format(int(c), "x") for c in t["cell"]],
        "统计单元": t["unit"].map({c: u.short_name for c, u in REPORTING_UNIT_BY_CODE.items()}).to_numpy(),
        f"{name}（{unit}）": [value_fmt(v) for v in t["value"]],
        "企业数": t["enterprises"].to_numpy(),
        "平均参保人数": t["avg_insured"].round(0).to_numpy(),
        "工伤人数": t["injuries"].to_numpy(),
        "Gi* z值": t["z"].round(2).to_numpy(),
        "p值": t["p"].round(4).to_numpy(),
        "FDR q值": t["q"].round(4).to_numpy(),
        "经度": t["lon"].round(5).to_numpy(),
        "纬度": t["lat"].round(5).to_numpy(),
    })  # fmt: skip
