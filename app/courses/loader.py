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
COURSE_KEYS = COURSE_REQUIRED + ("require_order",)
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

    def lesson_keys(self) -> list[str]:
        return [key for week in self.weeks for _title, keys in week.days for key in keys]


@dataclass
class ContentTree:
    lessons: dict[str, LessonSource] = field(default_factory=dict)
    courses: dict[str, CourseSource] = field(default_factory=dict)
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
        "require_order": course.require_order,
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


def check_links(lesson: LessonSource, known_lessons: set[str], images_dir: Path,
                display_path: str, problems: list[Problem]) -> None:
    """Report links to lessons that do not exist and images that are missing or lack alt text."""
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
                elif not (images_dir / match.group(1)).is_file():
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
    if not ok:
        return None
    course = CourseSource(
        key=key, path=path, source_text=text, code=texts["code"].strip(),
        title=texts["title"].strip(), kind=kind, models=models, status=status,
        description=" ".join(texts["description"].split()), require_order=require_order,
        weeks=weeks,
    )
    return course, lesson_lines


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
    problems.sort()
    return tree


def _read(file: Path, shown: str, problems: list[Problem]) -> str | None:
    """Return the file's text, or None after reporting the line with the first bad byte."""
    data = file.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        problems.append(Problem(shown, line, f"not UTF-8 text: {error.reason} at byte {error.start}"))
        return None
