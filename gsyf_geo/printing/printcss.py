"""The risk map page's print layout (``@media print``): one A4 landscape page.

Printing the page (Ctrl+P) gives the title, the demo note, the headline figures, the map
with its legend and the unit table beside it on one A4 landscape page: no sidebar, no
header or toolbar, no buttons, menus or download controls, no enterprise list. Streamlit
lays the page out in full-height scroll containers; in print they are made static so the
content flows onto the page, and the content is scaled to fit the page's height.

The page injects :data:`PRINT_CSS` with ``st.html``; the map's own controls are hidden by
the map's print rule (:mod:`gsyf_geo.layers.fullscreen`).
"""

from __future__ import annotations

LIST_KEY = "risk_list"
"""Key of the container of the enterprise list (Streamlit gives it the class ``st-key-risk_list``)."""

PRINT_MAP_WIDTH, PRINT_MAP_HEIGHT = 780, 290
"""The map frame's size in print (CSS px; A4 landscape less 8 mm margins is about 1062 × 733
px); the map's own script (:class:`gsyf_geo.layers.fullscreen.FullscreenControl`) lays the
map out at this size before printing. Nothing is zoomed: a zoomed frame is laid out anew
while printing, where Leaflet cannot follow."""

PRINT_CSS = f"""
@media print {{
    @page {{ size: A4 landscape; margin: 8mm; }}
    html, body {{ height: auto !important; overflow: visible !important; background: #fff !important; }}
    [data-testid="stApp"], [data-testid="stAppViewContainer"], [data-testid="stMain"],
    [data-testid="stMainBlockContainer"] {{
        height: auto !important; min-height: 0 !important; overflow: visible !important;
        position: static !important;
    }}
    [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"],
    [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
    [data-testid="stBottom"], [data-testid="stPopover"], [data-testid="stButton"],
    [data-testid="stDownloadButton"], [data-testid="stElementToolbar"], [data-testid="stSidebarNav"],
    .st-key-{LIST_KEY}, footer {{
        display: none !important;
    }}
    [data-testid="stMainBlockContainer"] {{ padding: 0 !important; max-width: none !important; }}
    /* Compact headings, banners and figures: everything above the map takes about 250 px. */
    h1 {{ font-size: 22px !important; padding: 0 0 4px 0 !important; }}
    h3 {{ font-size: 15px !important; padding: 0 !important; }}
    [data-testid="stAlert"] {{ padding: 2px 8px !important; font-size: 11px !important; }}
    [data-testid="stAlert"] p {{ font-size: 11px !important; margin: 0 !important; }}
    [data-testid="stMetricLabel"] p {{ font-size: 10px !important; }}
    [data-testid="stMetricValue"] {{ font-size: 17px !important; line-height: 1.2 !important; }}
    [data-testid="stMetric"] {{ min-height: 0 !important; height: auto !important; padding: 0 !important; }}
    [data-testid="stMetricDelta"] {{ font-size: 9px !important; }}
    [data-testid="stVerticalBlock"] {{ gap: 4px !important; }}
    [data-testid="stMarkdownContainer"] p {{ font-size: 10px !important; }}
    [data-testid="stCaptionContainer"] {{ display: none !important; }}  /* screen hints and timings */
    [data-testid="stTable"] td, [data-testid="stTable"] th {{ font-size: 10px !important; padding: 1px 4px !important; }}
    /* The map and the unit table stay side by side; nothing prints faded as "stale". */
    [data-testid="stHorizontalBlock"] {{ display: flex !important; flex-wrap: nowrap !important; }}
    [data-testid="stColumn"] {{ width: auto !important; min-width: 0 !important; }}
    [data-stale="true"], .stale-element {{ opacity: 1 !important; }}
    [data-testid="stMetric"] {{ break-inside: avoid; }}
    iframe {{ break-inside: avoid; }}
    iframe[title="streamlit_folium.st_folium"], iframe[src*="streamlit_folium"] {{
        width: {PRINT_MAP_WIDTH}px !important; height: {PRINT_MAP_HEIGHT}px !important;
    }}
}}
"""
