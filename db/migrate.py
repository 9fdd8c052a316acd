"""Alembic, configured in code: `portalql migrate` and the tests apply migrations through here."""
from pathlib import Path

from alembic import command
from alembic.config import Config

from db.engine import normalize_url

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", str(MIGRATIONS / "versions"))
    cfg.attributes["database_url"] = normalize_url(url)
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def make_revision(url: str, message: str) -> None:
    """Autogenerate a migration from the difference between the models and the database at `url`."""
    command.revision(alembic_config(url), message=message, autogenerate=True)

