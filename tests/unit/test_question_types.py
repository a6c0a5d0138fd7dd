"""Question types: validate, present, parse_answer, grade and correct_answer, by table and by property."""
import json
import math
import random

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from app.assessments.types import QUESTION_TYPES, GradeResult, normalize_text, option_id
from app.assessments.types.numeric import parse_number

SINGLE = QUESTION_TYPES["single"]
MULTIPLE = QUESTION_TYPES["multiple"]
TRUEFALSE = QUESTION_TYPES["truefalse"]
MATCHING = QUESTION_TYPES["matching"]
NUMERIC = QUESTION_TYPES["numeric"]
SHORT = QUESTION_TYPES["short"]

# No example database: the suite leaves no .hypothesis folder behind.
PROPERTY = settings(max_examples=150, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


def opt(key, text, weight):
    return {"id": option_id(key, text), "text": text, "weight": weight}


def form(*pairs):
    return MultiDict(list(pairs))


def rng(seed=0):
    return random.Random(seed)


# --- fixtures ----------------------------------------------------------------

SINGLE_SPEC = {"shuffle": True, "options": [
    opt("q-single", "48 hours, excluding weekends and holidays", 1.0),
    opt("q-single", "24 hours", 0.0),
    opt("q-single", "72 hours", 0.0),
    opt("q-single", "Until ICE arrives", 0.0),
]}
S_RIGHT, S_WRONG1, S_WRONG2, S_WRONG3 = (o["id"] for o in SINGLE_SPEC["options"])

SINGLE_PARTIAL_SPEC = {"options": [
    opt("q-sp", "right", 1.0), opt("q-sp", "half", 0.5), opt("q-sp", "penalty", -0.5),
    opt("q-sp", "nothing", 0.0)]}

MULTI_AON = {"scoring": "all_or_nothing", "shuffle": True, "options": [
    opt("q-multi", "Name", 1.0), opt("q-multi", "Date of birth", 1.0),
    opt("q-multi", "Favourite colour", 0.0), opt("q-multi", "Shoe size", 0.0),
]}
M_A, M_B, M_C, M_D = (o["id"] for o in MULTI_AON["options"])

MULTI_WEIGHTS = {"scoring": "weights", "options": [
    opt("q-mw", "a", 0.5), opt("q-mw", "b", 0.5), opt("q-mw", "c", -1.0), opt("q-mw", "d", -0.5),
    opt("q-mw", "e", 0.0),
]}
W_A, W_B, W_C, W_D, W_E = (o["id"] for o in MULTI_WEIGHTS["options"])


def _pair(key, left, right):
    return {"id": option_id(key, "L:" + left), "left": left, "right": right,
            "right_id": option_id(key, "R:" + right)}


MATCHING_SPEC = {
    "pairs": [_pair("q-match", "I-247A", "Detainer"), _pair("q-match", "I-200", "Warrant of arrest"),
              _pair("q-match", "I-213", "Record of deportable alien")],
    "distractors": [{"id": option_id("q-match", "R:Passport"), "text": "Passport"}],
}
L1, L2, L3 = (p["id"] for p in MATCHING_SPEC["pairs"])
R1, R2, R3 = (p["right_id"] for p in MATCHING_SPEC["pairs"])
R_DISTRACTOR = MATCHING_SPEC["distractors"][0]["id"]

NUMERIC_SPEC = {"answers": [{"min": 1822.0, "max": 1822.0, "weight": 1.0}]}
TOLERANCE_SPEC = {"answers": [{"min": 47.5, "max": 48.5, "weight": 1.0}]}
PARTIAL_SPEC = {"answers": [{"min": 9.5, "max": 10.5, "weight": 1.0},
                            {"min": 9.0, "max": 11.0, "weight": 0.5},
                            {"min": -3.0, "max": -1.0, "weight": 0.25}]}

SHORT_SPEC = {"answers": [{"text": "Immigration and Customs Enforcement", "weight": 1.0},
                          {"text": "ICE", "weight": 1.0},
                          {"text": "Customs", "weight": 0.5}]}


# --- single choice -----------------------------------------------------------

@pytest.mark.parametrize("answer, score", [
    ({"choice": S_RIGHT}, 1.0),
    ({"choice": S_WRONG1}, 0.0),
    ({"choice": S_WRONG3}, 0.0),
    ({"choice": "0123456789"}, 0.0),      # a made-up id
    ({"choice": None}, 0.0),
    ({"choices": [S_RIGHT]}, 0.0),        # multiple-response shape: no choice key
    ({}, 0.0),
    (None, 0.0),
])
def test_single_grade(answer, score):
    result = SINGLE.grade(SINGLE_SPEC, answer)
    assert isinstance(result, GradeResult) and result.score == score
    assert result.correct is (score == 1.0)


@pytest.mark.parametrize("text, score", [("right", 1.0), ("half", 0.5), ("penalty", 0.0), ("nothing", 0.0)])
def test_single_partial_weights_are_clamped(text, score):
    assert SINGLE.validate(SINGLE_PARTIAL_SPEC) == []
    assert SINGLE.grade(SINGLE_PARTIAL_SPEC, {"choice": option_id("q-sp", text)}).score == score


def test_single_weight_above_one_is_clamped():
    spec = {"options": [opt("q", "a", 2.0), opt("q", "b", 0.0)]}
    assert SINGLE.validate(spec) == []
    assert SINGLE.grade(spec, {"choice": option_id("q", "a")}).score == 1.0


@pytest.mark.parametrize("options, message", [
    ([opt("q", "a", 1.0)], "a single-choice question needs 2 to 8 options"),
    ([opt("q", str(i), 1.0 if i == 0 else 0.0) for i in range(9)], "a single-choice question needs 2 to 8 options"),
    ([], "a single-choice question needs 2 to 8 options"),
    ([opt("q", "a", 0.0), opt("q", "b", 0.0), opt("q", "c", 0.5)], "a single-choice question needs exactly one right option"),
    ([opt("q", "a", 1.0), opt("q", "b", 1.0), opt("q", "c", 0.0)], "a single-choice question needs exactly one right option"),
    ([opt("q", "a", 1.0), opt("q", "a", 0.0), opt("q", "c", 0.0)], "two options have the same text"),
])
def test_single_validate_problems(options, message):
    assert message in SINGLE.validate({"options": options})


def test_single_validate_accepts_a_good_spec():
    assert SINGLE.validate(SINGLE_SPEC) == []
    assert SINGLE.validate({"options": [], "shuffle": True}) == [
        "a single-choice question needs 2 to 8 options",
        "a single-choice question needs exactly one right option"]


def test_single_correct_answer():
    assert SINGLE.correct_answer(SINGLE_SPEC) == "48 hours, excluding weekends and holidays"


# --- multiple response -------------------------------------------------------

@pytest.mark.parametrize("choices, score", [
    ([M_A, M_B], 1.0),
    ([M_B, M_A], 1.0),                # order does not matter
    ([M_A, M_B, M_A], 1.0),           # nor repetition
    ([M_A], 0.0),                     # a subset
    ([M_A, M_B, M_C], 0.0),           # a superset
    ([M_A, M_B, M_C, M_D], 0.0),      # everything
    ([M_C, M_D], 0.0),
    ([M_A, M_B, "0123456789"], 0.0),  # a made-up id in a stored answer
    ([], 0.0),
])
def test_multiple_all_or_nothing_grade(choices, score):
    assert MULTIPLE.grade(MULTI_AON, {"choices": choices}).score == score


def test_multiple_default_scoring_is_all_or_nothing():
    spec = {k: v for k, v in MULTI_AON.items() if k != "scoring"}
    assert MULTIPLE.grade(spec, {"choices": [M_A]}).score == 0.0
    assert MULTIPLE.grade(spec, {"choices": [M_A, M_B]}).score == 1.0


@pytest.mark.parametrize("choices, score", [
    ([W_A, W_B], 1.0),
    ([W_A], 0.5),
    ([W_B, W_E], 0.5),
    ([W_A, W_B, W_D], 0.5),
    ([W_A, W_C], 0.0),                # -0.5 clamps to 0
    ([W_A, W_B, W_C, W_D, W_E], 0.0),
    ([W_E], 0.0),
    ([], 0.0),
])
def test_multiple_weights_grade(choices, score):
    assert MULTIPLE.grade(MULTI_WEIGHTS, {"choices": choices}).score == pytest.approx(score)


@pytest.mark.parametrize("answer", [None, {}, {"choices": None}, {"choice": M_A}])
def test_multiple_blank(answer):
    assert MULTIPLE.grade(MULTI_AON, answer).score == 0.0
    assert MULTIPLE.grade(MULTI_WEIGHTS, answer).score == 0.0


@pytest.mark.parametrize("spec, message", [
    ({"options": [opt("q", "a", 1.0)]}, "a multiple-response question needs 2 to 10 options"),
    ({"options": [opt("q", str(i), 1.0) for i in range(11)]}, "a multiple-response question needs 2 to 10 options"),
    ({"options": [opt("q", "a", 0.0), opt("q", "b", -1.0)]}, "a multiple-response question needs at least one right option"),
    ({"options": [opt("q", "a", 1.0), opt("q", "b", 0.0)], "scoring": "best"}, "scoring must be all_or_nothing or weights"),
    ({"options": [opt("q", "a", 1.0), opt("q", "a", 0.0), opt("q", "b", 0.0)]}, "two options have the same text"),
])
def test_multiple_validate_problems(spec, message):
    assert message in MULTIPLE.validate(spec)


def test_multiple_validate_accepts_good_specs():
    assert MULTIPLE.validate(MULTI_AON) == []
    assert MULTIPLE.validate(MULTI_WEIGHTS) == []


def test_multiple_correct_answer():
    assert MULTIPLE.correct_answer(MULTI_AON) == "Name; Date of birth"
    assert MULTIPLE.correct_answer(MULTI_WEIGHTS) == "a; b"


# --- choice presentation and parsing ----------------------------------------

@pytest.mark.parametrize("qtype, spec", [(SINGLE, SINGLE_SPEC), (MULTIPLE, MULTI_AON), (MULTIPLE, MULTI_WEIGHTS)])
def test_choice_presentation_holds_every_id_once_and_nothing_else(qtype, spec):
    ids = [o["id"] for o in spec["options"]]
    for seed in range(20):
        presentation = qtype.present(spec, rng(seed))
        assert set(presentation) == {"order"}
        assert sorted(presentation["order"]) == sorted(ids) and len(presentation["order"]) == len(ids)
        dumped = json.dumps(presentation)
        assert "weight" not in dumped and "text" not in dumped and "right" not in dumped
        for option in spec["options"]:
            assert json.dumps(option["text"]) not in dumped


@pytest.mark.parametrize("qtype, spec", [(SINGLE, SINGLE_SPEC), (MULTIPLE, MULTI_AON)])
def test_choice_presentation_does_not_depend_on_the_key(qtype, spec):
    # Moving the right answer to another option changes nothing the officer sees.
    rekeyed = {**spec, "options": [{**o, "weight": 1.0 - o["weight"] if qtype is MULTIPLE else float(i == 2)}
                                   for i, o in enumerate(spec["options"])]}
    for seed in range(10):
        assert qtype.present(spec, rng(seed)) == qtype.present(rekeyed, rng(seed))


@pytest.mark.parametrize("qtype, spec", [(SINGLE, SINGLE_SPEC), (MULTIPLE, MULTI_AON)])
def test_choice_presentation_shuffles(qtype, spec):
    orders = {tuple(qtype.present(spec, rng(seed))["order"]) for seed in range(30)}
    assert len(orders) > 1
    # The right answer is not always in the same place.
    assert len({order.index(spec["options"][0]["id"]) for order in orders}) > 1


@pytest.mark.parametrize("qtype, spec", [(SINGLE, SINGLE_SPEC), (MULTIPLE, MULTI_AON)])
def test_choice_presentation_without_shuffle_keeps_order(qtype, spec):
    fixed = {**spec, "shuffle": False}
    for seed in range(10):
        assert qtype.present(fixed, rng(seed))["order"] == [o["id"] for o in spec["options"]]


@pytest.mark.parametrize("posted, expected", [
    ([S_RIGHT], {"choice": S_RIGHT}),
    ([S_WRONG2], {"choice": S_WRONG2}),
    (["0123456789"], None),                               # a made-up id
    (["0123456789", S_WRONG1], {"choice": S_WRONG1}),
    ([""], None),
    ([], None),
    ([S_WRONG1, S_RIGHT], {"choice": S_WRONG1}),          # two posted: only the first counts
])
def test_single_parse_answer(posted, expected):
    presentation = SINGLE.present(SINGLE_SPEC, rng(1))
    values = form(*[("q7", v) for v in posted], ("q8", S_RIGHT))
    assert SINGLE.parse_answer("q7", values, presentation) == expected


def test_single_parse_answer_ignores_ids_not_in_the_presentation():
    # An id of a real option that was not offered (e.g. another question's) gets nothing.
    presentation = {"order": [S_WRONG1, S_WRONG2]}
    assert SINGLE.parse_answer("q", form(("q", S_RIGHT)), presentation) is None
    assert SINGLE.parse_answer("q", form(("q", S_RIGHT)), {}) is None


@pytest.mark.parametrize("posted, expected", [
    ([M_A, M_B], {"choices": sorted([M_A, M_B])}),
    ([M_B, M_A], {"choices": sorted([M_A, M_B])}),
    ([M_A, M_A, M_B], {"choices": sorted([M_A, M_B])}),
    ([M_A, "0123456789"], {"choices": [M_A]}),
    (["0123456789", "x"], None),
    ([""], None),
    ([], None),
])
def test_multiple_parse_answer(posted, expected):
    presentation = MULTIPLE.present(MULTI_AON, rng(2))
    assert MULTIPLE.parse_answer("q", form(*[("q", v) for v in posted]), presentation) == expected


def test_attacker_posting_made_up_ids_gets_no_credit():
    made_up = ["0123456789", S_RIGHT.upper(), S_RIGHT + " ", "' OR 1=1 --", "*"]
    presentation = SINGLE.present(SINGLE_SPEC, rng(3))
    answer = SINGLE.parse_answer("q", form(*[("q", v) for v in made_up]), presentation)
    assert answer is None and SINGLE.grade(SINGLE_SPEC, answer).score == 0.0
    # Multiple response: made-up ids next to the right ones are dropped, not counted.
    presentation = MULTIPLE.present(MULTI_WEIGHTS, rng(3))
    answer = MULTIPLE.parse_answer("q", form(*[("q", v) for v in made_up + [W_A]]), presentation)
    assert answer == {"choices": [W_A]} and MULTIPLE.grade(MULTI_WEIGHTS, answer).score == 0.5


# --- true or false -----------------------------------------------------------

@pytest.mark.parametrize("spec_answer, answer, score", [
    (True, {"value": True}, 1.0),
    (True, {"value": False}, 0.0),
    (False, {"value": False}, 1.0),
    (False, {"value": True}, 0.0),
    (True, {"value": "true"}, 0.0),    # a string is not a bool
    (True, {"value": 1}, 0.0),
    (False, {"value": 0}, 0.0),
    (True, {"value": None}, 0.0),
    (False, {}, 0.0),
    (False, None, 0.0),
])
def test_truefalse_grade(spec_answer, answer, score):
    assert TRUEFALSE.grade({"answer": spec_answer}, answer).score == score


@pytest.mark.parametrize("spec", [{}, {"answer": "true"}, {"answer": 1}, {"answer": None}])
def test_truefalse_validate_problems(spec):
    assert TRUEFALSE.validate(spec) == ["a true/false question needs answer: true or false"]


def test_truefalse_validate_present_and_correct_answer():
    assert TRUEFALSE.validate({"answer": True}) == [] and TRUEFALSE.validate({"answer": False}) == []
    assert TRUEFALSE.present({"answer": True}, rng()) == {}
    assert TRUEFALSE.correct_answer({"answer": True}) == "True"
    assert TRUEFALSE.correct_answer({"answer": False}) == "False"


@pytest.mark.parametrize("posted, expected", [
    (["true"], {"value": True}),
    (["false"], {"value": False}),
    (["True"], None),
    (["yes"], None),
    (["1"], None),
    ([""], None),
    ([], None),
])
def test_truefalse_parse_answer(posted, expected):
    assert TRUEFALSE.parse_answer("q", form(*[("q", v) for v in posted]), {}) == expected


# --- matching ----------------------------------------------------------------

@pytest.mark.parametrize("pairs, score", [
    ({L1: R1, L2: R2, L3: R3}, 1.0),
    ({L1: R1, L2: R2, L3: R_DISTRACTOR}, 2 / 3),
    ({L1: R1, L2: R3, L3: R2}, 1 / 3),
    ({L1: R1}, 1 / 3),                              # partly answered
    ({L1: R2, L2: R3, L3: R1}, 0.0),
    ({L1: R_DISTRACTOR, L2: R_DISTRACTOR, L3: R_DISTRACTOR}, 0.0),
    ({L1: R1, L2: R2, L3: R3, "made-up": R1}, 1.0),  # unknown left ids add nothing
    ({R1: L1}, 0.0),                                # reversed
    ({}, 0.0),
])
def test_matching_grade_partial_credit(pairs, score):
    assert MATCHING.grade(MATCHING_SPEC, {"pairs": pairs}).score == pytest.approx(score)


@pytest.mark.parametrize("answer", [None, {}, {"pairs": None}, {"choice": R1}])
def test_matching_blank(answer):
    assert MATCHING.grade(MATCHING_SPEC, answer).score == 0.0


def test_matching_two_items_may_share_one_answer():
    spec = {"pairs": [_pair("q", "Form I-200", "ICE form"), _pair("q", "Form I-205", "ICE form"),
                      _pair("q", "Form DS-160", "State Department form")], "distractors": []}
    ice, state = spec["pairs"][0]["right_id"], spec["pairs"][2]["right_id"]
    presentation = MATCHING.present(spec, rng())
    assert sorted(presentation["right"]) == sorted([ice, state])   # offered once
    left = [p["id"] for p in spec["pairs"]]
    assert MATCHING.grade(spec, {"pairs": {left[0]: ice, left[1]: ice, left[2]: state}}).score == 1.0
    assert MATCHING.grade(spec, {"pairs": {left[0]: ice, left[1]: state, left[2]: state}}).score == pytest.approx(2 / 3)


@pytest.mark.parametrize("pairs, message", [
    ([_pair("q", "a", "b")], "a matching question needs at least 2 pairs"),
    ([], "a matching question needs at least 2 pairs"),
    ([_pair("q", "a", "b"), _pair("q", "a", "c")], "two left-hand items are the same"),
    ([_pair("q", "a", "b"), {**_pair("q", "c", "d"), "right_id": ""}], "every pair needs a right-hand answer"),
    ([_pair("q", "a", "b"), {k: v for k, v in _pair("q", "c", "d").items() if k != "right_id"}],
     "every pair needs a right-hand answer"),
])
def test_matching_validate_problems(pairs, message):
    assert message in MATCHING.validate({"pairs": pairs, "distractors": []})


def test_matching_validate_and_correct_answer():
    assert MATCHING.validate(MATCHING_SPEC) == []
    assert MATCHING.correct_answer(MATCHING_SPEC) == (
        "I-247A → Detainer; I-200 → Warrant of arrest; I-213 → Record of deportable alien")


def test_matching_presentation_holds_every_id_once_and_nothing_else():
    for seed in range(20):
        presentation = MATCHING.present(MATCHING_SPEC, rng(seed))
        assert set(presentation) == {"left", "right"}
        assert sorted(presentation["left"]) == sorted([L1, L2, L3])
        assert sorted(presentation["right"]) == sorted([R1, R2, R3, R_DISTRACTOR])
        dumped = json.dumps(presentation)
        for text in ("Detainer", "I-247A", "Passport", "right_id"):
            assert text not in dumped
    orders = {tuple(MATCHING.present(MATCHING_SPEC, rng(seed))["right"]) for seed in range(30)}
    assert len(orders) > 1


def test_matching_parse_answer():
    presentation = MATCHING.present(MATCHING_SPEC, rng(4))
    values = form(("m-" + L1, R1), ("m-" + L2, R_DISTRACTOR), ("m-" + L3, "0123456789"),
                  ("m-made-up", R1), ("m", R2))
    assert MATCHING.parse_answer("m", values, presentation) == {"pairs": {L1: R1, L2: R_DISTRACTOR}}
    # Only made-up or blank values: None.
    assert MATCHING.parse_answer("m", form(("m-" + L1, "zzz"), ("m-" + L2, "")), presentation) is None
    assert MATCHING.parse_answer("m", form(), presentation) is None
    # A right-hand id that is real but not offered in this presentation is ignored.
    assert MATCHING.parse_answer("m", form(("m-" + L1, R1)), {"left": [L1], "right": [R2]}) is None


# --- numeric -----------------------------------------------------------------

@pytest.mark.parametrize("raw, value", [
    ("1822", 1822.0),
    ("1,822", 1822.0),
    ("1 822", 1822.0),
    (" 48 ", 48.0),
    ("48.0", 48.0),
    ("-2.5", -2.5),
    ("+7", 7.0),
    ("1e3", 1000.0),
    (".5", 0.5),
    ("abc", None),
    ("48 hours", None),
    ("4 8", 48.0),
    ("", None),
    ("   ", None),
    (None, None),
    ("inf", None),
    ("-Infinity", None),
    ("nan", None),
    ("NaN", None),
    ("1e400", None),       # overflows to infinity
    ("0x10", None),
    ("1.2.3", None),
])
def test_parse_number(raw, value):
    assert parse_number(raw) == value


@pytest.mark.parametrize("spec, raw, score", [
    (NUMERIC_SPEC, "1822", 1.0),
    (NUMERIC_SPEC, "1,822", 1.0),
    (NUMERIC_SPEC, " 1822 ", 1.0),
    (NUMERIC_SPEC, "1822.0", 1.0),
    (NUMERIC_SPEC, "1821", 0.0),
    (NUMERIC_SPEC, "1822.001", 0.0),
    (NUMERIC_SPEC, "abc", 0.0),
    (NUMERIC_SPEC, "inf", 0.0),
    (NUMERIC_SPEC, "nan", 0.0),
    (TOLERANCE_SPEC, "48", 1.0),
    (TOLERANCE_SPEC, " 48 ", 1.0),
    (TOLERANCE_SPEC, "47.5", 1.0),     # the range is inclusive
    (TOLERANCE_SPEC, "48.5", 1.0),
    (TOLERANCE_SPEC, "47.49", 0.0),
    (TOLERANCE_SPEC, "48.51", 0.0),
    (PARTIAL_SPEC, "10", 1.0),         # in both ranges: the best weight wins
    (PARTIAL_SPEC, "9.5", 1.0),
    (PARTIAL_SPEC, "9.2", 0.5),
    (PARTIAL_SPEC, "11", 0.5),
    (PARTIAL_SPEC, "11.5", 0.0),
    (PARTIAL_SPEC, "-2", 0.25),
    (PARTIAL_SPEC, "2", 0.0),
])
def test_numeric_grade(spec, raw, score):
    assert NUMERIC.grade(spec, {"raw": raw}).score == score


@pytest.mark.parametrize("answer", [None, {}, {"raw": ""}, {"raw": None}, {"text": "1822"}])
def test_numeric_blank(answer):
    assert NUMERIC.grade(NUMERIC_SPEC, answer).score == 0.0


def test_numeric_float_noise_at_the_edge_of_a_range():
    spec = {"answers": [{"min": 0.1 + 0.2, "max": 0.1 + 0.2, "weight": 1.0}]}
    assert NUMERIC.grade(spec, {"raw": "0.3"}).score == 1.0


@pytest.mark.parametrize("answers, message", [
    ([], "a numeric question needs an answer"),
    ([{"max": 1.0, "weight": 1.0}], "each numeric answer needs a number"),
    ([{"min": "1", "max": 1.0, "weight": 1.0}], "each numeric answer needs a number"),
    ([{"min": 2.0, "max": 1.0, "weight": 1.0}], "a numeric range runs from low to high"),
    ([{"min": 1.0, "max": 2.0, "weight": 0.5}], "a numeric question needs one fully right answer"),
    ([{"min": 1.0, "max": 2.0}], "a numeric question needs one fully right answer"),
])
def test_numeric_validate_problems(answers, message):
    assert message in NUMERIC.validate({"answers": answers})


def test_numeric_validate_accepts_good_specs():
    for spec in (NUMERIC_SPEC, TOLERANCE_SPEC, PARTIAL_SPEC, {"answers": [{"min": 0, "max": 0, "weight": 1}]}):
        assert NUMERIC.validate(spec) == []


@pytest.mark.parametrize("posted, expected", [
    (["1,822"], {"raw": "1,822"}),
    ([" 48 "], {"raw": "48"}),
    (["abc"], {"raw": "abc"}),          # kept for review; grades 0
    ([""], None),
    (["   "], None),
    ([], None),
    (["9" * 100], {"raw": "9" * 40}),   # stored answers are bounded
])
def test_numeric_parse_answer(posted, expected):
    assert NUMERIC.parse_answer("q", form(*[("q", v) for v in posted]), {}) == expected


def test_numeric_present_and_correct_answer():
    assert NUMERIC.present(NUMERIC_SPEC, rng()) == {}
    assert NUMERIC.correct_answer(NUMERIC_SPEC) == "1822"
    assert NUMERIC.correct_answer(TOLERANCE_SPEC) == "48 (accepted 47.5 to 48.5)"
    assert NUMERIC.correct_answer(PARTIAL_SPEC) == "10 (accepted 9.5 to 10.5)"


# --- short text --------------------------------------------------------------

@pytest.mark.parametrize("text, normalized", [
    ("ICE", "ice"),
    ("  Immigration   and\tCustoms\nEnforcement  ", "immigration and customs enforcement"),
    ("I.C.E.", "i c e"),
    ("Form I-247A!", "form i 247a"),
    ("«Article 36»", "article 36"),
    ("ＩＣＥ", "ice"),                   # full-width letters (NFKC)
    ("ﬁngerprint", "fingerprint"),      # ligature (NFKC)
    ("Straße", "strasse"),              # case folding, not just lower()
    ("Cafe\u0301", "café"),             # combining accent composed (NFKC)
    ("\u00a0ICE\u2003", "ice"),         # no-break and em spaces
    ("", ""),
    ("?!...", ""),
    (None, ""),
])
def test_normalize_text(text, normalized):
    assert normalize_text(text) == normalized


@pytest.mark.parametrize("text, score", [
    ("Immigration and Customs Enforcement", 1.0),
    ("immigration and customs enforcement", 1.0),
    ("IMMIGRATION  AND CUSTOMS   ENFORCEMENT.", 1.0),
    ("  ice  ", 1.0),
    ("ICE!", 1.0),
    ("ＩＣＥ", 1.0),
    ("Customs", 0.5),                 # a partial-credit answer
    ("customs.", 0.5),
    ("Immigration & Customs Enforcement", 0.0),   # '&' is not 'and'
    ("Immigration and Customs", 0.0),
    ("ICE ICE", 0.0),
    ("CBP", 0.0),
    ("", 0.0),
    ("?!", 0.0),                      # nothing left after punctuation
    ("x" * 200, 0.0),
])
def test_short_grade(text, score):
    assert SHORT.grade(SHORT_SPEC, {"text": text}).score == score


@pytest.mark.parametrize("answer", [None, {}, {"text": None}, {"raw": "ICE"}])
def test_short_blank(answer):
    assert SHORT.grade(SHORT_SPEC, answer).score == 0.0


def test_short_weight_above_one_is_clamped():
    spec = {"answers": [{"text": "ICE", "weight": 3.0}]}
    assert SHORT.validate(spec) == [] and SHORT.grade(spec, {"text": "ice"}).score == 1.0


@pytest.mark.parametrize("answers, message", [
    ([], "a short-answer question needs at least one accepted answer"),
    ([{"text": "ICE", "weight": 0.5}], "a short-answer question needs at least one accepted answer"),
    ([{"text": "ICE"}], "a short-answer question needs at least one accepted answer"),
    ([{"text": "ICE", "weight": 1.0}, {"text": "?!", "weight": 0.5}],
     "an accepted answer is empty once punctuation is removed"),
    ([{"text": "  ", "weight": 1.0}], "an accepted answer is empty once punctuation is removed"),
])
def test_short_validate_problems(answers, message):
    assert SHORT.validate({"answers": answers}) == [message]


def test_short_validate_present_parse_and_correct_answer():
    assert SHORT.validate(SHORT_SPEC) == []
    assert SHORT.present(SHORT_SPEC, rng()) == {}
    assert SHORT.parse_answer("q", form(("q", "  Ice  ")), {}) == {"text": "Ice"}
    assert SHORT.parse_answer("q", form(("q", "   ")), {}) is None
    assert SHORT.parse_answer("q", form(), {}) is None
    assert SHORT.parse_answer("q", form(("q", "x" * 1000)), {}) == {"text": "x" * 200}
    assert SHORT.correct_answer(SHORT_SPEC) == "Immigration and Customs Enforcement or ICE"


# --- the registry ------------------------------------------------------------

def test_registry():
    assert set(QUESTION_TYPES) == {"single", "multiple", "truefalse", "matching", "numeric", "short"}
    for key, qtype in QUESTION_TYPES.items():
        assert qtype.key == key and qtype.label
        for method in ("validate", "present", "parse_answer", "grade", "correct_answer"):
            assert callable(getattr(qtype, method))


# =============================================================================
# Properties
# =============================================================================

texts = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30)


