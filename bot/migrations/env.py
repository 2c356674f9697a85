"""Alembic environment: runs migrations on a synchronous connection.

SQLite cannot ALTER most things in place, so batch mode is on; on PostgreSQL it is a no-op.
"""

from alembic import context
from sqlalchemy import engine_from_config, pool

from bot.storage import board_models  # noqa: F401 - its tables join the metadata
from bot.storage.models import Base

config = context.config
target_metadata = Base.metadata


def include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    # Tables we did not model ourselves (slack_sdk's OAuth stores, created in 0002) are not
    # candidates for autogenerate to drop.
    return not (type_ == "table" and reflected and compare_to is None)


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as connection:
        _run(connection)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    if connection.dialect.name == "sqlite":
        # As the application does (bot.storage.db): what a migration rewrites is not left readable.
        # On the driver's cursor, so that SQLAlchemy does not begin a transaction here.
        cursor = connection.connection.cursor()
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
