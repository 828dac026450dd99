"""Pages read through an HTML parser, for tests that look at what a page shows.

Django's own parser (``django.test.html``, the one ``assertHTMLEqual`` uses): text comes back
unescaped, so a test can tell text that shows ``<b>`` from markup that makes bold, and
attributes come back as the browser reads them. Whitespace inside text is collapsed.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.test.html import Element, parse_html


def parse(html: str | bytes) -> Element:
    """The page (or fragment) as a tree of ``Element`` with text children."""
    return parse_html(html.decode() if isinstance(html, bytes) else html)


def attr(node: Element, name: str) -> str | None:
    """The attribute's value (``""`` for one without a value), or ``None`` when absent."""
    for key, value in node.attributes:
        if key == name:
            return "" if value is None else value
    return None


def classes(node: Element) -> set[str]:
    return set((attr(node, "class") or "").split())


def _descendants(node: Element) -> Iterator[Element]:
    for child in node.children:
        if isinstance(child, Element):
            yield child
            yield from _descendants(child)


def find_all(node: Element, tag: str | None = None, *, cls: str | None = None, **attrs: str):
    """Every element under ``node`` (not ``node`` itself), in document order, that is a
    ``tag`` (any when None), has the class ``cls``, and has each of ``attrs`` (``id_`` for
    ``id``: a trailing underscore is dropped)."""
    wanted = {name.rstrip("_"): value for name, value in attrs.items()}
    return [
        element
        for element in _descendants(node)
        if (tag is None or element.name == tag)
        and (cls is None or cls in classes(element))
        and all(attr(element, name) == value for name, value in wanted.items())
    ]


def find(node: Element, tag: str | None = None, *, cls: str | None = None, **attrs: str):
    """The one element ``find_all`` gives; fails the test when there is none or several."""
    found = find_all(node, tag, cls=cls, **attrs)
    assert len(found) == 1, f"{len(found)} <{tag or '*'} class={cls} {attrs}> found"
    return found[0]


def text(node: Element | str) -> str:
    """All the text under ``node``, its pieces joined as they are (no separator)."""
    if isinstance(node, str):
        return node
    return "".join(text(child) for child in node.children)
