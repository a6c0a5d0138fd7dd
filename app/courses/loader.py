"""Read and validate the content tree: lessons and courses. Pure: no Flask, no database.

Every problem is reported with the file and line it is on, in the form
`path:line: message`, and the loader keeps going after a problem so one run
shows them all.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

SUBJECT_AREAS = (
    "immigration-law", "ice-databases", "program-and-moa", "civil-rights",
    "racial-profiling-avoidance", "multicultural-communication", "use-of-force",
)
STATUSES = ("sample", "official")
LESSON_KEYS = ("id", "title", "subject", "minutes", "status", "objectives", "references")
COURSE_REQUIRED = ("id", "code", "title", "kind", "models", "status", "description", "weeks")
COURSE_KEYS = COURSE_REQUIRED + ("require_order", "rules", "exams")
RULE_KEYS = ("pass_mark", "remediations", "max_failures")
EXAM_KEYS = ("id", "title", "kind", "after_week", "time_limit_minutes", "review", "draws", "questions")
EXAM_KINDS = ("graded", "practice")
REVIEW_MODES = ("immediately", "after_close", "never")
DRAW_KEYS = ("count", "weeks", "subject", "bank", "tag")
COURSE_KINDS = ("basic", "refresher")
PROGRAM_MODELS = ("JEM", "TFM", "WSO")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
SCENARIO_HEADING = re.compile(r"^##\s+(Scenario|Worked example)\b", re.IGNORECASE)
KEY_POINTS_HEADING = re.compile(r"^##\s+Key points\s*$", re.IGNORECASE)
MD_LINK = re.compile(r"(!?)\[([^\]]*)\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
LESSON_LINK = re.compile(r"^(?:\./)?([a-z0-9][a-z0-9-]*)\.md(#[\w-]*)?$")
IMAGE_PATH = re.compile(r"^(?:\.\./)*images/([\w.-]+)$")


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class LessonSource:
    key: str
    path: str  # relative to the content directory, with forward slashes
    source_text: str
    body: str
    body_line: int  # line number of the body's first line in the file
    title: str
    subject: str
    minutes: int
    status: str
    objectives: list[str]
    references: list[str]
    key_line: int = 1

    @property
    def content_hash(self) -> str:
        return sha256_text(self.source_text)

    @property
    def word_count(self) -> int:
        return len(re.findall(r"[A-Za-z0-9][\w'’.-]*", self.body))


@dataclass
class WeekSource:
    title: str
    days: list[tuple[str, list[str]]]  # (day title, lesson keys)


@dataclass
class CourseSource:
    key: str
    path: str
    source_text: str
    code: str
    title: str
    kind: str
    models: list[str]
    status: str
    description: str
    require_order: bool
    weeks: list[WeekSource]
    rules: dict = field(default_factory=dict)
    exams: list[dict] = field(default_factory=list)
    exam_lines: dict[str, int] = field(default_factory=dict)

    def lesson_keys(self) -> list[str]:
        return [key for week in self.weeks for _title, keys in week.days for key in keys]


@dataclass
class ContentTree:
    lessons: dict[str, LessonSource] = field(default_factory=dict)
    courses: dict[str, CourseSource] = field(default_factory=dict)
    banks: dict = field(default_factory=dict)  # bank key -> assessments.banks.BankSource
    problems: list[Problem] = field(default_factory=list)


def sha256_text(text: str) -> str:
    """Return the SHA-256 of text with its line endings normalized."""
    return hashlib.sha256(normalize_newlines(text).encode("utf-8")).hexdigest()


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def course_version_hash(course: CourseSource, lesson_hashes: dict[str, str]) -> str:
    """Return the hash that identifies a course version: its settings, outline and lessons."""
    payload = {
        "key": course.key, "code": course.code, "title": course.title, "kind": course.kind,
        "models": course.models, "status": course.status, "description": course.description,
        "require_order": course.require_order, "rules": course.rules, "exams": course.exams,
        "weeks": [{"title": w.title, "days": [
            {"title": t, "lessons": [[k, lesson_hashes[k]] for k in keys]} for t, keys in w.days
        ]} for w in course.weeks],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


# --- YAML with line numbers --------------------------------------------------

def _compose(text: str, path: str, line_offset: int, problems: list[Problem]):
    """Parse YAML keeping nodes (for line numbers); report a syntax error and return None."""
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = (mark.line + 1 + line_offset) if mark else line_offset + 1
        problem = getattr(error, "problem", None) or str(error)
        problems.append(Problem(path, line, f"YAML syntax error: {problem}"))
        return None


def _value(node):
    return yaml.SafeLoader(yaml.dump(None)).construct_document(node) if node is not None else None


def _mapping(node, path: str, line_offset: int, problems: list[Problem], what: str):
    """Return {key: (value, line)} for a mapping node, reporting duplicate keys."""
    if not isinstance(node, yaml.MappingNode):
        line = (node.start_mark.line + 1 + line_offset) if node is not None else line_offset + 1
        problems.append(Problem(path, line, f"{what} must be a mapping of keys to values"))
        return None
    result = {}
    for key_node, value_node in node.value:
        key = key_node.value
        line = key_node.start_mark.line + 1 + line_offset
        if key in result:
            problems.append(Problem(path, line, f"duplicate key '{key}'"))
            continue
        result[key] = (value_node, line)
    return result


def _string_list(node) -> list[str] | None:
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        return None
    values = [_value(item) for item in node.value]
    if not all(isinstance(v, str) and v.strip() for v in values):
        return None
    return values


# --- lessons -------------------------------------------------------------------

def parse_lesson(text: str, path: str, problems: list[Problem],
                 expected_key: str | None = None) -> LessonSource | None:
    """Parse one lesson file's text; append problems; return None if it cannot be used."""
    text = normalize_newlines(text)
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        problems.append(Problem(path, 1, "missing front matter: the file must start with a '---' line"))
        return None
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        problems.append(Problem(path, 1, "front matter is not closed by a '---' line"))
        return None
    before = len(problems)
    node = _compose("\n".join(lines[1:end]), path, 1, problems)
    if len(problems) > before:
        return None
    front = _mapping(node, path, 1, problems, "front matter")
    if front is None:
        return None
    for key, (_node, line) in front.items():
        if key not in LESSON_KEYS:
            problems.append(Problem(path, line, (
                f"unknown front-matter key '{key}' (allowed: {', '.join(LESSON_KEYS)})")))
    for key in LESSON_KEYS:
        if key not in front:
            problems.append(Problem(path, 1, f"missing front-matter key '{key}'"))
    if any(key not in front for key in LESSON_KEYS):
        return None
    ok = True

    def fail(key: str, message: str) -> None:
        nonlocal ok
        ok = False
        problems.append(Problem(path, front[key][1], message))

    key = _value(front["id"][0])
    if not isinstance(key, str) or not ID_PATTERN.match(key):
        fail("id", "id must be lower case letters, digits and hyphens")
    elif expected_key is not None and key != expected_key:
        fail("id", f"id '{key}' does not match the file name '{expected_key}.md'")
    title = _value(front["title"][0])
    if not isinstance(title, str) or not title.strip():
        fail("title", "title must be a non-empty text")
    subject = _value(front["subject"][0])
    if subject not in SUBJECT_AREAS:
        fail("subject", f"unknown subject area '{subject}' (known: {', '.join(SUBJECT_AREAS)})")
    minutes = _value(front["minutes"][0])
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 10 <= minutes <= 480:
        fail("minutes", "minutes must be a whole number from 10 to 480")
    status = _value(front["status"][0])
    if status not in STATUSES:
        fail("status", f"status must be one of: {', '.join(STATUSES)}")
    objectives = _string_list(front["objectives"][0])
    if objectives is None:
        fail("objectives", "objectives must be a non-empty list of texts")
    references = _string_list(front["references"][0])
    if references is None:
        fail("references", "references must be a non-empty list of texts")

    body_line = end + 2
    body = "\n".join(lines[end + 1:])
    body_lines = lines[end + 1:]
    if not any(SCENARIO_HEADING.match(line) for line in body_lines):
        problems.append(Problem(path, body_line, "missing a '## Scenario' (or '## Worked example') section"))
        ok = False
    if not any(KEY_POINTS_HEADING.match(line) for line in body_lines):
        problems.append(Problem(path, body_line, "missing a '## Key points' section"))
        ok = False
    if not ok:
        return None
    return LessonSource(
        key=key, path=path, source_text=text, body=body, body_line=body_line, title=title.strip(),
        subject=subject, minutes=minutes, status=status, objectives=objectives,
        references=references, key_line=front["id"][1],
    )


