"""Models of the legal app's reports part (imported by models.py)."""

__all__ = []
