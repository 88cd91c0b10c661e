"""What a user would see wrong on a page: cut-off text and English UI words.

Used by the browser tests of every user path (leadership, officer, planner, import) at the
three office screen sizes. Both checks look into every frame of the page (the folium map and
other components are iframes) and return what they found, so a failing test names it.
"""

from __future__ import annotations

import re

SIZES: dict[str, tuple[int, int]] = {
    "1024x768": (1024, 768),
    "1280x800": (1280, 800),
    "1920x1080": (1920, 1080),
}
"""The office monitor sizes every user path is tested at."""

# A text is cut off when part of it lies outside a box of its ancestors that clips (overflow
# hidden or clip, or an ellipsis): the user cannot read the end of it. Scrolling boxes (tables,
# code) do not clip: the user can scroll them. Map content (Leaflet's panes) lies outside the
# frame by design when panned; the map's controls and legends do not. Boxes of 2 px or less are
# screen-reader-only texts. One pixel of slack for sub-pixel rounding.
_TRUNCATED_JS = r"""() => {
    const out = [];
    const clips = (s, axis) => ['hidden', 'clip'].includes(axis === 'x' ? s.overflowX : s.overflowY)
        || (axis === 'x' && s.textOverflow === 'ellipsis');
    const walker = document.createTreeWalker(document.body || document.documentElement,
                                             NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode;
        const text = node.textContent.trim();
        const el = node.parentElement;
        if (!text || !el || ['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(el.tagName)) continue;
        if (el.closest('.leaflet-map-pane')) continue;
        const st = getComputedStyle(el);
        if (st.visibility === 'hidden' || st.display === 'none') continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        const r = range.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        for (let a = el; a && a !== document.body; a = a.parentElement) {
            const s = getComputedStyle(a);
            // Past a scrolling box the text can be scrolled to: not cut.
            if (['auto', 'scroll'].includes(s.overflowX) || ['auto', 'scroll'].includes(s.overflowY)) break;
            const cx = clips(s, 'x'), cy = clips(s, 'y');
            if (!cx && !cy) continue;
            const b = a.getBoundingClientRect();
            if (b.width <= 2 || b.height <= 2) break;
            const outX = cx && (r.right > b.right + 1 || r.left < b.left - 1);
            const outY = cy && (r.bottom > b.bottom + 2 || r.top < b.top - 2);
            if (outX || outY) {
                out.push({text: text.slice(0, 80),
                          testid: (a.closest('[data-testid]') || {dataset: {}}).dataset.testid || '',
                          box: [Math.round(b.width), Math.round(b.height)],
                          text_box: [Math.round(r.width), Math.round(r.height)]});
                break;
            }
        }
    }
    return out;
}"""

# Visible text and the texts a user meets on hover or with a screen reader.
_TEXTS_JS = r"""() => {
    const out = [];
    const walker = document.createTreeWalker(document.body || document.documentElement,
                                             NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode;
        const el = node.parentElement;
        if (!el || ['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE'].includes(el.tagName)) continue;
        // Commands shown as code, and icon-font ligatures (rendered as a symbol), are not words.
        if (el.closest('code, pre, kbd')) continue;
        if (/Material/i.test(getComputedStyle(el).fontFamily)) continue;
        const r = el.getBoundingClientRect();
        if (r.width <= 2 || r.height <= 2) continue;
        const s = getComputedStyle(el);
        if (s.visibility === 'hidden' || s.display === 'none') continue;
        const t = node.textContent.trim();
        if (t) out.push(t);
    }
    for (const el of document.querySelectorAll('[title], [aria-label], [placeholder]')) {
        // Labels inside aria-hidden parts are read by nobody (screen readers skip them).
        if (el.closest('[aria-hidden="true"]') && !el.hasAttribute('title')) continue;
        for (const a of ['title', 'aria-label', 'placeholder']) {
            const v = el.getAttribute(a);
            if (v && v.trim()) out.push(v.trim());
        }
    }
    return out;
}"""

