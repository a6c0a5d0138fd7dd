"""Certificate serials: 80 random bits from `secrets`, in Crockford base32, with a check character.

Example: `7K3Q-9W2M-XC4T-8R1P-H`. Crockford's alphabet has no I, L, O or U, and
reading is forgiving (I and L read as 1, O as 0, case and hyphens ignored).
The check character (Crockford's mod-37 symbol) catches any single mistyped
character and any swap of two neighbours, so a typo is "not a serial", never
someone else's certificate.
"""
from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_ALPHABET = ALPHABET + "*~$=U"
BITS = 80
GROUP = 4
_READ_AS = {"I": "1", "L": "1", "O": "0"}


def _check_symbol(value: int) -> str:
    return CHECK_ALPHABET[value % 37]


def new_serial(randbits=secrets.randbits) -> str:
    """Return a fresh, human-friendly serial with its check character."""
    value = randbits(BITS)
    digits = "".join(ALPHABET[(value >> shift) & 31] for shift in range(BITS - 5, -1, -5))
    groups = [digits[i:i + GROUP] for i in range(0, len(digits), GROUP)]
    return "-".join(groups + [_check_symbol(value)])


def normalize_serial(text: str) -> str | None:
    """Return the canonical serial for what someone typed, or None if it is not a valid serial."""
    if not text:
        return None
    cleaned = "".join(ch for ch in text.upper() if ch not in "- \t")
    cleaned = "".join(_READ_AS.get(ch, ch) for ch in cleaned)
    body, check = cleaned[:-1], cleaned[-1:]
    if len(body) != BITS // 5 or any(ch not in ALPHABET for ch in body) or check not in CHECK_ALPHABET:
        return None
    value = 0
    for ch in body:
        value = value * 32 + ALPHABET.index(ch)
    if _check_symbol(value) != check:
        return None
    return "-".join([body[i:i + GROUP] for i in range(0, len(body), GROUP)] + [check])
