"""How the CLI prints a list: a table on a terminal, whole values when piped, or JSON.

Rich fits a table to the terminal's width and cuts what does not fit ("klantenservi…"); a
script reading ``waarom teams | …`` needs every value whole, so off a terminal each row is one
line of tab-separated values under a header line, and ``--format json`` gives the rows as a
JSON array of objects with the same keys.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from enum import StrEnum

from rich.console import Console
from rich.table import Table


class Format(StrEnum):
    table = "table"
    json = "json"


def _cell(value: object) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def emit(
    console: Console,
    columns: Sequence[str],
    rows: Sequence[Mapping[str, object]],
    fmt: Format,
    *,
    empty: str,
) -> None:
    if fmt is Format.json:
        console.file.write(json.dumps(list(rows), ensure_ascii=False, indent=2) + "\n")
        return
    if not rows:
        console.print(empty)
        return
    if not console.is_terminal:
        console.file.write("\t".join(columns) + "\n")
        for row in rows:
            console.file.write("\t".join(_cell(row.get(c)) for c in columns) + "\n")
        return
    table = Table(*columns, box=None)
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in columns))
    console.print(table)
