"""`tracker parse FILE [--units DIRECTORY.yaml] [--json]`: no app, no database needed."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click

from tracker.parsing import ParseError, ParseResult, parse_file
from tracker.units.directory import DirectoryError, read_directory

_TEXT_WIDTH = 60


@click.command("parse")
@click.argument("file", type=click.Path(dir_okay=True, path_type=Path))
@click.option(
    "--units",
    "units_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Unit directory (YAML) to resolve unit names against.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the contract's JSON document.")
def parse_command(file: Path, units_path: Path | None, as_json: bool) -> None:
    """Parse a conclusion notice (.txt, .docx, .doc, .odt, .pdf, scan image) into tasks."""
    try:
        directory = read_directory(units_path) if units_path else None
        result = parse_file(file, directory, progress=_report_progress)
    except ParseError as exc:
        _fail(str(exc))
    except DirectoryError as exc:
        _fail(
            f"Danh mục đơn vị không dùng được: {exc} / "
            f"Unusable unit directory: {exc.source}, line {exc.line or '-'}"
        )
    except Exception as exc:  # the promise is one line on stderr, never a traceback
        _fail(
            f"Lỗi không mong đợi khi đọc {file} ({type(exc).__name__}) / "
            f"Unexpected error while parsing {file} ({type(exc).__name__}: {exc})"
        )
    if as_json:
        click.echo(json.dumps(result.to_json_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(render_table(result))


def _report_progress(done: int, pages: int) -> None:
    click.echo(f"OCR: trang {done}/{pages} / page {done} of {pages}", err=True)


def _fail(message: str) -> None:
    click.echo(" ".join(message.split()), err=True)
    sys.exit(2)


def render_table(result: ParseResult) -> str:
    """A readable summary: the notice's head, then code, units, due date and text per task."""
    head = [
        f"{result.source}: {result.kind} ({result.doc_type}), {len(result.tasks)} nhiệm vụ / tasks",
        f"  Số / number: {result.number or '-'}   Ngày / date: {_day(result.issued_on)}"
        f"   Kỳ / period: {result.period or '-'}   Hạn chung / default due: "
        f"{_day(result.default_due)}   Ban hành / issuer: {result.issuer or '-'}",
    ]
    if result.title:
        head.append(f"  {result.title}")
    rows = [("Mã", "Chủ trì / Phối hợp", "Hạn", "Nội dung")]
    for task in result.tasks:
        units = ", ".join(task.lead) or "?"
        if task.support:
            units += " / " + ", ".join(task.support)
        flag = "!" if task.needs_review else " "
        text = task.text if len(task.text) <= _TEXT_WIDTH else task.text[: _TEXT_WIDTH - 1] + "…"
        rows.append((f"{flag}{task.code}", units, _day(task.due), text))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    widths[1] = min(widths[1], 40)
    lines = [
        "  ".join(
            [
                row[0].ljust(widths[0]),
                _cut(row[1], widths[1]).ljust(widths[1]),
                row[2].ljust(widths[2]),
                row[3],
            ]
        )
        for row in rows
    ]
    notes = [f"  ! {warning}" for warning in result.warnings]
    footer = ["", "Cảnh báo / warnings:", *notes] if notes else []
    return "\n".join([*head, "", *lines, *footer])


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "-"


if __name__ == "__main__":
    parse_command()