@st.composite
def single_specs(draw):
    key = draw(st.from_regex(r"[a-z]{1,6}-q[0-9]{1,3}", fullmatch=True))
    labels = draw(st.lists(texts, min_size=2, max_size=8, unique=True))
    right = draw(st.integers(0, len(labels) - 1))
    options = [{"id": option_id(key, t), "text": t,
                "weight": draw(st.floats(1.0, 3.0)) if i == right else draw(st.floats(-1.0, 0.99))}
               for i, t in enumerate(labels)]
    spec = {"options": options, "shuffle": draw(st.booleans())}
    assert SINGLE.validate(spec) == []
    return spec


@st.composite
def multiple_specs(draw):
    key = draw(st.from_regex(r"[a-z]{1,6}-q[0-9]{1,3}", fullmatch=True))
    labels = draw(st.lists(texts, min_size=2, max_size=10, unique=True))
    rights = draw(st.sets(st.integers(0, len(labels) - 1), min_size=1))
    scoring = draw(st.sampled_from(["all_or_nothing", "weights", None]))
    # Weights as GIFT writes them: the right options share 100% (dyadic shares
    # so the sum is exact in floats), the wrong ones take a penalty or nothing.
    share = 1.0 / len(rights) if len(rights) in (1, 2, 4, 8) else None
    if scoring == "weights" and share is None:
        rights = set(sorted(rights)[:1])
        share = 1.0
    options = []
    for i, t in enumerate(labels):
        if i in rights:
            weight = share if scoring == "weights" else 1.0
        else:
            weight = draw(st.sampled_from([0.0, -0.5, -1.0])) if scoring == "weights" else 0.0
        options.append({"id": option_id(key, t), "text": t, "weight": weight})
    spec = {"options": options, "shuffle": draw(st.booleans())}
    if scoring:
        spec["scoring"] = scoring
    assert MULTIPLE.validate(spec) == []
    return spec