def check_links(lesson: LessonSource, known_lessons: set[str], images_dir: Path | None,
                display_path: str, problems: list[Problem]) -> None:
    """Report links to lessons that do not exist and images that are missing or lack alt text.

    With `images_dir` None (a lesson edited in the browser, away from the tree)
    image files are not looked for; everything else is checked.
    """
    in_fence = False
    for offset, line in enumerate(lesson.body.split("\n")):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        if in_fence:
            continue
        number = lesson.body_line + offset
        for bang, text, target in MD_LINK.findall(line):
            if bang:
                match = IMAGE_PATH.match(target)
                if not text.strip():
                    problems.append(Problem(display_path, number, f"image '{target}' has no alt text"))
                if match is None:
                    # Pages only load images from this site (Content-Security-Policy).
                    problems.append(Problem(display_path, number, (
                        f"image '{target}' must be in content/images/ "
                        "(linked as ../../images/NAME)")))
                elif images_dir is not None and not (images_dir / match.group(1)).is_file():
                    problems.append(Problem(display_path, number, f"missing image '{match.group(1)}'"))
                continue
            if target.startswith(("http://", "https://", "mailto:", "#")):
                continue
            match = LESSON_LINK.match(target)
            if match is None:
                problems.append(Problem(display_path, number, (
                    f"broken link '{target}': link lessons by id, as 'lesson-id.md'")))
            elif match.group(1) not in known_lessons:
                problems.append(Problem(display_path, number, (
                    f"link to unknown lesson '{match.group(1)}'")))


