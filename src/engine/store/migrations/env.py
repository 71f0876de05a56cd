"""Alembic environment: always run on the connection :mod:`engine.store.migrate` passes in."""

from alembic import context
from sqlmodel import SQLModel

from engine.store.migrate import import_tables

import_tables()

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
