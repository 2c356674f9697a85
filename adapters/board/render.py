"""How the board looks: Jinja2 templates (autoescaped), core messages as HTML, and the
trend charts as SVG drawn here, so no script or stylesheet from elsewhere is needed."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from bot.intake.safe_text import one_line
from bot.messages import Choices, Divider, Facts, Heading, Message, Paragraph, Quote

TEMPLATES = resources.files("adapters.board").joinpath("templates")


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(("html",), default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["one_line"] = one_line
    env.filters["day"] = _day
    env.globals["message_html"] = message_html
    env.globals["sparkline"] = sparkline
    return env


def _day(moment: dt.datetime | None) -> str:
    return moment.strftime("%Y-%m-%d") if moment else ""


def _lines(text: str) -> Markup:
    return Markup("<br>").join(escape(line) for line in text.splitlines())


def message_html(message: Message) -> Markup:
    """A core message (a past digest) as HTML; every text escaped."""
    out: list[Markup] = []
    for part in message.parts:
        match part:
            case Heading(text):
                out.append(Markup("<h2>{}</h2>").format(one_line(text)))
            case Paragraph(text, muted):
                css = ' class="muted"' if muted else ""
                out.append(Markup("<p{}>{}</p>").format(Markup(css), _lines(text)))
            case Quote(text, attribution):
                out.append(
                    Markup("<blockquote><p>{}</p><footer>{}</footer></blockquote>").format(
                        _lines(text), one_line(attribution)
                    )
                )
            case Facts(items):
                rows = Markup("").join(
                    Markup("<dt>{}</dt><dd>{}</dd>").format(one_line(k), one_line(v))
                    for k, v in items
                )
                out.append(Markup("<dl>{}</dl>").format(rows))
            case Divider():
                out.append(Markup("<hr>"))
            case Choices():
                pass  # buttons act in chat, not on an archived page
    return Markup("\n").join(out)


WIDTH, HEIGHT, PAD = 240, 60, 4


def sparkline(counts: tuple[int, ...], label: str, weeks: tuple[str, ...] = ()) -> Markup:
    """A small bar chart of weekly counts, with a title and a text equivalent for readers
    that do not see it."""
    top = max(counts) if counts and max(counts) > 0 else 1
    step = (WIDTH - 2 * PAD) / max(len(counts), 1)
    bars: list[Markup] = []
    for index, count in enumerate(counts):
        height = (HEIGHT - 2 * PAD) * count / top
        x = PAD + index * step
        y = HEIGHT - PAD - height
        week = weeks[index] if index < len(weeks) else ""
        bars.append(
            Markup(
                '<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}">'
                "<title>{}: {}</title></rect>"
            ).format(x + 1, y, max(step - 2, 1), height, week, count)
        )
    values = ", ".join(str(count) for count in counts)
    return Markup(
        '<svg class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-label="{label}: {values}"><line x1="0" y1="{base}" x2="{w}" y2="{base}"/>'
        "{bars}</svg>"
    ).format(
        w=WIDTH, h=HEIGHT, label=label, values=values, base=HEIGHT - PAD, bars=Markup("").join(bars)
    )


def page(env: Environment, name: str, **values: Any) -> str:
    return env.get_template(name).render(**values)
