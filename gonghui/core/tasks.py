from django_tasks import task

from gonghui.core import dbstats


@task()
def refresh_planner_statistics():
    """Fresh planner statistics keep the inbox on the right indexes as the tables grow."""
    dbstats.refresh()
