"""Reading pages in tests through an HTML parser (Django's own, ``django.test.html``), so an
assertion is about elements and their order, not about bytes of markup."""

from __future__ import annotations

from collections.abc import Iterator

from django.test.html import Element, RootElement, parse_html


def page(content: bytes | str) -> Element:
    """The parsed document (a response's ``content`` or a fragment)."""
    text = content.decode() if isinstance(content, bytes) else content
    return parse_html(text)


def walk(element: Element) -> Iterator[Element]:
    """``element`` and every element inside it, in document order."""
    yield element
    for child in element.children:
        if isinstance(child, Element):
            yield from walk(child)


def attrs(element: Element) -> dict[str, str | None]:
    return dict(element.attributes)


def find_all(element: Element, tag: str | None = None, **wanted: str) -> list[Element]:
    """Elements named ``tag`` (any, if None) whose attributes have the ``wanted`` values, in
    document order. ``class_`` matches one word of ``class``; ``for_`` is ``for``, and other
    underscores are dashes (``hx_post`` is ``hx-post``)."""
    found = []
    for node in walk(element):
        if isinstance(node, RootElement) or (tag is not None and node.name != tag):
            continue
        have = attrs(node)
        if all(_matches(have, name, value) for name, value in wanted.items()):
            found.append(node)
    return found


def find(element: Element, tag: str | None = None, **wanted: str) -> Element | None:
    """The first of ``find_all``, or None."""
    found = find_all(element, tag, **wanted)
    return found[0] if found else None


def text(element: Element) -> str:
    """The element's text, whitespace collapsed."""
    parts: list[str] = []

    def collect(node: Element) -> None:
        for child in node.children:
            if isinstance(child, Element):
                collect(child)
            else:
                parts.append(str(child))

    collect(element)
    return " ".join(" ".join(parts).split())


def _matches(have: dict[str, str | None], name: str, value: str) -> bool:
    if name == "class_":
        return value in (have.get("class") or "").split()
    return have.get(name.rstrip("_").replace("_", "-")) == value
