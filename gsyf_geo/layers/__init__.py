"""Map layers: pure folium builders (no Streamlit), drawn with assets served locally.

* :mod:`gsyf_geo.layers.offline` — the map itself and the local front-end assets;
* :mod:`gsyf_geo.layers.basemaps` — optional tile basemaps (none by default);
* :mod:`gsyf_geo.layers.districts` — the six district polygons with labels;
* :mod:`gsyf_geo.layers.literal` — rendered pieces kept literal (data text is never read as a
  Jinja template); installed here, before any map is built.
"""

from gsyf_geo.layers import literal

literal.install()
