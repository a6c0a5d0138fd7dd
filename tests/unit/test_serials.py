"""Certificate serials: random, readable, self-checking."""
import random

import pytest

from app.certificates.serials import ALPHABET, new_serial, normalize_serial


def test_shape_and_entropy():
    serial = new_serial()
    groups = serial.split("-")
    assert [len(g) for g in groups] == [4, 4, 4, 4, 1]
    assert len({new_serial() for _ in range(2000)}) == 2000


def test_known_value():
    assert new_serial(lambda bits: 0) == "0000-0000-0000-0000-0"
    assert normalize_serial("0000-0000-0000-0000-0") == "0000-0000-0000-0000-0"


@pytest.mark.parametrize("typed", ["{s}", "{lower}", "{nohyphen}", " {s} ", "{spaces}"])
def test_forgiving_reading(typed):
    serial = new_serial(random.Random(1).getrandbits)
    variants = {"s": serial, "lower": serial.lower(), "nohyphen": serial.replace("-", ""),
                "spaces": serial.replace("-", " ")}
    assert normalize_serial(typed.format(**variants)) == serial


def test_confusable_letters_read_as_digits():
    serials = (new_serial(random.Random(n).getrandbits) for n in range(500))
    valid = next(s for s in serials if "1" in s[:-2] and "0" in s[:-2])
    typed = valid[:-2].replace("1", "l").replace("0", "O") + valid[-2:]
    assert normalize_serial(typed) == valid


def test_every_single_character_typo_is_caught():
    rng = random.Random(7)
    for _ in range(200):
        serial = new_serial(rng.getrandbits)
        body = serial.replace("-", "")
        position = rng.randrange(len(body) - 1)
        wrong = rng.choice([c for c in ALPHABET if c != body[position]])
        typo = body[:position] + wrong + body[position + 1:]
        assert normalize_serial(typo) is None


def test_neighbour_swaps_are_caught():
    rng = random.Random(11)
    for _ in range(200):
        body = new_serial(rng.getrandbits).replace("-", "")
        i = rng.randrange(len(body) - 2)
        if body[i] == body[i + 1]:
            continue
        swapped = body[:i] + body[i + 1] + body[i] + body[i + 2:]
        assert normalize_serial(swapped) is None


@pytest.mark.parametrize("text", ["", "abc", "0000-0000-0000-0000", "0000-0000-0000-0000-00",
                                  "UUUU-0000-0000-0000-0", "../../etc/passwd", "0000-0000-0000-0000-%"])
def test_rejects_non_serials(text):
    assert normalize_serial(text) is None