# Latin words that are not English UI: units, formats, coordinate systems, product and
# standard names, and the map credits' data sources.
ALLOWED_WORDS = frozenset(
    """
    png svg pdf csv xlsx pptx xls gbk utf wgs gcj bd cgcs epsg km mb gb kb dpi
    mclp lscp highs gi fdr getis ord openstreetmap osm tianditu amap postgis sqlite
    gsyf geo leaflet excel wps
    """.split()
)


def truncated(page) -> list[dict]:
    """Elements in any frame whose text is cut off (wider or taller than their clipping box)."""
    found: list[dict] = []
    for frame in page.frames:
        try:
            for item in frame.evaluate(_TRUNCATED_JS):
                item["frame"] = frame.url.rsplit("/", 1)[-1][:40]
                found.append(item)
        except Exception:  # noqa: BLE001 - a frame that navigated away meanwhile
            continue
    return found


def english_texts(page, allowed: frozenset[str] = ALLOWED_WORDS) -> list[str]:
    """UI texts in any frame that contain an English word (3+ Latin letters) not allowed.

    All-capital words (acronyms such as GPS) are allowed. Data values shown verbatim (a code such as ``91320481MA1XQQ000``) are not words: only
    runs of letters that start and end at a word boundary count.
    """
    found: list[str] = []
    for frame in page.frames:
        try:
            texts = frame.evaluate(_TEXTS_JS)
        except Exception:  # noqa: BLE001
            continue
        for t in texts:
            words = [w for w in re.findall(r"(?<![A-Za-z0-9])[A-Za-z]{3,}(?![A-Za-z0-9])", t)]
            # All-capital words are acronyms (GPS, CSV), not English sentences.
            if any(w.lower() not in allowed and not w.isupper() for w in words):
                found.append(t[:80])
    return sorted(set(found))


def set_sidebar(page, open_: bool, settle_ms: int = 600) -> None:
    """Open or close Streamlit's sidebar with its own buttons (as a user would)."""
    sidebar = page.locator('[data-testid="stSidebar"]')
    if (sidebar.get_attribute("data-collapsed") == "false") == open_:
        return
    if open_:
        page.locator('[data-testid="stExpandSidebarButton"]').click()
    else:
        sidebar.hover()
        page.locator('[data-testid="stSidebarCollapseButton"] button').click()
    want = "false" if open_ else "true"
    page.wait_for_function(
        f"document.querySelector('[data-testid=\"stSidebar\"]').dataset.collapsed === '{want}'"
    )
    page.wait_for_timeout(settle_ms)


def save_full_page(page, path, max_bytes: int = 400_000, max_height: int = 5000) -> None:
    """Save the whole page as a PNG for docs/screens (under ``max_bytes``).

    Streamlit scrolls inside its main box, so a full-page screenshot shows one screen only:
    the window is made as tall as the content for the picture, then restored.
    """
    import io

    from PIL import Image

    size = page.viewport_size
    w, h = size["width"], size["height"]
    tall = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('[data-testid=\"stMain\"], "
        "[data-testid=\"stAppViewContainer\"]')].map(e => e.scrollHeight))"
    )
    page.set_viewport_size({"width": w, "height": max(h, min(int(tall) + 40, max_height))})
    page.wait_for_timeout(1200)
    raw = page.screenshot(type="png")
    page.set_viewport_size({"width": w, "height": h})
    page.wait_for_timeout(500)
    image = Image.open(io.BytesIO(raw))
    image.save(path, optimize=True)
    for colours in (128, 64, 32):  # fewer colours until small enough, still sharp text
        if path.stat().st_size < max_bytes:
            break
        image.convert("RGB").quantize(colors=colours).save(path, optimize=True)
    assert path.stat().st_size < max_bytes, (path, path.stat().st_size)
