"""The content checker (`app/courses/loader.py`): every problem it reports, with file and line.

Each broken variant is built in a small content tree under tmp_path and
checked against the exact `path:line: message` lines `flask content check`
would print. The last part checks the real curriculum under content/.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from app.courses.loader import SUBJECT_AREAS, Problem, load_tree, parse_lesson, sha256_text

ROOT = "content"  # the display root every expected message starts with
ALPHA = f"{ROOT}/lessons/immigration-law/alpha.md"
BETA = f"{ROOT}/lessons/immigration-law/beta.md"
COURSE = f"{ROOT}/courses/demo.yml"

# A minimal valid lesson. The numbers on the right are file line numbers,
# which the expected messages below refer to.
LESSON = """\
---
id: {id}
title: A lesson
subject: immigration-law
minutes: 60
status: sample
objectives:
  - Do the thing.
references:
  - "8 CFR 287.7"
---

*Sample curriculum.*

See [the other lesson]({link}).

## Scenario

A deputy works through the steps.

## Key points

- One point.
"""
#  1 ---            7 objectives:     13 *Sample curriculum.*   19 A deputy ...
#  2 id:            8   - Do the...   14                        20
#  3 title:         9 references:     15 See [the other...]     21 ## Key points
#  4 subject:      10   - "8 CFR"     16                        22
#  5 minutes:      11 ---             17 ## Scenario            23 - One point.
#  6 status:       12 (body starts)   18

# A minimal valid course naming both lessons.
COURSE_YML = """\
id: demo
code: DEMO
title: Demo course
kind: basic
models: [JEM]
status: sample
require_order: true
description: >
  One paragraph.
weeks:
  - title: "Week 1"
    days:
      - title: "Day 1"
        lessons:
          - alpha
          - beta
