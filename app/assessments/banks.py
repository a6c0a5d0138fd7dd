"""Read question banks written in Markdown (format in content/README.md). Pure.

Each problem names the file and line, like the lesson loader, and parsing
goes on after a problem so one run reports them all.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from app.assessments.types import QUESTION_TYPES, option_id
from app.courses.loader import (
    ID_PATTERN, STATUSES, SUBJECT_AREAS, Problem, normalize_newlines, sha256_text,
)

BANK_KEYS = ("id", "title", "subject", "status")
HEADER_KEYS = ("type", "lesson", "cite", "answer", "tolerance", "answers", "tags")
QUESTION_HEADING = re.compile(r"^##\s+(\S+)\s*$")
OPTION_LINE = re.compile(r"^-\s+\[( |x|X)\]\s+(.+)$")
PAIR_LINE = re.compile(r"^-\s+(.+?)\s+=>\s+(.+)$")
HEADER_LINE = re.compile(r"^([a-z]+):\s*(.*)$")


@dataclass
class QuestionSource:
    key: str
    type: str
    lesson: str
    cite: str
    tags: list[str]
    stem: str
    feedback: str
    spec: dict
    line: int
    source_text: str

    @property
    def content_hash(self) -> str:
        return sha256_text(self.source_text)


@dataclass
class BankSource:
    key: str
    path: str
    title: str
    subject: str
    status: str
    questions: list[QuestionSource] = field(default_factory=list)


def parse_bank(text: str, path: str, problems: list[Problem],
               expected_key: str | None = None) -> BankSource | None:
    """Parse one bank file; append problems; return the bank with its usable questions."""
    lines = normalize_newlines(text).split("\n")
    if not lines or lines[0].strip() != "---":
        problems.append(Problem(path, 1, "missing front matter: the file must start with a '---' line"))
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        problems.append(Problem(path, 1, "front matter is not closed by a '---' line"))
        return None
    try:
        front = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problems.append(Problem(path, (mark.line + 2) if mark else 1, "YAML syntax error in front matter"))
        return None
    if not isinstance(front, dict):
        problems.append(Problem(path, 2, "front matter must be a mapping of keys to values"))
        return None
    ok = True
    for key in front:
        if key not in BANK_KEYS:
            problems.append(Problem(path, _line_of(lines, key, end), (
                f"unknown front-matter key '{key}' (allowed: {', '.join(BANK_KEYS)})")))
            ok = False
    for key in BANK_KEYS:
        if key not in front:
            problems.append(Problem(path, 1, f"missing front-matter key '{key}'"))
            ok = False
    if not ok:
        return None
    if expected_key is not None and front["id"] != expected_key:
        problems.append(Problem(path, _line_of(lines, "id", end),
                                f"id '{front['id']}' does not match the file name '{expected_key}.md'"))
        return None
    if front["subject"] not in SUBJECT_AREAS:
        problems.append(Problem(path, _line_of(lines, "subject", end),
                                f"unknown subject area '{front['subject']}'"))
        return None
    if front["status"] not in STATUSES:
        problems.append(Problem(path, _line_of(lines, "status", end),
                                f"status must be one of: {', '.join(STATUSES)}"))
        return None
    bank = BankSource(key=str(front["id"]), path=path, title=str(front["title"]),
                      subject=front["subject"], status=front["status"])
    starts = [i for i in range(end + 1, len(lines)) if QUESTION_HEADING.match(lines[i])]
    if not starts:
        problems.append(Problem(path, end + 2, "a bank needs at least one '## question-id' section"))
    for n, start in enumerate(starts):
        stop = starts[n + 1] if n + 1 < len(starts) else len(lines)
        question = _parse_question(lines, start, stop, path, problems)
        if question is not None:
            bank.questions.append(question)
    return bank


def _line_of(lines: list[str], key: str, end: int) -> int:
    return next((i + 1 for i in range(1, end) if lines[i].startswith(f"{key}:")), 1)


def _parse_question(lines, start, stop, path, problems) -> QuestionSource | None:
    key = QUESTION_HEADING.match(lines[start]).group(1)
    line_no = start + 1
    before = len(problems)

    def problem(offset_line: int, message: str) -> None:
        problems.append(Problem(path, offset_line, f"question '{key}': {message}"))

    if not ID_PATTERN.match(key):
        problem(line_no, "id must be lower case letters, digits and hyphens")
    header: dict[str, tuple[str, int]] = {}
    i = start + 1
    while i < stop and lines[i].strip():
        match = HEADER_LINE.match(lines[i].strip())
        if match is None:
            problem(i + 1, f"expected a 'key: value' header line, found {lines[i].strip()!r}")
        elif match.group(1) not in HEADER_KEYS:
            problem(i + 1, f"unknown header '{match.group(1)}' (allowed: {', '.join(HEADER_KEYS)})")
        else:
            header[match.group(1)] = (match.group(2).strip(), i + 1)
        i += 1
    for required in ("type", "lesson", "cite"):
        if required not in header or not header[required][0]:
            problem(line_no, f"missing header '{required}'")
    qtype = header.get("type", ("", line_no))[0]
    if qtype and qtype not in QUESTION_TYPES:
        problem(header["type"][1], f"unknown type '{qtype}' (known: {', '.join(QUESTION_TYPES)})")
    body = lines[i:stop]
    stem_lines, items, feedback_lines, in_feedback = [], [], [], False
    for offset, line in enumerate(body):
        number = i + offset + 1
        if line.startswith("Feedback:"):
            in_feedback = True
            feedback_lines.append(line[len("Feedback:"):].strip())
        elif in_feedback:
            feedback_lines.append(line)
        elif line.startswith("- "):
            items.append((line, number))
        elif items and line.strip():
            problem(number, "text after the options must start with 'Feedback:'")
        else:
            stem_lines.append(line)
    stem = "\n".join(stem_lines).strip()
    feedback = "\n".join(feedback_lines).strip()
    if not stem:
        problem(line_no, "the question has no text")
    if not feedback:
        problem(line_no, "missing a 'Feedback:' paragraph")
    spec = _spec(key, qtype, header, items, problem, line_no) if qtype in QUESTION_TYPES else None
    if spec is not None:
        for message in QUESTION_TYPES[qtype].validate(spec):
            problem(line_no, message)
    if len(problems) > before:
        return None
    tags = [t.strip() for t in header.get("tags", ("", 0))[0].split(",") if t.strip()]
    return QuestionSource(
        key=key, type=qtype, lesson=header["lesson"][0], cite=header["cite"][0], tags=tags,
        stem=stem, feedback=feedback, spec=spec, line=line_no,
        source_text="\n".join(lines[start:stop]).strip() + "\n")


def _number(header, name, problem, default=None):
    if name not in header:
        return default
    raw, line = header[name]
    try:
        return float(raw)
    except ValueError:
        problem(line, f"'{name}' must be a number, found {raw!r}")
        return None


def _spec(key, qtype, header, items, problem, line_no) -> dict | None:
    if qtype in ("single", "multiple"):
        options = []
        for line, number in items:
            match = OPTION_LINE.match(line)
            if match is None:
                problem(number, "an option must look like '- [x] text' or '- [ ] text'")
                continue
            text = match.group(2).strip()
            options.append({"id": option_id(key, text), "text": text,
                            "weight": 1.0 if match.group(1).lower() == "x" else 0.0})
        spec = {"options": options, "shuffle": True}
        if qtype == "multiple":
            spec["scoring"] = "all_or_nothing"
        return spec
    if items and qtype != "matching":
        problem(items[0][1], f"a {qtype} question takes no option list")
    if qtype == "matching":
        pairs = []
        for line, number in items:
            match = PAIR_LINE.match(line)
            if match is None:
                problem(number, "a pair must look like '- left => right'")
                continue
            left, right = match.group(1).strip(), match.group(2).strip()
            pairs.append({"id": option_id(key, "L:" + left), "left": left, "right": right,
                          "right_id": option_id(key, "R:" + right)})
        return {"pairs": pairs, "distractors": []}
    if qtype == "truefalse":
        raw = header.get("answer", ("", line_no))[0].lower()
        if raw not in ("true", "false"):
            problem(header.get("answer", ("", line_no))[1], "answer must be true or false")
            return None
        return {"answer": raw == "true"}
    if qtype == "numeric":
        value = _number(header, "answer", problem)
        tolerance = _number(header, "tolerance", problem, default=0.0)
        if value is None or tolerance is None:
            if "answer" not in header:
                problem(line_no, "missing header 'answer'")
            return None
        return {"answers": [{"min": value - abs(tolerance), "max": value + abs(tolerance), "weight": 1.0}]}
    if qtype == "short":
        raw = header.get("answers", ("", line_no))[0]
        texts = [t.strip() for t in raw.split(" | ") if t.strip()]
        if not texts:
            problem(header.get("answers", ("", line_no))[1], "missing header 'answers'")
            return None
        return {"answers": [{"text": t, "weight": 1.0} for t in texts]}
    return None


def load_banks(content_dir: Path, display_root: str, known_lessons: set[str],
               problems: list[Problem]) -> dict[str, BankSource]:
    """Read every bank under content_dir/banks; check lesson ids and duplicate question ids."""
    banks: dict[str, BankSource] = {}
    seen: dict[str, str] = {}
    for file in sorted((Path(content_dir) / "banks").glob("*.md")):
        shown = f"{display_root.rstrip('/')}/{file.relative_to(content_dir).as_posix()}"
        try:
            text = file.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as error:
            problems.append(Problem(shown, 1, f"not UTF-8 text: {error.reason}"))
            continue
        bank = parse_bank(text, shown, problems, expected_key=file.stem)
        if bank is None:
            continue
        kept = []
        for question in bank.questions:
            where = f"{shown}:{question.line}"
            if question.key in seen:
                problems.append(Problem(shown, question.line, (
                    f"duplicate question id '{question.key}' (also at {seen[question.key]})")))
                continue
            seen[question.key] = where
            if question.lesson not in known_lessons:
                problems.append(Problem(shown, question.line, (
                    f"question '{question.key}': unknown lesson '{question.lesson}'")))
                continue
            kept.append(question)
        bank.questions = kept
        bank.path = file.relative_to(content_dir).as_posix()
        banks[bank.key] = bank
    return banks
