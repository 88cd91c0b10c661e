"""A point column that is PostGIS geometry on PostgreSQL and WKB bytes elsewhere.

SQLite on these machines cannot load SpatiaLite, so the portable truth is lon/lat (WGS-84)
and x/y (EPSG:4549) columns; this column adds real geometry, with a GiST index, where the
backend can use it (see ``shared/docs/spatial-store.md``).
"""

from __future__ import annotations

import shapely
from geoalchemy2 import Geometry
from geoalchemy2.elements import WKBElement
from sqlalchemy import LargeBinary
from sqlalchemy.types import TypeDecorator


class PointGeometry(TypeDecorator):
    """WGS-84 point: ``geometry(Point, 4326)`` on PostgreSQL, a WKB blob elsewhere.

    Binds and returns shapely geometries.
    """

    impl = LargeBinary
    cache_ok = True
    # GeoAlchemy2's DDL hooks read these; the GiST index is declared on the table instead.
    spatial_index = False
    use_N_D_index = False

    def load_dialect_impl(self, dialect):
        if dialect is None:  # GeoAlchemy2's DDL hooks probe the type without a dialect
            return LargeBinary()
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Geometry("POINT", srid=4326, spatial_index=False))
        return dialect.type_descriptor(LargeBinary())

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        wkb = value if isinstance(value, bytes | bytearray) else shapely.to_wkb(value)
        if dialect.name == "postgresql":
            return WKBElement(bytes(wkb), srid=4326)
        return bytes(wkb)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, WKBElement):
            value = value.data
        if isinstance(value, str):
            return shapely.from_wkb(bytes.fromhex(value))
        return shapely.from_wkb(bytes(value))