"""
#  1 id    5 models          9   One paragraph.   13 - title: "Day 1"
#  2 code  6 status         10 weeks:             14   lessons:
#  3 title 7 require_order  11 - title: "Week 1"  15     - alpha
#  4 kind  8 description    12   days:            16     - beta

SEAL_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'


def lesson_text(key: str = "alpha", link: str = "beta.md") -> str:
    return LESSON.format(id=key, link=link)


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_bytes(text.encode("utf-8"))  # keep line endings exactly as given
    return path


def make_tree(tmp_path: Path, *, alpha: str | bytes | None = None, beta: str | bytes | None = None,
              course: str | bytes | None = None, extra: dict[str, str | bytes] | None = None) -> Path:
    """Write content/ with lessons alpha and beta, images/seal.svg and (if given) a course."""
    content = tmp_path / "content"
    write(content / "lessons/immigration-law/alpha.md", lesson_text("alpha") if alpha is None else alpha)
    write(content / "lessons/immigration-law/beta.md",
          lesson_text("beta", link="alpha.md") if beta is None else beta)
    write(content / "images/seal.svg", SEAL_SVG)
    (content / "courses").mkdir(parents=True, exist_ok=True)
    if course is not None:
        write(content / "courses/demo.yml", course)
    for relative, text in (extra or {}).items():
        write(content / relative, text)
    return content


def check(content: Path) -> list[str]:
    return [str(problem) for problem in load_tree(content, ROOT).problems]


def edit(text: str, old: str, new: str) -> str:
    assert old in text, f"test table error: {old!r} not in the base text"
    return text.replace(old, new, 1)


def assert_problems(actual: list[str], expected: list[str]) -> None:
    """Each actual line must start with the expected `path:line: message` prefix, one for one."""
    assert len(actual) == len(expected), "\n".join(["problems reported:", *actual])
    for got, want in zip(actual, expected):
        assert got.startswith(want), f"\n got: {got}\nwant: {want}..."


# --- the valid tree ------------------------------------------------------------------------

def test_minimal_tree_is_valid(tmp_path):
    tree = load_tree(make_tree(tmp_path, course=COURSE_YML), ROOT)
    assert tree.problems == []
    assert set(tree.lessons) == {"alpha", "beta"}
    alpha = tree.lessons["alpha"]
    assert alpha.path == "lessons/immigration-law/alpha.md"
    assert (alpha.title, alpha.subject, alpha.minutes, alpha.status) == ("A lesson", "immigration-law", 60, "sample")
    assert alpha.objectives == ["Do the thing."] and alpha.references == ["8 CFR 287.7"]
    assert alpha.body_line == 12 and alpha.key_line == 2
    course = tree.courses["demo"]
    assert course.lesson_keys() == ["alpha", "beta"]
    assert (course.code, course.kind, course.models, course.require_order) == ("DEMO", "basic", ["JEM"], True)
    assert course.description == "One paragraph."


def test_problem_prints_as_path_line_message():
    assert str(Problem("content/x.md", 7, "boom")) == "content/x.md:7: boom"


def test_missing_content_directory(tmp_path):
    assert check(tmp_path / "nowhere") == [f"{ROOT}:0: content directory not found"]


# --- lesson problems ------------------------------------------------------------------------

BASE = lesson_text("alpha")

LESSON_CASES = [
    # (id, alpha.md text, expected problems)
    ("missing-front-matter", edit(BASE, "---\nid:", "id:"),
     [f"{ALPHA}:1: missing front matter: the file must start with a '---' line"]),
    ("front-matter-not-at-top", "\n" + BASE,
     [f"{ALPHA}:1: missing front matter"]),
    ("unclosed-front-matter", edit(BASE, '  - "8 CFR 287.7"\n---\n', '  - "8 CFR 287.7"\n'),
     [f"{ALPHA}:1: front matter is not closed by a '---' line"]),
    ("yaml-syntax-error", edit(BASE, "subject: immigration-law", "subject: immigration-law: oops"),
     [f"{ALPHA}:4: YAML syntax error: mapping values are not allowed here"]),
    ("yaml-unterminated-quote", edit(BASE, '  - "8 CFR 287.7"', '  - "8 CFR 287.7'),
     [f"{ALPHA}:10: YAML syntax error: found unexpected end of stream"]),  # the last front-matter line
    ("front-matter-a-list", edit(BASE, BASE.split("---")[1], "\n- id\n- title\n"),
     [f"{ALPHA}:2: front matter must be a mapping of keys to values"]),
    ("front-matter-a-string", edit(BASE, BASE.split("---")[1], "\njust words\n"),
     [f"{ALPHA}:2: front matter must be a mapping of keys to values"]),
    ("front-matter-empty", edit(BASE, BASE.split("---")[1], "\n"),
     [f"{ALPHA}:2: front matter must be a mapping of keys to values"]),
    ("unknown-key", edit(BASE, "title: A lesson\n", "title: A lesson\ntitel: typo\n"),
     [f"{ALPHA}:4: unknown front-matter key 'titel' (allowed: id, title, subject, minutes, status, "
      "objectives, references)"]),
    ("duplicate-key", edit(BASE, "status: sample\n", "status: sample\nstatus: official\n"),
     [f"{ALPHA}:7: duplicate key 'status'"]),
    ("missing-key", edit(BASE, "minutes: 60\n", ""),
     [f"{ALPHA}:1: missing front-matter key 'minutes'"]),
    ("two-missing-keys", edit(edit(BASE, "minutes: 60\n", ""), "title: A lesson\n", ""),
     [f"{ALPHA}:1: missing front-matter key 'minutes'", f"{ALPHA}:1: missing front-matter key 'title'"]),
    ("id-not-file-name", edit(BASE, "id: alpha", "id: gamma"),
     [f"{ALPHA}:2: id 'gamma' does not match the file name 'alpha.md'"]),
    ("id-upper-case", edit(BASE, "id: alpha", "id: Alpha"),
     [f"{ALPHA}:2: id must be lower case letters, digits and hyphens"]),
    ("id-underscore", edit(BASE, "id: alpha", "id: al_pha"),
     [f"{ALPHA}:2: id must be lower case letters, digits and hyphens"]),
    ("id-leading-hyphen", edit(BASE, "id: alpha", "id: -alpha"),
     [f"{ALPHA}:2: id must be lower case letters, digits and hyphens"]),
    ("id-a-number", edit(BASE, "id: alpha", "id: 42"),
     [f"{ALPHA}:2: id must be lower case letters, digits and hyphens"]),
    ("title-empty", edit(BASE, "title: A lesson", 'title: "  "'),
     [f"{ALPHA}:3: title must be a non-empty text"]),
    ("unknown-subject", edit(BASE, "subject: immigration-law", "subject: immigration"),
     [f"{ALPHA}:4: unknown subject area 'immigration' (known: {', '.join(SUBJECT_AREAS)})"]),
    ("minutes-too-few", edit(BASE, "minutes: 60", "minutes: 9"),
     [f"{ALPHA}:5: minutes must be a whole number from 10 to 480"]),
    ("minutes-too-many", edit(BASE, "minutes: 60", "minutes: 481"),
     [f"{ALPHA}:5: minutes must be a whole number from 10 to 480"]),
    ("minutes-negative", edit(BASE, "minutes: 60", "minutes: -60"),
     [f"{ALPHA}:5: minutes must be a whole number from 10 to 480"]),
    ("minutes-text", edit(BASE, "minutes: 60", "minutes: sixty"),
     [f"{ALPHA}:5: minutes must be a whole number from 10 to 480"]),
    ("minutes-quoted-number", edit(BASE, "minutes: 60", 'minutes: "60"'),
     [f"{ALPHA}:5: minutes must be a whole number from 10 to 480"]),
    ("minutes-fraction", edit(BASE, "minutes: 60", "minutes: 60.5"),
     [f"{ALPHA}:5: minutes must be a whole number from 10 to 480"]),
    ("minutes-boolean", edit(BASE, "minutes: 60", "minutes: true"),
     [f"{ALPHA}:5: minutes must be a whole number from 10 to 480"]),
    ("minutes-empty", edit(BASE, "minutes: 60", "minutes:"),
     [f"{ALPHA}:5: minutes must be a whole number from 10 to 480"]),
    ("bad-status", edit(BASE, "status: sample", "status: draft"),
     [f"{ALPHA}:6: status must be one of: sample, official"]),
    ("objectives-empty-list", edit(BASE, "objectives:\n  - Do the thing.", "objectives: []"),
     [f"{ALPHA}:7: objectives must be a non-empty list of texts"]),
    ("objectives-a-string", edit(BASE, "objectives:\n  - Do the thing.", "objectives: Do the thing."),
     [f"{ALPHA}:7: objectives must be a non-empty list of texts"]),
    ("objectives-blank-item", edit(BASE, "  - Do the thing.", '  - Do the thing.\n  - " "'),
     [f"{ALPHA}:7: objectives must be a non-empty list of texts"]),
    ("references-empty-list", edit(BASE, 'references:\n  - "8 CFR 287.7"', "references: []"),
     [f"{ALPHA}:9: references must be a non-empty list of texts"]),
    ("references-none", edit(BASE, 'references:\n  - "8 CFR 287.7"', "references:"),
     [f"{ALPHA}:9: references must be a non-empty list of texts"]),
    ("missing-scenario", edit(BASE, "## Scenario", "## Example"),
     [f"{ALPHA}:12: missing a '## Scenario' (or '## Worked example') section"]),
    ("scenario-at-level-3-does-not-count", edit(BASE, "## Scenario", "### Scenario"),
     [f"{ALPHA}:12: missing a '## Scenario' (or '## Worked example') section"]),
    ("missing-key-points", edit(BASE, "## Key points", "## Summary"),
     [f"{ALPHA}:12: missing a '## Key points' section"]),
    ("missing-both-sections", edit(edit(BASE, "## Key points", "## Summary"), "## Scenario", "## Story"),
     [f"{ALPHA}:12: missing a '## Key points' section",
      f"{ALPHA}:12: missing a '## Scenario' (or '## Worked example') section"]),
    ("several-field-problems", edit(edit(BASE, "status: sample", "status: draft"), "minutes: 60", "minutes: 0"),
     [f"{ALPHA}:5: minutes must be", f"{ALPHA}:6: status must be"]),
    # Links, counted from the top of the file (the body starts on line 12).
    ("link-to-unknown-lesson", lesson_text("alpha", link="gamma.md"),
     [f"{ALPHA}:15: link to unknown lesson 'gamma'"]),
    ("link-to-unknown-lesson-with-anchor", lesson_text("alpha", link="gamma.md#part"),
     [f"{ALPHA}:15: link to unknown lesson 'gamma'"]),
    ("link-without-md", lesson_text("alpha", link="beta"),
     [f"{ALPHA}:15: broken link 'beta': link lessons by id, as 'lesson-id.md'"]),
    ("link-through-folder", lesson_text("alpha", link="../civil-rights/beta.md"),
     [f"{ALPHA}:15: broken link '../civil-rights/beta.md': link lessons by id, as 'lesson-id.md'"]),
    ("link-upper-case", lesson_text("alpha", link="Beta.md"),
     [f"{ALPHA}:15: broken link 'Beta.md'"]),
    ("link-absolute-path", lesson_text("alpha", link="/courses/beta"),
     [f"{ALPHA}:15: broken link '/courses/beta'"]),
    ("unknown-link-further-down", edit(BASE, "- One point.", "- One point.\n- See [g](gamma.md)."),
     [f"{ALPHA}:24: link to unknown lesson 'gamma'"]),
    ("two-bad-links-on-one-line", lesson_text("alpha", link="gamma.md) and [d](delta.md"),
     [f"{ALPHA}:15: link to unknown lesson 'delta'", f"{ALPHA}:15: link to unknown lesson 'gamma'"]),
    ("link-in-fenced-code-ignored",
     edit(BASE, "## Scenario\n", "```markdown\n[x](gamma.md)\n![](nowhere.png)\n```\n\n## Scenario\n"), []),
    ("link-in-tilde-fence-ignored", edit(BASE, "## Scenario\n", "~~~\n[x](gamma.md)\n~~~\n\n## Scenario\n"), []),
    ("link-after-fence-still-checked",
     edit(BASE, "## Scenario\n", "```\n[x](gamma.md)\n```\n[y](delta.md)\n\n## Scenario\n"),
     [f"{ALPHA}:20: link to unknown lesson 'delta'"]),
    ("external-links-pass",
     lesson_text("alpha", link="https://www.ecfr.gov/) [m](mailto:a@b.example) [h](#key-points"), []),
    ("link-to-lesson-with-anchor-passes", lesson_text("alpha", link="beta.md#scenario"), []),
    ("link-with-dot-slash-passes", lesson_text("alpha", link="./beta.md"), []),
    ("link-with-title-passes", lesson_text("alpha", link='beta.md "the other one"'), []),
    # Images.
    ("image-without-alt", edit(BASE, "## Scenario\n", "![](../../images/seal.svg)\n\n## Scenario\n"),
     [f"{ALPHA}:17: image '../../images/seal.svg' has no alt text"]),
    ("image-alt-only-spaces", edit(BASE, "## Scenario\n", "![  ](../../images/seal.svg)\n\n## Scenario\n"),
     [f"{ALPHA}:17: image '../../images/seal.svg' has no alt text"]),
    ("image-outside-images", edit(BASE, "## Scenario\n", "![Seal](../seal.svg)\n\n## Scenario\n"),
     [f"{ALPHA}:17: image '../seal.svg' must be in content/images/ (linked as ../../images/NAME)"]),
    ("image-absolute-path", edit(BASE, "## Scenario\n", "![Seal](/static/seal.svg)\n\n## Scenario\n"),
     [f"{ALPHA}:17: image '/static/seal.svg' must be in content/images/"]),
    ("image-data-url", edit(BASE, "## Scenario\n", "![Seal](data:image/png;base64,AAAA)\n\n## Scenario\n"),
     [f"{ALPHA}:17: image 'data:image/png;base64,AAAA' must be in content/images/"]),
    ("image-from-another-site", edit(BASE, "## Scenario\n", "![Seal](https://example.org/seal.svg)\n\n## Scenario\n"),
     [f"{ALPHA}:17: image 'https://example.org/seal.svg' must be in content/images/"]),
    ("image-in-subfolder", edit(BASE, "## Scenario\n", "![Seal](../../images/x/seal.svg)\n\n## Scenario\n"),
     [f"{ALPHA}:17: image '../../images/x/seal.svg' must be in content/images/"]),
    ("missing-image", edit(BASE, "## Scenario\n", "![Seal](../../images/missing.svg)\n\n## Scenario\n"),
     [f"{ALPHA}:17: missing image 'missing.svg'"]),
    ("missing-image-without-alt", edit(BASE, "## Scenario\n", "![](../../images/missing.svg)\n\n## Scenario\n"),
     [f"{ALPHA}:17: image '../../images/missing.svg' has no alt text", f"{ALPHA}:17: missing image 'missing.svg'"]),
    ("existing-image-passes", edit(BASE, "## Scenario\n", "![The seal](../../images/seal.svg)\n\n## Scenario\n"),
     []),
    ("image-is-not-a-lesson-link", edit(BASE, "## Scenario\n", "![Seal](../../images/seal.svg \"t\")\n\n## Scenario\n"),
     []),
]


@pytest.mark.parametrize("alpha, expected", [case[1:] for case in LESSON_CASES],
                         ids=[case[0] for case in LESSON_CASES])
def test_lesson_problems(tmp_path, alpha, expected):
    assert_problems(check(make_tree(tmp_path, alpha=alpha)), expected)


@pytest.mark.parametrize("heading", ["## Scenario", "## Scenario: the unsigned warrant", "## Worked example",
                                     "## scenario", "## Scenario 2"])
def test_scenario_heading_variants_accepted(tmp_path, heading):
    assert check(make_tree(tmp_path, alpha=edit(BASE, "## Scenario", heading))) == []


@pytest.mark.parametrize("minutes", [10, 480])
def test_minutes_bounds_accepted(tmp_path, minutes):
    assert check(make_tree(tmp_path, alpha=edit(BASE, "minutes: 60", f"minutes: {minutes}"))) == []


@pytest.mark.parametrize("status", ["sample", "official"])
def test_both_statuses_accepted(tmp_path, status):
    assert check(make_tree(tmp_path, alpha=edit(BASE, "status: sample", f"status: {status}"))) == []


def test_broken_lesson_is_left_out_of_the_tree(tmp_path):
    tree = load_tree(make_tree(tmp_path, alpha=edit(BASE, "status: sample", "status: draft")), ROOT)
    assert set(tree.lessons) == {"beta"}
    # beta links to alpha: a lesson file that exists but has problems is not an unknown link.
    assert [str(p) for p in tree.problems] == [f"{ALPHA}:6: status must be one of: sample, official"]


def test_duplicate_lesson_id_reported_on_second_file(tmp_path):
    # Two files named alpha.md in different subject folders; sorted by path,
    # civil-rights/ comes first, so the immigration-law/ one is the duplicate.
    content = make_tree(tmp_path, extra={
        "lessons/civil-rights/alpha.md": edit(lesson_text("alpha"), "subject: immigration-law", "subject: civil-rights"),
    })
    first = f"{ROOT}/lessons/civil-rights/alpha.md"
    assert check(content) == [f"{ALPHA}:2: duplicate lesson id 'alpha' (also in {first}:2)"]
    tree = load_tree(content, ROOT)
    assert tree.lessons["alpha"].path == "lessons/civil-rights/alpha.md"


def test_duplicate_lesson_id_line_follows_the_id_key(tmp_path):
    moved = edit(lesson_text("alpha"), "id: alpha\ntitle: A lesson\n", "title: A lesson\nid: alpha\n")
    content = make_tree(tmp_path, alpha=moved, extra={"lessons/civil-rights/alpha.md": lesson_text("alpha")})
    assert check(content) == [
        f"{ALPHA}:3: duplicate lesson id 'alpha' (also in {ROOT}/lessons/civil-rights/alpha.md:2)"]


def test_parse_lesson_directly(tmp_path):
    problems: list[Problem] = []
    lesson = parse_lesson(BASE, "x/alpha.md", problems, expected_key="alpha")
    assert problems == [] and lesson is not None and lesson.key == "alpha"
    assert parse_lesson(BASE, "x/other.md", problems, expected_key="other") is None
    assert [str(p) for p in problems] == ["x/other.md:2: id 'alpha' does not match the file name 'other.md'"]


# --- encodings and line endings ----------------------------------------------------------

def test_file_that_is_not_utf8(tmp_path):
    latin1 = edit(BASE, "A lesson", "Leçon").encode("latin-1")
    tree = load_tree(make_tree(tmp_path, alpha=latin1), ROOT)
    messages = [str(p) for p in tree.problems]
    bad_line = BASE.split("A lesson")[0].count("\n") + 1  # the line with the Latin-1 byte
    assert len(messages) == 1 and messages[0].startswith(f"{ALPHA}:{bad_line}: not UTF-8 text: "), messages
    assert "alpha" not in tree.lessons


def test_course_file_that_is_not_utf8(tmp_path):
    content = make_tree(tmp_path, course=edit(COURSE_YML, "Demo course", "Curso de demostración").encode("latin-1"))
    messages = check(content)
    bad_line = COURSE_YML.split("Demo course")[0].count("\n") + 1
    assert messages == [m for m in messages if m.startswith(f"{COURSE}:{bad_line}: not UTF-8 text: ")] \
        and messages, messages


def test_utf8_bom_is_accepted(tmp_path):
    bom = b"\xef\xbb\xbf"
    content = make_tree(tmp_path, alpha=bom + BASE.encode(), course=bom + COURSE_YML.encode())
    tree = load_tree(content, ROOT)
    assert tree.problems == []
    assert set(tree.lessons) == {"alpha", "beta"} and "demo" in tree.courses
    assert tree.lessons["alpha"].content_hash == sha256_text(BASE)


def test_windows_line_endings_accepted_and_hash_like_unix(tmp_path):
    unix = make_tree(tmp_path / "unix", course=COURSE_YML)
    windows = make_tree(tmp_path / "windows", alpha=BASE.replace("\n", "\r\n"),
                        beta=lesson_text("beta", "alpha.md").replace("\n", "\r\n"),
                        course=COURSE_YML.replace("\n", "\r\n"))
    unix_tree, windows_tree = load_tree(unix, ROOT), load_tree(windows, ROOT)
    assert windows_tree.problems == []
    for key in ("alpha", "beta"):
        assert windows_tree.lessons[key].content_hash == unix_tree.lessons[key].content_hash
        assert "\r" not in windows_tree.lessons[key].body
    assert windows_tree.courses["demo"].source_text == unix_tree.courses["demo"].source_text
    assert sha256_text("a\r\nb\r\n") == sha256_text("a\nb\n") == sha256_text("a\rb\r")


def test_windows_line_endings_keep_line_numbers(tmp_path):
    alpha = lesson_text("alpha", link="gamma.md").replace("\n", "\r\n")
    assert check(make_tree(tmp_path, alpha=alpha)) == [f"{ALPHA}:15: link to unknown lesson 'gamma'"]


def test_different_text_hashes_differently(tmp_path):
    tree = load_tree(make_tree(tmp_path, alpha=edit(BASE, "One point.", "One point!")), ROOT)
    assert tree.lessons["alpha"].content_hash != sha256_text(BASE)


# --- course problems -----------------------------------------------------------------------

C = COURSE_YML
WEEKS_BLOCK = C[C.index("weeks:"):]

COURSE_CASES = [
    # (id, demo.yml text, expected problems)
    ("yaml-syntax-error", edit(C, "kind: basic", "kind: basic: oops"),
     [f"{COURSE}:4: YAML syntax error: mapping values are not allowed here"]),
    ("not-a-mapping", "- alpha\n- beta\n",
     [f"{COURSE}:1: a course file must be a mapping of keys to values"]),
    ("empty-file", "",
     [f"{COURSE}:1: a course file must be a mapping of keys to values"]),
    ("unknown-key", edit(C, "title: Demo course\n", "title: Demo course\ntitel: typo\n"),
     [f"{COURSE}:4: unknown course key 'titel' (allowed: id, code, title, kind, models, status, "
      "description, weeks, require_order, rules, exams)"]),
    ("duplicate-key", edit(C, "kind: basic\n", "kind: basic\nkind: refresher\n"),
     [f"{COURSE}:5: duplicate key 'kind'"]),
    ("missing-key", edit(C, "code: DEMO\n", ""),
     [f"{COURSE}:1: missing course key 'code'"]),
    ("missing-weeks", C[:C.index("weeks:")],
     [f"{COURSE}:1: missing course key 'weeks'"]),
    ("require-order-is-optional", edit(C, "require_order: true\n", ""), []),
    ("id-not-file-name", edit(C, "id: demo", "id: other"),
     [f"{COURSE}:1: id 'other' does not match the file name 'demo.yml'"]),
    ("bad-id", edit(C, "id: demo", "id: Demo_1"),
     [f"{COURSE}:1: id must be lower case letters, digits and hyphens"]),
    ("code-empty", edit(C, "code: DEMO", 'code: ""'),
     [f"{COURSE}:2: code must be a non-empty text"]),
    ("description-empty", edit(C, "description: >\n  One paragraph.", 'description: ""'),
     [f"{COURSE}:8: description must be a non-empty text"]),
    ("bad-kind", edit(C, "kind: basic", "kind: advanced"),
     [f"{COURSE}:4: kind must be one of: basic, refresher"]),
    ("bad-model", edit(C, "models: [JEM]", "models: [JEM, XYZ]"),
     [f"{COURSE}:5: models must be a list drawn from JEM, TFM, WSO"]),
    ("models-lower-case", edit(C, "models: [JEM]", "models: [jem]"),
     [f"{COURSE}:5: models must be a list drawn from JEM, TFM, WSO"]),
    ("models-empty", edit(C, "models: [JEM]", "models: []"),
     [f"{COURSE}:5: models must be a list drawn from JEM, TFM, WSO"]),
    ("models-not-a-list", edit(C, "models: [JEM]", "models: JEM"),
     [f"{COURSE}:5: models must be a list drawn from JEM, TFM, WSO"]),
    ("bad-status", edit(C, "status: sample", "status: draft"),
     [f"{COURSE}:6: status must be one of: sample, official"]),
    ("require-order-a-string", edit(C, "require_order: true", 'require_order: "true"'),
     [f"{COURSE}:7: require_order must be true or false"]),
    ("require-order-a-number", edit(C, "require_order: true", "require_order: 1"),
     [f"{COURSE}:7: require_order must be true or false"]),
    ("weeks-empty", edit(C, WEEKS_BLOCK, "weeks: []\n"),
     [f"{COURSE}:10: weeks must be a non-empty list"]),
    ("weeks-not-a-list", edit(C, WEEKS_BLOCK, "weeks: one\n"),
     [f"{COURSE}:10: weeks must be a non-empty list"]),
    ("week-without-days", edit(C, WEEKS_BLOCK, 'weeks:\n  - title: "Week 1"\n'),
     [f"{COURSE}:11: each week needs a title and days"]),
    ("days-empty", edit(C, WEEKS_BLOCK, 'weeks:\n  - title: "Week 1"\n    days: []\n'),
     [f"{COURSE}:12: days must be a non-empty list"]),
    ("day-without-title", edit(C, '      - title: "Day 1"\n        lessons:', "      - lessons:"),
     [f"{COURSE}:13: each day needs a title and lessons"]),
    ("lessons-empty", edit(C, "        lessons:\n          - alpha\n          - beta\n", "        lessons: []\n"),
     [f"{COURSE}:14: lessons must be a non-empty list of lesson ids"]),
    ("lesson-that-does-not-exist", edit(C, "          - beta", "          - gamma"),
     [f"{COURSE}:16: course names a lesson that does not exist: 'gamma'"]),
    ("lesson-twice", edit(C, "          - beta", "          - alpha"),
     [f"{COURSE}:16: lesson 'alpha' appears twice in the course (also line 15)"]),
    ("lesson-twice-across-days", C + '      - title: "Day 2"\n        lessons:\n          - beta\n',
     [f"{COURSE}:19: lesson 'beta' appears twice in the course (also line 16)"]),
    ("several-course-problems", edit(edit(C, "kind: basic", "kind: advanced"), "          - beta", "          - alpha"),
     [f"{COURSE}:4: kind must be one of", f"{COURSE}:16: lesson 'alpha' appears twice"]),
]


@pytest.mark.parametrize("course, expected", [case[1:] for case in COURSE_CASES],
                         ids=[case[0] for case in COURSE_CASES])
def test_course_problems(tmp_path, course, expected):
    assert_problems(check(make_tree(tmp_path, course=course)), expected)


def test_course_naming_a_lesson_that_has_problems(tmp_path):
    content = make_tree(tmp_path, alpha=edit(BASE, "status: sample", "status: draft"), course=COURSE_YML)
    tree = load_tree(content, ROOT)
    assert [str(p) for p in tree.problems] == [
        f"{COURSE}:15: course names a lesson that has problems: 'alpha'",
        f"{ALPHA}:6: status must be one of: sample, official",
    ]
    assert "demo" not in tree.courses


def test_course_with_a_bad_lesson_is_left_out_but_good_courses_load(tmp_path):
    other = COURSE_YML.replace("id: demo", "id: other").replace("          - beta\n", "")
    content = make_tree(tmp_path, course=edit(COURSE_YML, "- beta", "- gamma"), extra={"courses/other.yml": other})
    tree = load_tree(content, ROOT)
    assert set(tree.courses) == {"other"}
    assert [str(p) for p in tree.problems] == [f"{COURSE}:16: course names a lesson that does not exist: 'gamma'"]


# --- many problems at once ------------------------------------------------------------------

def test_all_problems_reported_sorted_by_path_and_line(tmp_path):
    content = make_tree(
        tmp_path,
        alpha=edit(edit(BASE, "status: sample", "status: draft"), "minutes: 60", "minutes: 0"),
        beta=lesson_text("beta", link="gamma.md"),
        course=edit(edit(COURSE_YML, "kind: basic", "kind: advanced"), "- beta", "- delta"),
        extra={
            "lessons/civil-rights/zeta.md": "no front matter here\n",
            "lessons/use-of-force/eta.md": edit(lesson_text("eta", link="alpha.md"), "## Key points", "## Recap"),
        },
    )
    problems = load_tree(content, ROOT).problems
    assert problems == sorted(problems, key=lambda p: (p.path, p.line, p.message))
    assert_problems([str(p) for p in problems], [
        f"{COURSE}:4: kind must be one of: basic, refresher",
        f"{ROOT}/lessons/civil-rights/zeta.md:1: missing front matter",
        f"{ALPHA}:5: minutes must be a whole number from 10 to 480",
        f"{ALPHA}:6: status must be one of: sample, official",
        f"{BETA}:15: link to unknown lesson 'gamma'",
        f"{ROOT}/lessons/use-of-force/eta.md:12: missing a '## Key points' section",
    ])


def test_sorting_is_by_line_number_not_text(tmp_path):
    # Line 15 must come before line 104 (a text sort would put "104" first).
    beta = edit(lesson_text("beta", link="gamma.md"), "- One point.", "- One point.\n" + "\n" * 80 + "[d](delta.md)")
    problems = check(make_tree(tmp_path, beta=beta))
    assert problems == [f"{BETA}:15: link to unknown lesson 'gamma'", f"{BETA}:104: link to unknown lesson 'delta'"]


# --- the real content -------------------------------------------------------------------------

REAL_CONTENT = Path(__file__).resolve().parents[2] / "content"
SAMPLE_MARKER = re.compile(r"^\*Sample curriculum\b[^\n]*\*$")


@pytest.fixture(scope="module")
def real():
    return load_tree(REAL_CONTENT, "content")


def test_real_content_has_no_problems(real):
    assert [str(p) for p in real.problems] == []
    assert {"iadp", "iadrp", "tfm", "wso"} <= set(real.courses)


def test_iadp_has_at_least_40_lessons(real):
    assert len(real.courses["iadp"].lesson_keys()) >= 40


def test_every_subject_area_has_6_iadp_lessons(real):
    counts = Counter(real.lessons[key].subject for key in real.courses["iadp"].lesson_keys())
    thin = {area: counts[area] for area in SUBJECT_AREAS if counts[area] < 6}
    assert not thin, f"subject areas with fewer than 6 IADP lessons: {thin}"


def test_iadrp_has_at_least_8_lessons(real):
    assert len(real.courses["iadrp"].lesson_keys()) >= 8


def test_iadp_is_4_weeks_of_5_days(real):
    assert [len(week.days) for week in real.courses["iadp"].weeks] == [5, 5, 5, 5]


def test_iadrp_is_one_week(real):
    assert len(real.courses["iadrp"].weeks) == 1


def test_every_lesson_has_at_least_350_words(real):
    short = {key: lesson.word_count for key, lesson in real.lessons.items() if lesson.word_count < 350}
    assert not short, f"lessons under 350 words: {short}"


def test_every_lesson_is_a_marked_sample(real):
    wrong = [key for key, lesson in real.lessons.items()
             if lesson.status != "sample" or "Sample curriculum" not in lesson.body]
    assert not wrong, f"lessons not marked as sample curriculum: {wrong}"


def test_every_lesson_has_a_reference(real):
    assert all(lesson.references for lesson in real.lessons.values())


def _paragraphs(body: str) -> set[str]:
    return {" ".join(block.split()) for block in re.split(r"\n\s*\n", body) if block.strip()}


def test_no_long_paragraph_is_copied_between_lessons(real):
    seen: dict[str, str] = {}
    copies = []
    for key, lesson in sorted(real.lessons.items()):
        for paragraph in _paragraphs(lesson.body):
            if len(paragraph) <= 60 or SAMPLE_MARKER.match(paragraph):
                continue
            if paragraph in seen and seen[paragraph] != key:
                copies.append(f"{key} repeats {seen[paragraph]}: {paragraph[:80]}...")
            seen.setdefault(paragraph, key)
    assert not copies, "\n".join(copies)


def _course_minutes(real, course_key: str) -> int:
    return sum(real.lessons[key].minutes for key in real.courses[course_key].lesson_keys())


def test_tfm_and_wso_durations(real):
    tfm, wso = _course_minutes(real, "tfm"), _course_minutes(real, "wso")
    assert 1800 <= tfm <= 3000, f"TFM totals {tfm} minutes ({tfm / 60:.1f} h); expected about 40 hours (1,800-3,000)"
    assert 240 <= wso <= 720, f"WSO totals {wso} minutes ({wso / 60:.1f} h); expected about 8 hours (240-720)"