# --- courses ---------------------------------------------------------------------

def parse_course(text: str, path: str, problems: list[Problem],
                 expected_key: str | None = None) -> tuple[CourseSource, dict[str, int]] | None:
    """Parse one course file; return the course and the line of each lesson it names."""
    text = normalize_newlines(text)
    before = len(problems)
    node = _compose(text, path, 0, problems)
    if len(problems) > before:
        return None
    top = _mapping(node, path, 0, problems, "a course file")
    if top is None:
        return None
    for key, (_node, line) in top.items():
        if key not in COURSE_KEYS:
            problems.append(Problem(path, line, (
                f"unknown course key '{key}' (allowed: {', '.join(COURSE_KEYS)})")))
    missing = [key for key in COURSE_REQUIRED if key not in top]
    for key in missing:
        problems.append(Problem(path, 1, f"missing course key '{key}'"))
    if missing:
        return None
    ok = True

    def fail(line: int, message: str) -> None:
        nonlocal ok
        ok = False
        problems.append(Problem(path, line, message))

    key = _value(top["id"][0])
    if not isinstance(key, str) or not ID_PATTERN.match(key):
        fail(top["id"][1], "id must be lower case letters, digits and hyphens")
    elif expected_key is not None and key != expected_key:
        fail(top["id"][1], f"id '{key}' does not match the file name '{expected_key}.yml'")
    texts = {}
    for name in ("code", "title", "description"):
        texts[name] = _value(top[name][0])
        if not isinstance(texts[name], str) or not texts[name].strip():
            fail(top[name][1], f"{name} must be a non-empty text")
    kind = _value(top["kind"][0])
    if kind not in COURSE_KINDS:
        fail(top["kind"][1], f"kind must be one of: {', '.join(COURSE_KINDS)}")
    status = _value(top["status"][0])
    if status not in STATUSES:
        fail(top["status"][1], f"status must be one of: {', '.join(STATUSES)}")
    models = _string_list(top["models"][0])
    if models is None or any(m not in PROGRAM_MODELS for m in models):
        fail(top["models"][1], f"models must be a list drawn from {', '.join(PROGRAM_MODELS)}")
    require_order = False
    if "require_order" in top:
        require_order = _value(top["require_order"][0])
        if not isinstance(require_order, bool):
            fail(top["require_order"][1], "require_order must be true or false")

    weeks: list[WeekSource] = []
    lesson_lines: dict[str, int] = {}
    weeks_node, weeks_line = top["weeks"]
    if not isinstance(weeks_node, yaml.SequenceNode) or not weeks_node.value:
        fail(weeks_line, "weeks must be a non-empty list")
    else:
        for week_node in weeks_node.value:
            week = _mapping(week_node, path, 0, problems, "a week")
            if week is None or "title" not in week or "days" not in week:
                fail(week_node.start_mark.line + 1, "each week needs a title and days")
                continue
            days = []
            days_node, days_line = week["days"]
            if not isinstance(days_node, yaml.SequenceNode) or not days_node.value:
                fail(days_line, "days must be a non-empty list")
                continue
            for day_node in days_node.value:
                day = _mapping(day_node, path, 0, problems, "a day")
                if day is None or "title" not in day or "lessons" not in day:
                    fail(day_node.start_mark.line + 1, "each day needs a title and lessons")
                    continue
                lessons_node, lessons_line = day["lessons"]
                if not isinstance(lessons_node, yaml.SequenceNode) or not lessons_node.value:
                    fail(lessons_line, "lessons must be a non-empty list of lesson ids")
                    continue
                keys = []
                for item in lessons_node.value:
                    lesson_key = _value(item)
                    line = item.start_mark.line + 1
                    if lesson_key in lesson_lines:
                        fail(line, (f"lesson '{lesson_key}' appears twice in the course "
                                    f"(also line {lesson_lines[lesson_key]})"))
                        continue
                    lesson_lines[lesson_key] = line
                    keys.append(lesson_key)
                days.append((str(_value(day["title"][0])), keys))
            weeks.append(WeekSource(str(_value(week["title"][0])), days))
    rules = _parse_rules(top.get("rules"), path, fail)
    exams, exam_lines = _parse_exams(top.get("exams"), path, problems, fail, len(weeks))
    if not ok:
        return None
    course = CourseSource(
        key=key, path=path, source_text=text, code=texts["code"].strip(),
        title=texts["title"].strip(), kind=kind, models=models, status=status,
        description=" ".join(texts["description"].split()), require_order=require_order,
        weeks=weeks, rules=rules, exams=exams, exam_lines=exam_lines,
    )
    return course, lesson_lines