@st.composite
def truefalse_specs(draw):
    return {"answer": draw(st.booleans())}


@st.composite
def matching_specs(draw):
    key = "q-match"
    lefts = draw(st.lists(texts, min_size=2, max_size=6, unique=True))
    pool = draw(st.lists(texts, min_size=1, max_size=6, unique=True))
    pairs = [{"id": option_id(key, "L:" + left), "left": left, "right": (right := draw(st.sampled_from(pool))),
              "right_id": option_id(key, "R:" + right)} for left in lefts]
    distractors = [{"id": option_id(key, "R:" + t), "text": t}
                   for t in draw(st.lists(texts, max_size=3, unique=True))]
    spec = {"pairs": pairs, "distractors": distractors}
    assert MATCHING.validate(spec) == []
    return spec


finite = st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False)


@st.composite
def numeric_specs(draw):
    answers = []
    for _ in range(draw(st.integers(1, 4))):
        low, high = sorted([draw(finite), draw(finite)])
        answers.append({"min": low, "max": high, "weight": draw(st.sampled_from([1.0, 0.5, 0.25, 0.0, 2.0]))})
    if not any(a["weight"] >= 1 for a in answers):
        answers[draw(st.integers(0, len(answers) - 1))]["weight"] = 1.0
    spec = {"answers": answers}
    assert NUMERIC.validate(spec) == []
    return spec


