"""The password policy of NIST SP 800-63B section 5.1.1.2, as a pure function.

At least 12 characters, at most 128; no composition rules; refuse passwords
that appear on a list of commonly used and breached passwords, that repeat or
run through one character sequence, or that are built from the account's own
name or email. Returns the reasons, so the form can say exactly what to fix.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

MIN_LENGTH = 12
MAX_LENGTH = 128
_COMMON_FILE = Path(__file__).with_name("common-passwords.txt")
_SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyz",
    "qwertyuiopasdfghjklzxcvbnm",
    "01234567890",
    "1qaz2wsx3edc4rfv5tgb6yhn",
)
_CONTEXT_WORDS = ("287g", "password", "iadp", "iadrp", "fletc", "training")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """Return the shipped list of common passwords, lower-cased."""
    lines = _COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().lower() for line in lines if line.strip() and not line.startswith("#")
    )


def _is_sequential(text: str) -> bool:
    for seq in _SEQUENCES:
        if text in seq or text in seq[::-1]:
            return True
    return False


def _strip_digits_and_symbols(text: str) -> str:
    return "".join(ch for ch in text if ch.isalpha())


def password_problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """Return the reasons a password is refused; an empty list means it is accepted."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters.")
        return problems
    if len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
        return problems
    lowered = password.lower()
    compact = "".join(lowered.split())
    if lowered in common_passwords() or compact in common_passwords():
        problems.append("This password is on a list of commonly used passwords.")
    elif len(set(compact)) <= 2:
        problems.append("Do not repeat one or two characters.")
    elif _is_sequential(compact):
        problems.append("Do not use a keyboard or alphabet sequence.")
    letters = _strip_digits_and_symbols(lowered)
    context = [w for w in _CONTEXT_WORDS]
    local_part = email.split("@", 1)[0].lower() if email else ""
    if len(local_part) >= 4:
        context.append(_strip_digits_and_symbols(local_part) or local_part)
    context.extend(part.lower() for part in name.split() if len(part) >= 4)
    # A password that is only a context word plus digits and symbols is weak.
    if letters and any(letters == word or letters == word * 2 for word in context if word):
        problems.append("Do not build the password from your name, email or this system's name.")
    return problems
