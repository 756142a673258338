"""Installing games: safe unpacking, a smoke check in a separate process, immutable versions."""
