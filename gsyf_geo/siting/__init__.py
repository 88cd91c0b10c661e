"""Training-base siting planner (培训基地选址): exact, fast, explainable.

Where should the plan's remaining publicity/training bases go? Three problems with one
shape (geopandas/spopt style):

* :class:`MaximalCovering` — choose ``p`` new sites covering the most demand;
* :class:`SetCovering` — the fewest new sites covering a share of demand;
* :class:`PMedian` — ``p`` new sites with the least demand-weighted distance.

Each is built ``from_store(store, scope, weight=..., industries=..., radius_km=...,
detour=..., extra_candidates=...)``, ``from_geodataframes(demand_gdf, sites_gdf, ...)`` or
``from_cost_matrix(distances_m, weights, ...)`` (e.g. road distances) and solved with
``solve(..., time_limit=60)`` into a :class:`SitingResult`. Existing bases are always
open and not counted in ``p`` (the plan's target is 10 bases in all, so ``p`` is the number
of new ones). Models are reduced exactly; a greedy + interchange incumbent comes first, a
Lagrangian bound certifies how far any better answer can be, and HiGHS finishes the job when
the model fits (see :mod:`gsyf_geo.siting.problems`). The result reports value, bound, gap and
what the gap means in Chinese. Inputs that cannot be planned with raise :class:`SitingError`
with a plain Chinese explanation.

Named scenarios are saved and compared with :mod:`gsyf_geo.siting.scenarios`.
"""

from gsyf_geo.siting.errors import SitingError
from gsyf_geo.siting.instance import SitingInstance, plan_base_target
from gsyf_geo.siting.problems import PROBLEMS, MaximalCovering, PMedian, SetCovering
from gsyf_geo.siting.result import PROBLEM_NAMES, PROBLEM_SHORT_NAMES, SitingResult
from gsyf_geo.siting.weights import WEIGHTS

__all__ = [
    "PROBLEMS",
    "PROBLEM_NAMES",
    "PROBLEM_SHORT_NAMES",
    "WEIGHTS",
    "MaximalCovering",
    "PMedian",
    "SetCovering",
    "SitingError",
    "SitingInstance",
    "SitingResult",
    "plan_base_target",
]
