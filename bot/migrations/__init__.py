"""Versioned SQL for the PostgreSQL store, applied by `autopilot db upgrade` (see `bot.migrations.upgrade`)."""