@st.composite
def short_specs(draw):
    words = st.text(st.characters(whitelist_categories=("Lu", "Ll", "Nd")), min_size=1, max_size=12)
    phrases = st.lists(words, min_size=1, max_size=4).map(" ".join)
    texts_ = draw(st.lists(phrases, min_size=1, max_size=4))
    assume(all(normalize_text(t) for t in texts_))
    answers = [{"text": t, "weight": draw(st.sampled_from([1.0, 0.5, 0.0]))} for t in texts_]
    answers[0]["weight"] = 1.0
    spec = {"answers": answers}
    assert SHORT.validate(spec) == []
    return spec


SPECS = {
    "single": single_specs(), "multiple": multiple_specs(), "truefalse": truefalse_specs(),
    "matching": matching_specs(), "numeric": numeric_specs(), "short": short_specs(),
}
ANSWER_KEYS = ["choice", "choices", "value", "pairs", "raw", "text"]

json_scalars = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=50))
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8) | st.sampled_from(ANSWER_KEYS),
                                                                 inner, max_size=4),
    max_leaves=12)
huge_strings = st.sampled_from(["9" * 100_000, "a" * 100_000, "1," * 50_000, "\u0300" * 50_000])


def _well_shaped_answers(spec, qtype):
    """Answers of the shape parse_answer produces, with any values of the right type."""
    ids = st.text(max_size=12)
    if qtype == "single":
        ids = ids | st.sampled_from([o["id"] for o in spec["options"]])
        return st.none() | st.builds(lambda c: {"choice": c}, ids)
    if qtype == "multiple":
        ids = ids | st.sampled_from([o["id"] for o in spec["options"]])
        return st.none() | st.builds(lambda c: {"choices": c}, st.lists(ids, max_size=12))
    if qtype == "truefalse":
        return st.none() | st.builds(lambda v: {"value": v}, st.booleans())
    if qtype == "matching":
        lefts = st.text(max_size=8) | st.sampled_from([p["id"] for p in spec["pairs"]])
        rights = st.text(max_size=8) | st.sampled_from([p["right_id"] for p in spec["pairs"]])
        return st.none() | st.builds(lambda p: {"pairs": p}, st.dictionaries(lefts, rights, max_size=8))
    if qtype == "numeric":
        return st.none() | st.builds(lambda r: {"raw": r}, st.text(max_size=40) | finite.map(repr) | huge_strings)
    return st.none() | st.builds(lambda t: {"text": t}, st.text(max_size=200) | huge_strings)


