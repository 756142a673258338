"""Account jobs: creating students from a checked CSV file."""
from rq import get_current_job

from .app import job


@job("import")
def import_students(path, progress=None):
    """Create the students of a checked CSV file (``webapp.accounts.imports``)."""
    from webapp.accounts.imports import create_students
    current = get_current_job()
    result = create_students(path, current.id if current else "local", progress)
    result["message"] = f"{result['created']} students created."
    return result