def _parse_rules(entry, path: str, fail) -> dict:
    """Read a course's examination rules; the program's defaults fill the gaps."""
    rules = {"pass_mark": 70, "remediations": 1, "max_failures": 2}
    if entry is None:
        return rules
    node, line = entry
    data = _value(node)
    if not isinstance(data, dict):
        fail(line, "rules must be a mapping of pass_mark, remediations and max_failures")
        return rules
    for name, value in data.items():
        if name not in RULE_KEYS:
            fail(line, f"unknown rule '{name}' (allowed: {', '.join(RULE_KEYS)})")
        elif name == "pass_mark" and not (isinstance(value, (int, float)) and 0 < value <= 100):
            fail(line, "pass_mark must be a percent from 1 to 100")
        elif name != "pass_mark" and not (isinstance(value, int) and not isinstance(value, bool)
                                          and 0 <= value <= 10):
            fail(line, f"{name} must be a whole number from 0 to 10")
        else:
            rules[name] = value
    if rules["max_failures"] < 1:
        fail(line, "max_failures must be at least 1")
    return rules


def _parse_exams(entry, path: str, problems: list[Problem], fail, week_count: int):
    """Read a course's examinations: structure only; load_tree checks questions and pools."""
    exams: list[dict] = []
    lines: dict[str, int] = {}
    if entry is None:
        return exams, lines
    node, line = entry
    if not isinstance(node, yaml.SequenceNode):
        fail(line, "exams must be a list")
        return exams, lines
    for exam_node in node.value:
        exam_line = exam_node.start_mark.line + 1
        exam = _mapping(exam_node, path, 0, problems, "an exam")
        if exam is None:
            fail(exam_line, "an exam must be a mapping")
            continue
        data = {name: _value(value_node) for name, (value_node, _l) in exam.items()}
        for name, (_node, name_line) in exam.items():
            if name not in EXAM_KEYS:
                fail(name_line, f"unknown exam key '{name}' (allowed: {', '.join(EXAM_KEYS)})")
        exam_id = data.get("id")
        if not isinstance(exam_id, str) or not ID_PATTERN.match(exam_id):
            fail(exam_line, "an exam needs an id of lower case letters, digits and hyphens")
            continue
        if exam_id in lines:
            fail(exam_line, f"duplicate exam id '{exam_id}' (also line {lines[exam_id]})")
            continue
        lines[exam_id] = exam_line
        kind = data.get("kind", "graded")
        if kind not in EXAM_KINDS:
            fail(exam_line, f"exam '{exam_id}': kind must be graded or practice")
        if not isinstance(data.get("title"), str) or not data["title"].strip():
            fail(exam_line, f"exam '{exam_id}': a title is required")
        after_week = data.get("after_week", 0)
        if not isinstance(after_week, int) or not 0 <= after_week <= week_count:
            fail(exam_line, f"exam '{exam_id}': after_week must be a week of the course (0 to {week_count})")
        limit = data.get("time_limit_minutes")
        if kind == "graded" and limit is None:
            fail(exam_line, f"exam '{exam_id}': a graded exam needs time_limit_minutes")
        elif limit is not None and not (isinstance(limit, int) and 1 <= limit <= 600):
            fail(exam_line, f"exam '{exam_id}': time_limit_minutes must be 1 to 600")
        review = data.get("review", "immediately")
        if review not in REVIEW_MODES:
            fail(exam_line, f"exam '{exam_id}': review must be one of {', '.join(REVIEW_MODES)}")
        draws = data.get("draws") or []
        questions = data.get("questions") or []
        if not isinstance(draws, list) or not isinstance(questions, list) or not (draws or questions):
            fail(exam_line, f"exam '{exam_id}': give questions, draws, or both")
            continue
        for draw in draws:
            if not isinstance(draw, dict) or set(draw) - set(DRAW_KEYS):
                fail(exam_line, f"exam '{exam_id}': a draw takes only {', '.join(DRAW_KEYS)}")
            elif not isinstance(draw.get("count"), int) or draw["count"] < 1:
                fail(exam_line, f"exam '{exam_id}': each draw needs a count of at least 1")
        exams.append({
            "id": exam_id, "title": str(data.get("title", "")).strip(), "kind": kind,
            "after_week": after_week, "time_limit_minutes": limit, "review": review,
            "draws": draws, "questions": [str(q) for q in questions],
        })
    return exams, lines