def right_answer(qtype, spec, presentation, rng_):
    """Build the best answer from the spec, as an officer would post it."""
    field = "q"
    if qtype == "single":
        right = max(spec["options"], key=lambda o: o["weight"])["id"]
        return form((field, right))
    if qtype == "multiple":
        rights = [o["id"] for o in spec["options"] if o["weight"] > 0]
        rng_.shuffle(rights)
        return form(*[(field, r) for r in rights])
    if qtype == "truefalse":
        return form((field, "true" if spec["answer"] else "false"))
    if qtype == "matching":
        return form(*[(f"{field}-{p['id']}", p["right_id"]) for p in spec["pairs"]])
    if qtype == "numeric":
        full = next(a for a in spec["answers"] if a["weight"] >= 1)
        return form((field, repr((full["min"] + full["max"]) / 2)))
    full = next(a for a in spec["answers"] if a["weight"] >= 1)
    return form((field, f"  {full['text'].upper() if full['text'].isascii() else full['text']}!! "))


@pytest.mark.parametrize("qtype", sorted(SPECS))
@PROPERTY
@given(data=st.data())
def test_property_grade_is_between_0_and_1_for_any_well_shaped_answer(qtype, data):
    spec = data.draw(SPECS[qtype])
    answer = data.draw(_well_shaped_answers(spec, qtype))
    score = QUESTION_TYPES[qtype].grade(spec, answer).score
    assert isinstance(score, float) and 0.0 <= score <= 1.0


