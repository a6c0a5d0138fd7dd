"""The program manager dashboard: compliance arithmetic by hand, filters, CSV, fixed query count."""
import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from app.models import utcnow
from app.oversight.compliance import Filters, compliance_on, month_ends, officer_figures


@pytest.fixture()
def world(make):
    """Three agencies; hand-counted: A has a designated officer out of training, B is compliant, C has none."""
    version = make.course_world()["version"]
    klass = make.training_class(version, make.user("instructor"))
    credentialing = make.user("credentialing")
    now = utcnow()
    a = make.agency(name="Agency A", state="SC", field_office="Atlanta")
    b = make.agency(name="Agency B", state="FL", field_office="Miami")
    c = make.agency(name="Agency C", state="TX", field_office="Houston")
    long_ago = (now - timedelta(days=2000)).date()
    moa_a = make.agreement(a, model="JEM", signed_on=long_ago)
    moa_b = make.agreement(b, model="TFM", signed_on=long_ago)
    make.agreement(c, model="JEM", signed_on=long_ago)

    def officer(agency, agreement, *, years_ago: float, granted: bool):
        person = make.user("officer", agency=agency)
        completed = now - timedelta(days=int(365 * years_ago))
        make.certificate(make.enroll(klass, person), completed_at=completed)
        if granted:
            make.grant(person, agreement, credentialing, on=(completed + timedelta(days=30)).date())
        return person

    officer(a, moa_a, years_ago=0.2, granted=True)     # trained, active
    officer(a, moa_a, years_ago=3, granted=True)       # designated, training expired a year ago
    officer(b, moa_b, years_ago=1.9, granted=True)     # trained, refresher due within 90 days
    officer(c, None, years_ago=0.5, granted=False)     # trained, never designated
    make.user("officer", agency=c)                     # on the roster, never trained
    return {"a": a, "b": b, "c": c}


def test_compliance_matches_a_hand_count(world):
    figure = compliance_on(utcnow().date(), Filters())
    assert (figure.agencies_with_designated, figure.agencies_compliant, figure.agencies_without_designated) == (2, 1, 1)
    assert figure.percent == 50.0
    florida = compliance_on(utcnow().date(), Filters(state="FL"))
    assert (florida.agencies_with_designated, florida.agencies_compliant, florida.percent) == (1, 1, 100.0)
    assert compliance_on(utcnow().date(), Filters(model="WSO")).percent is None


def test_officer_figures_match_a_hand_count(world):
    figures = officer_figures(utcnow().date(), Filters())
    # 5 on rosters; 3 trained; 1 with active authority (B's one-year authorization has expired,
    # so B's officer is lapsed though trained); 1 due within 90 days; 1 overdue; 2 lapsed.
    assert (figures.on_rosters, figures.trained, figures.active_authority, figures.due_within_90,
            figures.overdue, figures.lapsed) == (5, 3, 1, 1, 1, 2)


def test_compliance_boundary_the_day_training_expires(world, make):
    """The expired officer's certificate lapsed a year ago: a year and a day earlier, agency A was compliant."""
    from sqlalchemy import select

    from app.certificates.models import Certificate
    from app.extensions import db

    expired = db.session.execute(select(Certificate).order_by(Certificate.completed_on)).scalars().first()
    last_day = expired.valid_until
    assert compliance_on(last_day, Filters()).agencies_compliant == 2
    assert compliance_on(last_day + timedelta(days=1), Filters()).agencies_compliant < 2


def test_month_ends():
    today = datetime(2026, 3, 15, tzinfo=UTC).date()
    ends = month_ends(today, 4)
    assert [d.isoformat() for d in ends] == ["2025-12-31", "2026-01-31", "2026-02-28", "2026-03-15"]


def test_dashboard_page_and_csv_exports(client, auth, world):
    auth.login_as("manager")
    page = client.get("/oversight/").get_data(as_text=True)
    assert "<strong>50%</strong> (1 of 2 agencies)" in page
    assert 'role="img"' in page and "Partner agencies in full compliance, by month" in page
    response = client.get("/oversight/?format=csv&table=courses")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "course" and rows[1][0] == "IADP" and rows[1][1:3] == ["4", "4"]
    officers = list(csv.reader(io.StringIO(client.get("/oversight/?format=csv&table=officers")
                                           .get_data(as_text=True).lstrip("\ufeff"))))
    assert ["Trained (training current)", "3"] in officers
    trend = list(csv.reader(io.StringIO(client.get("/oversight/?format=csv&table=trend")
                                        .get_data(as_text=True).lstrip("\ufeff"))))
    assert len(trend) == 13 and trend[-1][3] == "50.0"
    assert "<strong>100%</strong>" in client.get("/oversight/?state=FL").get_data(as_text=True)


def test_dashboard_runs_a_fixed_number_of_queries(client, auth, world, make, count_queries):
    auth.login_as("manager")
    with count_queries:
        client.get("/oversight/")
    small = count_queries.count
    version = make.course_world()["version"]
    klass = make.training_class(version, make.user("instructor"))
    for _ in range(6):
        agency = make.agency()
        make.agreement(agency)
        for _ in range(3):
            make.certificate(make.enroll(klass, make.user("officer", agency=agency)))
    with count_queries:
        client.get("/oversight/")
    assert count_queries.count == small


def test_dashboard_figures_are_kept_for_the_configured_time_and_say_when_computed(
        client, auth, world, make, count_queries, app):
    """With the cache on, a second manager's view runs none of the figures' queries and the page
    says when they were computed; each filter has its own figures; a new day recomputes."""
    from app.oversight.figures import dashboard_figures

    app.config["DASHBOARD_CACHE_SECONDS"] = 300
    try:
        auth.login_as("manager")
        with count_queries:
            first = client.get("/oversight/").get_data(as_text=True)
        computed = count_queries.count
        assert "computed at" in first and "recomputed every 5 minutes" in first
        with count_queries:
            again = client.get("/oversight/").get_data(as_text=True)
        assert count_queries.count < computed - 10  # only the user, the filter options: no figures
        assert again.count("<strong>") == first.count("<strong>")
        with count_queries:
            client.get("/oversight/?state=FL")
        assert count_queries.count == computed  # another filter: its own figures
        today = utcnow().date()
        figures = dashboard_figures(today, Filters())
        assert dashboard_figures(today, Filters()) is figures
        assert dashboard_figures(today + timedelta(days=1), Filters()) is not figures
    finally:
        app.config["DASHBOARD_CACHE_SECONDS"] = 0
        app.extensions.pop("dashboard_figures", None)
