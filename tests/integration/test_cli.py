"""The `flask users`, `flask demo` and `flask audit` commands."""
from sqlalchemy import func, select, update

from app.agencies.models import Agency, Agreement
from app.audit import AuditEntry
from app.auth.models import User


def test_users_create_reads_the_password_from_stdin(runner, make, db):
    agency = make.agency(ori="SC0990100")
    result = runner.invoke(args=["users", "create", "Officer@Agency.example", "--role", "officer",
                                 "--name", "Dana Whitfield", "--agency", "sc0990100"],
                           input="tide pool lantern morning\n")
    assert result.exit_code == 0, result.output
    user = db.session.execute(select(User)).scalar_one()
    assert (user.email, user.agency_id) == ("officer@agency.example", agency.id)
    assert user.check_password("tide pool lantern morning")


def test_users_create_refuses_a_weak_password(runner, db):
    result = runner.invoke(args=["users", "create", "a@b.example", "--role", "admin",
                                 "--name", "A"], input="123456789012\n")
    assert result.exit_code == 1
    assert "commonly used" in result.output
    assert db.session.execute(select(func.count(User.id))).scalar() == 0


def test_users_create_refuses_an_unknown_agency(runner):
    result = runner.invoke(args=["users", "create", "a@b.example", "--role", "officer",
                                 "--name", "A", "--agency", "ZZ0000000"], input="tide pool lantern morning\n")
    assert result.exit_code == 1 and "no agency" in result.output


def test_demo_is_idempotent(runner, db):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output

    def counts():
        return tuple(db.session.execute(select(func.count()).select_from(m)).scalar()
                     for m in (Agency, Agreement, User, AuditEntry))

    before = counts()
    assert before[0] >= 3 and before[2] >= 5
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and "0 users created" in second.output
    assert counts() == before
    models = set(db.session.execute(select(Agreement.model)).scalars())
    assert models == {"JEM", "TFM", "WSO"}
    roles = set(db.session.execute(select(User.role)).scalars())
    assert roles == {"officer", "instructor", "credentialing", "manager", "admin"}


def test_demo_refuses_production(app, runner):
    app.config["DEMO_ALLOWED"] = False
    try:
        result = runner.invoke(args=["demo"])
    finally:
        app.config["DEMO_ALLOWED"] = True
    assert result.exit_code == 1 and "never loads in production" in result.output


def test_audit_verify_passes_then_fails_after_an_edited_row(runner, db):
    runner.invoke(args=["demo"])
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and "intact" in ok.output
    db.session.execute(update(AuditEntry).where(AuditEntry.seq == 3)
                       .values(details='{"role": "admin"}'))
    db.session.commit()
    bad = runner.invoke(args=["audit", "verify"])
    assert bad.exit_code == 1 and "entry 3" in bad.output and "edited" in bad.output
