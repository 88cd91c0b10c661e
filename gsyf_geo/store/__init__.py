"""The store: models, scopes and the one query layer."""

from gsyf_geo.store.query import KINDS, LOCATED_KINDS, Store, make_engine
from gsyf_geo.store.scope import CITY, Scope, ScopeError

__all__ = ["CITY", "KINDS", "LOCATED_KINDS", "Scope", "ScopeError", "Store", "make_engine"]
