"""env.py edits that documentation tells users to make, kept as the documentation shows them.

Each recipe is the code block of its page, verbatim, and the part of a freshly generated env.py
(`alembic init -t <template>`) that it replaces; tests/test_env_templates.py applies it to the generated file,
which is exactly what a user following the page does.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Recipe:
    template: str  # the `alembic init -t` template the page's code block edits
    replaces_from: str  # first line of the generated code the block replaces ...
    replaces_to: str  # ... up to (not including) this line
    code: str  # the page's code block, verbatim


# Alembic cookbook, "Sharing a Connection across one or more programmatic migration commands":
# https://alembic.sqlalchemy.org/en/latest/cookbook.html#connection-sharing
# ("Then in env.py we can update run_migrations_online")
COOKBOOK_CONNECTION_SHARING = Recipe(
    template="generic",
    replaces_from="def run_migrations_online() -> None:",
    replaces_to="if context.is_offline_mode():",
    code="""\
def run_migrations_online():
    connectable = config.attributes.get('connection', None)

    if connectable is None:
        # only create Engine if we don't have a Connection
        # from the outside
        connectable = engine_from_config(
            config.get_section(config.config_ini_section),
            prefix='sqlalchemy.',
            poolclass=pool.NullPool)

        with connectable.connect() as connection:
            context.configure(
                connection=connection, target_metadata=target_metadata
            )

            with context.begin_transaction():
                context.run_migrations()
    else:
        context.configure(
            connection=connectable,
            target_metadata=target_metadata
        )

        with context.begin_transaction():
            context.run_migrations()


""",
)

# Alembic cookbook, "Programmatic API use (connection sharing) With Asyncio":
# https://alembic.sqlalchemy.org/en/latest/cookbook.html#connection-sharing-plus-asyncio
# ("the env.py listed above can be updated as follows"; "above" is the async template's env.py)
COOKBOOK_CONNECTION_SHARING_ASYNCIO = Recipe(
    template="async",
    replaces_from="def run_migrations_online() -> None:",
    replaces_to="if context.is_offline_mode():",
    code='''\
def run_migrations_online():
    """Run migrations in 'online' mode.

    """

    connectable = config.attributes.get("connection", None)

    if connectable is None:
        asyncio.run(run_async_migrations())
    else:
        do_run_migrations(connectable)


''',
)

# pytest-alembic, Setup, "env.py" ("modify the above snippet to resemble"):
# https://pytest-alembic.readthedocs.io/en/latest/setup.html
# The block ends after the engine is built; the template's `with connectable.connect() as connection:` stays,
# so this env.py calls .connect() on whatever it finds in config.attributes["connection"].
PYTEST_ALEMBIC = Recipe(
    template="generic",
    replaces_from="def run_migrations_online() -> None:",
    replaces_to="    with connectable.connect() as connection:",
    code="""\
def run_migrations_online():
    connectable = context.config.attributes.get("connection", None)

    if connectable is None:
        connectable = engine_from_config(
            context.config.get_section(context.config.config_ini_section),
            prefix="sqlalchemy.",
            poolclass=pool.NullPool,
        )

""",
)

RECIPES = {
    "cookbook-connection-sharing": COOKBOOK_CONNECTION_SHARING,
    "cookbook-connection-sharing-asyncio": COOKBOOK_CONNECTION_SHARING_ASYNCIO,
    "pytest-alembic": PYTEST_ALEMBIC,
}


def apply(recipe: Recipe, env_py: str) -> str:
    """The generated env.py with the recipe's block in place of the code it replaces."""
    start = env_py.index(recipe.replaces_from)
    end = env_py.index(recipe.replaces_to, start)
    return env_py[:start] + recipe.code + env_py[end:]
