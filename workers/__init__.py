"""szportal background workers (RQ jobs)."""
