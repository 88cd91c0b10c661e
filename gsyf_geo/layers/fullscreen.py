"""A full-screen button for folium maps, written here (no plugin, nothing to download).

:class:`FullscreenControl` adds a Leaflet control (top left, under the zoom buttons) that
puts the map's container in full screen with the browser's Fullscreen API and back; the
legend and the other controls are inside the container, so they stay visible. The map is
redrawn for its new size (``invalidateSize``) on every change. Before the page is printed the
map takes the fixed print size the page's print style gives its frame
(:data:`gsyf_geo.printing.printcss.PRINT_MAP_WIDTH` × ``PRINT_MAP_HEIGHT``) and shows the same
view; afterwards it goes back. Its ``@media print`` rule hides the zoom, layer and
full-screen buttons.

streamlit-folium draws the map in a component iframe whose feature policy allows
full screen.
"""

from __future__ import annotations

from branca.element import MacroElement
from folium.template import Template

ENTER_TITLE = "全屏显示"
EXIT_TITLE = "退出全屏（Esc）"
# Four corner marks; an inline SVG needs no icon font.
ICON = (
    '<svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" style="vertical-align:-3px">'
    '<path d="M1 6V1h5M10 1h5v5M15 10v5h-5M6 15H1v-5" fill="none" stroke="currentColor" stroke-width="2"/>'
    "</svg>"
)


class FullscreenControl(MacroElement):
    """The full-screen button (add it to a ``folium.Map``)."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
            .gsyf-fullscreen a {
                display: block; width: 30px; height: 30px; line-height: 30px; text-align: center;
                background: #fff; color: #1d2b3a; cursor: pointer;
            }
            .leaflet-container:fullscreen { width: 100% !important; height: 100% !important; }
            @media print {
                .leaflet-control-zoom, .leaflet-control-layers, .gsyf-fullscreen { display: none !important; }
            }
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var Control = L.Control.extend({
                options: {position: "topleft"},
                onAdd: function () {
                    var div = L.DomUtil.create("div", "leaflet-bar gsyf-fullscreen");
                    var a = L.DomUtil.create("a", "", div);
                    a.href = "#";
                    a.setAttribute("role", "button");
                    a.title = {{ this.enter_title|tojson }};
                    a.setAttribute("aria-label", a.title);
                    a.innerHTML = {{ this.icon|tojson }};
                    L.DomEvent.disableClickPropagation(div);
                    L.DomEvent.on(a, "click", function (e) {
                        L.DomEvent.preventDefault(e);
                        var el = map.getContainer();
                        if (document.fullscreenElement) {
                            document.exitFullscreen();
                        } else if (el.requestFullscreen) {
                            el.requestFullscreen();
                        }
                    });
                    document.addEventListener("fullscreenchange", function () {
                        var on = document.fullscreenElement === map.getContainer();
                        a.title = on ? {{ this.exit_title|tojson }} : {{ this.enter_title|tojson }};
                        a.setAttribute("aria-label", a.title);
                        setTimeout(function () { map.invalidateSize(); }, 60);
                    });
                    return div;
                }
            });
            new Control().addTo(map);
            // Printing: the page's print style gives this frame a fixed size (PRINT_MAP_*). Leaflet
            // places everything from the top-left corner and cannot lay out again while the page
            // is printed, so the map takes that size before printing, showing the same view.
            var saved = null;
            window.addEventListener("beforeprint", function () {
                var el = map.getContainer();
                saved = {bounds: map.getBounds(), width: el.style.width, height: el.style.height,
                         snap: map.options.zoomSnap};
                el.style.width = {{ this.print_width }} + "px";
                el.style.height = {{ this.print_height }} + "px";
                map.invalidateSize({animate: false, pan: false});
                map.options.zoomSnap = 0;  // fit the view exactly, not to a whole zoom level
                map.fitBounds(saved.bounds, {animate: false});
                window.gsyfPrinted = (window.gsyfPrinted || 0) + 1;
            });
            window.addEventListener("afterprint", function () {
                if (!saved) { return; }
                var el = map.getContainer();
                el.style.width = saved.width;
                el.style.height = saved.height;
                map.invalidateSize({animate: false, pan: false});
                map.fitBounds(saved.bounds, {animate: false});
                map.options.zoomSnap = saved.snap;
                saved = null;
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, print_width: int = 1300, print_height: int = 740) -> None:
        super().__init__()
        self._name = "FullscreenControl"
        self.print_width = int(print_width)
        self.print_height = int(print_height)
        self.enter_title = ENTER_TITLE
        self.exit_title = EXIT_TITLE
        self.icon = ICON
