"""Pages of the legal app's cases part."""

urlpatterns = []
