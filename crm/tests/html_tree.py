"""HTML as an element tree, for tests that assert on a page's structure and not its bytes.

``parse(html)`` reads a page or a fragment with the standard library's ``HTMLParser`` into
``xml.etree.ElementTree`` elements under one root, so a test can ask for
``tree.find(".//section[@id='reminder-3']")`` or ``tree.iter("option")``. Void elements
(``<input>``, ``<br>`` ...) close themselves, and an end tag closes whatever was left open
inside it, as a browser would; attribute values come unescaped.
"""

from __future__ import annotations

from html.parser import HTMLParser
from xml.etree.ElementTree import Element

VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta"}
    | {"param", "source", "track", "wbr"}
)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("root")
        self.open = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        self._append(element)
        if tag not in VOID:
            self.open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._append(Element(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.open) - 1, 0, -1):
            if self.open[depth].tag == tag:
                del self.open[depth:]
                return

    def handle_data(self, data: str) -> None:
        parent = self.open[-1]
        if len(parent):
            last = parent[-1]
            last.tail = (last.tail or "") + data
        else:
            parent.text = (parent.text or "") + data

    def _append(self, element: Element) -> None:
        self.open[-1].append(element)


def parse(html: str | bytes) -> Element:
    """``html`` (a page or a fragment) as elements under a ``<root>`` element."""
    builder = _TreeBuilder()
    builder.feed(html.decode() if isinstance(html, bytes) else html)
    builder.close()
    return builder.root


def text(element: Element) -> str:
    """The element's text with its descendants', whitespace runs made single spaces."""
    return " ".join("".join(element.itertext()).split())


def by_id(tree: Element, id_: str) -> Element | None:
    """The element with ``id`` ``id_``, if any."""
    return next((e for e in tree.iter() if e.get("id") == id_), None)


def classes(element: Element) -> set[str]:
    return set(element.get("class", "").split())
