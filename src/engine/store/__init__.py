"""Persistence of recorded progress (SQLModel; SQLite by default, PostgreSQL by URL)."""