@pytest.mark.parametrize("qtype", sorted(SPECS))
@PROPERTY
@given(data=st.data())
def test_property_parsed_answers_from_any_form_grade_between_0_and_1(qtype, data):
    # Whatever a browser (or an attacker) posts, the parsed answer grades in 0..1.
    spec = data.draw(SPECS[qtype])
    t = QUESTION_TYPES[qtype]
    presentation = t.present(spec, random.Random(data.draw(st.integers())))
    offered = presentation.get("order", []) + presentation.get("right", []) + ["true", "false", "1,822"]
    names = ["q", "q-"] + [f"q-{left}" for left in presentation.get("left", [])]
    values = data.draw(st.lists(st.tuples(st.sampled_from(names) | st.text(max_size=5),
                                          st.sampled_from(offered) | st.text(max_size=20) | huge_strings),
                                max_size=12))
    answer = t.parse_answer("q", MultiDict(values), presentation)
    assert answer is None or isinstance(answer, dict)
    json.dumps(answer)   # answers are stored as JSON
    assert 0.0 <= t.grade(spec, answer).score <= 1.0


@pytest.mark.parametrize("qtype", sorted(SPECS))
@PROPERTY
@given(data=st.data())
def test_property_the_right_answer_scores_1(qtype, data):
    spec = data.draw(SPECS[qtype])
    t = QUESTION_TYPES[qtype]
    seed = data.draw(st.integers())
    presentation = t.present(spec, random.Random(seed))
    answer = t.parse_answer("q", right_answer(qtype, spec, presentation, random.Random(seed)), presentation)
    result = t.grade(spec, answer)
    assert result.score == 1.0 and result.correct
    assert isinstance(t.correct_answer(spec), str) and t.correct_answer(spec)


