"""Certified bounds by Lagrangian relaxation (subgradient), for MCLP and p-median.

Every value these functions return is a valid bound for *any* multipliers, so stopping
early (time budget) only makes the bound looser, never wrong.

MCLP (maximise). Relaxing ``z_k ≤ Σ_{j covers k} y_j`` with multipliers ``0 ≤ λ_k ≤ w_k``::

    UB(λ) = Σ_k (w_k − λ_k) + (sum of the p largest c_j),   c_j = Σ_{k covered by j} λ_k

p-median (minimise). Relaxing ``Σ_j x_kj = 1`` with multipliers ``λ_k``::

    LB(λ) = Σ_k λ_k + Σ_{fixed f} ρ_f + (sum of the p smallest ρ_j over candidates),
    ρ_j = Σ_k min(0, w_k d_kj − λ_k)

computed on each row's K nearest sites only. That is exact for the full problem as long as
``λ_k ≤ w_k · beyond_k`` (``beyond_k``: distance to the nearest site *not* kept), because every
site left out then has ``w_k d_kj − λ_k ≥ 0`` and adds nothing; the multipliers are capped there
(the proof that the K-nearest restriction costs nothing). Where the cap binds while the
subgradient still asks for more, widening K can raise the bound: :func:`median_lower_bound`
reports that weight as ``capped_pressure``.

Steps: Polyak's rule towards the incumbent, ``t = θ (L − incumbent) / ‖s‖²``, ``θ`` halved
after a run of iterations without improvement (Held, Wolfe & Crowder).

MCLP's LP relaxation, faster (:class:`CoverLpDual`). ``UB(λ)`` above is also the LP dual in
closed form (``μ``, the cardinality row's dual, and the ``y ≤ 1`` duals are eliminated), so its
minimum is the LP optimum. Subgradient steps stall well above it on dense instances; the LP is
solved instead as the saddle problem ``min_{0≤λ≤w} max_{y∈Y} Σ(w − λ) + λᵀ A y`` with
``Y = {0 ≤ y ≤ 1, Σ y = p}`` by the primal–dual hybrid gradient method (Chambolle & Pock; the
method of PDLP) with over-relaxation. Each iteration costs two sparse products and a projection
onto ``Y``; every iterate's ``λ`` is scored by ``UB(λ)``, which is a valid bound whatever the
iterate, so convergence only decides how tight the bound is, never whether it holds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gsyf_geo.siting.heuristics import CoverSearch, NearestSites

PDHG_RELAX = 1.8
"""Over-relaxation of each PDHG step (1 = plain; below 2 keeps convergence)."""
PDHG_STALL = 1000
"""Iterations without a better bound after which the LP dual counts as converged."""


@dataclass
class Bound:
    """A bound with its multipliers and how it was obtained."""

    value: float
    multipliers: np.ndarray
    iterations: int
    seconds: float
    capped_pressure: float = 0.0


def _rel_gap(a: float, b: float) -> float:
    return abs(a - b) / max(abs(a), abs(b), 1e-12)


def mclp_upper_bound(
    search: CoverSearch,
    p: int,
    incumbent: float,
    *,
    deadline: float,
    target_gap: float = 0.0,
    start: np.ndarray | None = None,
    on_top: Callable[[np.ndarray], float | None] | None = None,
    patience: int = 40,
    max_iter: int = 20_000,
) -> Bound:
    """Upper bound on the covered weight of ``p`` candidates (rows of ``search`` only).

    Parameters
    ----------
    search
        The reduced covering instance.
    p
        Number of candidates to choose.
    incumbent
        Covered weight of the best known choice (the step target; raised by ``on_top``).
    deadline
        ``time.perf_counter()`` value to stop at.
    target_gap
        Stop once ``(UB − incumbent) / UB`` is at most this.
    start
        Initial multipliers (default: half of each weight).
    on_top
        Called now and then with the relaxation's choice of ``p`` sites; may return a
        better incumbent value.
    """
    w = search.weight
    t0 = time.perf_counter()
    if w.size == 0:
        return Bound(0.0, np.zeros(0), 0, 0.0)
    p = min(p, search.n_cand)
    lam = np.clip(0.5 * w if start is None else np.asarray(start, float), 0.0, w)
    best, best_lam = np.inf, lam.copy()
    theta, stall, it = 1.0, 0, 0
    direction = np.zeros_like(w)
    while it < max_iter:
        it += 1
        c = search.t @ lam
        top = np.argpartition(-c, p - 1)[:p] if p < c.size else np.arange(c.size)
        value = float((w - lam).sum() + c[top].sum())
        if value < best - 1e-9 * max(1.0, abs(best) if np.isfinite(best) else 1.0):
            best, best_lam, stall = value, lam.copy(), 0
        else:
            stall += 1
            if stall >= patience:
                theta, stall = theta / 2, 0
        if on_top is not None and it % 25 == 1:
            found = on_top(top)
            if found is not None and found > incumbent:
                incumbent = found
        if _rel_gap(best, incumbent) <= target_gap or theta < 1e-6:
            break
        if time.perf_counter() >= deadline:
            break
        s = search.counts(top).astype(float) - 1.0
        s[(lam <= 0) & (s > 0)] = 0.0
        s[(lam >= w) & (s < 0)] = 0.0
        # Deflected direction (Camerini–Fratta–Maffioli): damp zig-zagging.
        if direction.any() and float(s @ direction) < 0:
            s = s + 0.5 * direction
        direction = s
        norm = float(s @ s)
        if norm <= 0:
            break  # the relaxation's choice is feasible and tight: the bound is exact
        step = theta * max(value - incumbent, 1e-9 * max(1.0, value)) / norm
        lam = np.clip(lam - step * s, 0.0, w)
    return Bound(best, best_lam, it, time.perf_counter() - t0)


def _top_sum(c: np.ndarray, p: int) -> float:
    """Sum of the ``p`` largest entries."""
    if p <= 0:
        return 0.0
    if p >= c.size:
        return float(c.sum())
    return float(np.partition(c, c.size - p)[c.size - p :].sum())


def cover_dual_value(search: CoverSearch, p: int, lam: np.ndarray) -> float:
    """``UB(λ)`` (module docstring) for multipliers clipped to ``[0, w]``: a valid upper bound
    on the covered weight of any ``p`` candidates of ``search``."""
    lam = np.clip(np.asarray(lam, dtype=float), 0.0, search.weight)
    return float((search.weight - lam).sum()) + _top_sum(search.t @ lam, min(p, search.n_cand))


def _capped_simplex(v: np.ndarray, p: int, shift: float = 0.0) -> tuple[np.ndarray, float]:
    """Euclidean projection of ``v`` onto ``{0 ≤ y ≤ 1, Σ y = p}``, with its shift ``t``
    (``y = clip(v − t, 0, 1)``): safeguarded Newton steps on the piecewise-linear
    ``Σ clip(v − t, 0, 1) = p`` from the previous shift (a few steps when warm)."""
    if p >= v.size:
        return np.ones_like(v), float(v.min()) - 1.0
    lo, hi = float(v.min()) - 1.0, float(v.max())
    t = min(max(shift, lo), hi)
    for _ in range(200):
        z = v - t
        total = float(np.clip(z, 0.0, 1.0).sum())
        if abs(total - p) <= 1e-12 * p:
            break
        if total > p:
            lo = t
        else:
            hi = t
        slope = int(np.count_nonzero((z > 0) & (z < 1)))
        step = t + (total - p) / slope if slope else 0.5 * (lo + hi)
        t = step if lo < step < hi else 0.5 * (lo + hi)
        if hi - lo <= 1e-14 * max(1.0, abs(hi)):
            break
    return np.clip(v - t, 0.0, 1.0), t


class CoverLpDual:
    """MCLP's LP relaxation by PDHG (module docstring), resumable: call :meth:`run` again to go on.

    Parameters
    ----------
    search
        The reduced covering instance (rows: merged demand; columns: candidates).
    p
        Number of candidates to choose.
    start
        Initial multipliers (default: half of each weight).
    """

    def __init__(self, search: CoverSearch, p: int, start: np.ndarray | None = None) -> None:
        self.search = search
        w = search.weight
        self.p = min(int(p), search.n_cand)
        n, m = search.matrix.shape
        self.lam = np.clip(0.5 * w if start is None else np.asarray(start, dtype=float), 0.0, w)
        self.y = np.full(m, self.p / max(m, 1))
        self.iterations, self.seconds, self.stall, self.shift = 0, 0.0, 0, 0.0
        self.best, self.best_lam = np.inf, self.lam.copy()
        if n == 0 or m == 0:
            self.best, self.tau, self.sigma, self.c = 0.0, 0.0, 0.0, np.zeros(m)
            self.stall = PDHG_STALL
            return
        # Step sizes: τσ‖A‖² < 1 (‖A‖ by power iteration from the all-ones vector, which a
        # non-negative matrix's leading vector is near; 5% margin). The ratio ω = σ/τ weighs
        # y (norm about √p) against λ (norm about ‖w‖).
        x = np.ones(m)
        norm2 = 1.0
        for _ in range(12):
            x = search.t @ (search.matrix @ x)
            norm2 = float(np.linalg.norm(x))
            if norm2 <= 0:
                break
            x /= norm2
        op = 1.05 * np.sqrt(max(norm2, 1e-300))
        omega = 3.0 * np.sqrt(self.p) / max(float(np.linalg.norm(w)), 1e-300)
        self.tau, self.sigma = 0.99 / (op * omega), 0.99 * omega / op
        self.c = search.t @ self.lam
        self._score(self.lam, self.c)

    def _score(self, lam: np.ndarray, c: np.ndarray) -> None:
        value = float((self.search.weight - lam).sum()) + _top_sum(c, self.p)
        if value < self.best - 1e-9 * max(1.0, abs(self.best) if np.isfinite(self.best) else 1.0):
            self.best, self.best_lam, self.stall = value, lam.copy(), 0
        else:
            self.stall += 1

    @property
    def converged(self) -> bool:
        """No better bound for :data:`PDHG_STALL` iterations."""
        return self.stall >= PDHG_STALL

    def pool(self, k: int) -> np.ndarray:
        """The ``k`` candidates with the largest ``Σ λ`` over the rows they reach (best λ):
        those the LP relaxation finds most worth choosing."""
        c = self.search.t @ self.best_lam
        k = min(int(k), c.size)
        return np.argsort(-c, kind="stable")[:k]

    def rounding(self) -> np.ndarray:
        """The ``p`` candidates with the largest LP value ``y``."""
        return np.argsort(-self.y, kind="stable")[: self.p]

    def run(
        self,
        deadline: float,
        *,
        incumbent: float = -np.inf,
        target_gap: float = 0.0,
        max_iter: int | None = None,
    ) -> Bound:
        """Iterate until the deadline, ``max_iter`` iterations, convergence, or a bound within
        ``target_gap`` of ``incumbent``; return the best bound so far."""
        t0 = time.perf_counter()
        a, at, w, rho = self.search.matrix, self.search.t, self.search.weight, PDHG_RELAX
        done = 0
        while not self.converged and (max_iter is None or done < max_iter):
            if _rel_gap(self.best, incumbent) <= target_gap or time.perf_counter() >= deadline:
                break
            done += 1
            lam_n = np.clip(self.lam - self.tau * (a @ self.y - 1.0), 0.0, w)
            c_n = at @ lam_n
            y_n, self.shift = _capped_simplex(self.y + self.sigma * (2.0 * c_n - self.c), self.p, self.shift)
            self._score(lam_n, c_n)
            self.lam += rho * (lam_n - self.lam)
            self.c += rho * (c_n - self.c)
            self.y += rho * (y_n - self.y)  # c stays Aᵀλ: no clipping here
        self.iterations += done
        self.seconds += time.perf_counter() - t0
        return Bound(self.best, self.best_lam.copy(), self.iterations, self.seconds)


def median_lower_bound(
    near: NearestSites,
    candidates: np.ndarray,
    fixed: np.ndarray,
    p: int,
    incumbent: float,
    *,
    deadline: float,
    target_gap: float = 0.0,
    start: np.ndarray | None = None,
    on_open: Callable[[np.ndarray], float | None] | None = None,
    patience: int = 40,
    max_iter: int = 20_000,
) -> Bound:
    """Lower bound on Σ w × distance for ``p`` candidates plus the fixed sites.

    ``near`` holds each row's nearest sites (distances in the unit of the bound).
    ``start``: initial multipliers (e.g. each row's cost in the incumbent).
    """
    w = near.weight
    t0 = time.perf_counter()
    n, k = near.site.shape
    if n == 0:
        return Bound(0.0, np.zeros(0), 0, 0.0)
    n_sites = int(max(near.site.max() + 1, candidates.max(initial=-1) + 1, fixed.max(initial=-1) + 1))
    cost = w[:, None] * near.dist  # (n, K)
    is_fixed = np.zeros(n_sites, dtype=bool)
    is_fixed[fixed] = True
    is_cand = np.zeros(n_sites, dtype=bool)
    is_cand[candidates] = True
    # Cap: beyond the last kept site (exactness); beyond the nearest fixed site nothing helps.
    fixed_d = np.where(is_fixed[near.site], near.dist, np.inf).min(axis=1)
    cap = w * np.minimum(near.beyond, fixed_d)
    cap = np.where(np.isfinite(cap), cap, np.nanmax(np.where(np.isfinite(cost), cost, 0)) * 4 + 1)
    lam = cost[:, 0].copy() if start is None else np.asarray(start, dtype=float).copy()
    lam = np.clip(lam, 0.0, cap)
    best, best_lam = -np.inf, lam.copy()
    theta, stall, it = 1.0, 0, 0
    direction = np.zeros(n)
    flat_site = near.site.ravel()
    pressure = 0.0
    p = min(p, int(candidates.size))
    while it < max_iter:
        it += 1
        red = np.minimum(0.0, cost - lam[:, None])  # (n, K)
        rho = np.bincount(flat_site, weights=red.ravel(), minlength=n_sites)
        cand_rho = np.where(is_cand, rho, np.inf)
        if p > 0:
            pick = np.argpartition(cand_rho, p - 1)[:p]
        else:
            pick = np.zeros(0, dtype=np.int64)
        open_ = is_fixed.copy()
        open_[pick] = True
        value = float(lam.sum() + rho[is_fixed].sum() + rho[pick].sum())
        if value > best + 1e-9 * max(1.0, abs(best) if np.isfinite(best) else 1.0):
            best, best_lam, stall = value, lam.copy(), 0
        else:
            stall += 1
            if stall >= patience:
                theta, stall = theta / 2, 0
        if on_open is not None and it % 25 == 1:
            found = on_open(pick)
            if found is not None and found < incumbent:
                incumbent = found
        if _rel_gap(best, incumbent) <= target_gap or theta < 1e-6:
            break
        if time.perf_counter() >= deadline:
            break
        served = ((red < 0) & open_[near.site]).sum(axis=1)
        s = 1.0 - served
        at_cap = lam >= cap * (1 - 1e-12)
        pressure = float(w[at_cap & (s > 0)].sum() / max(w.sum(), 1e-12))
        s[at_cap & (s > 0)] = 0.0
        s[(lam <= 0) & (s < 0)] = 0.0
        if direction.any() and float(s @ direction) < 0:
            s = s + 0.5 * direction
        direction = s
        norm = float(s @ s)
        if norm <= 0:
            break
        step = theta * max(incumbent - value, 1e-9 * max(1.0, abs(value))) / norm
        lam = np.clip(lam + step * s, 0.0, cap)
    return Bound(best, best_lam, it, time.perf_counter() - t0, pressure)
