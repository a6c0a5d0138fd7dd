"""Calendar helpers shared by the rules and the views. Pure: no Flask, no database."""
from __future__ import annotations

import re
from datetime import date

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def add_years(day: date, years: int) -> date:
    """Return the same month and day `years` later (Feb 29 becomes Feb 28)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def parse_day(text: str | None, *, today: date) -> date | None:
    """Read a YYYY-MM-DD date from a query string: `today` when absent, None when malformed."""
    if not text:
        return today
    if not _ISO_DAY.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
