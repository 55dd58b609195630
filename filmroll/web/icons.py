"""The web app's icons: our own 24×24 line drawings, inlined into the page (no sprite to fetch,
no icon font), drawn in the text's colour so both themes need nothing more."""

from __future__ import annotations

import functools

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

# Each is the inside of an <svg viewBox="0 0 24 24">: strokes in currentColor unless filled.
SHAPES = {
    "home": '<path d="M3 10.5 12 3l9 7.5V21h-6v-6H9v6H3z"/>',
    "explore": '<circle cx="12" cy="12" r="9"/><path d="m15.5 8.5-2 5-5 2 2-5z"/>',
    "post": '<rect x="3" y="3" width="18" height="18" rx="4"/><path d="M12 8v8M8 12h8"/>',
    "heart": '<path d="M12 20s-7.5-4.6-9-9.3C2 7.4 4.2 4.5 7.3 4.5c2 0 3.6 1.2 4.7 2.8'
    ' 1.1-1.6 2.7-2.8 4.7-2.8 3.1 0 5.3 2.9 4.3 6.2C19.5 15.4 12 20 12 20z"/>',
    "profile": '<circle cx="12" cy="8" r="4"/><path d="M4 21c0-4.4 3.6-7 8-7s8 2.6 8 7"/>',
    "comment": '<path d="M20.5 11.5a8.5 8 0 0 1-12.3 7.1L3.5 20l1.4-4.2A8.5 8 0 1 1 20.5 11.5z"/>',
    "settings": '<path d="M4 7h9M17 7h3M4 17h3M11 17h9"/><circle cx="15" cy="7" r="2.2"/>'
    '<circle cx="9" cy="17" r="2.2"/>',
    "camera": '<rect x="2.5" y="6" width="19" height="14" rx="3"/><circle cx="12" cy="13" r="4"/>'
    '<path d="M8 6l1.5-2.5h5L16 6"/>',
    "pin": '<path d="M12 21s-6.5-6.2-6.5-11a6.5 6.5 0 0 1 13 0c0 4.8-6.5 11-6.5 11z"/>'
    '<circle cx="12" cy="10" r="2.3"/>',
    "search": '<circle cx="11" cy="11" r="7"/><path d="m16.5 16.5 4.5 4.5"/>',
    "map": '<path d="M3 6.5 9 4l6 2.5L21 4v13.5L15 20l-6-2.5L3 20z"/><path d="M9 4v13.5M15 6.5V20"/>',
    "grid": '<rect x="3" y="3" width="18" height="18" rx="2"/><path d="M9 3v18M15 3v18M3 9h18M3 15h18"/>',
    "bookmark": '<path d="M6 3.5h12v17l-6-4.5-6 4.5z"/>',
    "prev": '<path d="m14.5 5-7 7 7 7"/>',
    "next": '<path d="m9.5 5 7 7-7 7"/>',
    "album": '<rect x="7" y="7" width="14" height="14" rx="2"/><path d="M17 3.5H5.5a2 2 0 0 0-2 2V17"/>',
    "people": '<circle cx="9" cy="8" r="3.5"/><path d="M2.5 20c0-3.6 2.9-6 6.5-6s6.5 2.4 6.5 6"/>'
    '<circle cx="17" cy="9" r="2.8"/><path d="M16.5 14.1c2.9 0 5 2.2 5 5.4"/>',
}


@functools.cache  # a few dozen on every page, each the same string every time
def icon(name: str, filled: bool = False) -> SafeString:
    """An icon for beside a visible or visually hidden label: hidden from assistive tech."""
    fill = "currentColor" if filled else "none"
    return format_html(
        '<svg class="icon icon-{}" viewBox="0 0 24 24" width="24" height="24" fill="{}" '
        'stroke="currentColor" stroke-width="1.8" stroke-linecap="round" '
        'stroke-linejoin="round" aria-hidden="true" focusable="false">{}</svg>',
        name,
        fill,
        mark_safe(SHAPES[name]),  # our own constants above, never input
    )
