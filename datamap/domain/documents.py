"""Documents a person can send or file: a title, sections of paragraphs and lists, as plain text or HTML. Pure."""

from __future__ import annotations

import html
from dataclasses import dataclass, field


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)


@dataclass
class Document:
    title: str
    sections: list[Section] = field(default_factory=list)

    def section(self, heading: str, *paragraphs: str, items: list[str] | None = None) -> Document:
        self.sections.append(Section(heading, list(paragraphs), list(items or [])))
        return self

    def text(self) -> str:
        out = [self.title, "=" * len(self.title), ""]
        for s in self.sections:
            if s.heading:
                out += [s.heading, "-" * len(s.heading)]
            out += [*s.paragraphs, *(f"  - {item}" for item in s.items), ""]
        return "\n".join(out).rstrip() + "\n"

    def html(self) -> str:
        e = html.escape
        parts = [
            "<!doctype html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f"<title>{e(self.title)}</title>",
            "<style>body{font-family:sans-serif;max-width:48em;margin:2em auto;line-height:1.45}"
            "h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em}</style></head><body>",
            f"<h1>{e(self.title)}</h1>",
        ]
        for s in self.sections:
            if s.heading:
                parts.append(f"<h2>{e(s.heading)}</h2>")
            parts += [f"<p>{e(p)}</p>" for p in s.paragraphs]
            if s.items:
                parts.append("<ul>" + "".join(f"<li>{e(i)}</li>" for i in s.items) + "</ul>")
        parts.append("</body></html>")
        return "\n".join(parts) + "\n"
