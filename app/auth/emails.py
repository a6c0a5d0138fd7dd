"""Email addresses: one normal form and one pragmatic validity check. Pure."""
from __future__ import annotations

import re

# Pragmatic: dot-atom local part, dotted host names, a letter-led top-level label.
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL_RE = re.compile(rf"{_LOCAL}@(?:{_LABEL}\.)+[A-Za-z][A-Za-z0-9-]{{0,61}}[A-Za-z0-9]")


def normalize_email(email: str) -> str:
    """Return the canonical form of an address: trimmed, lower case."""
    return email.strip().lower()


def is_email(value: str) -> bool:
    """Return True when the value looks like an email address (no DNS lookup)."""
    if len(value) > 254 or not EMAIL_RE.fullmatch(value):
        return False
    return len(value.rsplit("@", 1)[0]) <= 64
