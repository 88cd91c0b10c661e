"""A thin wrapper around HiGHS (highspy): one vectorised model call, the solver's own status.

The model is handed over in one ``passModel`` call as a column-wise sparse matrix, so no
Python loop builds constraints. What comes back is what HiGHS itself reports: its model
status, objective, best bound and relative MIP gap (never a status inferred elsewhere: a
run stopped by the time limit says so).
"""

from __future__ import annotations

import math
import os
import sys
import threading
import time
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from gsyf_geo.siting.errors import SitingError

DEFAULT_TIME_LIMIT_S = 60.0
RANDOM_SEED = 2021

# HiGHS model status text -> Chinese for the planner.
STATUS_NAMES: dict[str, str] = {
    "Optimal": "已证明最优",
    "Time limit reached": "达到时间限制（未证明最优）",
    "Infeasible": "无可行解",
    "Primal infeasible or unbounded": "无可行解",
    "Unbounded": "无界",
    "Interrupted by user": "已中断",
    "Solution limit reached": "达到解数量限制",
    "Iteration limit reached": "达到迭代次数限制",
    "Memory limit reached": "内存不足",
}

_banner_lock = threading.Lock()
_banner_done = False


def _new_highs():
    """A silent ``highspy.Highs``.

    HiGHS prints a copyright banner on C-level stdout the first time a solver is created in
    a process; that would corrupt machine-readable output (``site --json``), so the first
    construction runs with file descriptor 1 pointed at /dev/null.
    """
    global _banner_done
    import highspy

    with _banner_lock:
        if not _banner_done:
            sys.stdout.flush()
            saved = os.dup(1)
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, 1)
                h = highspy.Highs()
            finally:
                os.dup2(saved, 1)
                os.close(saved)
                os.close(devnull)
            _banner_done = True
        else:
            h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    return h


@dataclass
class MipModel:
    """A mixed-integer linear model in arrays (HiGHS's ``passModel`` layout).

    ``matrix`` has one row per constraint; ``row_lower``/``row_upper`` bound ``matrix @ x``.
    """

    cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    integer: np.ndarray  # bool per column
    matrix: sparse.spmatrix
    row_lower: np.ndarray
    row_upper: np.ndarray
    maximize: bool = False
    offset: float = 0.0
    nnz: int | None = None  # the size of a model described but not built

    @property
    def num_col(self) -> int:
        return int(self.cost.size)

    @property
    def num_row(self) -> int:
        return int(self.row_lower.size)

    @property
    def num_nz(self) -> int:
        return int(self.matrix.nnz if self.nnz is None else self.nnz)


@dataclass
class MipSolution:
    """What HiGHS reported for one run."""

    status: str
    optimal: bool
    x: np.ndarray | None
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    nodes: int

    @property
    def status_cn(self) -> str:
        return STATUS_NAMES.get(self.status, self.status)


def _finite_or_none(value: float) -> float | None:
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) or abs(value) >= 1e30 else value


def solve_mip(
    model: MipModel,
    *,
    time_limit: float = DEFAULT_TIME_LIMIT_S,
    mip_rel_gap: float = 0.0,
    start: tuple[np.ndarray, np.ndarray] | None = None,
) -> MipSolution:
    """Solve ``model`` with HiGHS.

    Parameters
    ----------
    model
        The model.
    time_limit
        Seconds before HiGHS stops (it then reports "Time limit reached" and its gap).
    mip_rel_gap
        Relative gap at which HiGHS may stop; 0 asks for proven optimality.
    start
        Optional partial starting solution ``(column indices, values)`` (a warm start).

    Returns
    -------
    MipSolution
    """
    if time_limit is None or time_limit <= 0:
        raise SitingError("求解时间限制须大于 0 秒")
    if mip_rel_gap < 0:
        raise SitingError("允许的最优间隙不能为负数")
    h = _new_highs()
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    h.setOptionValue("random_seed", RANDOM_SEED)
    a = sparse.csc_matrix(model.matrix, dtype=np.float64)
    a.sort_indices()
    inf = h.getInfinity()
    n_int = int(model.integer.sum())
    h.passModel(
        model.num_col,
        model.num_row,
        int(a.nnz),
        1,  # column-wise
        -1 if model.maximize else 1,
        float(model.offset),
        np.asarray(model.cost, dtype=np.float64),
        np.asarray(model.col_lower, dtype=np.float64),
        np.clip(np.asarray(model.col_upper, dtype=np.float64), -inf, inf),
        np.clip(np.asarray(model.row_lower, dtype=np.float64), -inf, inf),
        np.clip(np.asarray(model.row_upper, dtype=np.float64), -inf, inf),
        a.indptr.astype(np.int32),
        a.indices.astype(np.int32),
        a.data.astype(np.float64),
        model.integer.astype(np.int32),
    )
    if start is not None and n_int:
        idx, val = start
        h.setSolution(
            int(len(idx)), np.asarray(idx, dtype=np.int32), np.asarray(val, dtype=np.float64)
        )
    started = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - started
    status = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    has_solution = int(info.primal_solution_status) == 2  # kSolutionStatusFeasible
    x = np.asarray(h.getSolution().col_value, dtype=float) if has_solution else None
    objective = _finite_or_none(info.objective_function_value) if has_solution else None
    optimal = status == "Optimal"
    if n_int:
        bound = _finite_or_none(info.mip_dual_bound)
        gap = _finite_or_none(info.mip_gap)
        nodes = int(info.mip_node_count)
    else:  # a pure LP: its optimum is proven
        bound, gap, nodes = objective, (0.0 if optimal else None), 0
    if optimal and gap is None:
        gap = 0.0
    return MipSolution(status, optimal, x, objective, bound, gap, seconds, nodes)
