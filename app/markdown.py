"""The one Markdown pipeline: Python-Markdown, then an nh3 allow-list.

Everything authored (lessons, question stems, feedback) goes through
`render_markdown`; templates mark only its output safe. Links between lessons
(`other-lesson.md`) become relative links to the lesson of that id, and images
under `content/images/` are served by the courses blueprint, so the stored
HTML works in every place a lesson is shown.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from functools import lru_cache

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "caption", "code", "dd", "del", "div", "dl", "dt",
    "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "img", "ins", "kbd", "li", "ol", "p",
    "pre", "s", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
    "h1": {"id"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    # Admonitions, the table of contents and code languages use classes.
    "div": {"class"}, "p": {"class"}, "code": {"class"}, "span": {"class"},
}
URL_SCHEMES = {"http", "https", "mailto"}
LESSON_LINK = re.compile(r"^(?:\./)?(?P<id>[a-z0-9][a-z0-9-]*)\.md(?P<anchor>#[\w-]*)?$")
IMAGE_PATH = re.compile(r"^(?:\.\./)*images/(?P<name>[\w.-]+)$")
IMAGE_URL_PREFIX = "/courses/images/"


class _ContentLinks(Treeprocessor):
    """Rewrite lesson links and content image paths to the URLs that serve them."""

    def run(self, root: etree.Element) -> None:
        for element in root.iter("a"):
            match = LESSON_LINK.match(element.get("href", ""))
            if match:
                element.set("href", match["id"] + (match["anchor"] or ""))
        for element in root.iter("img"):
            match = IMAGE_PATH.match(element.get("src", ""))
            if match:
                element.set("src", IMAGE_URL_PREFIX + match["name"])


class _ContentLinksExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_ContentLinks(md), "content_links", 1)


def _markdown() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=["tables", "fenced_code", "toc", "admonition", "sane_lists",
                    _ContentLinksExtension()],
        extension_configs={"toc": {"permalink": False, "toc_depth": "2-3"}},
        output_format="html",
    )


def sanitize_html(html: str) -> str:
    """Keep only allow-listed tags, attributes and URL schemes."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


@lru_cache(maxsize=2048)
def render_markdown(text: str) -> str:
    """Render authored Markdown to sanitized HTML (memoized: the result depends only on the text)."""
    return sanitize_html(_markdown().convert(text))
