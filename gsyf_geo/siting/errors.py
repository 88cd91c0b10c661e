"""The one error the siting planner raises for inputs it cannot plan with."""

from __future__ import annotations


class SitingError(ValueError):
    """An infeasible or badly posed siting problem.

    The message is plain Chinese for the planner: what is wrong and, where it helps,
    which base, district or parameter it is about.
    """