@pytest.mark.parametrize("qtype", sorted(SPECS))
@PROPERTY
@given(data=st.data())
def test_property_same_seed_same_presentation(qtype, data):
    spec = data.draw(SPECS[qtype])
    seed = data.draw(st.integers())
    t = QUESTION_TYPES[qtype]
    first = t.present(spec, random.Random(seed))
    assert t.present(spec, random.Random(seed)) == first
    assert json.loads(json.dumps(first)) == first   # plain JSON


@pytest.mark.parametrize("qtype", ["single", "multiple"])
@PROPERTY
@given(data=st.data())
def test_property_choice_presentation_is_a_permutation_without_the_key(qtype, data):
    spec = data.draw(SPECS[qtype])
    presentation = QUESTION_TYPES[qtype].present(spec, random.Random(data.draw(st.integers())))
    ids = [o["id"] for o in spec["options"]]
    assert set(presentation) == {"order"} and sorted(presentation["order"]) == sorted(ids)
    if spec.get("shuffle", True) is False:
        assert presentation["order"] == ids


@PROPERTY
@given(spec=matching_specs(), seed=st.integers())
def test_property_matching_presentation_offers_every_answer_once(spec, seed):
    presentation = MATCHING.present(spec, random.Random(seed))
    assert sorted(presentation["left"]) == sorted(p["id"] for p in spec["pairs"])
    offered = {p["right_id"] for p in spec["pairs"]} | {d["id"] for d in spec["distractors"]}
    assert sorted(presentation["right"]) == sorted(offered)


@pytest.mark.parametrize("qtype", ["single", "multiple"])
@PROPERTY
@given(data=st.data())
def test_property_choice_grade_does_not_depend_on_presentation_order(qtype, data):
    spec = data.draw(SPECS[qtype])
    t = QUESTION_TYPES[qtype]
    ids = [o["id"] for o in spec["options"]]
    # A radio button posts one id; check boxes post any number.
    most = 1 if qtype == "single" else len(ids)
    chosen = data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=most, unique=True))
    scores = set()
    for seed in data.draw(st.lists(st.integers(), min_size=2, max_size=4)):
        presentation = t.present(spec, random.Random(seed))
        # The officer ticks the same options, met in this presentation's order.
        posted = [("q", i) for i in presentation["order"] if i in chosen]
        scores.add(t.grade(spec, t.parse_answer("q", MultiDict(posted), presentation)).score)
    assert len(scores) == 1


@PROPERTY
@given(spec=multiple_specs(), data=st.data())
def test_property_multiple_order_of_chosen_ids_does_not_matter(spec, data):
    ids = [o["id"] for o in spec["options"]]
    chosen = data.draw(st.lists(st.sampled_from(ids), max_size=20))
    presentation = MULTIPLE.present(spec, random.Random(0))
    shuffled = data.draw(st.permutations(chosen))
    a = MULTIPLE.parse_answer("q", MultiDict([("q", i) for i in chosen]), presentation)
    b = MULTIPLE.parse_answer("q", MultiDict([("q", i) for i in shuffled]), presentation)
    assert a == b
    assert MULTIPLE.grade(spec, {"choices": chosen}) == MULTIPLE.grade(spec, {"choices": shuffled})


@PROPERTY
@given(spec=matching_specs(), data=st.data())
def test_property_matching_grade_does_not_depend_on_presentation_order(spec, data):
    pool = [p["right_id"] for p in spec["pairs"]] + [d["id"] for d in spec["distractors"]]
    chosen = {p["id"]: data.draw(st.sampled_from(pool)) for p in spec["pairs"]}
    scores = set()
    for seed in data.draw(st.lists(st.integers(), min_size=2, max_size=4)):
        presentation = MATCHING.present(spec, random.Random(seed))
        posted = [(f"q-{left}", chosen[left]) for left in presentation["left"]]
        scores.add(MATCHING.grade(spec, MATCHING.parse_answer("q", MultiDict(posted), presentation)).score)
    assert len(scores) == 1


