"""Alembic migrations of the engine's schema (applied by :func:`engine.store.migrate.upgrade`)."""
