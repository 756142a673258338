"""szportal Flask web application."""
