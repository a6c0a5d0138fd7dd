"""The NIST SP 800-63B password policy."""
import pytest

from app.auth.passwords import password_problems


@pytest.mark.parametrize("password, email, name, expected", [
    ("short-pass", "", "", "at least 12"),
    ("x" * 129, "", "", "at most 128"),
    ("password1234", "", "", "commonly used"),
    ("PASSWORD1234", "", "", "commonly used"),
    ("correct horse battery staple", "", "", "commonly used"),
    ("aaaaaaaaaaaaaa", "", "", "repeat"),
    ("abababababab", "", "", "repeat"),
    ("abcdefghijklmnop", "", "", "sequence"),
    ("mnopqrstuvwx", "", "", "sequence"),
    ("zyxwvutsrqpo", "", "", "sequence"),
    ("whitfield2024!", "dana.whitfield@x.example", "Dana Whitfield", "name, email"),
    ("danawhitfield77", "dwhit@x.example", "Dana Whitfield", None),
    ("fletc-fletc-2026", "", "", "name, email"),
])
def test_refused_passwords_name_the_reason(password, email, name, expected):
    problems = password_problems(password, email=email, name=name)
    if expected is None:
        assert problems == []
    else:
        assert any(expected in p for p in problems), problems


@pytest.mark.parametrize("password", [
    "tide pool lantern morning",       # a passphrase with spaces
    "Jail-roster-checks-at-0600",      # no composition rules either way
    "ñandú corre rápido por la pampa",  # any Unicode
    "x7#Kq!2mZ9@w",                    # exactly 12 characters
    "a" * 3 + "b9c8d7e6f5g4",
])
def test_good_passwords_are_accepted(password):
    assert password_problems(password, email="officer@agency.example", name="Dana Whitfield") == []
