"""Redirect guard and configuration rules."""
import pytest

from app.auth.safety import is_safe_next
from config import normalize_database_url


@pytest.mark.parametrize("target, safe", [
    ("/courses/1", True),
    ("/admin/users?q=smith", True),
    ("/", True),
    (None, False),
    ("", False),
    ("https://evil.example/", False),
    ("//evil.example/path", False),
    ("/\\evil.example", False),
    ("\\\\evil.example", False),
    ("javascript:alert(1)", False),
    ("/\tevil", False),
    ("http:/evil", False),
    ("courses", False),
])
def test_next_url_guard(target, safe):
    assert is_safe_next(target) is safe


@pytest.mark.parametrize("given, expected", [
    ("postgresql://postgres@127.0.0.1:5432/test", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
    ("postgres://u:p@db/lms", "postgresql+psycopg://u:p@db/lms"),
    ("postgresql+psycopg://u@db/lms", "postgresql+psycopg://u@db/lms"),
    ("sqlite:///instance/lms.sqlite3", "sqlite:///instance/lms.sqlite3"),
])
def test_database_url_uses_psycopg3(given, expected):
    assert normalize_database_url(given) == expected
