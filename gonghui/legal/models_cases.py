"""Models of the legal app's cases part (imported by models.py)."""

__all__ = []
