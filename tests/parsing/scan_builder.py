"""Build scanned notices in tests: a notice's text laid out on A4, printed, scanned, stamped.

The layout follows an administrative document: the header's two columns side by side (the
text file separates them with runs of spaces), the title centred, justified paragraphs with a
first-line indent, page numbers from page 2. The "scan" is turned slightly, has sensor noise,
optionally a shadow across the page, and a red round stamp over the end of the text.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFont

# Liberation 2 has the precomposed Vietnamese letters; the old Liberation does not.
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/liberation2"),
    Path("/usr/share/fonts/truetype/dejavu"),
)
FONT_FILES = {"regular": ("LiberationSerif-Regular.ttf", "DejaVuSerif.ttf"),
              "bold": ("LiberationSerif-Bold.ttf", "DejaVuSerif-Bold.ttf")}  # fmt: skip
_MM = 1 / 25.4


def font_path(style: str = "regular") -> Path | None:
    """A serif font with Vietnamese letters, when the machine has one."""
    for folder in FONT_DIRS:
        for name in FONT_FILES[style]:
            if (folder / name).exists():
                return folder / name
    return None


def render_pages(text: str, dpi: int = 250, points: float = 13.0) -> list[Image.Image]:
    """The notice typeset on A4 pages (white, black text), before any degradation."""
    regular = ImageFont.truetype(str(font_path("regular")), round(points / 72 * dpi))
    bold = ImageFont.truetype(str(font_path("bold")), round(points / 72 * dpi))
    width, height = round(210 * _MM * dpi), round(297 * _MM * dpi)
    left, right = round(30 * _MM * dpi), width - round(15 * _MM * dpi)
    top, bottom = round(20 * _MM * dpi), height - round(20 * _MM * dpi)
    line_height = round(points / 72 * dpi * 1.45)
    indent = round(12 * _MM * dpi)
    pages: list[Image.Image] = []
    state = {"y": bottom + 1, "draw": None}

    def new_page() -> ImageDraw.ImageDraw:
        page = Image.new("RGB", (width, height), "white")
        pages.append(page)
        draw = ImageDraw.Draw(page)
        state["y"] = top
        if len(pages) > 1:
            number = str(len(pages))
            draw.text(
                ((width - draw.textlength(number, regular)) / 2, top), number, "black", regular
            )
            state["y"] = top + 2 * line_height
        state["draw"] = draw
        return draw

    def line_at(draw_text) -> None:
        if state["y"] + line_height > bottom:
            new_page()
        draw_text(state["draw"], state["y"])
        state["y"] += line_height

    lines = text.splitlines()
    title_at = next(i for i, line in enumerate(lines) if line.strip() == "THÔNG BÁO")
    middle = left + (right - left) * 0.42
    new_page()
    for number, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            state["y"] += line_height // 2
            continue
        if number < title_at:  # header: left column | right column
            columns = re.split(r"\s{3,}", raw.strip())
            if raw.startswith(" ") or len(raw) - len(raw.lstrip()) > 10:
                columns = ["", *columns]
            spans = [(left, middle), (middle, right)]

            def header(draw, y, columns=columns, spans=spans):
                for part, (x0, x1) in zip(columns, spans, strict=False):
                    font = bold if part.isupper() else regular
                    x = (x0 + x1 - draw.textlength(part, font)) / 2
                    draw.text((x, y), part, "black", font)

            line_at(header)
            continue
        if number <= title_at + 3 and not re.match(r"^(?:ngày|-{3,})", line, re.I):

            def centred(draw, y, line=line, number=number):
                font = bold if line.isupper() or number == title_at else regular
                draw.text(
                    ((left + right - draw.textlength(line, font)) / 2, y), line, "black", font
                )

            line_at(centred)
            continue
        if set(line) <= {"-"}:
            continue
        _paragraph(line, regular, left, right, indent, line_at)
    return pages


def _paragraph(text, font, left, right, indent, line_at) -> None:
    """One justified paragraph with a first-line indent."""
    words = text.split()
    first = True
    while words:
        start = left + (indent if first else 0)
        room = right - start
        taken: list[str] = []
        probe = ImageDraw.Draw(Image.new("L", (1, 1)))
        while words and probe.textlength(" ".join([*taken, words[0]]), font) <= room:
            taken.append(words.pop(0))
        if not taken:
            taken.append(words.pop(0))
        last = not words

        def draw_line(draw, y, taken=taken, start=start, last=last):
            if last or len(taken) == 1:
                draw.text((start, y), " ".join(taken), "black", font)
                return
            widths = [draw.textlength(word, font) for word in taken]
            gap = (right - start - sum(widths)) / (len(taken) - 1)
            x = start
            for word, size in zip(taken, widths, strict=True):
                draw.text((x, y), word, "black", font)
                x += size + gap

        line_at(draw_line)
        first = False


def degrade(
    page: Image.Image, seed: int, skew: float = 0.8, stamp: bool = True, shadow: bool = False
) -> Image.Image:
    """The printed page as a scanner (or a phone) sees it."""
    rng = np.random.default_rng(seed)
    page = page.copy()
    if stamp:  # ink over ink: the text under the stamp stays dark
        ink = Image.new("RGB", page.size, "white")
        draw = ImageDraw.Draw(ink)
        width, height = page.size
        radius = round(width * 0.08)
        cx, cy = round(width * 0.62), round(height * 0.55)
        for ring in (0, radius // 12):
            draw.ellipse(
                (cx - radius + ring, cy - radius + ring, cx + radius - ring, cy + radius - ring),
                outline=(205, 30, 35),
                width=max(radius // 25, 2),
            )
        draw.regular_polygon((cx, cy, radius // 4), 5, fill=(205, 30, 35))
        page = ImageChops.multiply(page, ink)
    page = page.rotate(skew, resample=Image.Resampling.BICUBIC, fillcolor="white", expand=False)
    pixels = np.asarray(page, dtype=np.float32)
    pixels = pixels * 0.9 + 18  # toner grey on off-white paper
    if shadow:
        ramp = np.linspace(0.55, 1.0, pixels.shape[1], dtype=np.float32)
        pixels = pixels * ramp[None, :, None]
    pixels += rng.normal(0, 9, pixels.shape).astype(np.float32)
    return Image.fromarray(pixels.clip(0, 255).astype(np.uint8))


def scanned_pdf(text: str, dpi: int = 250, seed: int = 7, skew: float = 0.8) -> bytes:
    """The notice as a scanned PDF: one JPEG per page, no text layer."""
    pages = [degrade(page, seed + n, skew) for n, page in enumerate(render_pages(text, dpi))]
    buffer = io.BytesIO()
    pages[0].save(buffer, "PDF", save_all=True, append_images=pages[1:], resolution=dpi)
    return buffer.getvalue()


def scanned_image(text: str, fmt: str = "PNG", dpi: int = 250, shadow: bool = False) -> bytes:
    """The notice's first page as one image file."""
    page = degrade(render_pages(text, dpi)[0], seed=3, skew=-0.6, shadow=shadow)
    buffer = io.BytesIO()
    page.save(buffer, fmt, dpi=(dpi, dpi))
    return buffer.getvalue()
