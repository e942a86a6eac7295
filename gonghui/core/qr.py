"""QR codes drawn on the server (segno, inline SVG: no script, no CDN) and the absolute links they hold."""

import segno
from django.conf import settings


def absolute_url(path: str, request=None) -> str:
    """``GONGHUI_PUBLIC_URL`` (for deployments behind a proxy) wins over the request's host."""
    base = settings.GONGHUI_PUBLIC_URL.rstrip("/")
    if base:
        return base + path
    return request.build_absolute_uri(path) if request is not None else path


def qr_svg(data: str, *, title: str = "", css_class: str = "", border: int = 3) -> str:
    """The QR code of ``data`` as inline SVG with a viewBox and no fixed size, so it scales to its box
    (segno escapes the title)."""
    return segno.make(data, error="m", micro=False).svg_inline(
        scale=1, border=border, omitsize=True, dark="#111111", light="#ffffff", title=title or None,
        svgclass=css_class or None)
