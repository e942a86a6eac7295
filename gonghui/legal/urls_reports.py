"""Pages of the legal app's reports part."""

urlpatterns = []
