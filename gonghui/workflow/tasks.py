from django_tasks import task

from gonghui.workflow import services


@task()
def sweep_due_cases():
    """Warn before cases fall due and escalate overdue ones (runs every few minutes)."""
    result = services.sweep()
    return {"warned": result.warned, "escalated": result.escalated}
