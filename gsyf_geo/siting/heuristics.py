"""Strong incumbents, fast: greedy plus interchange (fast swap) for covering and p-median.

Everything is vectorised over a sparse structure; no Python loop runs over demand points.

Covering (MCLP, and LSCP's phase 2): ``G`` is the reduced coverage matrix (rows: merged
demand with weights ``w``; columns: candidate sites). With ``cnt[k]`` the number of open
sites covering row ``k``, one swap (site ``i`` out, site ``j`` in) changes the covered
weight by ``gain[j] - loss[i] + both[j, i]``, where

* ``gain[j]`` = weight of uncovered rows ``j`` covers;
* ``loss[i]`` = weight of rows only ``i`` covers (``cnt == 1``);
* ``both[j, i]`` = weight of rows only ``i`` covers that ``j`` also covers.

All three are sparse products (Resende & Werneck's fast interchange, in the covering form;
``both`` one column per chosen site, over the rows only it covers); the best swap is applied
until none improves (Teitz–Bart). :meth:`CoverSearch.iterated` then perturbs the local optimum
(1–3 random replacements, optionally drawn from a pool such as the candidates the LP values
most), interchanges again and keeps the result when not worse (iterated local search).

p-median: each demand row keeps its ``K`` nearest sites (:class:`NearestSites`), and the
same identity holds with distances: for a row whose nearest open site is ``i1`` at ``d1``
and second nearest at ``d2``, swapping ``i`` out and ``j`` in costs
``-gain[j] + loss[i] + fix[j, i]`` with ``gain[j] = Σ w·max(0, d1 - d_kj)``,
``loss[i] = Σ_{i1 = i} w·(d2 - d1)`` and ``fix[j, i] = Σ_{i1 = i} w·(min(max(d_kj, d1), d2) - d2)``.
A proposed swap is always re-evaluated exactly (nearest open site over every site) before it
is taken, so the K-nearest structure can only make the search miss a move, never take a bad one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import sparse


# --- covering ----------------------------------------------------------------------------------
@dataclass
class CoverSearch:
    """A covering instance for the local search: ``matrix`` (rows × candidates), row weights."""

    matrix: sparse.csr_matrix
    weight: np.ndarray

    def __post_init__(self) -> None:
        self.matrix = sparse.csr_matrix(self.matrix, dtype=np.float64)
        self.matrix.sort_indices()
        self.by_col = self.matrix.tocsc()
        self.by_col.sort_indices()
        self.t = self.by_col.T.tocsr()  # candidates × rows, for gains
        self.weight = np.asarray(self.weight, dtype=float)

    @property
    def n_cand(self) -> int:
        return int(self.matrix.shape[1])

    def rows_of(self, j: int) -> np.ndarray:
        return self.by_col.indices[self.by_col.indptr[j] : self.by_col.indptr[j + 1]]

    def counts(self, chosen: np.ndarray) -> np.ndarray:
        """How many chosen candidates cover each row."""
        chosen = np.asarray(chosen, dtype=np.int64)
        if chosen.size == 0:
            return np.zeros(self.matrix.shape[0], dtype=np.int64)
        starts, ends = self.by_col.indptr[chosen], self.by_col.indptr[chosen + 1]
        idx = np.concatenate([self.by_col.indices[s:e] for s, e in zip(starts, ends, strict=True)])
        return np.bincount(idx, minlength=self.matrix.shape[0])

    def value(self, chosen: np.ndarray) -> float:
        """Covered weight of a choice of candidates."""
        return float(self.weight[self.counts(chosen) > 0].sum())

    def greedy(self, p: int, start: np.ndarray | None = None) -> np.ndarray:
        """Add candidates by largest new coverage until ``p`` are chosen."""
        chosen = [] if start is None else [int(j) for j in start]
        cnt = self.counts(np.asarray(chosen, dtype=np.int64))
        while len(chosen) < min(p, self.n_cand):
            gain = self.t @ np.where(cnt == 0, self.weight, 0.0)
            gain[chosen] = -1.0
            j = int(np.argmax(gain))
            chosen.append(j)
            cnt[self.rows_of(j)] += 1
        return np.asarray(chosen, dtype=np.int64)

    def swap(self, chosen: np.ndarray, deadline: float | None = None) -> np.ndarray:
        """Best-improvement interchange from ``chosen`` until no swap gains (or the deadline)."""
        chosen = np.asarray(chosen, dtype=np.int64).copy()
        if chosen.size == 0 or chosen.size >= self.n_cand:
            return chosen
        w = self.weight
        cnt = self.counts(chosen)
        tol = 1e-9 * max(1.0, float(w.sum()))
        na = chosen.size
        while deadline is None or time.perf_counter() < deadline:
            gain = self.t @ np.where(cnt == 0, w, 0.0)
            only = np.where(cnt == 1, w, 0.0)
            loss = np.zeros(na)
            both = np.zeros((self.n_cand, na))
            for a in range(na):  # rows only slot a covers, and which candidates reach them
                rows = self.rows_of(int(chosen[a]))
                rows = rows[only[rows] > 0]
                loss[a] = only[rows].sum()
                both[:, a] = self.matrix[rows].T @ only[rows]
            delta = gain[:, None] - loss[None, :] + both
            delta[chosen] = -np.inf
            j, a = divmod(int(np.argmax(delta)), chosen.size)
            if not delta[j, a] > tol:
                break
            cnt[self.rows_of(int(chosen[a]))] -= 1
            cnt[self.rows_of(j)] += 1
            chosen[a] = j
        return chosen

    def iterated(
        self,
        chosen: np.ndarray,
        deadline: float,
        *,
        rng: np.random.Generator,
        pool: np.ndarray | None = None,
        max_rounds: int | None = None,
        patience: int | None = None,
    ) -> tuple[np.ndarray, float]:
        """Iterated local search: perturb (1–3 random replacements), interchange, keep when
        not worse; the best choice seen is returned with its covered weight.

        ``pool``: the candidates a perturbation may bring in (default: all; the interchange
        itself still considers every candidate). Stops at the deadline, after ``max_rounds``
        rounds, or after ``patience`` rounds without a better choice. The result is never
        worse than ``chosen``.
        """
        chosen = np.asarray(chosen, dtype=np.int64).copy()
        current, value = chosen, self.value(chosen)
        best, best_value = chosen.copy(), value
        if chosen.size == 0 or chosen.size >= self.n_cand:
            return best, best_value
        pool = np.arange(self.n_cand) if pool is None else np.asarray(pool, dtype=np.int64)
        rounds = since = 0
        while time.perf_counter() < deadline and (max_rounds is None or rounds < max_rounds):
            if patience is not None and since >= patience:
                break
            rounds += 1
            since += 1
            trial = current.copy()
            k = int(rng.integers(1, min(3, trial.size) + 1))
            spare = pool[~np.isin(pool, trial)]
            if spare.size < k:
                break
            trial[rng.choice(trial.size, k, replace=False)] = rng.choice(spare, k, replace=False)
            trial = self.swap(trial, deadline)
            trial_value = self.value(trial)
            if trial_value >= value:
                current, value = trial, trial_value
            if trial_value > best_value:
                best, best_value, since = trial.copy(), trial_value, 0
        return best, best_value


# --- p-median ----------------------------------------------------------------------------------
@dataclass
class NearestSites:
    """Each demand row's ``K`` nearest sites (sorted by distance), as flat arrays.

    ``site[k*K:(k+1)*K]`` and ``dist[k*K:(k+1)*K]`` hold row ``k``'s sites and distances;
    ``beyond[k]`` is the distance to the nearest site *not* kept (``inf`` when all are kept).
    """

    site: np.ndarray  # (n, K) int
    dist: np.ndarray  # (n, K) float
    beyond: np.ndarray  # (n,)
    weight: np.ndarray  # (n,)

    @property
    def k(self) -> int:
        return int(self.site.shape[1])


@dataclass
class MedianSearch:
    """p-median local search over a :class:`NearestSites` structure.

    ``exact(open_sites) -> (d1, i1, d2, i2)`` gives, for every row, the nearest and second
    nearest open site over *all* sites (used to evaluate and to re-check every move).
    ``candidates`` are the site indices that may be chosen; ``fixed`` are always open.
    """

    near: NearestSites
    exact: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]
    candidates: np.ndarray
    fixed: np.ndarray
    n_sites: int

    def __post_init__(self) -> None:
        self.is_cand = np.zeros(self.n_sites, dtype=bool)
        self.is_cand[self.candidates] = True

    def cost(self, chosen: np.ndarray) -> float:
        d1 = self.exact(np.concatenate([self.fixed, chosen]).astype(np.int64))[0]
        return float((self.near.weight * d1).sum())

    def greedy(self, p: int) -> np.ndarray:
        """Add the candidate that lowers the weighted distance most, ``p`` times."""
        near, w = self.near, self.near.weight
        chosen: list[int] = []
        if self.fixed.size:
            d1 = self.exact(self.fixed.astype(np.int64))[0]
        else:
            d1 = np.full(w.size, np.inf)
        for _ in range(min(p, self.candidates.size)):
            if np.isinf(d1).any():  # nothing open yet for some rows: cover them first
                big = np.where(np.isinf(d1), 1.0, 0.0)
                score = np.bincount(near.site.ravel(), weights=np.repeat(w * big, near.k),
                                    minlength=self.n_sites)  # fmt: skip
                # Among sites reaching the most unserved weight, the one nearest in total.
                sav = np.bincount(near.site.ravel(),
                                  weights=(w[:, None] * (near.beyond[:, None] - near.dist)).ravel()
                                  if np.isfinite(near.beyond).all() else
                                  (w[:, None] * near.dist.max() - w[:, None] * near.dist).ravel(),
                                  minlength=self.n_sites)  # fmt: skip
                score = score * (1 + sav.max()) + sav if sav.size else score
            else:
                score = np.bincount(
                    near.site.ravel(),
                    weights=(w[:, None] * np.maximum(0.0, d1[:, None] - near.dist)).ravel(),
                    minlength=self.n_sites,
                )
            score = np.where(self.is_cand, score, -np.inf)
            score[chosen] = -np.inf
            j = int(np.argmax(score))
            chosen.append(j)
            d1 = self.exact(np.concatenate([self.fixed, chosen]).astype(np.int64))[0]
        return np.asarray(chosen, dtype=np.int64)

    def _exact2(self, open_: np.ndarray):
        """Nearest and second nearest open site; a missing second is "far" (finite)."""
        d1, i1, d2, i2 = self.exact(open_)
        if np.isinf(d2).any():
            far = 2.0 * float(max(np.nanmax(np.where(np.isfinite(d1), d1, 0.0)),
                                  float(self.near.dist.max()) if self.near.dist.size else 0.0)) + 1.0  # fmt: skip
            d2 = np.where(np.isinf(d2), far, d2)
        return d1, i1, d2, i2

    def swap(self, chosen: np.ndarray, deadline: float | None = None) -> np.ndarray:
        """Fast interchange (see the module docstring) until no swap lowers the cost."""
        chosen = np.asarray(chosen, dtype=np.int64).copy()
        near, w = self.near, self.near.weight
        if chosen.size == 0 or chosen.size >= self.candidates.size:
            return chosen
        open_ = np.concatenate([self.fixed, chosen]).astype(np.int64)
        d1, i1, d2, _ = self._exact2(open_)
        current = float((w * d1).sum())
        tol = 1e-12 * max(1.0, current)
        pos = np.full(self.n_sites, -1, dtype=np.int64)
        rejected: set[tuple[int, int]] = set()
        while deadline is None or time.perf_counter() < deadline:
            pos[:] = -1
            pos[chosen] = np.arange(chosen.size)
            gain = np.bincount(near.site.ravel(),
                               weights=(w[:, None] * np.maximum(0.0, d1[:, None] - near.dist)).ravel(),
                               minlength=self.n_sites)  # fmt: skip
            a_of_row = pos[i1]  # the chosen slot each row uses (-1: a fixed site)
            loss = np.bincount(a_of_row[a_of_row >= 0],
                               weights=(w * (d2 - d1))[a_of_row >= 0], minlength=chosen.size)  # fmt: skip
            rows = np.flatnonzero(a_of_row >= 0)
            sub_d = near.dist[rows]
            fix_v = w[rows, None] * (np.minimum(np.maximum(sub_d, d1[rows, None]), d2[rows, None])
                                    - d2[rows, None])  # fmt: skip
            flat_idx = near.site[rows].ravel() * chosen.size + np.repeat(a_of_row[rows], near.k)
            fix = np.bincount(flat_idx, weights=fix_v.ravel(),
                              minlength=self.n_sites * chosen.size).reshape(self.n_sites, chosen.size)  # fmt: skip
            delta = gain[:, None] - loss[None, :] - fix  # cost decrease of (j in, slot a out)
            delta[~self.is_cand] = -np.inf
            delta[chosen] = -np.inf
            for j, a in rejected:
                delta[j, a] = -np.inf
            flat = int(np.argmax(delta))
            j, a = divmod(flat, chosen.size)
            if not delta[j, a] > tol:
                break
            trial = chosen.copy()
            trial[a] = j
            t_open = np.concatenate([self.fixed, trial]).astype(np.int64)
            td1, ti1, td2, _ = self._exact2(t_open)
            t_cost = float((w * td1).sum())
            if t_cost < current - tol:
                chosen, d1, i1, d2, current = trial, td1, ti1, td2, t_cost
                rejected.clear()
            else:  # the K-nearest estimate was optimistic: never take it, try the next best
                rejected.add((j, a))
                if len(rejected) > 20:
                    break
        return chosen
