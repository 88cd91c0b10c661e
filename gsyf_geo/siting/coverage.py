"""Who reaches whom, and the exact reductions made before a model is solved.

All distances are straight lines in EPSG:4549 metres (store ``x``/``y``), or the entries of a
given distance matrix (:func:`gsyf_geo.siting.instance.instance_from_cost_matrix`). A scipy
``cKDTree`` over the demand points answers one ball query per site, and the answers become
one sparse coverage matrix (demand × sites) without a dense intermediate.

Reach: a site reaches a point when their distance ``d`` satisfies ``d ≤ r × (1 + REACH_RTOL)``
(:data:`REACH_RTOL` = 1e-9, i.e. 10 µm at 10 km). The edge counts as inside, as in spopt, and the
tolerance — the only one, used on every route — absorbs floating-point noise of a projection so
that a point exactly at the radius is never lost.

Reductions (each leaves the optimum unchanged):

* demand points with zero weight drop out;
* demand points reached by an always-open site of unlimited capacity are covered whatever
  is chosen: they drop out and count as covered;
* demand points reached by no site drop out and count as uncovered;
* the remaining points that the same set of sites reaches merge into one row whose weight
  is the sum of theirs (any choice of sites covers all of them or none).

For p-median, points whose candidate sites come in the same order of distance (up to the
nearest always-open site, beyond which no site is ever used) merge likewise: whatever is
open, all of them use the same site, so the row's cost per site is the sum of their
weighted distances.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree

_CHUNK = 50_000
_SITE_CHUNK = 32
REACH_RTOL = 1e-9
"""Relative tolerance of "within the radius" (see the module docstring)."""


def reach_limit(radius_m: float) -> float:
    """The largest distance that counts as within ``radius_m``."""
    return float(radius_m) * (1.0 + REACH_RTOL)


def coverage_matrix(
    demand_xy: np.ndarray, site_xy: np.ndarray, radius_m: float
) -> sparse.csr_matrix:
    """Sparse boolean matrix ``A[i, j]``: site ``j`` lies within ``radius_m`` of demand ``i``.

    Parameters
    ----------
    demand_xy, site_xy
        ``(n, 2)`` and ``(m, 2)`` coordinates in EPSG:4549 metres.
    radius_m
        Reach in metres (the circle's edge counts as inside, within :data:`REACH_RTOL`).

    Returns
    -------
    scipy.sparse.csr_matrix
        Shape ``(n, m)``, dtype bool, sorted indices.
    """
    n, m = len(demand_xy), len(site_xy)
    if n == 0 or m == 0:
        return sparse.csr_matrix((n, m), dtype=bool)
    tree = cKDTree(np.asarray(demand_xy, dtype=float))
    sxy = np.asarray(site_xy, dtype=float)
    lengths, parts = [], []
    for s0 in range(0, m, _SITE_CHUNK):  # lists of Python ints only a chunk at a time
        hits = tree.query_ball_point(sxy[s0 : s0 + _SITE_CHUNK], r=reach_limit(radius_m))
        lengths.extend(len(h) for h in hits)
        parts.extend(np.asarray(h, dtype=np.int32) for h in hits)
    indptr = np.concatenate([[0], np.cumsum(np.asarray(lengths, dtype=np.int64))])
    indices = np.concatenate(parts) if indptr[-1] else np.zeros(0, dtype=np.int32)
    del parts
    data = np.ones(indices.size, dtype=bool)
    csc = sparse.csc_matrix((data, indices, indptr), shape=(n, m))
    out = csc.tocsr()
    out.sort_indices()
    return out


def unique_rows(matrix: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """Group the rows of a boolean sparse matrix by their exact pattern.

    Returns
    -------
    inverse
        Group number of each row (groups numbered by first appearance order of np.unique).
    first
        Index of one row of each group.
    """
    n, m = matrix.shape
    nbytes = max(1, (m + 7) // 8)
    packed = np.zeros((n, nbytes), dtype=np.uint8)
    for start in range(0, n, _CHUNK):
        block = matrix[start : start + _CHUNK].toarray().astype(bool)
        if m:
            packed[start : start + _CHUNK] = np.packbits(block, axis=1)
    return unique_int_rows(packed)


def unique_int_rows(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group the rows of a 2-D integer array by exact equality (``inverse``, ``first``)."""
    values = np.ascontiguousarray(values)
    n = values.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    width = values.dtype.itemsize * (values.shape[1] if values.ndim > 1 else 1)
    keys = values.view(np.dtype((np.void, width))).ravel()
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    return inverse.ravel().astype(np.int64), first.astype(np.int64)


@dataclass
class CoverReduction:
    """A covering instance reduced to the rows and columns a model needs.

    Attributes
    ----------
    columns
        Site indices (into the full site list) that are model columns: the candidates and
        the always-open sites with a capacity.
    matrix
        Reduced coverage matrix, ``(groups, len(columns))``.
    group_weight
        Summed weight of each merged row.
    active
        Demand indices that are in the model.
    group_of
        Group number of each active demand point (same order as ``active``).
    covered_fixed
        Per demand point: reached by an always-open site without capacity limit.
    unreachable
        Per demand point: reached by no site at all.
    """

    columns: np.ndarray
    matrix: sparse.csr_matrix
    group_weight: np.ndarray
    active: np.ndarray
    group_of: np.ndarray
    covered_fixed: np.ndarray
    unreachable: np.ndarray

    @property
    def groups(self) -> int:
        return int(self.group_weight.size)


def reduce_covering(
    coverage: sparse.csr_matrix,
    weight: np.ndarray,
    fixed: np.ndarray,
    capacitated: np.ndarray,
) -> CoverReduction:
    """Reduce a covering instance (see the module docstring).

    Parameters
    ----------
    coverage
        Full ``(n, m)`` coverage matrix.
    weight
        Demand weights (n).
    fixed
        Per site: always open.
    capacitated
        Per site: has a capacity that the model must respect.
    """
    weight = np.asarray(weight, dtype=float)
    fixed = np.asarray(fixed, dtype=bool)
    capacitated = np.asarray(capacitated, dtype=bool)
    free_fixed = fixed & ~capacitated
    reach_count = np.asarray(coverage.getnnz(axis=1)).ravel()
    covered_fixed = (
        np.asarray(coverage[:, np.flatnonzero(free_fixed)].getnnz(axis=1)).ravel() > 0
        if free_fixed.any()
        else np.zeros(coverage.shape[0], dtype=bool)
    )
    unreachable = reach_count == 0
    columns = np.flatnonzero(~free_fixed)
    sub = coverage[:, columns].tocsr()
    active = np.flatnonzero(~covered_fixed & ~unreachable & (weight > 0))
    rows = sub[active]
    if active.size:
        group_of, first = unique_rows(rows)
        group_weight = np.bincount(group_of, weights=weight[active], minlength=first.size)
        matrix = rows[first].tocsr()
    else:
        group_of = np.zeros(0, dtype=np.int64)
        group_weight = np.zeros(0)
        matrix = sparse.csr_matrix((0, columns.size), dtype=bool)
    matrix.sort_indices()
    return CoverReduction(
        columns, matrix, group_weight, active, group_of, covered_fixed, unreachable
    )


def _median_pairs(xy, sxy, free_fixed, others, n):
    """(point, site, distance) pairs closer than each point's nearest free fixed site."""
    if free_fixed.size:
        dfix, k = cKDTree(sxy[free_fixed]).query(xy)
        ifix = free_fixed[k]
    else:
        dfix = np.full(n, np.inf)
        ifix = np.full(n, -1)

    # (point, site, distance) pairs closer than the point's fallback.
    if others.size and n:
        if free_fixed.size:
            hits = cKDTree(sxy[others]).query_ball_point(xy, r=dfix)
            lengths = np.fromiter((len(h) for h in hits), dtype=np.int64, count=n)
            pi = np.repeat(np.arange(n), lengths)
            pj = (
                others[np.concatenate([np.asarray(h, dtype=np.int64) for h in hits])]
                if lengths.sum()
                else np.zeros(0, np.int64)
            )
        else:
            pi = np.repeat(np.arange(n), others.size)
            pj = np.tile(others, n)
        pd_ = np.hypot(xy[pi, 0] - sxy[pj, 0], xy[pi, 1] - sxy[pj, 1])
        keep = pd_ < dfix[pi]
        pi, pj, pd_ = pi[keep], pj[keep], pd_[keep]
    else:
        pi = pj = np.zeros(0, dtype=np.int64)
        pd_ = np.zeros(0)
    return pi, pj, pd_, dfix, ifix


@dataclass
class MedianReduction:
    """A p-median instance reduced to merged rows with their candidate lists.

    Each group ``g`` may be assigned to the sites ``entry_site[entry_start[g]:entry_start[g+1]]``
    at the costs ``entry_cost`` (summed weighted distance of the group's points, metres).
    """

    group_weight: np.ndarray
    entry_start: np.ndarray
    entry_site: np.ndarray
    entry_cost: np.ndarray
    active: np.ndarray
    group_of: np.ndarray

    @property
    def groups(self) -> int:
        return int(self.group_weight.size)


def reduce_median(
    demand_xy: np.ndarray,
    weight: np.ndarray,
    site_xy: np.ndarray,
    fixed: np.ndarray,
    capacitated: np.ndarray,
    cost: np.ndarray | None = None,
) -> MedianReduction:
    """Candidate lists for p-median, truncated and merged (see the module docstring).

    A point's list holds the sites closer to it than its nearest always-open site of
    unlimited capacity, in order of distance, then that site; without such a site, every
    site. Points with equal lists merge.
    """
    weight = np.asarray(weight, dtype=float)
    fixed = np.asarray(fixed, dtype=bool)
    capacitated = np.asarray(capacitated, dtype=bool)
    active = np.flatnonzero(weight > 0)
    xy = np.asarray(demand_xy, dtype=float)[active]
    sxy = np.asarray(site_xy, dtype=float)
    n, m = len(active), (cost.shape[1] if cost is not None else len(sxy))
    free_fixed = np.flatnonzero(fixed & ~capacitated)
    others = np.flatnonzero(~np.isin(np.arange(m), free_fixed))

    if cost is not None:
        sub = np.asarray(cost, dtype=float)[active]
        if free_fixed.size:
            kf = np.argmin(sub[:, free_fixed], axis=1)
            ifix = free_fixed[kf]
            dfix = sub[np.arange(n), ifix]
        else:
            dfix = np.full(n, np.inf)
            ifix = np.full(n, -1)
        if others.size and n:
            mask = sub[:, others] < dfix[:, None]
            pi, loc = np.nonzero(mask)
            pj = others[loc]
            pd_ = sub[pi, pj]
        else:
            pi = pj = np.zeros(0, dtype=np.int64)
            pd_ = np.zeros(0)
    else:
        pi, pj, pd_, dfix, ifix = _median_pairs(xy, sxy, free_fixed, others, n)
    # The fallback site closes each list.
    has_fix = ifix >= 0
    fi = np.flatnonzero(has_fix)
    pi = np.concatenate([pi, fi])
    pj = np.concatenate([pj, ifix[fi]])
    pd_ = np.concatenate([pd_, dfix[fi]])
    order = np.lexsort((pj, pd_, pi))
    pi, pj, pd_ = pi[order], pj[order], pd_[order]
    counts = np.bincount(pi, minlength=n)
    starts = np.concatenate([[0], np.cumsum(counts)])
    rank = np.arange(pi.size) - starts[pi]
    width = int(counts.max()) if n else 0
    lists = np.full((n, max(width, 1)), -1, dtype=np.int32)
    lists[pi, rank] = pj
    group_of, first = unique_int_rows(lists)
    g_count = first.size
    cost = np.zeros((g_count, max(width, 1)))
    np.add.at(cost, (group_of[pi], rank), weight[active][pi] * pd_)
    g_len = counts[first]
    entry_start = np.concatenate([[0], np.cumsum(g_len)])
    mask = np.arange(max(width, 1))[None, :] < g_len[:, None]
    entry_site = lists[first][mask].astype(np.int64)
    entry_cost = cost[mask]
    group_weight = np.bincount(group_of, weights=weight[active], minlength=g_count)
    return MedianReduction(group_weight, entry_start, entry_site, entry_cost, active, group_of)


def coverage_from_costs(cost: np.ndarray, radius_m: float) -> sparse.csr_matrix:
    """Coverage matrix of a distance matrix: ``cost ≤ radius`` (within :data:`REACH_RTOL`)."""
    out = sparse.csr_matrix(np.asarray(cost, dtype=float) <= reach_limit(radius_m))
    out.sort_indices()
    return out


def nearest_open(
    demand_xy: np.ndarray | None,
    site_xy: np.ndarray | None,
    open_idx: np.ndarray,
    cost: np.ndarray | None = None,
    k: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """Distance (metres) and index of the ``k`` nearest open sites of every demand point.

    Returns arrays of shape ``(n,)`` for ``k == 1``, else ``(n, k)``; missing neighbours
    have distance ``inf`` and index -1.
    """
    open_idx = np.asarray(open_idx, dtype=np.int64)
    n = len(cost) if cost is not None else len(demand_xy)
    if open_idx.size == 0:
        shape = (n,) if k == 1 else (n, k)
        return np.full(shape, np.inf), np.full(shape, -1, dtype=np.int64)
    if cost is not None:
        sub = np.asarray(cost)[:, open_idx]
        kk = min(k, open_idx.size)
        if kk < open_idx.size:
            part = np.argpartition(sub, kk - 1, axis=1)[:, :kk]
        else:
            part = np.broadcast_to(np.arange(open_idx.size), (n, open_idx.size)).copy()
        dpart = np.take_along_axis(sub, part, axis=1)
        order = np.argsort(dpart, axis=1, kind="stable")
        dist = np.take_along_axis(dpart, order, axis=1)
        idx = open_idx[np.take_along_axis(part, order, axis=1)]
    else:
        tree = cKDTree(np.asarray(site_xy, dtype=float)[open_idx])
        dist, loc = tree.query(np.asarray(demand_xy, dtype=float), k=k)
        dist, loc = np.asarray(dist, dtype=float), np.asarray(loc)
        if k == 1:
            return dist, open_idx[loc]
        ok = loc < open_idx.size
        idx = np.where(ok, open_idx[np.minimum(loc, open_idx.size - 1)], -1)
    if k == 1:
        return dist[:, 0], idx[:, 0]
    if dist.shape[1] < k:
        pad = k - dist.shape[1]
        dist = np.hstack([dist, np.full((n, pad), np.inf)])
        idx = np.hstack([idx, np.full((n, pad), -1, dtype=np.int64)])
    return dist, idx


def nearest_sites(
    demand_xy: np.ndarray | None,
    site_xy: np.ndarray | None,
    k: int,
    cost: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each point's ``k`` nearest sites: ``(site (n, k), dist (n, k), beyond (n,))``.

    ``beyond`` is the distance to the nearest site not among the ``k`` (``inf`` when every
    site is kept).
    """
    m = cost.shape[1] if cost is not None else len(site_xy)
    k = min(k, m)
    take = min(k + 1, m)
    dist, idx = nearest_open(demand_xy, site_xy, np.arange(m), cost, k=take)
    if take == 1:
        dist, idx = dist[:, None], idx[:, None]
    beyond = dist[:, k] if take > k else np.full(dist.shape[0], np.inf)
    return idx[:, :k].astype(np.int64), dist[:, :k].astype(float), np.asarray(beyond, dtype=float)


def aggregate_points(
    xy: np.ndarray, weight: np.ndarray, max_groups: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Merge points on a square grid into their weighted centroids, at most ``max_groups``.

    Returns
    -------
    (group_of, centre_xy, group_weight, error)
        ``error`` = Σ weight × distance from each point to its group's centre (metres ×
        weight): for any choice of sites, the aggregated Σ weight × distance differs from the
        true one by at most ``error`` (triangle inequality), so it is the bound's allowance.
    """
    xy = np.asarray(xy, dtype=float)
    weight = np.asarray(weight, dtype=float)
    span = float(max(np.ptp(xy[:, 0]), np.ptp(xy[:, 1]), 1.0))
    cell = span / max(1.0, np.sqrt(max_groups)) / 2.0
    while True:
        key = np.floor((xy - xy.min(axis=0)) / cell).astype(np.int64)
        group_of, first = unique_int_rows(key)
        if first.size <= max_groups:
            break
        cell *= 1.25
    g = first.size
    wsum = np.bincount(group_of, weights=weight, minlength=g)
    safe = np.where(wsum > 0, wsum, 1.0)
    cx = np.bincount(group_of, weights=weight * xy[:, 0], minlength=g) / safe
    cy = np.bincount(group_of, weights=weight * xy[:, 1], minlength=g) / safe
    centre = np.column_stack([cx, cy])
    error = float((weight * np.hypot(xy[:, 0] - cx[group_of], xy[:, 1] - cy[group_of])).sum())
    return group_of, centre, wsum, error
