"""Rich text of articles, cleaned with nh3 (ammonia) before it is stored.

Allowed: paragraphs, headings, lists, tables, quotes, links (http, https, mailto, tel) and images
whose source is this site (/media/…, /static/…) or an https address. Everything else goes: script and
style elements with their content, event attributes (onclick …), style attributes (so no CSS
expression() or url()), javascript:/data:/vbscript: addresses, iframes, forms and comments.
"""

import html as html_lib
import re

import nh3

TAGS = {
    "p", "br", "h2", "h3", "h4", "h5", "strong", "b", "em", "i", "u", "s", "sub", "sup", "blockquote",
    "ul", "ol", "li", "a", "img", "figure", "figcaption", "table", "thead", "tbody", "tr", "th", "td",
    "caption", "hr", "span", "pre", "code", "div",
}
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height", "title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
_SAFE_IMG = re.compile(r"^(https://|/media/|/static/)[^\s\"'<>]*$", re.IGNORECASE)
_NUMBER = re.compile(r"^\d{1,4}$")


def _attribute_filter(tag: str, attr: str, value: str):
    if tag == "img" and attr == "src":
        return value if _SAFE_IMG.match(value.strip()) else None
    if attr in {"width", "height", "colspan", "rowspan", "start"}:
        return value if _NUMBER.match(value.strip()) else None
    return value


def clean_html(raw: str) -> str:
    """The article body as it may be stored and shown."""
    if not raw:
        return ""
    cleaned = nh3.clean(
        raw, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES, strip_comments=True,
        link_rel="noopener noreferrer nofollow", attribute_filter=_attribute_filter,
    )
    # An image whose source was refused is dropped rather than shown broken.
    return re.sub(r"<img(?![^>]*\ssrc=)[^>]*>", "", cleaned)


_BLOCK_END = re.compile(r"(?i)<br\s*/?>|</(p|h\d|li|tr|blockquote|div|figure|table|pre)>")


def html_to_text(raw: str) -> str:
    """Plain text of a body (for the index, snippets and feeds)."""
    if not raw:
        return ""
    text = _BLOCK_END.sub("\n", raw)
    text = nh3.clean(text, tags=set(), attributes={}, strip_comments=True)
    text = html_lib.unescape(text)
    return re.sub(r"[ \t\u3000]*\n\s*", "\n", text).strip()
