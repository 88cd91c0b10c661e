"""Who reaches whom, and the exact reductions made before a model is solved.

All distances are straight lines in EPSG:4549 metres (store ``x``/``y``). A scipy
``cKDTree`` over the demand points answers one ball query per site, and the answers become
one sparse coverage matrix (demand × sites) without a dense intermediate.

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


def coverage_matrix(
    demand_xy: np.ndarray, site_xy: np.ndarray, radius_m: float
) -> sparse.csr_matrix:
    """Sparse boolean matrix ``A[i, j]``: site ``j`` lies within ``radius_m`` of demand ``i``.

    Parameters
    ----------
    demand_xy, site_xy
        ``(n, 2)`` and ``(m, 2)`` coordinates in EPSG:4549 metres.
    radius_m
        Reach in metres (the circle's edge counts as inside).

    Returns
    -------
    scipy.sparse.csr_matrix
        Shape ``(n, m)``, dtype bool, sorted indices.
    """
    n, m = len(demand_xy), len(site_xy)
    if n == 0 or m == 0:
        return sparse.csr_matrix((n, m), dtype=bool)
    tree = cKDTree(np.asarray(demand_xy, dtype=float))
    hits = tree.query_ball_point(np.asarray(site_xy, dtype=float), r=float(radius_m))
    lengths = np.fromiter((len(h) for h in hits), dtype=np.int64, count=m)
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    indices = (
        np.concatenate([np.asarray(h, dtype=np.int64) for h in hits])
        if indptr[-1]
        else np.zeros(0, dtype=np.int64)
    )
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
    n, m = len(active), len(sxy)
    free_fixed = np.flatnonzero(fixed & ~capacitated)
    others = np.flatnonzero(~np.isin(np.arange(m), free_fixed))

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
