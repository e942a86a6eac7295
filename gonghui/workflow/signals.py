"""Signals of the engine, for apps that follow a case type they do not own.

``case_transitioned`` is sent by perform_transition after the type's own hook, inside the step's
transaction (a receiver's failure undoes the step); ``sender`` is the case type's name.
Receivers get ``case``, ``transition``, ``data`` (the cleaned form fields) and ``by``.
"""

from django.dispatch import Signal

case_transitioned = Signal()
