"""Form helpers shared by the apps' views."""

from django.core.exceptions import ValidationError


def apply_errors(form, error: ValidationError, aliases: dict | None = None) -> None:
    """Put a service's ValidationError next to the fields it names, the rest above the form.

    A service may refuse with field errors ({"amount": [...]}) or with plain sentences; ``aliases``
    maps a service's field name to the form's (the service says "file", the form calls it "letter").
    """
    errors = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    aliases = aliases or {}
    for name, messages in errors.items():
        name = aliases.get(name, name)
        form.add_error(name if name in form.fields else None, messages)
