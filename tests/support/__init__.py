"""Shared helpers for the szportal test suite (not tests themselves)."""