# --- the tree ---------------------------------------------------------------------

def load_tree(content_dir: Path, display_root: str | None = None) -> ContentTree:
    """Read every lesson and course under content_dir and check them together."""
    content_dir = Path(content_dir)
    root = display_root if display_root is not None else str(content_dir)

    def shown(path: Path) -> str:
        return f"{root.rstrip('/')}/{path.relative_to(content_dir).as_posix()}"

    tree = ContentTree()
    problems = tree.problems
    if not content_dir.is_dir():
        problems.append(Problem(root, 0, "content directory not found"))
        return tree
    lesson_files = sorted((content_dir / "lessons").rglob("*.md"))
    first_seen: dict[str, str] = {}
    for file in lesson_files:
        text = _read(file, shown(file), problems)
        if text is None:
            continue
        lesson = parse_lesson(text, shown(file), problems, expected_key=file.stem)
        if lesson is None:
            continue
        lesson.path = file.relative_to(content_dir).as_posix()
        if lesson.key in first_seen:
            problems.append(Problem(shown(file), lesson.key_line, (
                f"duplicate lesson id '{lesson.key}' (also in {first_seen[lesson.key]})")))
            continue
        first_seen[lesson.key] = f"{shown(file)}:{lesson.key_line}"
        tree.lessons[lesson.key] = lesson
    known = set(tree.lessons) | {Path(f).stem for f in lesson_files}
    for lesson in tree.lessons.values():
        check_links(lesson, known, content_dir / "images", f"{root.rstrip('/')}/{lesson.path}", problems)
    for file in sorted((content_dir / "courses").glob("*.yml")):
        text = _read(file, shown(file), problems)
        if text is None:
            continue
        parsed = parse_course(text, shown(file), problems, expected_key=file.stem)
        if parsed is None:
            continue
        course, lesson_lines = parsed
        course.path = file.relative_to(content_dir).as_posix()
        unknown = [k for k in course.lesson_keys() if k not in tree.lessons]
        for lesson_key in unknown:
            reason = ("a lesson that does not exist" if lesson_key not in known
                      else "a lesson that has problems")
            problems.append(Problem(shown(file), lesson_lines[lesson_key], (
                f"course names {reason}: '{lesson_key}'")))
        if not unknown:
            tree.courses[course.key] = course
    _load_banks_and_check_exams(tree, content_dir, root, known)
    problems.sort()
    return tree


def _load_banks_and_check_exams(tree: ContentTree, content_dir: Path, root: str,
                                known_lessons: set[str]) -> None:
    """Read the question banks, then check every course's exams against them."""
    # Imported here: the assessments package builds on this loader.
    from app.assessments.banks import load_banks
    from app.assessments.exams import QuestionMeta, lesson_weeks, pool_problems

    tree.banks = load_banks(content_dir, root, known_lessons, tree.problems)
    subjects = {k: lesson.subject for k, lesson in tree.lessons.items()}
    metas = [QuestionMeta(q.key, bank.key, subjects.get(q.lesson, bank.subject), q.lesson, tuple(q.tags))
             for bank in tree.banks.values() for q in bank.questions]
    for course in list(tree.courses.values()):
        weeks = lesson_weeks([(w.title, [k for _t, keys in w.days for k in keys]) for w in course.weeks])
        shown = f"{root.rstrip('/')}/{course.path}"
        broken = False
        for exam in course.exams:
            for message in pool_problems(exam, metas, weeks):
                tree.problems.append(Problem(shown, course.exam_lines[exam["id"]], message))
                broken = True
        if broken:
            del tree.courses[course.key]


def _read(file: Path, shown: str, problems: list[Problem]) -> str | None:
    """Return the file's text, or None after reporting the line with the first bad byte."""
    data = file.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        problems.append(Problem(shown, line, f"not UTF-8 text: {error.reason} at byte {error.start}"))
        return None