@PROPERTY
@given(spec=single_specs(), seed=st.integers(), made_up=st.lists(st.text(max_size=12), max_size=5))
def test_property_made_up_ids_never_earn_credit(spec, seed, made_up):
    ids = {o["id"] for o in spec["options"]}
    presentation = SINGLE.present(spec, random.Random(seed))
    posted = MultiDict([("q", m) for m in made_up if m not in ids])
    assert SINGLE.parse_answer("q", posted, presentation) is None


@PROPERTY
@given(text=st.text())
def test_property_normalize_text_is_idempotent(text):
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert once == once.strip() and "  " not in once


@PROPERTY
@given(spec=short_specs(), data=st.data())
def test_property_short_text_ignores_case_spacing_and_surrounding_punctuation(spec, data):
    full = next(a["text"] for a in spec["answers"] if a["weight"] >= 1)
    noise = data.draw(st.sampled_from([" ", "  ", "\t", "!", "?", ".", "..."]))
    typed = noise + full.replace(" ", data.draw(st.sampled_from([" ", "   ", " - ", " , "]))) + noise
    typed = typed.casefold() if data.draw(st.booleans()) else typed
    assert SHORT.grade(spec, {"text": typed}).score == 1.0


@PROPERTY
@given(spec=numeric_specs(), value=finite, thousands=st.booleans())
def test_property_numeric_typed_with_commas_or_spaces_grades_like_the_number(spec, value, thousands):
    plain = f"{value:.2f}"
    typed = f"{value:,.2f}" if thousands else f" {plain} "
    assert NUMERIC.grade(spec, {"raw": typed}) == NUMERIC.grade(spec, {"raw": plain})


# =============================================================================
# Robustness: answers of the wrong shape, bad bounds, weights and number display.
# =============================================================================

WRONG_SHAPES = [
    ["x"],                      # a list where a dict is expected
    "true",                     # a bare string
    42,
    {"choice": ["x"]},          # unhashable choice
    {"choice": {"a": 1}},
    {"choices": 5},             # not iterable
    {"choices": [["x"]]},       # unhashable ids
    {"value": [True]},
    {"pairs": [["l", "r"]]},    # a list where a dict is expected
    {"pairs": "lr"},
    {"pairs": {"l": ["r"]}},
    {"raw": 1822},              # a number instead of the typed text
    {"raw": ["1822"]},
    {"text": 36},
    {"text": ["ICE"]},
]
GOOD_SPECS = {"single": SINGLE_SPEC, "multiple": MULTI_AON, "truefalse": {"answer": True},
              "matching": MATCHING_SPEC, "numeric": NUMERIC_SPEC, "short": SHORT_SPEC}


@pytest.mark.parametrize("answer", WRONG_SHAPES, ids=[json.dumps(a) for a in WRONG_SHAPES])
@pytest.mark.parametrize("qtype", sorted(GOOD_SPECS))
def test_grade_must_score_wrong_shape_answers_0_not_raise(qtype, answer):
    # grade() trusts the stored answer's shape: a list, a string, or a dict whose
    # value has the wrong type raises AttributeError/TypeError instead of scoring 0
    # (e.g. SingleChoice.grade(["x"]) -> 'list' object has no attribute 'get';
    # Numeric.grade({"raw": 1822}) -> 'int' object has no attribute 'strip').
    assert QUESTION_TYPES[qtype].grade(GOOD_SPECS[qtype], answer).score == 0.0


@pytest.mark.parametrize("qtype", sorted(SPECS))
@PROPERTY
@given(data=st.data())
def test_grade_must_never_raise_on_any_json_answer(qtype, data):
    # The same defect found by search: any JSON value as the stored answer.
    spec = data.draw(SPECS[qtype])
    answer = data.draw(json_values | huge_strings)
    assert 0.0 <= QUESTION_TYPES[qtype].grade(spec, answer).score <= 1.0


@pytest.mark.parametrize("bound", [math.nan, math.inf, -math.inf])
def test_numeric_validate_must_reject_non_finite_bounds(bound):
    # A bank line 'answer: nan' (or 'inf', or 'tolerance: nan') parses with float()
    # and passes validate(); no typed answer can then ever score, because
    # parse_number() rejects non-finite input and NaN compares false.
    spec = {"answers": [{"min": bound, "max": bound, "weight": 1.0}]}
    if not math.isnan(bound):
        assert all(NUMERIC.grade(spec, {"raw": r}).score == 0.0 for r in ("inf", "-inf", "1e400", "-1e400"))
    assert NUMERIC.validate(spec) != []


def test_multiple_weights_validate_must_reject_spec_that_cannot_reach_full_marks():
    # With scoring 'weights', validate() only asks for one positive weight; the
    # best possible answer here scores 0.5, so no officer can get it right.
    spec = {"scoring": "weights", "options": [opt("q", "a", 0.5), opt("q", "b", 0.0), opt("q", "c", -1.0)]}
    best = MULTIPLE.grade(spec, {"choices": [option_id("q", "a")]}).score
    assert best == 0.5
    assert MULTIPLE.validate(spec) != []


def test_multiple_weights_gift_thirds_must_count_as_full_marks():
    # GIFT writes a three-way split as %33.33333%; the three right options sum to
    # 0.9999999, so the perfect answer is graded 'not correct'. Weighted sums need
    # rounding (say to 6 places) before clamping.
    spec = {"scoring": "weights", "options": [
        opt("q", "a", 0.3333333), opt("q", "b", 0.3333333), opt("q", "c", 0.3333333), opt("q", "d", -1.0)]}
    result = MULTIPLE.grade(spec, {"choices": [option_id("q", t) for t in "abc"]})
    assert result.score == 1.0 and result.correct


@pytest.mark.parametrize("value, shown", [
    (1234567.0, "1234567"),
    (0.1234567, "0.1234567"),
    (2500000.0, "2500000"),
])
def test_numeric_correct_answer_must_not_round_to_six_digits(value, shown):
    # correct_answer() formats with '{:g}', which keeps 6 significant digits:
    # 1234567 is shown to the officer in review as '1.23457e+06'.
    assert NUMERIC.correct_answer({"answers": [{"min": value, "max": value, "weight": 1.0}]}) == shown
