"""Accounts: who may see, start and join which games; passwords; bulk-created students."""
