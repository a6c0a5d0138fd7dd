"""Read and write Moodle GIFT question files. Pure: no Flask, no database.

GIFT (https://docs.moodle.org/en/GIFT_format) keeps one question per
blank-line separated block:

    // a comment line
    $CATEGORY: tom/dick/harry

    ::Grant's tomb::[markdown]Who is buried in Grant's tomb? {
        =Grant#Yes.
        ~No one#He was moved there in 1897.
        ####General feedback.
    }

`parse_gift` turns a file into `GiftQuestion`s whose `spec` is exactly what
the question-type registry (`app.assessments.types`) expects, and reports
every malformed block as a `Problem(path, line, message)`, like the
Markdown bank parser. `write_gift` writes questions (parsed ones, or bank
`QuestionSource`s) back as GIFT that `parse_gift` reads to the same keys,
types, specs and feedback.

Mapping of GIFT answer sets to the project's types:

- `{=right ~wrong}` -> single; `{=right ~%50%half ~wrong}` stays single with
  the partial weight.
- `~%n%` weights without exactly one `=` -> multiple, scoring "weights"
  (50% -> 0.5). Two or more `=` answers and no weights -> multiple,
  scoring "all_or_nothing" (every `=` answer must be chosen). Moodle reads
  the latter as a single choice with several right answers; it is the only
  way to carry this project's all-or-nothing questions in GIFT.
- `{T}` `{TRUE}` `{F}` `{FALSE}` -> truefalse.
- `{=a =%50%b}` (only `=` answers), or one bare answer `{a}` -> short.
- `{=left -> right ...}` -> matching; `= -> text` is a distractor.
- `{#5}` `{#5:0.5}` `{#1..5}` `{# =5:0 =%50%5:2}` -> numeric.

Keys come from the `::title::` (slugified) or are `gift-<n>`, n counting
every question block of the file. Stems keep their text after a `[markdown]`,
`[html]`, `[plain]` or `[moodle]` marker (HTML stays raw HTML for the app's
sanitizer); answers before closing punctuation make a missing-word stem
"before _____ after". `feedback` is the general feedback after `####`, else
the `#feedback` of the right answer(s) (for true/false the one Moodle shows a
right answer, else the one it shows a wrong answer), else "". For choice
questions `answer_feedback` maps option ids to their `#feedback`.

Not supported (reported as problems): essay `{}`, description items (no
braces), Moodle's numeric "any answer" `*`, and plugin question types.
Moodle's numeric `~#feedback` for other answers is read and dropped.

`write_gift` escapes the control characters and the backslash, writes a
line break that GIFT would misread (a blank line, or a line starting with
//) as the escape backslash-n, marks every stem `[markdown]`, and raises
`GiftWriteError` for the few specs GIFT cannot carry so that they read
back the same (see `_write_choice`).
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable

from app.assessments.banks import QuestionSource
from app.assessments.types import QUESTION_TYPES, option_id
from app.courses.loader import ID_PATTERN, Problem, normalize_newlines

BLANK = "_____"
FORMATS = ("moodle", "html", "plain", "markdown")
TRUE_WORDS = ("T", "TRUE")
FALSE_WORDS = ("F", "FALSE")
KEY_MAX = 64

# Escaped characters become private-use placeholders while a block is parsed,
# as Moodle's importer does, so `\{` or `\=` never act as syntax.
_CONTROL = "~=#{}:"
_PLACEHOLDER = {ch: chr(0xE000 + n) for n, ch in enumerate(_CONTROL + "\\")}
_NEWLINE = chr(0xE010)
_RESTORE = {ph: ch for ch, ph in _PLACEHOLDER.items()}
_RESTORE[_NEWLINE] = "\n"

_FORMAT_MARKER = re.compile(r"^\s*\[(" + "|".join(FORMATS) + r")\]")
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_WEIGHT_LIKE = re.compile(r"^%[^%\s#]*%")
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")


@dataclass
class GiftQuestion:
    key: str
    title: str | None
    category: str | None
    type: str
    stem: str
    spec: dict
    feedback: str
    answer_feedback: dict[str, str] = field(default_factory=dict)
    line: int = 1
    source_text: str = ""


class GiftWriteError(ValueError):
    """A question whose spec cannot be written as GIFT that reads back the same."""


# ---------------------------------------------------------------- reading


def parse_gift(text: str, path: str) -> tuple[list[GiftQuestion], list[Problem]]:
    """Parse a GIFT file; return its usable questions and a problem for every bad block."""
    text = normalize_newlines(text)
    if text.startswith("\ufeff"):
        text = text[1:]
    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            current.append((number, line))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)

    questions: list[GiftQuestion] = []
    problems: list[Problem] = []
    category: str | None = None
    count = 0
    seen: dict[str, int] = {}
    for block in blocks:
        content = [(n, line) for n, line in block if not line.lstrip().startswith("//")]
        if not content:
            continue  # comments only
        first = content[0][1].lstrip()
        if first.startswith("$CATEGORY:"):
            category = _restore(_protect(first[len("$CATEGORY:"):])).strip() or None
            category_line = content[0][0]
            content = content[1:]
            block = [(n, line) for n, line in block if n > category_line]
            if not content:
                continue
        count += 1
        start = content[0][0]
        source = "\n".join(line for n, line in block if n >= start) + "\n"
        key, question, block_problems = _parse_block(content, count, category, path, source)
        problems.extend(block_problems)
        if key is None:
            continue
        if key in seen:
            problems.append(Problem(path, start, (
                f"question '{key}': duplicate question key (also at line {seen[key]})")))
            continue
        seen[key] = start
        if question is not None:
            questions.append(question)
    if count == 0:
        problems.append(Problem(path, 1, "the file holds no questions"))
    return questions, problems


def _protect(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt == "\\" or nxt in _CONTROL:
                out.append(_PLACEHOLDER[nxt])
                i += 2
                continue
            if nxt == "n":
                out.append(_NEWLINE)
                i += 2
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def _restore(text: str) -> str:
    return "".join(_RESTORE.get(ch, ch) for ch in text)


def _clean(protected: str) -> str:
    """Restore escapes, drop a leading [format] marker and surrounding space."""
    text = _restore(protected).strip()
    match = _FORMAT_MARKER.match(text)
    return text[match.end():].strip() if match else text


def slugify(title: str) -> str:
    """Turn a GIFT title into a key: lower-case ASCII letters, digits and hyphens."""
    if ID_PATTERN.match(title):
        return title
    text = re.sub(r"['’`]", "", title)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text[:KEY_MAX].strip("-")


def _number(raw: str) -> float | None:
    raw = raw.strip()
    value = float(raw) if _NUMBER.match(raw) else None
    return value if value is not None and math.isfinite(value) else None


def _join_feedback(texts: Iterable[str]) -> str:
    return "\n\n".join(dict.fromkeys(t for t in texts if t))


def _split_answers(text: str, markers: str) -> tuple[str, list[tuple[str, str, int]]]:
    """Split an answer set at each marker: the text before the first, and (marker, body, offset)."""
    starts = [i for i, ch in enumerate(text) if ch in markers]
    lead = text[:starts[0]] if starts else text
    segments = []
    for n, i in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(text)
        segments.append((text[i], text[i + 1:end], i + 1))
    return lead, segments


class _Block:
    """One question block being parsed: its text with escapes protected, and line lookup."""

    def __init__(self, content: list[tuple[int, str]], path: str, key: str):
        self.lines = [n for n, _ in content]
        self.text = _protect("\n".join(line for _, line in content))
        self.path = path
        self.key = key
        self.problems: list[Problem] = []

    @property
    def start(self) -> int:
        return self.lines[0]

    def line_at(self, offset: int) -> int:
        return self.lines[min(self.text.count("\n", 0, max(offset, 0)), len(self.lines) - 1)]

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, f"question '{self.key}': {message}"))


def _parse_block(content, number, category, path, source):
    block = _Block(content, path, f"gift-{number}")
    text = block.text
    pos = len(text) - len(text.lstrip())
    title = None
    if text.startswith("::", pos):
        end = text.find("::", pos + 2)
        if end < 0:
            block.problem(block.start, "the title is not closed by '::'")
            return None, None, block.problems
        title = _restore(text[pos + 2:end]).strip()
        block.key = slugify(title) or block.key
        pos = end + 2

    opening, closing = text.find("{", pos), text.find("}", pos)
    if opening < 0 and closing < 0:
        block.problem(block.start, (
            "no answers in { }: description items are not supported"))
        return block.key, None, block.problems
    if closing >= 0 and (opening < 0 or closing < opening):
        block.problem(block.line_at(closing), "'}' without an opening '{' (write \\} for a literal brace)")
        return block.key, None, block.problems
    if closing < 0:
        block.problem(block.line_at(opening), "unclosed brace: '{' is not closed by '}'")
        return block.key, None, block.problems
    nested = text.find("{", opening + 1, closing)
    if nested >= 0:
        block.problem(block.line_at(nested), (
            "'{' inside an answer set (write \\{ for a literal brace)"))
        return block.key, None, block.problems
    extra = min((i for i in (text.find("{", closing + 1), text.find("}", closing + 1)) if i >= 0),
                default=-1)
    if extra >= 0:
        block.problem(block.line_at(extra), (
            "a question has one answer set { }; write \\{ or \\} for a literal brace"))
        return block.key, None, block.problems

    before, after = text[pos:opening], text[closing + 1:]
    stem_text = before + BLANK + after if after.strip() else before
    stem = _clean(stem_text)
    inner = text[opening + 1:closing]
    base = opening + 1
    general = None
    separator = inner.rfind("####")
    if separator >= 0:
        general = _clean(inner[separator + 4:])
        inner = inner[:separator]

    if not inner.strip():
        block.problem(block.start, "essay questions are not supported (the answer set { } is empty)")
        return block.key, None, block.problems
    body = inner.lstrip()
    if body.startswith("#"):
        parsed = _numeric(block, inner, base)
    elif "~" in inner:
        parsed = _choice(block, inner, base)
    elif "=" in inner and "->" in inner:
        parsed = _matching(block, inner, base)
    elif inner.split("#", 1)[0].strip() in TRUE_WORDS + FALSE_WORDS:
        parsed = _truefalse(inner)
    else:
        parsed = _short(block, inner, base)
    if not stem:
        block.problem(block.start, "the question has no text")
    if parsed is None or block.problems:
        return block.key, None, block.problems
    qtype, spec, right_feedback, answer_feedback = parsed
    for message in QUESTION_TYPES[qtype].validate(spec):
        block.problem(block.start, message)
    if block.problems:
        return block.key, None, block.problems
    return block.key, GiftQuestion(
        key=block.key, title=title, category=category, type=qtype, stem=stem, spec=spec,
        feedback=general if general is not None else right_feedback,
        answer_feedback=answer_feedback, line=block.start, source_text=source,
    ), block.problems


def _check_lead(block: _Block, lead: str, base: int, markers: str) -> None:
    if lead.strip():
        offset = base + len(lead) - len(lead.lstrip())
        block.problem(block.line_at(offset), (
            f"unknown answer syntax {_restore(lead.strip())!r}: "
            f"each answer must start with {' or '.join(repr(m) for m in markers)}"))


def _weight(block: _Block, body: str, offset: int) -> tuple[float | None, str]:
    """Read a leading %n% weight; return (weight or None, the rest of the answer)."""
    stripped = body.lstrip()
    match = _WEIGHT.match(stripped)
    if match is None:
        if _WEIGHT_LIKE.match(stripped):
            block.problem(block.line_at(offset), (
                f"malformed weight {stripped.split('%')[1]!r}: write a percentage like %50%"))
        return None, body
    percent = Decimal(match.group(1))
    if not -100 <= percent <= 100:
        block.problem(block.line_at(offset), f"weight {match.group(1)}% is outside -100% to 100%")
    # Decimal division is a plain shift, so 99.9% is read as the float 0.999 exactly.
    return float(percent / 100), stripped[match.end():]


def _choice(block: _Block, inner: str, base: int):
    lead, segments = _split_answers(inner, "=~")
    _check_lead(block, lead, base, "=~")
    options, feedback, rights = [], {}, 0
    weighted = False
    for marker, body, offset in segments:
        weight, rest = _weight(block, body, base + offset)
        weighted = weighted or weight is not None
        if marker == "=":
            rights += 1
        text_part, _, feedback_part = rest.partition("#")
        text = _clean(text_part)
        if not text:
            block.problem(block.line_at(base + offset - 1), f"'{marker}' with no answer text")
            continue
        if weight is None:
            weight = 1.0 if marker == "=" else 0.0
        option = {"id": option_id(block.key, text), "text": text, "weight": weight}
        options.append(option)
        if _clean(feedback_part):
            feedback[option["id"]] = _clean(feedback_part)
    if rights == 1 or (rights == 0 and not weighted):
        qtype, spec = "single", {"options": options, "shuffle": True}
        right = [o for o in options if o["weight"] >= 1]
    else:
        scoring = "weights" if weighted else "all_or_nothing"
        qtype, spec = "multiple", {"options": options, "shuffle": True, "scoring": scoring}
        right = [o for o in options if o["weight"] > 0]
    return qtype, spec, _join_feedback(feedback.get(o["id"], "") for o in right), feedback


def _matching(block: _Block, inner: str, base: int):
    lead, segments = _split_answers(inner, "=")
    _check_lead(block, lead, base, "=")
    pairs, distractors = [], []
    for _, body, offset in segments:
        line = block.line_at(base + offset - 1)
        if "->" not in body:
            block.problem(line, f"a matching answer must look like '=left -> right', found "
                                f"{_restore('=' + body).strip()!r}")
            continue
        left_part, right_part = body.split("->", 1)
        left, right = _clean(left_part), _restore(right_part).strip()
        if not right:
            block.problem(line, "a matching answer has nothing after '->'")
            continue
        if left:
            pairs.append({"id": option_id(block.key, "L:" + left), "left": left, "right": right,
                          "right_id": option_id(block.key, "R:" + right)})
        else:
            distractors.append({"id": option_id(block.key, "R:" + right), "text": right})
    return "matching", {"pairs": pairs, "distractors": distractors}, "", {}


def _truefalse(inner: str):
    parts = inner.split("#", 2)
    word = parts[0].strip()
    wrong = _clean(parts[1]) if len(parts) > 1 else ""
    right = _clean(parts[2]) if len(parts) > 2 else ""
    # Moodle shows the first #feedback to a wrong answer and the second to a
    # right one; the review feedback prefers the right one.
    return "truefalse", {"answer": word in TRUE_WORDS}, right or wrong, {}


def _short(block: _Block, inner: str, base: int):
    if "=" in inner:
        lead, segments = _split_answers(inner, "=")
        _check_lead(block, lead, base, "=")
    else:  # one right answer may be written without '='
        segments = [("", inner, 0)]
    answers, right_feedback = [], []
    for marker, body, offset in segments:
        weight, rest = _weight(block, body, base + offset)
        text_part, _, feedback_part = rest.partition("#")
        text = _clean(text_part)
        if not text:
            block.problem(block.line_at(base + offset - 1), f"'{marker or '='}' with no answer text")
            continue
        weight = 1.0 if weight is None else weight
        answers.append({"text": text, "weight": weight})
        if weight >= 1:
            right_feedback.append(_clean(feedback_part))
    return "short", {"answers": answers}, _join_feedback(right_feedback), {}


def _numeric(block: _Block, inner: str, base: int):
    hash_at = inner.index("#")
    body = inner[hash_at + 1:]
    body_base = base + hash_at + 1
    wrong = body.find("~")  # Moodle's feedback for any other answer: not kept
    if wrong >= 0:
        body = body[:wrong]
    lead, segments = _split_answers(body, "=")
    if lead.strip():  # the first answer may be written without '='
        segments.insert(0, ("", lead.lstrip(), len(lead) - len(lead.lstrip())))
    if not segments:
        block.problem(block.line_at(base + hash_at), "a numeric question needs a number after '#'")
        return None
    answers, right_feedback = [], []
    for marker, body_part, offset in segments:
        line = block.line_at(body_base + offset - (1 if marker else 0))
        weight, rest = _weight(block, body_part, body_base + offset)
        value_part, _, feedback_part = rest.partition("#")
        value = _restore(value_part).strip()
        if ".." in value_part:
            low_raw, high_raw = value_part.split("..", 1)
            low, high = _number(_restore(low_raw)), _number(_restore(high_raw))
            bounds = (low, high) if low is not None and high is not None else None
        elif ":" in value_part:
            value_raw, tolerance_raw = value_part.split(":", 1)
            middle, tolerance = _number(_restore(value_raw)), _number(_restore(tolerance_raw))
            bounds = (None if middle is None or tolerance is None
                      else (middle - abs(tolerance), middle + abs(tolerance)))
        else:
            middle = _number(value)
            bounds = None if middle is None else (middle, middle)
        if not value:
            block.problem(line, f"'{marker or '#'}' with no number")
            continue
        if bounds is None:
            block.problem(line, (
                f"invalid numeric answer {value!r}: write a number, number:tolerance or low..high"))
            continue
        weight = 1.0 if weight is None else weight
        answers.append({"min": bounds[0], "max": bounds[1], "weight": weight})
        if weight >= 1:
            right_feedback.append(_clean(feedback_part))
    if block.problems:
        return None
    return "numeric", {"answers": answers}, _join_feedback(right_feedback), {}


# ---------------------------------------------------------------- writing


def write_gift(questions: Iterable[Any]) -> str:
    """Write questions (GiftQuestion, or anything with key, type, stem, spec, feedback) as GIFT."""
    chunks, category = [], None
    for question in questions:
        this_category = getattr(question, "category", None)
        if this_category and this_category != category:
            chunks.append(f"$CATEGORY: {this_category}")
            category = this_category
        chunks.append(_write_question(question))
    return "\n\n".join(chunks) + "\n" if chunks else ""


def escape_text(text: str) -> str:
    """Escape GIFT control characters; keep line breaks except where GIFT would misread them.

    A blank line would end the question and a line starting with // would be
    a comment, so those line breaks are written as the escape \\n.
    """
    out = []
    for n, line in enumerate((text or "").split("\n")):
        escaped = "".join("\\" + ch if ch in _CONTROL or ch == "\\" else ch for ch in line)
        if n == 0:
            out.append(escaped)
        elif not line.strip() or line.lstrip().startswith("//"):
            out.append("\\n" + escaped)
        else:
            out.append("\n" + escaped)
    return "".join(out)


def _text(text: str) -> str:
    """Escape an answer or feedback text so a leading [format] stays part of it."""
    escaped = escape_text(text)
    return "[markdown]" + escaped if _FORMAT_MARKER.match(text or "") else escaped


def _percent(weight: float, key: str) -> str:
    """Write a weight as the percentage the reader turns back into the very same float."""
    if not -1 <= weight <= 1:
        raise GiftWriteError(f"question '{key}': weight {weight} is outside -1 to 1")
    if weight == 0:
        return "0"
    return format((Decimal(repr(float(weight))) * 100).normalize(), "f")


def _num(value: float) -> str:
    value = float(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _range(low: float, high: float) -> str:
    """Write an accepted range: `value`, `value:tolerance` when it reads back exactly
    and is no longer, else `low..high`."""
    if low == high:
        return _num(low)
    span = f"{_num(low)}..{_num(high)}"
    middle, tolerance = (low + high) / 2, (high - low) / 2
    best = None
    for m_digits in range(1, 18):
        m = float(f"{middle:.{m_digits}g}")
        for t_digits in range(1, 18):
            t = float(f"{tolerance:.{t_digits}g}")
            if m - t == low and m + t == high:  # as the reader computes it
                text = f"{_num(m)}:{_num(t)}"
                best = text if best is None or len(text) < len(best) else best
                break
    return best if best is not None and len(best) <= len(span) else span


def _write_question(question) -> str:
    key, qtype, spec = question.key, question.type, question.spec or {}
    feedback = question.feedback or ""
    answer_feedback = dict(getattr(question, "answer_feedback", None) or {})
    head = f"::{escape_text(key)}::[markdown]{escape_text(question.stem)}"
    general = f"\t####{_text(feedback)}" if feedback or answer_feedback else ""

    if qtype == "truefalse":
        word = "TRUE" if spec.get("answer") else "FALSE"
        return head + "{" + word + (f"####{_text(feedback)}" if general else "") + "}"

    lines: list[str] = []
    if qtype in ("single", "multiple"):
        lines = _write_choice(key, qtype, spec, answer_feedback)
    elif qtype == "short":
        for answer in spec.get("answers") or []:
            text, weight = answer["text"], float(answer.get("weight", 1))
            if "->" in text:
                raise GiftWriteError(f"question '{key}': a short answer with '->' reads back as matching")
            explicit = weight != 1 or _needs_weight(text)
            lines.append("\t=" + (f"%{_percent(weight, key)}%" if explicit else "") + _text(text))
        if not lines:
            raise GiftWriteError(f"question '{key}': a short-answer question needs an answer")
    elif qtype == "matching":
        for pair in spec.get("pairs") or []:
            if "->" in pair["left"]:
                raise GiftWriteError(f"question '{key}': a matching item cannot contain '->'")
            lines.append(f"\t={_text(pair['left'])} -> {escape_text(pair['right'])}")
        for distractor in spec.get("distractors") or []:
            lines.append(f"\t= -> {escape_text(distractor['text'])}")
        if not lines:
            raise GiftWriteError(f"question '{key}': a matching question needs pairs")
    elif qtype == "numeric":
        answers = spec.get("answers") or []
        if not answers:
            raise GiftWriteError(f"question '{key}': a numeric question needs an answer")
        if len(answers) == 1 and float(answers[0].get("weight", 1)) == 1 and not general:
            return head + "{#" + _range(answers[0]["min"], answers[0]["max"]) + "}"
        lines.append("\t#")
        for answer in answers:
            weight = float(answer.get("weight", 1))
            percent = f"%{_percent(weight, key)}%" if weight != 1 else ""
            lines.append(f"\t={percent}{_range(answer['min'], answer['max'])}")
    else:
        raise GiftWriteError(f"question '{key}': type '{qtype}' cannot be written as GIFT")
    if general:
        lines.append(general)
    return head + "{\n" + "\n".join(lines) + "\n}"


def _needs_weight(text: str) -> bool:
    """True when an answer text would be read as a %n% weight unless a weight precedes it."""
    return bool(_WEIGHT_LIKE.match(_protect(escape_text(text or "")).lstrip()))  # as read back


def _write_choice(key: str, qtype: str, spec: dict, answer_feedback: dict) -> list[str]:
    options = spec.get("options") or []
    all_or_nothing = qtype == "multiple" and spec.get("scoring", "all_or_nothing") == "all_or_nothing"
    weights = [float(o.get("weight", 0)) for o in options]
    if all_or_nothing:
        if any(w not in (0, 1) for w in weights):
            raise GiftWriteError(f"question '{key}': all-or-nothing weights must be 0 or 1")
        if sum(1 for w in weights if w == 1) < 2 or 0 not in weights:
            raise GiftWriteError(f"question '{key}': an all-or-nothing multiple-response question "
                                 f"needs two or more right and one or more wrong options in GIFT")
        if any(_needs_weight(o["text"]) for o in options):
            raise GiftWriteError(f"question '{key}': an all-or-nothing option cannot start with %n%")
    lines = []
    for option, weight in zip(options, weights):
        text = option["text"]
        explicit = _needs_weight(text)
        if all_or_nothing:
            marker = "=" if weight == 1 else "~"
        elif qtype == "single" and weight >= 1:
            marker = "=" + (f"%{_percent(weight, key)}%" if weight != 1 or explicit else "")
        elif weight == 0 and not explicit:
            marker = "~"
        else:
            marker = f"~%{_percent(weight, key)}%"
        line = f"\t{marker}{_text(text)}"
        if answer_feedback.get(option["id"]):
            line += "#" + _text(answer_feedback[option["id"]])
        lines.append(line)
    return lines


# ---------------------------------------------------------------- banks


def gift_to_question_sources(questions: Iterable[GiftQuestion]) -> list[QuestionSource]:
    """Map parsed GIFT questions to the bank loader's QuestionSource records."""
    return [
        QuestionSource(
            key=q.key, type=q.type, lesson="", cite="",
            tags=[q.category] if q.category else [], stem=q.stem, feedback=q.feedback,
            spec=q.spec, line=q.line, source_text=q.source_text,
        )
        for q in questions
    ]
