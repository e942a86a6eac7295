from django_tasks import task

from gonghui.notifications import services


@task()
def send_pending(ids: list[int] | None = None) -> dict:
    """Send due SMS and e-mail notifications (only ``ids`` when enqueued right after a commit).

    The Tasks backport does not retry; a failure is recorded on the row with its back-off and the
    periodic sweep (every minute, without ``ids``) sends it again when it falls due.
    """
    return services.deliver_due(ids)
