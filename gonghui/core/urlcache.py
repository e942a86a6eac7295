"""reverse() is ~30 µs; list pages and the shell call it dozens of times per request.

URLs without arguments are reversed once per script prefix; object URLs are built from a pattern
reversed once with a placeholder id.
"""

from functools import lru_cache

from django.urls import get_script_prefix, reverse

PLACEHOLDER = 2_147_483_647


@lru_cache(maxsize=512)
def _reverse(name: str, prefix: str) -> str:
    return reverse(name)


@lru_cache(maxsize=256)
def _pattern(name: str, kwarg: str, prefix: str) -> tuple[str, str]:
    url = reverse(name, kwargs={kwarg: PLACEHOLDER})
    head, tail = url.split(str(PLACEHOLDER))
    return head, tail


def static_reverse(name: str) -> str:
    """reverse() of a URL that takes no arguments."""
    return _reverse(name, get_script_prefix())


def object_url(name: str, pk: int, kwarg: str = "pk") -> str:
    """reverse(name, kwargs={kwarg: pk}) for an integer id."""
    head, tail = _pattern(name, kwarg, get_script_prefix())
    return f"{head}{int(pk)}{tail}"
