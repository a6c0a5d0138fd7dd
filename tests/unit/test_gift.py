"""GIFT import and export (`app/assessments/gift.py`).

The tables below hold the example questions of Moodle's "GIFT format"
documentation page (docs.moodle.org/en/GIFT_format), copied as data, and one
small case per construct the parser supports. Each case is parsed on its own,
checked for its type, key, stem, spec and feedback, graded through the
question-type registry with a right and a wrong answer, and written back to
GIFT and parsed again. Malformed files are checked for the exact
`path:line: message` problems. The last part writes every question of every
bank in content/banks/ as GIFT and reads it back.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.assessments.banks import QuestionSource, parse_bank
from app.assessments.gift import (
    GiftQuestion, GiftWriteError, gift_to_question_sources, parse_gift, slugify, write_gift,
)
from app.assessments.types import QUESTION_TYPES, option_id

PATH = "imports/questions.gift"
SAMPLES = Path(__file__).resolve().parent / "gift_samples"
BANKS_DIR = Path(__file__).resolve().parents[2] / "content" / "banks"
BANK_FILES = sorted(BANKS_DIR.glob("*.md"))


# ---------------------------------------------------------------- helpers


def opts(key: str, *items: tuple[str, float]) -> list[dict]:
    """The options of a choice spec, as the parser must build them."""
    return [{"id": option_id(key, text), "text": text, "weight": float(weight)} for text, weight in items]


def single(key: str, *items) -> dict:
    return {"options": opts(key, *items), "shuffle": True}


def multiple(key: str, scoring: str, *items) -> dict:
    return {"options": opts(key, *items), "shuffle": True, "scoring": scoring}


def matching(key: str, pairs: list[tuple[str, str]], distractors: tuple[str, ...] = ()) -> dict:
    return {
        "pairs": [{"id": option_id(key, "L:" + left), "left": left, "right": right,
                   "right_id": option_id(key, "R:" + right)} for left, right in pairs],
        "distractors": [{"id": option_id(key, "R:" + text), "text": text} for text in distractors],
    }


def numeric(*ranges: tuple[float, float, float]) -> dict:
    return {"answers": [{"min": low, "max": high, "weight": weight} for low, high, weight in ranges]}


def short(*answers: tuple[str, float]) -> dict:
    return {"answers": [{"text": text, "weight": weight} for text, weight in answers]}


def answer_for(key: str, qtype: str, given: Any) -> dict:
    """Build the stored answer an officer would submit, from readable values."""
    if qtype == "single":
        return {"choice": option_id(key, given)}
    if qtype == "multiple":
        return {"choices": sorted(option_id(key, text) for text in given)}
    if qtype == "truefalse":
        return {"value": given}
    if qtype == "matching":
        return {"pairs": {option_id(key, "L:" + left): option_id(key, "R:" + right)
                          for left, right in given.items()}}
    if qtype == "numeric":
        return {"raw": given}
    return {"text": given}


def parse_one(text: str) -> GiftQuestion:
    questions, problems = parse_gift(text, PATH)
    assert [str(p) for p in problems] == []
    assert len(questions) == 1
    return questions[0]


def essentials(question) -> dict:
    """What a round trip must keep."""
    return {"key": question.key, "type": question.type, "stem": question.stem,
            "spec": question.spec, "feedback": question.feedback}


@dataclass
class Case:
    text: str
    key: str
    type: str
    stem: str
    spec: dict
    right: Any
    wrong: Any
    feedback: str = ""
    right_score: float = 1.0
    wrong_score: float = 0.0
    category: str | None = None
    title: str | None = None
    answer_feedback: dict = field(default_factory=dict)


# ---------------------------------------------------------------- Moodle's documentation examples

G1 = "gift-1"  # the key of an untitled question that is first in its file

DOCS_EXAMPLES = [
    pytest.param(Case(
        "Who's buried in Grant's tomb?{=Grant ~no one ~Napoleon ~Churchill ~Mother Teresa}",
        G1, "single", "Who's buried in Grant's tomb?",
        single(G1, ("Grant", 1), ("no one", 0), ("Napoleon", 0), ("Churchill", 0), ("Mother Teresa", 0)),
        right="Grant", wrong="Napoleon"), id="docs-multichoice-grants-tomb"),
    pytest.param(Case(
        "// question: 1 name: Grants tomb\n"
        "::Grants tomb::Who is buried in Grant's tomb in New York City? {\n"
        "=Grant\n"
        "~No one\n"
        "#Was true for 12 years, but Grant's remains were buried in the tomb in 1897\n"
        "~Napoleon\n"
        "#He was buried in France\n"
        "~Churchill\n"
        "#He was buried in England\n"
        "~Mother Teresa\n"
        "#She was buried in India\n"
        "}",
        "grants-tomb", "single", "Who is buried in Grant's tomb in New York City?",
        single("grants-tomb", ("Grant", 1), ("No one", 0), ("Napoleon", 0), ("Churchill", 0),
               ("Mother Teresa", 0)),
        right="Grant", wrong="No one", title="Grants tomb",
        answer_feedback={
            option_id("grants-tomb", "No one"):
                "Was true for 12 years, but Grant's remains were buried in the tomb in 1897",
            option_id("grants-tomb", "Napoleon"): "He was buried in France",
            option_id("grants-tomb", "Churchill"): "He was buried in England",
            option_id("grants-tomb", "Mother Teresa"): "She was buried in India",
        }), id="docs-multichoice-answer-feedback"),
    pytest.param(Case(
        "Mahatma Gandhi's birthday is an Indian holiday on {\n~15th\n~3rd\n=2nd\n} of October.",
        G1, "single", "Mahatma Gandhi's birthday is an Indian holiday on _____ of October.",
        single(G1, ("15th", 0), ("3rd", 0), ("2nd", 1)),
        right="2nd", wrong="15th"), id="docs-missing-word-gandhi"),
    pytest.param(Case(
        "Since {\n~495 AD\n=1066 AD\n~1215 AD\n~ 43 AD\n} the town of Hastings England has been "
        "\"famous with visitors\".",
        G1, "single", "Since _____ the town of Hastings England has been \"famous with visitors\".",
        single(G1, ("495 AD", 0), ("1066 AD", 1), ("1215 AD", 0), ("43 AD", 0)),
        right="1066 AD", wrong="43 AD"), id="docs-missing-word-hastings"),
    pytest.param(Case(
        "Moodle costs {~lots of money =nothing ~a small amount} to download from moodle.org.",
        G1, "single", "Moodle costs _____ to download from moodle.org.",
        single(G1, ("lots of money", 0), ("nothing", 1), ("a small amount", 0)),
        right="nothing", wrong="a small amount"), id="docs-missing-word-moodle-costs"),
    pytest.param(Case(
        "Japanese characters originally came from what country? {\n~India\n=China\n~Korea\n~Egypt}",
        G1, "single", "Japanese characters originally came from what country?",
        single(G1, ("India", 0), ("China", 1), ("Korea", 0), ("Egypt", 0)),
        right="China", wrong="Korea"), id="docs-multichoice-kanji"),
    pytest.param(Case(
        "What two people are entombed in Grant's tomb? {\n~%-100%No one\n~%50%Grant\n"
        "~%50%Grant's wife\n~%-100%Grant's father\n}",
        G1, "multiple", "What two people are entombed in Grant's tomb?",
        multiple(G1, "weights", ("No one", -1), ("Grant", 0.5), ("Grant's wife", 0.5),
                 ("Grant's father", -1)),
        right=["Grant", "Grant's wife"], wrong=["No one"]), id="docs-multiple-answers-minus-100"),
    pytest.param(Case(
        "What two people are entombed in Grant's tomb? {\n~%-50%No one\n~%50%Grant\n"
        "~%50%Grant's wife\n~%-50%Grant's father\n}",
        G1, "multiple", "What two people are entombed in Grant's tomb?",
        multiple(G1, "weights", ("No one", -0.5), ("Grant", 0.5), ("Grant's wife", 0.5),
                 ("Grant's father", -0.5)),
        right=["Grant", "Grant's wife"], wrong=["Grant", "Grant's father"]),
        id="docs-multiple-answers-minus-50"),
    pytest.param(Case(
        "What two people are entombed in Grant's tomb? {~%-100%No one ~%50%Grant ~%50%Grant's wife "
        "~%-100%Grant's father }",
        G1, "multiple", "What two people are entombed in Grant's tomb?",
        multiple(G1, "weights", ("No one", -1), ("Grant", 0.5), ("Grant's wife", 0.5),
                 ("Grant's father", -1)),
        right=["Grant", "Grant's wife"], wrong=["Grant", "No one"]),
        id="docs-multiple-answers-one-line"),
    pytest.param(Case(
        "// question: 0 name: TrueStatement using {T} style\n"
        "::TrueStatement about Grant::Grant was buried in a tomb in New York City.{T}",
        "truestatement-about-grant", "truefalse", "Grant was buried in a tomb in New York City.",
        {"answer": True}, right=True, wrong=False, title="TrueStatement about Grant"),
        id="docs-truefalse-T"),
    pytest.param(Case(
        "// question: 0 name: FalseStatement using {FALSE} style\n"
        "::FalseStatement about sun::The sun rises in the West.{FALSE}",
        "falsestatement-about-sun", "truefalse", "The sun rises in the West.",
        {"answer": False}, right=False, wrong=True, title="FalseStatement about sun"),
        id="docs-truefalse-FALSE"),
    pytest.param(Case(
        "Grant was buried in a tomb in New York City.{T}",
        G1, "truefalse", "Grant was buried in a tomb in New York City.",
        {"answer": True}, right=True, wrong=False), id="docs-truefalse-untitled"),
    pytest.param(Case(
        "Grant is buried in Grant's tomb.{FALSE#No one is buried in Grant's tomb.}",
        G1, "truefalse", "Grant is buried in Grant's tomb.", {"answer": False},
        right=False, wrong=True, feedback="No one is buried in Grant's tomb."),
        id="docs-truefalse-feedback"),
    pytest.param(Case(
        "Who's buried in Grant's tomb?{=Grant =Ulysses S. Grant =Ulysses Grant}",
        G1, "short", "Who's buried in Grant's tomb?",
        short(("Grant", 1.0), ("Ulysses S. Grant", 1.0), ("Ulysses Grant", 1.0)),
        right="ulysses s grant", wrong="Lincoln"), id="docs-short-grant"),
    pytest.param(Case(
        "Two plus two equals {=four =4}",
        G1, "short", "Two plus two equals", short(("four", 1.0), ("4", 1.0)),
        right="4", wrong="five"), id="docs-short-two-plus-two"),
    pytest.param(Case(
        "Match the following countries with their corresponding capitals. {\n"
        "=Canada -> Ottawa\n=Italy  -> Rome\n=Japan  -> Tokyo\n=India  -> New Delhi\n"
        "####It's good to know the capitals\n}",
        G1, "matching", "Match the following countries with their corresponding capitals.",
        matching(G1, [("Canada", "Ottawa"), ("Italy", "Rome"), ("Japan", "Tokyo"), ("India", "New Delhi")]),
        right={"Canada": "Ottawa", "Italy": "Rome", "Japan": "Tokyo", "India": "New Delhi"},
        wrong={"Canada": "Rome", "Italy": "Ottawa", "Japan": "New Delhi", "India": "Tokyo"},
        feedback="It's good to know the capitals"), id="docs-matching-capitals"),
    pytest.param(Case(
        "::Q4:: Which animal eats which food? { =cat -> cat food =dog -> dog food }",
        "q4", "matching", "Which animal eats which food?",
        matching("q4", [("cat", "cat food"), ("dog", "dog food")]),
        right={"cat": "cat food", "dog": "dog food"}, wrong={"cat": "dog food", "dog": "cat food"},
        title="Q4"), id="docs-matching-animals"),
    pytest.param(Case(
        "When was Ulysses S. Grant born?{#1822:5}",
        G1, "numeric", "When was Ulysses S. Grant born?", numeric((1817.0, 1827.0, 1.0)),
        right="1820", wrong="1830"), id="docs-numeric-tolerance"),
    pytest.param(Case(
        "What is the value of pi (to 3 decimal places)? {#3.14159:0.0005}.",
        G1, "numeric", "What is the value of pi (to 3 decimal places)? _____.",
        numeric((3.14159 - 0.0005, 3.14159 + 0.0005, 1.0)),
        right="3.142", wrong="3.14"), id="docs-numeric-pi-tolerance"),
    pytest.param(Case(
        "What is the value of pi (to 3 decimal places)? {#3.141..3.142}.",
        G1, "numeric", "What is the value of pi (to 3 decimal places)? _____.",
        numeric((3.141, 3.142, 1.0)), right="3.1415", wrong="3.15"), id="docs-numeric-pi-range"),
    pytest.param(Case(
        "::Q6:: What is a number from 1 to 5? {#1..5}\n"
        "// translated on import to the same as Q5, but unavailable from Moodle question interface",
        "q6", "numeric", "What is a number from 1 to 5?", numeric((1.0, 5.0, 1.0)),
        right="5", wrong="5.5", title="Q6"), id="docs-numeric-range-1-5"),
    pytest.param(Case(
        "::Q5:: What is a number from 1 to 5? {#3:2}",
        "q5", "numeric", "What is a number from 1 to 5?", numeric((1.0, 5.0, 1.0)),
        right="1", wrong="0", title="Q5"), id="docs-numeric-3-tolerance-2"),
    pytest.param(Case(
        "When was Ulysses S. Grant born? {#\n=1822:0      # Correct! Full credit.\n"
        "=%50%1822:2  # He was born in 1822. Half credit for being close.\n}",
        G1, "numeric", "When was Ulysses S. Grant born?",
        numeric((1822.0, 1822.0, 1.0), (1820.0, 1824.0, 0.5)),
        right="1822", wrong="1821", wrong_score=0.5, feedback="Correct! Full credit."),
        id="docs-numeric-multiple-answers"),
    pytest.param(Case(
        "// Subheading: Numerical questions below\nWhat's 2 plus 2? {#4}",
        G1, "numeric", "What's 2 plus 2?", numeric((4.0, 4.0, 1.0)), right="4", wrong="5"),
        id="docs-line-comment"),
    pytest.param(Case(
        "::Kanji Origins::Japanese characters originally\ncame from what country? {=China}",
        "kanji-origins", "short", "Japanese characters originally\ncame from what country?",
        short(("China", 1.0)), right="china", wrong="Korea", title="Kanji Origins"),
        id="docs-question-name-kanji"),
    pytest.param(Case(
        "::Thanksgiving Date::The American holiday of Thanksgiving is\n"
        "celebrated on the {~second ~third =fourth} Thursday of November.",
        "thanksgiving-date", "single",
        "The American holiday of Thanksgiving is\ncelebrated on the _____ Thursday of November.",
        single("thanksgiving-date", ("second", 0), ("third", 0), ("fourth", 1)),
        right="fourth", wrong="third", title="Thanksgiving Date"), id="docs-question-name-thanksgiving"),
    pytest.param(Case(
        "What's the answer to this multiple-choice question? {\n"
        "~wrong answer#feedback comment on the wrong answer\n"
        "~another wrong answer#feedback comment on this wrong answer\n"
        "=right answer#Very good!}",
        G1, "single", "What's the answer to this multiple-choice question?",
        single(G1, ("wrong answer", 0), ("another wrong answer", 0), ("right answer", 1)),
        right="right answer", wrong="wrong answer", feedback="Very good!",
        answer_feedback={
            option_id(G1, "wrong answer"): "feedback comment on the wrong answer",
            option_id(G1, "another wrong answer"): "feedback comment on this wrong answer",
            option_id(G1, "right answer"): "Very good!",
        }), id="docs-feedback-multichoice"),
    pytest.param(Case(
        "Who's buried in Grant's tomb? {\n=no one#excellent answer!\n=nobody#excellent answer!}",
        G1, "short", "Who's buried in Grant's tomb?", short(("no one", 1.0), ("nobody", 1.0)),
        right="No one.", wrong="Grant", feedback="excellent answer!"), id="docs-feedback-short"),
    pytest.param(Case(
        "Difficult question.{~wrong answer ~%50%half credit answer =full credit answer}",
        G1, "single", "Difficult question.",
        single(G1, ("wrong answer", 0), ("half credit answer", 0.5), ("full credit answer", 1)),
        right="full credit answer", wrong="half credit answer", wrong_score=0.5),
        id="docs-weights-difficult-question"),
    pytest.param(Case(
        "::Jesus' hometown::Jesus Christ was from {\n"
        "~Jerusalem#This was an important city, but the wrong answer.\n"
        "~%25%Bethlehem#He was born here, but not raised here.\n"
        "~%50%Galilee#You need to be more specific.\n"
        "=Nazareth#Yes! That's right!\n"
        "}.",
        "jesus-hometown", "single", "Jesus Christ was from _____.",
        single("jesus-hometown", ("Jerusalem", 0), ("Bethlehem", 0.25), ("Galilee", 0.5), ("Nazareth", 1)),
        right="Nazareth", wrong="Jerusalem", feedback="Yes! That's right!", title="Jesus' hometown",
        answer_feedback={
            option_id("jesus-hometown", "Jerusalem"): "This was an important city, but the wrong answer.",
            option_id("jesus-hometown", "Bethlehem"): "He was born here, but not raised here.",
            option_id("jesus-hometown", "Galilee"): "You need to be more specific.",
            option_id("jesus-hometown", "Nazareth"): "Yes! That's right!",
        }), id="docs-weights-jesus-multichoice"),
    pytest.param(Case(
        "::Jesus' hometown:: Jesus Christ was from {\n"
        "=Nazareth#Yes! That's right!\n"
        "=%75%Nazereth#Right, but misspelled.\n"
        "=%25%Bethlehem#He was born here, but not raised here.\n"
        "}",
        "jesus-hometown", "short", "Jesus Christ was from",
        short(("Nazareth", 1.0), ("Nazereth", 0.75), ("Bethlehem", 0.25)),
        right="nazareth", wrong="Nazereth", wrong_score=0.75, feedback="Yes! That's right!",
        title="Jesus' hometown"), id="docs-weights-jesus-short"),
    pytest.param(Case(
        "[markdown]The *American holiday of Thanksgiving* is celebrated on the {\n"
        "~second\n~third\n=fourth\n} Thursday of November.",
        G1, "single", "The *American holiday of Thanksgiving* is celebrated on the _____ Thursday of November.",
        single(G1, ("second", 0), ("third", 0), ("fourth", 1)),
        right="fourth", wrong="second"), id="docs-format-markdown"),
    pytest.param(Case(
        "Which answer equals 5? {\n~ \\= 2 + 2\n= \\= 2 + 3\n~ \\= 2 + 4\n}",
        G1, "single", "Which answer equals 5?",
        single(G1, ("= 2 + 2", 0), ("= 2 + 3", 1), ("= 2 + 4", 0)),
        right="= 2 + 3", wrong="= 2 + 4"), id="docs-escape-equals"),
    pytest.param(Case(
        "::GIFT Control Characters::\n"
        "Which of the following is NOT a control character for the GIFT import format? {\n"
        "~ \\~     # \\~ is a control character.\n"
        "~ \\=     # \\= is a control character.\n"
        "~ \\#     # \\# is a control character.\n"
        "~ \\{     # \\{ is a control character.\n"
        "~ \\}     # \\} is a control character.\n"
        "= \\      # Correct! \\ (backslash) is not a control character. BUT,\n"
        "           it is used to escape the control characters.\n"
        "}",
        "gift-control-characters", "single",
        "Which of the following is NOT a control character for the GIFT import format?",
        single("gift-control-characters", ("~", 0), ("=", 0), ("#", 0), ("{", 0), ("}", 0), ("\\", 1)),
        right="\\", wrong="#", title="GIFT Control Characters",
        feedback="Correct! \\ (backslash) is not a control character. BUT,\n"
                 "           it is used to escape the control characters.",
        answer_feedback={
            option_id("gift-control-characters", "~"): "~ is a control character.",
            option_id("gift-control-characters", "="): "= is a control character.",
            option_id("gift-control-characters", "#"): "# is a control character.",
            option_id("gift-control-characters", "{"): "{ is a control character.",
            option_id("gift-control-characters", "}"): "} is a control character.",
            option_id("gift-control-characters", "\\"):
                "Correct! \\ (backslash) is not a control character. BUT,\n"
                "           it is used to escape the control characters.",
        }), id="docs-escape-control-characters"),
    pytest.param(Case(
        "$CATEGORY: tom/dick/harry\n\n::Q1:: 1+1=2 {T}",
        "q1", "truefalse", "1+1=2", {"answer": True}, right=True, wrong=False,
        category="tom/dick/harry", title="Q1"), id="docs-category"),
    pytest.param(Case(
        "::Q2:: What's between orange and green in the spectrum?\n"
        "{ =yellow # right; good! ~red # wrong, it's yellow ~blue # wrong, it's yellow }",
        "q2", "single", "What's between orange and green in the spectrum?",
        single("q2", ("yellow", 1), ("red", 0), ("blue", 0)),
        right="yellow", wrong="blue", feedback="right; good!", title="Q2",
        answer_feedback={option_id("q2", "yellow"): "right; good!",
                         option_id("q2", "red"): "wrong, it's yellow",
                         option_id("q2", "blue"): "wrong, it's yellow"}), id="docs-quick-feedback"),
    pytest.param(Case(
        "::Q3:: Two plus {=two =2} equals four.",
        "q3", "short", "Two plus _____ equals four.", short(("two", 1.0), ("2", 1.0)),
        right="Two", wrong="three", title="Q3"), id="docs-quick-fill-in-the-blank"),
]

# ---------------------------------------------------------------- one case per construct

CONSTRUCTS = [
    pytest.param(Case(
        "Pick one. {=right ~%50%half ~wrong}",
        G1, "single", "Pick one.", single(G1, ("right", 1), ("half", 0.5), ("wrong", 0)),
        right="right", wrong="half", wrong_score=0.5), id="single-with-partial-weight"),
    pytest.param(Case(
        "Which are prime? {~%50%2 ~%50%3 ~%-100%4 ~6}",
        G1, "multiple", "Which are prime?",
        multiple(G1, "weights", ("2", 0.5), ("3", 0.5), ("4", -1), ("6", 0)),
        right=["2", "3", "6"], wrong=["2", "4"]), id="multiple-weights"),
    pytest.param(Case(
        "Only one weight. {~%100%right ~wrong}",
        G1, "multiple", "Only one weight.", multiple(G1, "weights", ("right", 1), ("wrong", 0)),
        right=["right"], wrong=["wrong"]), id="multiple-any-weight-without-equals"),
    pytest.param(Case(
        "Which are prime? {=2 =3 ~4 ~6}",
        G1, "multiple", "Which are prime?",
        multiple(G1, "all_or_nothing", ("2", 1), ("3", 1), ("4", 0), ("6", 0)),
        right=["2", "3"], wrong=["2"]), id="multiple-several-equals-all-or-nothing"),
    pytest.param(Case(
        "Several right, one penalty. {=a =b ~%-50%c ~d}",
        G1, "multiple", "Several right, one penalty.",
        multiple(G1, "weights", ("a", 1), ("b", 1), ("c", -0.5), ("d", 0)),
        right=["a"], wrong=["c", "d"]), id="multiple-several-equals-with-weights"),
    pytest.param(Case(
        "It is true. {T}", G1, "truefalse", "It is true.", {"answer": True}, right=True, wrong=False),
        id="truefalse-T"),
    pytest.param(Case(
        "It is true. {TRUE}", G1, "truefalse", "It is true.", {"answer": True}, right=True, wrong=False),
        id="truefalse-TRUE"),
    pytest.param(Case(
        "It is false. {F}", G1, "truefalse", "It is false.", {"answer": False}, right=False, wrong=True),
        id="truefalse-F"),
    pytest.param(Case(
        "It is false. {FALSE}", G1, "truefalse", "It is false.", {"answer": False},
        right=False, wrong=True), id="truefalse-FALSE"),
    pytest.param(Case(
        "The sun rises in the West.{F#Shown to a wrong answer.#Shown to a right answer.}",
        G1, "truefalse", "The sun rises in the West.", {"answer": False}, right=False, wrong=True,
        feedback="Shown to a right answer."), id="truefalse-both-feedbacks"),
    pytest.param(Case(
        "Spell the number. {=four =%50%for}",
        G1, "short", "Spell the number.", short(("four", 1.0), ("for", 0.5)),
        right="FOUR", wrong="for", wrong_score=0.5), id="short-with-weight"),
    pytest.param(Case(
        "Four plus one equals {5}",
        G1, "short", "Four plus one equals", short(("5", 1.0)), right="5", wrong="6"),
        id="short-bare-answer"),
    pytest.param(Case(
        "Which animal eats which food? {=cat -> cat food =dog -> dog food = -> fish food}",
        G1, "matching", "Which animal eats which food?",
        matching(G1, [("cat", "cat food"), ("dog", "dog food")], distractors=("fish food",)),
        right={"cat": "cat food", "dog": "dog food"}, wrong={"cat": "fish food", "dog": "fish food"}),
        id="matching-distractor"),
    pytest.param(Case(
        "How many? {#5}", G1, "numeric", "How many?", numeric((5.0, 5.0, 1.0)), right="5", wrong="6"),
        id="numeric-exact"),
    pytest.param(Case(
        "How much? {#5:0.5}", G1, "numeric", "How much?", numeric((4.5, 5.5, 1.0)),
        right="5.5", wrong="5.6"), id="numeric-tolerance"),
    pytest.param(Case(
        "Between? {#1..5}", G1, "numeric", "Between?", numeric((1.0, 5.0, 1.0)),
        right="1", wrong="0.9"), id="numeric-range"),
    pytest.param(Case(
        "How much? {# =%100%5:0 =%50%5:2}", G1, "numeric", "How much?",
        numeric((5.0, 5.0, 1.0), (3.0, 7.0, 0.5)), right="5", wrong="4", wrong_score=0.5),
        id="numeric-multiple-answers"),
    pytest.param(Case(
        "Freezing point of brine in Fahrenheit? {#-6..-4}", G1, "numeric",
        "Freezing point of brine in Fahrenheit?", numeric((-6.0, -4.0, 1.0)), right="-5", wrong="5"),
        id="numeric-negative-range"),
    pytest.param(Case(
        "Count. {#5 =%50%6 ~#Count again.}", G1, "numeric", "Count.",
        numeric((5.0, 5.0, 1.0), (6.0, 6.0, 0.5)), right="5", wrong="7"),
        id="numeric-bare-first-answer-and-other-feedback"),
    pytest.param(Case(
        "{=Two =2} plus two equals four.", G1, "short", "_____ plus two equals four.",
        short(("Two", 1.0), ("2", 1.0)), right="2", wrong="3"), id="missing-word-at-start"),
    pytest.param(Case(
        "::Grant's Tomb (1897)!::Who is buried there? {=Grant ~Lee}",
        "grants-tomb-1897", "single", "Who is buried there?",
        single("grants-tomb-1897", ("Grant", 1), ("Lee", 0)), right="Grant", wrong="Lee",
        title="Grant's Tomb (1897)!"), id="title-slug"),
    pytest.param(Case(
        "// a category for the whole file\n$CATEGORY: $course$/top/Default for Quiz\n\n"
        "// then a question\n::Q::Yes? {T}",
        "q", "truefalse", "Yes?", {"answer": True}, right=True, wrong=False,
        category="$course$/top/Default for Quiz", title="Q"), id="category-with-comments"),
    pytest.param(Case(
        "What is 2 \\{ 3 \\} \\= 1 \\~ 4 \\# 5 \\: 6? {T}",
        G1, "truefalse", "What is 2 { 3 } = 1 ~ 4 # 5 : 6?", {"answer": True}, right=True, wrong=False),
        id="escapes-in-stem"),
    pytest.param(Case(
        "First paragraph.\\n\\nSecond with a \\\\ backslash. {T}",
        G1, "truefalse", "First paragraph.\n\nSecond with a \\ backslash.", {"answer": True},
        right=True, wrong=False), id="escaped-newline-and-backslash"),
    pytest.param(Case(
        "::HTML::[html]<p>Is <b>this</b> bold?</p>{T}",
        "html", "truefalse", "<p>Is <b>this</b> bold?</p>", {"answer": True}, right=True, wrong=False,
        title="HTML"), id="format-html-kept-raw"),
    pytest.param(Case(
        "[plain]Plain *text*. {T}", G1, "truefalse", "Plain *text*.", {"answer": True},
        right=True, wrong=False), id="format-plain"),
    pytest.param(Case(
        "[moodle]Moodle auto-format. {F}", G1, "truefalse", "Moodle auto-format.", {"answer": False},
        right=False, wrong=True), id="format-moodle"),
    pytest.param(Case(
        "Pick a. {=a#A is right. ~b#B is wrong. ####General feedback wins.}",
        G1, "single", "Pick a.", single(G1, ("a", 1), ("b", 0)), right="a", wrong="b",
        feedback="General feedback wins.",
        answer_feedback={option_id(G1, "a"): "A is right.", option_id(G1, "b"): "B is wrong."}),
        id="general-feedback-over-answer-feedback"),
    pytest.param(Case(
        "Pick one. {\n// a comment line inside the answers\n=right\n   // indented comment\n~wrong\n}",
        G1, "single", "Pick one.", single(G1, ("right", 1), ("wrong", 0)), right="right", wrong="wrong"),
        id="comments-inside-a-question"),
    pytest.param(Case(
        "Windows line\r\nendings? {\r\n=yes\r\n~no\r\n}\r\n",
        G1, "single", "Windows line\nendings?", single(G1, ("yes", 1), ("no", 0)),
        right="yes", wrong="no"), id="crlf-line-endings"),
    pytest.param(Case(
        "Choose. {=[markdown]**bold** ~plain}",
        G1, "single", "Choose.", single(G1, ("**bold**", 1), ("plain", 0)),
        right="**bold**", wrong="plain"), id="format-marker-on-an-answer"),
]

ALL_CASES = DOCS_EXAMPLES + CONSTRUCTS


@pytest.mark.parametrize("case", ALL_CASES)
def test_parses_type_spec_feedback_and_grades(case: Case):
    question = parse_one(case.text)
    assert question.type == case.type
    assert question.key == case.key
    assert question.title == case.title
    assert question.category == case.category
    assert question.stem == case.stem
    assert question.spec == case.spec
    assert question.feedback == case.feedback
    assert question.answer_feedback == case.answer_feedback
    qtype = QUESTION_TYPES[question.type]
    assert qtype.validate(question.spec) == []
    right = qtype.grade(question.spec, answer_for(question.key, question.type, case.right))
    wrong = qtype.grade(question.spec, answer_for(question.key, question.type, case.wrong))
    assert right.score == pytest.approx(case.right_score)
    assert wrong.score == pytest.approx(case.wrong_score)


@pytest.mark.parametrize("case", ALL_CASES)
def test_round_trip_of_each_case(case: Case):
    question = parse_one(case.text)
    written = write_gift([question])
    again = parse_one(written)
    assert essentials(again) == essentials(question)
    assert again.answer_feedback == question.answer_feedback
    assert again.category == question.category


def test_partial_credit_examples_grade_in_between():
    entombed = parse_one("What two people are entombed in Grant's tomb? {~%-100%No one ~%50%Grant "
                         "~%50%Grant's wife ~%-100%Grant's father }")
    grade = QUESTION_TYPES["multiple"].grade
    assert grade(entombed.spec, answer_for(G1, "multiple", ["Grant"])).score == 0.5
    assert grade(entombed.spec, answer_for(G1, "multiple", ["Grant", "Grant's wife", "No one"])).score == 0
    animals = parse_one("Which animal eats which food? {=cat -> cat food =dog -> dog food =fish -> fish food}")
    result = QUESTION_TYPES["matching"].grade(
        animals.spec, answer_for(G1, "matching", {"cat": "cat food", "dog": "fish food", "fish": "dog food"}))
    assert result.score == pytest.approx(1 / 3)


# ---------------------------------------------------------------- the documentation page as one file


def test_the_documentation_examples_as_one_file():
    text = (SAMPLES / "moodle_docs.gift").read_text(encoding="utf-8")
    questions, problems = parse_gift(text, PATH)
    # Two essay examples are refused, and the page gives the title "Jesus' hometown" twice.
    assert [str(p) for p in problems] == [
        f"{PATH}:83: question 'gift-17': essay questions are not supported (the answer set {{ }} is empty)",
        f"{PATH}:122: question 'jesus-hometown': duplicate question key (also at line 115)",
        f"{PATH}:185: question 'q8': essay questions are not supported (the answer set {{ }} is empty)",
    ]
    assert len(questions) == 36
    keys = [q.key for q in questions]
    assert len(set(keys)) == len(keys)
    assert keys[:4] == ["gift-1", "grants-tomb", "gift-3", "gift-4"]
    assert "gift-17" not in keys and "gift-18" in keys  # numbering counts every question block
    by_key = {q.key: q for q in questions}
    assert by_key["gift-18"].line == 87
    assert [q.category for q in questions if q.category] == ["tom/dick/harry"] * 7
    assert by_key["q1"].category == "tom/dick/harry" and by_key["gift-1"].category is None
    assert {q.type for q in questions} == set(QUESTION_TYPES)
    assert by_key["q6"].spec == by_key["q5"].spec  # {#1..5} is the same as {#3:2}
    assert by_key["gift-12"].source_text.startswith("Match the following countries")
    assert by_key["grants-tomb"].source_text.startswith("::Grants tomb::")


def test_round_trip_of_the_documentation_file():
    questions, _ = parse_gift((SAMPLES / "moodle_docs.gift").read_text(encoding="utf-8"), PATH)
    written = write_gift(questions)
    again, problems = parse_gift(written, "written.gift")
    assert problems == []
    assert [essentials(q) for q in again] == [essentials(q) for q in questions]
    assert [q.answer_feedback for q in again] == [q.answer_feedback for q in questions]
    assert [q.category for q in again] == [q.category for q in questions]
    assert written.count("$CATEGORY:") == 1


# ---------------------------------------------------------------- malformed files

MALFORMED = [
    pytest.param(
        "::ok::Fine? {T}\n\n::open::Where is the brace closed? {\n=nowhere\n~here",
        [(3, "question 'open': unclosed brace: '{' is not closed by '}'")], id="unclosed-brace"),
    pytest.param(
        "::open::Brace on the second line\nof the question {=a ~b",
        [(2, "question 'open': unclosed brace")], id="unclosed-brace-line-of-the-brace"),
    pytest.param(
        "::essay::How are you? {}",
        [(1, "question 'essay': essay questions are not supported")], id="essay-empty-braces"),
    pytest.param(
        "// essay\nWrite a short biography of Dag Hammarskjöld. {}",
        [(2, "question 'gift-1': essay questions are not supported")], id="essay-docs-example"),
    pytest.param(
        "::essay::Tell me. {\n####Only general feedback.\n}",
        [(1, "question 'essay': essay questions are not supported")], id="essay-with-general-feedback"),
    pytest.param(
        "// instructions\n::intro::The next questions are about Grant.",
        [(2, "question 'intro': no answers in { }: description items are not supported")],
        id="description-only"),
    pytest.param(
        "::odd::Two plus two equals {\nfour =4}",
        [(2, "question 'odd': unknown answer syntax 'four': each answer must start with '='")],
        id="unknown-syntax-text-before-answers"),
    pytest.param(
        "::odd::Pick one {right ~wrong =also}",
        [(1, "unknown answer syntax 'right': each answer must start with '=' or '~'")],
        id="unknown-syntax-in-choice"),
    pytest.param(
        "::match::Match them { cat -> cat food =dog -> dog food =fish -> fish food}",
        [(1, "unknown answer syntax 'cat -> cat food'")], id="unknown-syntax-in-matching"),
    pytest.param(
        "::empty::Who is buried here? {\n=Grant\n=\n}",
        [(3, "question 'empty': '=' with no answer text")], id="equals-with-no-text-short"),
    pytest.param(
        "::empty::Pick one. {\n~no\n=  #feedback but no answer\n~maybe\n}",
        [(3, "question 'empty': '=' with no answer text")], id="equals-with-no-text-choice"),
    pytest.param(
        "::empty::Pick one. {=yes ~}",
        [(1, "question 'empty': '~' with no answer text")], id="tilde-with-no-text"),
    pytest.param(
        "::pair::Which animal eats which food? {=cat -> cat food}",
        [(1, "question 'pair': a matching question needs at least 2 pairs")], id="matching-one-pair"),
    pytest.param(
        "::match::Match them. {\n=cat -> cat food\n=dog\n=fish -> fish food }",
        [(3, "question 'match': a matching answer must look like '=left -> right', found '=dog'")],
        id="matching-answer-without-arrow"),
    pytest.param(
        "::match::Match them. {\n=cat -> cat food\n=dog ->\n=fish -> fish food }",
        [(3, "question 'match': a matching answer has nothing after '->'")], id="matching-empty-right"),
    pytest.param(
        "::num::Pick a number. {#five}",
        [(1, "question 'num': invalid numeric answer 'five': write a number, number:tolerance or low..high")],
        id="numeric-not-a-number"),
    pytest.param(
        "::num::When was Grant born? {#\n=1822:0\n=%50%18x2:2\n}",
        [(3, "question 'num': invalid numeric answer '18x2:2'")], id="numeric-bad-second-answer"),
    pytest.param(
        "::num::How far? {#1..x}", [(1, "invalid numeric answer '1..x'")], id="numeric-bad-range"),
    pytest.param(
        "::num::How much? {#5:}", [(1, "invalid numeric answer '5:'")], id="numeric-missing-tolerance"),
    pytest.param(
        "::num::How many?\n{#}", [(2, "question 'num': a numeric question needs a number after '#'")],
        id="numeric-empty"),
    pytest.param(
        "::num::How many? {#\n=%50%\n}", [(2, "question 'num': '=' with no number")],
        id="numeric-equals-with-no-number"),
    pytest.param(
        "::num::Range? {#5..1}", [(1, "question 'num': a numeric range runs from low to high")],
        id="numeric-reversed-range"),
    pytest.param(
        "::num::Any answer? {#*}", [(1, "invalid numeric answer '*'")], id="numeric-any-answer-star"),
    pytest.param(
        "::num::Half only? {#=%50%5}", [(1, "a numeric question needs one fully right answer")],
        id="numeric-no-full-credit"),
    pytest.param(
        "::stray::Closing } without an opening brace.",
        [(1, "question 'stray': '}' without an opening '{'")], id="stray-closing-brace"),
    pytest.param(
        "::nest::Pick {\n=a {b}\n~c }", [(2, "question 'nest': '{' inside an answer set")],
        id="nested-brace"),
    pytest.param(
        "::two::A {=a ~b} and\nB {=c ~d}", [(2, "question 'two': a question has one answer set { }")],
        id="two-answer-sets"),
    pytest.param(
        "::weight::Pick. {~%half%a =b}",
        [(1, "question 'weight': malformed weight 'half': write a percentage like %50%")],
        id="malformed-weight"),
    pytest.param(
        "::weight::Pick. {\n=b\n~%150%a\n}", [(3, "question 'weight': weight 150% is outside -100% to 100%")],
        id="weight-out-of-range"),
    pytest.param(
        "::open title Pick one. {=a ~b}", [(1, "question 'gift-1': the title is not closed by '::'")],
        id="title-not-closed"),
    pytest.param(
        "::blank::{=a ~b}", [(1, "question 'blank': the question has no text")], id="no-question-text"),
    pytest.param(
        "::none::Pick one. {~a ~b}",
        [(1, "question 'none': a single-choice question needs exactly one right option")],
        id="choice-without-right-answer"),
    pytest.param(
        "::part::Pick the two. {~%50%a ~%25%b ~c}",
        [(1, "question 'part': the right options' weights must add up to 100%")],
        id="multiple-weights-short-of-100"),
    pytest.param(
        "::num::Huge? {#1e400}", [(1, "invalid numeric answer '1e400'")], id="numeric-overflow"),
    pytest.param(
        "::same::Pick one. {=a ~a}", [(1, "question 'same': two options have the same text")],
        id="choice-duplicate-options"),
    pytest.param(
        "::short::What? {=%50%half}",
        [(1, "question 'short': a short-answer question needs at least one accepted answer")],
        id="short-without-full-credit"),
    pytest.param(
        "::Jesus' hometown::Jesus Christ was from {~Jerusalem =Nazareth}.\n\n"
        "::Jesus' hometown:: Jesus Christ was from {=Nazareth =%75%Nazereth}",
        [(3, "question 'jesus-hometown': duplicate question key (also at line 1)")],
        id="duplicate-title"),
    pytest.param(
        "::gift-2::First. {T}\n\nSecond. {F}",
        [(3, "question 'gift-2': duplicate question key (also at line 1)")], id="title-collides-with-number"),
    pytest.param(
        "// nothing but comments\n\n   \n// here", [(1, "the file holds no questions")], id="no-questions"),
]


@pytest.mark.parametrize(("text", "expected"), MALFORMED)
def test_malformed_blocks_are_reported_with_their_line(text, expected):
    questions, problems = parse_gift(text, PATH)
    assert len(problems) == len(expected), [str(p) for p in problems]
    for problem, (line, fragment) in zip(problems, expected):
        assert problem.path == PATH
        assert problem.line == line, str(problem)
        assert fragment in problem.message, str(problem)
        assert str(problem).startswith(f"{PATH}:{line}: ")
    # Only the well-formed questions of the file come back.
    keys = {q.key for q in questions}
    assert not keys & {"open", "essay", "intro", "odd", "empty", "pair", "match", "num", "stray",
                       "nest", "two", "weight", "blank", "none", "same", "short", "part"}


def test_one_bad_block_among_good_ones_is_reported_by_line():
    text = (
        "// A small quiz.\n"                                  # 1
        "$CATEGORY: quiz/one\n"                               # 2
        "\n"                                                  # 3
        "::first::Grant was a general.{T}\n"                  # 4
        "\n"                                                  # 5
        "::second::Who's buried in Grant's tomb? {\n"         # 6
        "  =Grant\n"                                          # 7
        "  ~Napoleon\n"                                       # 8
        "}\n"                                                 # 9
        "\n"                                                  # 10
        "// the broken one\n"                                 # 11
        "::third::When was Grant born? {#\n"                  # 12
        "  =1822:0\n"                                         # 13
        "  =%50%eighteen twenty-two\n"                        # 14
        "}\n"                                                 # 15
        "\n"                                                  # 16
        "::fourth::Two plus two equals {=four =4}\n"          # 17
    )
    questions, problems = parse_gift(text, PATH)
    assert [str(p) for p in problems] == [
        f"{PATH}:14: question 'third': invalid numeric answer 'eighteen twenty-two': "
        "write a number, number:tolerance or low..high",
    ]
    assert [(q.key, q.line, q.category) for q in questions] == [
        ("first", 4, "quiz/one"), ("second", 6, "quiz/one"), ("fourth", 17, "quiz/one")]


def test_every_malformed_block_is_reported():
    text = (
        "Good one. {T}\n"                          # 1  gift-1
        "\n"
        "Essay. {}\n"                              # 3  gift-2
        "\n"
        "Description only.\n"                      # 5  gift-3
        "\n"
        "Good two. {=a ~b}\n"                      # 7  gift-4
        "\n"
        "Unclosed {=a\n"                           # 9  gift-5
        "~b\n"
        "\n"
        "Matching {=a -> b}\n"                     # 12 gift-6
        "\n"
        "Good three. {#1..2}\n"                    # 14 gift-7
    )
    questions, problems = parse_gift(text, PATH)
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [
        (3, "question 'gift-2'"), (5, "question 'gift-3'"), (9, "question 'gift-5'"),
        (12, "question 'gift-6'")]
    assert [q.key for q in questions] == ["gift-1", "gift-4", "gift-7"]


def test_a_blank_line_inside_an_answer_set_splits_it_and_both_halves_are_reported():
    text = "::q::Pick one {\n=a\n\n~b\n}\n"
    _, problems = parse_gift(text, PATH)
    assert [(p.line, p.message) for p in problems] == [
        (1, "question 'q': unclosed brace: '{' is not closed by '}'"),
        (5, "question 'gift-2': '}' without an opening '{' (write \\} for a literal brace)"),
    ]


@pytest.mark.parametrize(("title", "key"), [
    pytest.param("Q1", "q1", id="upper-case"),
    pytest.param("Grants tomb", "grants-tomb", id="spaces"),
    pytest.param("Jesus' hometown", "jesus-hometown", id="apostrophe"),
    pytest.param("Café — crème brûlée", "cafe-creme-brulee", id="accents-and-dashes"),
    pytest.param("cr-q001", "cr-q001", id="already-a-key"),
    pytest.param("a--b", "a--b", id="already-a-key-with-double-hyphen"),
    pytest.param("  Spaced  ", "spaced", id="surrounding-space"),
    pytest.param("日本語", "", id="nothing-left"),
])
def test_slugify(title, key):
    assert slugify(title) == key


def test_a_title_with_nothing_usable_falls_back_to_the_number():
    question = parse_one("::日本語::Yes? {T}")
    assert question.key == "gift-1" and question.title == "日本語"


# ---------------------------------------------------------------- writing


def test_written_gift_shape():
    questions = [
        GiftQuestion(key="partial", title=None, category="bank/one", type="single",
                     stem="Which **one**?\n\nSee: 8 CFR 287.7 {a} #1 ~x =y",
                     spec=single("partial", ("right", 1), ("half", 0.5), ("wrong", 0)),
                     feedback="Because.", answer_feedback={option_id("partial", "half"): "Half."}),
        GiftQuestion(key="weights", title=None, category="bank/one", type="multiple", stem="Pick.",
                     spec=multiple("weights", "weights", ("a", 0.5), ("b", 0.5), ("c", -1)),
                     feedback=""),
        GiftQuestion(key="tf", title=None, category="bank/two", type="truefalse", stem="True?",
                     spec={"answer": True}, feedback="Yes."),
        GiftQuestion(key="pairs", title=None, category="bank/two", type="matching", stem="Match.",
                     spec=matching("pairs", [("cat", "cat food"), ("dog", "dog food")], ("fish food",)),
                     feedback=""),
        GiftQuestion(key="range", title=None, category="bank/two", type="numeric", stem="Range?",
                     spec=numeric((3.141, 3.142, 1.0)), feedback=""),
        GiftQuestion(key="tol", title=None, category="bank/two", type="numeric", stem="Tolerance?",
                     spec=numeric((1817.0, 1827.0, 1.0), (1800.0, 1850.0, 0.25)), feedback="Born 1822."),
        GiftQuestion(key="words", title=None, category="bank/two", type="short", stem="Say it.",
                     spec=short(("four", 1.0), ("for", 0.5)), feedback=""),
    ]
    written = write_gift(questions)
    assert written == (
        "$CATEGORY: bank/one\n"
        "\n"
        "::partial::[markdown]Which **one**?\\n\n"
        "See\\: 8 CFR 287.7 \\{a\\} \\#1 \\~x \\=y{\n"
        "\t=right\n"
        "\t~%50%half#Half.\n"
        "\t~wrong\n"
        "\t####Because.\n"
        "}\n"
        "\n"
        "::weights::[markdown]Pick.{\n"
        "\t~%50%a\n"
        "\t~%50%b\n"
        "\t~%-100%c\n"
        "}\n"
        "\n"
        "$CATEGORY: bank/two\n"
        "\n"
        "::tf::[markdown]True?{TRUE####Yes.}\n"
        "\n"
        "::pairs::[markdown]Match.{\n"
        "\t=cat -> cat food\n"
        "\t=dog -> dog food\n"
        "\t= -> fish food\n"
        "}\n"
        "\n"
        "::range::[markdown]Range?{#3.141..3.142}\n"
        "\n"
        "::tol::[markdown]Tolerance?{\n"
        "\t#\n"
        "\t=1822:5\n"
        "\t=%25%1825:25\n"
        "\t####Born 1822.\n"
        "}\n"
        "\n"
        "::words::[markdown]Say it.{\n"
        "\t=four\n"
        "\t=%50%for\n"
        "}\n"
    )
    again, problems = parse_gift(written, "written.gift")
    assert problems == []
    assert [essentials(q) for q in again] == [essentials(q) for q in questions]
    assert [q.category for q in again] == [q.category for q in questions]
    assert again[0].answer_feedback == questions[0].answer_feedback


AWKWARD_TEXTS = [
    pytest.param("Line one\n// not a comment\n\n\nLine after two blank lines", id="comment-and-blank-lines"),
    pytest.param("Ends with a backslash \\", id="trailing-backslash"),
    pytest.param("A \\{ literal escape and \\n two chars", id="backslash-sequences"),
    pytest.param("[html]<b>starts like a format marker</b>", id="leading-format-marker"),
    pytest.param("Has #### four hashes and :: colons", id="hashes-and-colons"),
    pytest.param("$CATEGORY: not a category", id="category-lookalike"),
    pytest.param("Indented\n    code block\n\t- tabbed item", id="indentation"),
    pytest.param("Whitespace-only line\n   \nafter it", id="whitespace-line"),
    pytest.param("Blank _____ already in the text", id="blank-in-text"),
]


@pytest.mark.parametrize("text", AWKWARD_TEXTS)
def test_round_trip_of_awkward_texts(text):
    key = "awkward"
    question = GiftQuestion(
        key=key, title=None, category=None, type="single", stem=text,
        spec=single(key, (text, 1), ("%50%ile", 0), ("%abc% odd", 0.25), ("plain", 0)),
        feedback=text, answer_feedback={option_id(key, "plain"): text})
    pairs = GiftQuestion(key="pairs", title=None, category=None, type="matching", stem=text,
                         spec=matching("pairs", [(text, "x -> y"), ("b", text)], (text + " d",)),
                         feedback=text)
    words = GiftQuestion(key="words", title=None, category=None, type="short", stem=text,
                         spec=short(("T", 1.0), ("%75%", 0.75), ("a ~ b = c", 1.0)), feedback=text)
    again, problems = parse_gift(write_gift([question, pairs, words]), PATH)
    assert [str(p) for p in problems] == []
    assert [essentials(q) for q in again] == [essentials(q) for q in (question, pairs, words)]
    assert again[0].answer_feedback == question.answer_feedback


@pytest.mark.parametrize(("low", "high", "written"), [
    pytest.param(5.0, 5.0, "{#5}", id="exact"),
    pytest.param(4.5, 5.5, "{#5:0.5}", id="tolerance"),
    pytest.param(1817.0, 1827.0, "{#1822:5}", id="tolerance-integer"),
    pytest.param(3.14159 - 0.0005, 3.14159 + 0.0005, "{#3.14159:0.0005}", id="tolerance-float-noise"),
    pytest.param(3.141, 3.142, "{#3.141..3.142}", id="range-not-exact-as-tolerance"),
    pytest.param(0.1, 0.3, "{#0.1..0.3}", id="range-float"),
    pytest.param(-6.0, -4.0, "{#-5:1}", id="negative"),
    pytest.param(1e-9, 3e-9, "{#1e-09..3e-09}", id="tiny"),
])
def test_numeric_ranges_are_written_exactly(low, high, written):
    question = GiftQuestion(key="n", title=None, category=None, type="numeric", stem="N?",
                            spec=numeric((low, high, 1.0)), feedback="")
    text = write_gift([question])
    assert written in text
    assert parse_one(text).spec == question.spec


@pytest.mark.parametrize("weight", [1 / 3, 2 / 3, 0.07, 1 - 0.07, 0.1 + 0.2, -0.25, 0.999, 1 - 0.999, 1e-20])
def test_weights_are_written_exactly(weight):
    question = GiftQuestion(key="w", title=None, category=None, type="multiple", stem="W?",
                            spec=multiple("w", "weights", ("a", weight), ("b", 1.0), ("c", -1.0)),
                            feedback="")
    assert parse_one(write_gift([question])).spec == question.spec


@pytest.mark.parametrize(("written", "weight"), [
    ("50", 0.5), ("-100", -1.0), ("33.33333", 0.3333333), ("99.9", 0.999), ("12.5", 0.125), ("0", 0.0),
])
def test_percentages_read_as_the_natural_fraction(written, weight):
    question = parse_one(f"W? {{~%{written}%a ~%100%b}}")
    assert question.spec["options"][0]["weight"] == weight


@pytest.mark.parametrize(("qtype", "spec", "message"), [
    pytest.param("multiple", multiple("k", "all_or_nothing", ("a", 1), ("b", 0), ("c", 0)),
                 "two or more right", id="all-or-nothing-with-one-right"),
    pytest.param("multiple", multiple("k", "all_or_nothing", ("a", 1), ("b", 1)),
                 "one or more wrong", id="all-or-nothing-without-wrong"),
    pytest.param("multiple", multiple("k", "all_or_nothing", ("a", 1), ("b", 0.5), ("c", 0)),
                 "must be 0 or 1", id="all-or-nothing-partial-weight"),
    pytest.param("multiple", multiple("k", "weights", ("a", 2), ("b", 0)), "outside -1 to 1",
                 id="weight-too-large"),
    pytest.param("short", short(("a -> b", 1.0)), "reads back as matching", id="short-with-arrow"),
    pytest.param("matching", matching("k", [("a -> b", "c"), ("d", "e")]), "cannot contain '->'",
                 id="matching-left-with-arrow"),
    pytest.param("essay", {}, "cannot be written", id="unknown-type"),
])
def test_write_refuses_what_would_not_read_back(qtype, spec, message):
    question = GiftQuestion(key="k", title=None, category=None, type=qtype, stem="S?", spec=spec,
                            feedback="")
    with pytest.raises(GiftWriteError, match=message):
        write_gift([question])


# Texts built from the pieces GIFT treats specially, to check escaping by property.
PROPERTY = settings(max_examples=150, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])
PIECES = ["a", "b", "Z9", " ", "  ", "\t", "\n", "\n\n", "~", "=", "#", "####", "{", "}", ":", "::",
          "\\", "\\n", "%", "%50%", "[html]", "[markdown]", "->", "//", "_____", "T", "$CATEGORY:", "é"]
TEXTS = st.lists(st.sampled_from(PIECES), min_size=1, max_size=12).map("".join).map(str.strip).filter(bool)
WORDS = TEXTS.filter(lambda t: any(ch.isalnum() for ch in t) and "->" not in t)


@PROPERTY
@given(stem=TEXTS, texts=st.lists(TEXTS, min_size=2, max_size=5, unique=True), right=st.integers(0, 4),
       feedback=st.one_of(st.just(""), TEXTS), option_feedback=st.lists(TEXTS, min_size=5, max_size=5))
def test_round_trip_property_single(stem, texts, right, feedback, option_feedback):
    key = "prop"
    items = [(text, 1.0 if n == right % len(texts) else 0.0) for n, text in enumerate(texts)]
    question = GiftQuestion(key=key, title=None, category=None, type="single", stem=stem,
                            spec=single(key, *items), feedback=feedback,
                            answer_feedback={option_id(key, t): f for t, f in zip(texts, option_feedback)})
    again = parse_one(write_gift([question]))
    assert essentials(again) == essentials(question)
    assert again.answer_feedback == question.answer_feedback


@PROPERTY
@given(texts=st.lists(TEXTS, min_size=3, max_size=6, unique=True),
       weights=st.lists(st.sampled_from([-1.0, -0.5, 0.0, 0.0, 0.25, 1 / 3, 0.5, 1.0]), min_size=6, max_size=6),
       feedback=st.one_of(st.just(""), TEXTS))
def test_round_trip_property_multiple(texts, weights, feedback):
    weights = weights[:len(texts)]
    if round(sum(w for w in weights if w > 0), 6) >= 1:  # the registry asks for 100% in all
        scored = GiftQuestion(key="scored", title=None, category=None, type="multiple", stem="Pick.",
                              spec=multiple("scored", "weights", *zip(texts, weights)), feedback=feedback)
        assert essentials(parse_one(write_gift([scored]))) == essentials(scored)
    flags = [1.0, 1.0, 0.0] + [1.0 if w > 0 else 0.0 for w in weights[3:]]
    strict = GiftQuestion(key="strict", title=None, category=None, type="multiple", stem="Pick.",
                          spec=multiple("strict", "all_or_nothing", *zip(texts, flags)), feedback=feedback)
    try:
        written = write_gift([strict])
    except GiftWriteError:  # only an option text that would read as a %n% weight is refused
        assert any(t.startswith("%") for t in texts)
        return
    assert essentials(parse_one(written)) == essentials(strict)


@PROPERTY
@given(stem=TEXTS, lefts=st.lists(WORDS, min_size=2, max_size=4, unique=True),
       rights=st.lists(TEXTS, min_size=4, max_size=4), distractors=st.lists(TEXTS, max_size=2),
       answers=st.lists(WORDS, min_size=1, max_size=3, unique=True), feedback=TEXTS)
def test_round_trip_property_matching_and_short(stem, lefts, rights, distractors, answers, feedback):
    pairs = GiftQuestion(key="pairs", title=None, category=None, type="matching", stem=stem,
                         spec=matching("pairs", list(zip(lefts, rights)), tuple(distractors)),
                         feedback=feedback)
    words = GiftQuestion(key="words", title=None, category=None, type="short", stem=stem,
                         spec=short(*[(a, 1.0) for a in answers]), feedback=feedback)
    again, problems = parse_gift(write_gift([pairs, words]), PATH)
    assert [str(p) for p in problems] == []
    assert [essentials(q) for q in again] == [essentials(pairs), essentials(words)]


def test_gift_to_question_sources():
    text = "$CATEGORY: tom/dick/harry\n\n// a comment\n::Q1:: 1+1=2 {T}\n\nUntitled {=a ~b}\n"
    questions, problems = parse_gift(text, PATH)
    assert problems == []
    sources = gift_to_question_sources(questions)
    assert sources == [
        QuestionSource(key="q1", type="truefalse", lesson="", cite="", tags=["tom/dick/harry"],
                       stem="1+1=2", feedback="", spec={"answer": True}, line=4,
                       source_text="::Q1:: 1+1=2 {T}\n"),
        QuestionSource(key="gift-2", type="single", lesson="", cite="", tags=["tom/dick/harry"],
                       stem="Untitled", feedback="", spec=single("gift-2", ("a", 1), ("b", 0)), line=6,
                       source_text="Untitled {=a ~b}\n"),
    ]
    no_category, _ = parse_gift("Yes? {T}", PATH)
    assert gift_to_question_sources(no_category)[0].tags == []


def test_write_gift_of_nothing_is_empty():
    assert write_gift([]) == ""


# ---------------------------------------------------------------- the project's banks


def test_there_are_banks_to_round_trip():
    assert len(BANK_FILES) >= 1


@pytest.mark.parametrize("bank_file", BANK_FILES, ids=[f.stem for f in BANK_FILES])
def test_round_trip_of_every_bank_question(bank_file: Path):
    problems = []
    bank = parse_bank(bank_file.read_text(encoding="utf-8"), bank_file.name, problems,
                      expected_key=bank_file.stem)
    assert problems == [] and bank is not None and bank.questions
    written = write_gift(bank.questions)
    again, gift_problems = parse_gift(written, f"{bank_file.stem}.gift")
    assert [str(p) for p in gift_problems] == []
    assert [q.key for q in again] == [q.key for q in bank.questions]
    for original, copy in zip(bank.questions, again):
        assert essentials(copy) == essentials(original), original.key
    # And the parsed copy writes to the very same GIFT text.
    assert write_gift(again) == written
