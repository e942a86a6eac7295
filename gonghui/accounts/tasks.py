from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from gonghui.accounts.models import LoginCode


@task()
def prune_login_codes():
    """Login codes are personal data with no use after a day: delete them."""
    deleted, _ = LoginCode.objects.filter(created_at__lt=timezone.now() - timedelta(days=1)).delete()
    return deleted
