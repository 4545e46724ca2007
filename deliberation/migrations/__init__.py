"""Alembic migrations of the deliberation database (applied by :class:`deliberation.Store`)."""
