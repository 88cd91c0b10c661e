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
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gsyf_geo.siting.heuristics import CoverSearch, NearestSites


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
