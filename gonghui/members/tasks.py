"""Background work of the members app: checking and committing large roster imports."""

from django_tasks import task

from gonghui.members import importing


@task()
def check_import(batch_id: int):
    """The dry run of a large roster (importing.run_check): the page polls its progress."""
    importing.run_check(batch_id)


@task()
def commit_import(batch_id: int):
    """Writing a large roster chunk by chunk (importing.run_commit); undone completely on failure."""
    importing.run_commit(batch_id)


@task()
def recover_stalled_imports():
    """Undo and mark failed the imports whose task died (a periodic job, every 10 minutes)."""
    return {"recovered": importing.recover_stalled()}
