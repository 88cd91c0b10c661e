"""Rendered map pieces stay as they are: data text is never read as a template.

branca's :meth:`MacroElement.render` (and folium's :meth:`Popup.render`) wrap every piece
of JavaScript or HTML they have just rendered in ``Element(text)``, which compiles that
text as a Jinja template and renders it a second time when the page is assembled. The
text holds the map's data, so

* an enterprise, project or base named ``{{ 7*7 }}`` would show as ``49``, and a name such
  as ``{{ cycler.__init__.__globals__.os.popen('…').read() }}`` would run on the server
  (Jinja's default environment is not sandboxed);
* a name with unbalanced braces (``ABC{{``) would stop the map from rendering at all;
* compiling the data as a template costs time in proportion to its size (~0.15 s for the
  whole-city risk map, on every rerun).

:func:`install` replaces those two methods with versions that add the rendered text as a
:class:`RenderedText`, which renders to exactly that text. The page is otherwise the same
(tested against branca's own rendering). It is installed when :mod:`gsyf_geo.layers` is
imported, so every map this package builds renders this way.
"""

from __future__ import annotations

from typing import Any

import folium
from branca.element import Element, Figure, MacroElement

_ORIGINAL = {"MacroElement.render": MacroElement.render, "Popup.render": folium.Popup.render}


class RenderedText(Element):
    """A piece of a page that is already rendered: its text, as is."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "RenderedText"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


def _figure(element: Element) -> Figure:
    figure = element.get_root()
    assert isinstance(figure, Figure), "You cannot render this Element if it is not in a Figure."
    return figure


def _render_macro(self: MacroElement, **kwargs: Any) -> None:
    """:meth:`branca.element.MacroElement.render`, adding its pieces as literal text."""
    figure = _figure(self)
    macros = self._template.module.__dict__
    for part in ("header", "html", "script"):
        macro = macros.get(part)
        if macro is not None:
            getattr(figure, part).add_child(RenderedText(macro(self, kwargs)), name=self.get_name())
    for element in self._children.values():
        element.render(**kwargs)


def _render_popup(self: folium.Popup, **kwargs: Any) -> None:
    """:meth:`folium.Popup.render`, adding its script as literal text."""
    for child in self._children.values():
        child.render(**kwargs)
    _figure(self).script.add_child(
        RenderedText(self._template.render(this=self, kwargs=kwargs)), name=self.get_name()
    )


def install() -> None:
    """Render every folium/branca element's pieces as literal text (idempotent)."""
    MacroElement.render = _render_macro
    folium.Popup.render = _render_popup


def uninstall() -> None:
    """Back to branca's and folium's own rendering (for comparing the two in tests)."""
    MacroElement.render = _ORIGINAL["MacroElement.render"]
    folium.Popup.render = _ORIGINAL["Popup.render"]
