"""Health check, error pages, configuration and the database schema."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from app import create_app
from config import ProductionConfig


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_healthz_503_when_the_database_does_not_answer(db, client, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("database is down")

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.get_json() == {"status": "unavailable"}


def test_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "There is no page at this address" in response.get_data(as_text=True)


def test_403_for_the_wrong_role(client, auth):
    auth.login_as("officer")
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "You do not have permission" in response.get_data(as_text=True)


def test_500_page_rolls_back_the_session(db, fresh_app):
    from app.agencies.models import Agency

    fresh = fresh_app()

    @fresh.route("/_boom_for_test")
    def boom():
        from app.extensions import db as request_db

        request_db.session.add(Agency(name="Half-written", ori="XX0000001", state="SC"))
        request_db.session.flush()
        raise RuntimeError("boom")

    response = fresh.test_client().get("/_boom_for_test")
    assert response.status_code == 500
    assert "nothing was saved" in response.get_data(as_text=True)
    assert db.session.query(Agency).filter_by(ori="XX0000001").first() is None


def test_production_refuses_to_start_without_its_secrets(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY, DATABASE_URL"):
        create_app(ProductionConfig)


def test_production_starts_with_its_secrets(monkeypatch, database_url, fresh_app):
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    monkeypatch.setenv("DATABASE_URL", database_url)
    app = fresh_app(ProductionConfig, SECRET_KEY="x" * 64)
    assert app.config["SESSION_COOKIE_SECURE"] is True and not app.config["DEMO_ALLOWED"]


def _alembic_config():
    from pathlib import Path

    directory = Path(__file__).resolve().parents[2] / "migrations"
    cfg = AlembicConfig(str(directory / "alembic.ini"))
    cfg.set_main_option("script_location", str(directory))
    return cfg


def test_migration_history_has_one_head():
    heads = ScriptDirectory.from_config(_alembic_config()).get_heads()
    assert len(heads) == 1, heads


def test_upgraded_database_matches_the_models(db):
    """The suite's database was built by `flask db upgrade`; nothing may differ."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_sqlite_connections_get_wal_foreign_keys_and_a_busy_timeout(fresh_app, tmp_path):
    """Checked on a SQLite file of its own, so the PostgreSQL run checks it too."""
    from sqlalchemy import text

    from app.extensions import db

    app = fresh_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'pragma.sqlite3'}")
    with app.app_context(), db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == app.config["SQLITE_BUSY_TIMEOUT_MS"]
