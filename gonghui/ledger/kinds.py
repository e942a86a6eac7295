"""The kinds of service the ledger knows, for the pages and the API: code -> label.

A module that records services registers its kinds from ``AppConfig.ready()``::

    from gonghui.ledger import kinds
    kinds.register("hardship.aid_paid", _("困难帮扶救助金"))

The ledger stores the code only; a kind nobody registered (a module removed, a typo in old rows) is
shown as its code, so no row ever disappears from a page because its label is missing.
"""

_LABELS: dict[str, object] = {}


def register(kind: str, label) -> None:
    """Register (or relabel) a kind; ``label`` is usually a lazy translation."""
    if not kind or len(kind) > 40:
        raise ValueError("a service kind is a code of 1 to 40 characters")
    _LABELS[kind] = label


def label(kind: str) -> str:
    """The kind's label in the current language, or the code itself when nobody registered it."""
    found = _LABELS.get(kind)
    return str(found) if found is not None else kind


def choices() -> list[tuple[str, str]]:
    """(code, label) of every registered kind, for filters, sorted by code so the order is stable."""
    return [(kind, str(found)) for kind, found in sorted(_LABELS.items())]


def is_registered(kind: str) -> bool:
    return kind in _LABELS
