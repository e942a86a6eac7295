"""The courses app's routes for the shared scope test."""

CASES = []
EXEMPT = {}
