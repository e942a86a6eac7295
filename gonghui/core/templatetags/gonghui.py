"""Template helpers of the shell: inline SVG icons and cached URLs (both on every page)."""

from django import template
from django.utils.safestring import mark_safe

from gonghui.core.urlcache import static_reverse

register = template.Library()

# Inline SVG (no icon font from the internet); names follow Bootstrap Icons.
ICON_PATHS = {
    'house': '<path d="M3 11 12 3l9 8"/><path d="M5 9.5V21h5v-6h4v6h5V9.5"/>',
    'grid': '<rect x="3" y="3" width="7" height="7" rx="1.5"/><rect x="14" y="3" width="7" height="7" rx="1.5"/><rect x="3" y="14" width="7" height="7" rx="1.5"/><rect x="14" y="14" width="7" height="7" rx="1.5"/>',
    'person': '<circle cx="12" cy="8" r="4"/><path d="M4 21c0-4.4 3.6-8 8-8s8 3.6 8 8"/>',
    'chat': '<path d="M4 5h16v11H9l-5 4z"/>',
    'speedometer2': '<path d="M3 17a9 9 0 1 1 18 0"/><path d="m12 17 4-5"/><path d="M3 17h18"/>',
    'diagram-3': '<rect x="9" y="3" width="6" height="5" rx="1"/><rect x="2" y="16" width="6" height="5" rx="1"/><rect x="16" y="16" width="6" height="5" rx="1"/><path d="M12 8v4M5 16v-4h14v4"/>',
    'people': '<circle cx="9" cy="8" r="3.5"/><path d="M2 20c0-3.9 3.1-7 7-7s7 3.1 7 7"/><circle cx="17" cy="8.5" r="2.5"/><path d="M17 13.5c2.8 0 5 2.2 5 5"/>',
    'journal-text': '<rect x="5" y="3" width="14" height="18" rx="2"/><path d="M9 8h6M9 12h6M9 16h4"/>',
    'person-lock': '<circle cx="9" cy="8" r="4"/><path d="M2 21c0-3.9 3.1-7 7-7 1.4 0 2.6.4 3.7 1"/><rect x="14" y="15" width="8" height="6" rx="1"/><path d="M16 15v-2a2 2 0 0 1 4 0v2"/>',
    'heart': '<path d="M12 20s-8-4.8-8-10.5A4.5 4.5 0 0 1 12 7a4.5 4.5 0 0 1 8 2.5C20 15.2 12 20 12 20z"/>',
    'scale': '<path d="M12 3v18M5 21h14M4 8h16"/><path d="m4 8-2.5 6a3 3 0 0 0 5 0zM20 8l-2.5 6a3 3 0 0 0 5 0z"/>',
    'pencil': '<path d="M4 20h4L19 9l-4-4L4 16z"/>',
    'card': '<rect x="3" y="5" width="18" height="14" rx="2"/><path d="M3 10h18M7 15h4"/>',
    'text-size': '<path d="M4 7V5h10v2M9 5v14M7 19h4M14 12v-1h6v1M17 11v8M15.5 19h3"/>',
    'globe': '<circle cx="12" cy="12" r="9"/><path d="M3 12h18M12 3c2.5 2.6 3.8 5.6 3.8 9s-1.3 6.4-3.8 9c-2.5-2.6-3.8-5.6-3.8-9S9.5 5.6 12 3z"/>',
    'logout': '<path d="M15 4h4v16h-4M10 8l-4 4 4 4M6 12h10"/>',
    'chevron': '<path d="m9 6 6 6-6 6"/>',
    'calendar': '<rect x="3" y="5" width="18" height="16" rx="2"/><path d="M3 10h18M8 3v4M16 3v4"/>',
    'calendar-event': '<rect x="3" y="5" width="18" height="16" rx="2"/><path d="M3 10h18M8 3v4M16 3v4"/>'
                      '<rect x="13" y="13" width="4" height="4" rx=".5"/>',
    'briefcase': '<rect x="3" y="7" width="18" height="13" rx="2"/><path d="M9 7V5h6v2M3 13h18"/>',
    'mortarboard': '<path d="m2 9 10-5 10 5-10 5z"/><path d="M6 11v5c3 2.5 9 2.5 12 0v-5M22 9v6"/>',
    'book': '<path d="M4 5a2 2 0 0 1 2-2h13v16H6a2 2 0 0 0-2 2z"/><path d="M4 21V5M8 7h7"/>',
    'ticket': '<path d="M3 7h18v3a2 2 0 0 0 0 4v3H3v-3a2 2 0 0 0 0-4z"/><path d="M14 7v10"/>',
}
DEFAULT_ICON = '<circle cx="12" cy="12" r="8"/>'
ICON_OPEN = '<svg class="gh-icon" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">'
ICON_CLOSE = '</svg>'


@register.simple_tag
def icon(name: str):
    """An inline SVG icon; a tag, not an include, because every page draws a dozen of them."""
    return mark_safe(ICON_OPEN + ICON_PATHS.get(name, DEFAULT_ICON) + ICON_CLOSE)


@register.simple_tag(name="nav_url")
def nav_url(name: str) -> str:
    """{% url %} for argument-less URLs, without reversing again on every request."""
    return static_reverse(name)
