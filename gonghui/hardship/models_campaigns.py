"""Models of the hardship app's campaigns part (imported by models.py)."""
