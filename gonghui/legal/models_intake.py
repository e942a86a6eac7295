"""Models of the legal app's intake part (imported by models.py)."""

__all__ = []
