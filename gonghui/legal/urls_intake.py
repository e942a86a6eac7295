"""Pages of the legal app's intake part."""

urlpatterns = []
