"""The app's two icons, drawn as PNG with the standard library only.

Teams wants a 192×192 full-colour icon and a 32×32 outline icon (white on transparent).
Run ``python -m adapters.teams.icons`` to redraw ``manifest/color.png`` and
``manifest/outline.png``.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from pathlib import Path

Pixel = tuple[int, int, int, int]
MANIFEST = Path(__file__).parent / "manifest"
BRAND = (0x1F, 0x6F, 0x8B, 0xFF)
WHITE = (0xFF, 0xFF, 0xFF, 0xFF)
CLEAR = (0, 0, 0, 0)


def png(size: int, pixel: Callable[[int, int], Pixel]) -> bytes:
    """An RGBA PNG of ``size``×``size`` pixels."""
    rows = b"".join(
        b"\x00" + b"".join(struct.pack("4B", *pixel(x, y)) for x in range(size))
        for y in range(size)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def _speech_bubble(size: int, u: float, v: float) -> bool:
    """A rounded speech bubble with a tail, in unit coordinates (0..1)."""
    left, right, top, bottom, radius = 0.16, 0.84, 0.2, 0.68, 0.12
    cx = min(max(u, left + radius), right - radius)
    cy = min(max(v, top + radius), bottom - radius)
    body = left <= u <= right and top <= v <= bottom and (u - cx) ** 2 + (v - cy) ** 2 <= radius**2
    tail = 0.3 <= u <= 0.46 and bottom <= v <= 0.84 and (u - 0.3) >= (v - bottom) * 0.9
    return body or tail


def _question_mark(u: float, v: float) -> bool:
    ring = 0.012 <= (u - 0.5) ** 2 + (v - 0.37) ** 2 <= 0.026 and not (v > 0.37 and u < 0.5)
    stem = 0.46 <= u <= 0.54 and 0.44 <= v <= 0.53
    dot = (u - 0.5) ** 2 + (v - 0.6) ** 2 <= 0.0018
    return ring or stem or dot


def color(size: int = 192) -> bytes:
    def pixel(x: int, y: int) -> Pixel:
        u, v = (x + 0.5) / size, (y + 0.5) / size
        if _speech_bubble(size, u, v):
            return BRAND if _question_mark(u, v) else WHITE
        return BRAND

    return png(size, pixel)


def outline(size: int = 32) -> bytes:
    def pixel(x: int, y: int) -> Pixel:
        u, v = (x + 0.5) / size, (y + 0.5) / size
        if _speech_bubble(size, u, v) and not _question_mark(u, v):
            return WHITE
        return CLEAR

    return png(size, pixel)


def write(directory: Path = MANIFEST) -> None:
    (directory / "color.png").write_bytes(color())
    (directory / "outline.png").write_bytes(outline())


if __name__ == "__main__":
    write()
