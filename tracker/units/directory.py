"""The unit directory file (YAML): reading and validating it, with the line of every mistake.

The format is in ../shared/docs/parse-format.md. The parser takes the result as plain data and
`tracker units load` writes it to the database, so both read a file the same way.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from tracker.errors import N_

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")


@dataclass(frozen=True)
class DirectoryUnit:
    code: str
    name: str
    aliases: tuple[str, ...]
    parent: str | None


@dataclass(frozen=True)
class DirectoryGroup:
    code: str
    name: str
    aliases: tuple[str, ...]
    members: tuple[str, ...]


@dataclass(frozen=True)
class UnitDirectory:
    units: tuple[DirectoryUnit, ...]
    groups: tuple[DirectoryGroup, ...]


class SheetSource(str):
    """Where a workbook's rows come from: the file and the sheet. It is the Vietnamese
    "tệp, trang 'Sheet1'" wherever a source is a string (the command line, the checks), and
    lets a message be placed in the reader's language."""

    file: str
    sheet: str

    def __new__(cls, file: str, sheet: str) -> SheetSource:
        place = super().__new__(cls, f"{file}, trang '{sheet}'")
        place.file, place.sheet = file, sheet
        return place


class DirectoryError(ValueError):
    """A directory file that cannot be used; `line` is 1-based, or None when it has no place.

    `reason` is a message template (marked with N_, so it has its English in the catalogue)
    and `params` its values; `str()` and `.reason` give the Vietnamese, `translated()` the
    reader's language in a request (the words passed as values, such as "mã nhóm", too)."""

    def __init__(
        self, reason: str, line: int | None = None, source: str = "<text>", **params: Any
    ) -> None:
        self.template = reason
        self.params = params
        self.reason = reason.format(**params) if params else reason
        self.line = line
        self.source = source
        super().__init__(self._located(self.reason, "{source}, dòng {line}"))

    def _located(self, reason: str, where: str, source: str | None = None) -> str:
        source = self.source if source is None else source
        place = where.format(source=source, line=self.line) if self.line else source
        return f"{place}: {reason}"

    def translated(self, *, with_place: bool = True) -> str:
        """The message in the reader's language (as written outside a request), with the file
        and line it is about unless `with_place` is False (a form has no file)."""
        from flask_babel import gettext

        try:
            values = {
                key: gettext(value) if isinstance(value, str) else value
                for key, value in self.params.items()
            }
            reason = gettext(self.template)
            reason = reason.format(**values) if values else reason
            where = gettext(N_("{source}, dòng {line}"))
            source = self.source
            if isinstance(source, SheetSource):
                source = gettext(N_("{file}, trang '{sheet}'")).format(
                    file=source.file, sheet=source.sheet
                )
        except (RuntimeError, KeyError):  # no request (the command line): as written
            reason, where, source = self.reason, "{source}, dòng {line}", self.source
        return self._located(reason, where, source) if with_place else reason


def read_directory(path: str | os.PathLike[str]) -> UnitDirectory:
    """Read and validate a directory file: YAML, or an Excel workbook (.xlsx)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        raise DirectoryError(N_("không tìm thấy tệp"), source=str(path)) from None
    # Imported here: the workbook reader builds on this module's types and checks.
    from tracker.units.spreadsheet import read_directory_upload

    return read_directory_upload(data, source=str(path))


def parse_directory(text: str, source: str = "<text>") -> UnitDirectory:
    """Validate directory YAML given as text."""
    reader = _Reader(source)
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context_mark", None)
        if context is not None and context.line + 1 != line:
            raise DirectoryError(
                N_("YAML không hợp lệ: {problem} (khối bắt đầu ở dòng {start})"),
                line,
                source,
                problem=problem,
                start=context.line + 1,
            ) from None
        raise DirectoryError(
            N_("YAML không hợp lệ: {problem}"), line, source, problem=problem
        ) from None
    if root is None:
        raise DirectoryError(N_("tệp rỗng, cần có mục 'units'"), None, source)
    top = reader.mapping(root, N_("tệp danh mục"), allowed={"units", "groups"})
    if "units" not in top:
        raise DirectoryError(N_("thiếu mục 'units'"), _line(root), source)
    units = tuple(reader.unit(node) for node in reader.sequence(top["units"], "units"))
    groups_node = top.get("groups")
    groups = (
        tuple(reader.group(node) for node in reader.sequence(groups_node, "groups"))
        if groups_node is not None and not _is_null(groups_node)
        else ()
    )
    _check_references(units, groups, top, source)
    return UnitDirectory(units=units, groups=groups)


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag.endswith(":null")


class _Reader:
    """Turns YAML nodes into directory records, failing with the node's line."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, reason: str, node: Node, **params: Any) -> DirectoryError:
        return DirectoryError(reason, _line(node), self.source, **params)

    def mapping(self, node: Node, what: str, allowed: set[str]) -> dict[str, Node]:
        if not isinstance(node, MappingNode):
            raise self.fail(N_("{what} phải là một bảng khóa: giá trị"), node, what=what)
        result: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            if key not in allowed:
                expected = ", ".join(sorted(allowed))
                raise self.fail(
                    N_("khóa '{key}' không dùng được trong {what} ({expected})"),
                    key_node,
                    key=key,
                    what=what,
                    expected=expected,
                )
            if key in result:
                raise self.fail(N_("khóa '{key}' bị lặp lại"), key_node, key=key)
            result[key] = value_node
        return result

    def sequence(self, node: Node, what: str) -> list[Node]:
        if not isinstance(node, SequenceNode):
            raise self.fail(N_("'{what}' phải là một danh sách"), node, what=what)
        return list(node.value)

    def text(self, node: Node | None, what: str, parent: Node, required: bool = True) -> str:
        if node is None or _is_null(node):
            if required:
                raise self.fail(N_("thiếu '{what}'"), parent, what=what)
            return ""
        if not isinstance(node, ScalarNode):
            raise self.fail(N_("'{what}' phải là một chuỗi"), node, what=what)
        value = " ".join(str(node.value).split())
        if required and not value:
            raise self.fail(N_("'{what}' không được để trống"), node, what=what)
        return value

    def code(self, node: Node | None, what: str, parent: Node) -> str:
        value = self.text(node, what, parent)
        if not CODE_PATTERN.match(value):
            raise self.fail(
                N_("mã '{value}' không hợp lệ (chữ, số, '-', '_' hoặc '.', tối đa 40 ký tự)"),
                node or parent,
                value=value,
            )
        return value

    def strings(self, node: Node | None, what: str) -> tuple[str, ...]:
        if node is None or _is_null(node):
            return ()
        values = [self.text(item, what, node) for item in self.sequence(node, what)]
        return tuple(dict.fromkeys(values))

    def unit(self, node: Node) -> DirectoryUnit:
        fields = self.mapping(node, N_("đơn vị"), allowed={"code", "name", "aliases", "parent"})
        parent_node = fields.get("parent")
        parent = None
        if parent_node is not None and not _is_null(parent_node):
            parent = self.code(parent_node, "parent", node)
        return DirectoryUnit(
            code=self.code(fields.get("code"), "code", node),
            name=self.text(fields.get("name"), "name", node),
            aliases=self.strings(fields.get("aliases"), "aliases"),
            parent=parent,
        )

    def group(self, node: Node) -> DirectoryGroup:
        fields = self.mapping(node, N_("nhóm"), allowed={"code", "name", "aliases", "members"})
        members_node = fields.get("members")
        members = self.strings(members_node, "members")
        if not members:
            raise self.fail(
                N_("nhóm phải có ít nhất một đơn vị trong 'members'"), members_node or node
            )
        return DirectoryGroup(
            code=self.code(fields.get("code"), "code", node),
            name=self.text(fields.get("name"), "name", node),
            aliases=self.strings(fields.get("aliases"), "aliases"),
            members=members,
        )


def _check_references(
    units: tuple[DirectoryUnit, ...],
    groups: tuple[DirectoryGroup, ...],
    top: dict[str, Node],
    source: str,
) -> None:
    """Codes unique, parents and members known, no parent cycles; report the offending line."""
    unit_lines = [_line(node) for node in top["units"].value]
    group_lines = [_line(node) for node in top["groups"].value] if groups else []
    check_directory(units, groups, unit_lines, group_lines, source)


def name_key(written: str) -> tuple[str, ...]:
    """A unit's name as the notice reader finds it in text: case, tone placement, dashes and
    usual abbreviations ("UBND" = "Ủy ban nhân dân") do not matter. Two names with the same key
    cannot be told apart in a notice, so the directory refuses them."""
    # Imported here: the parser reads directories with this module's types.
    from tracker.parsing.units import name_words

    return name_words(written)


def check_directory(
    units: tuple[DirectoryUnit, ...],
    groups: tuple[DirectoryGroup, ...],
    unit_lines: Sequence[int | None],
    group_lines: Sequence[int | None],
    source: str,
    *,
    inactive: Collection[str] = (),
    focus: Collection[str] | None = None,
) -> None:
    """The rules every directory meets, whatever it came from: a YAML file (its lines), an Excel
    sheet (its rows) or the admin's form (the whole directory as it would be after the change).
    Codes valid and unique, names present and not shared by two units or groups (compared as
    `name_key` does), parents and members known, no parent cycle. `inactive`: codes of units no
    longer in use; their names are free for others. `focus`: the codes being changed; only
    their problems are reported (an old flaw elsewhere does not block an unrelated edit)."""

    def concerned(code: str) -> bool:
        return focus is None or code in focus

    seen: set[str] = set()
    for unit, line in zip(units, unit_lines, strict=True):
        if concerned(unit.code):
            _check_code(unit.code, N_("mã đơn vị"), line, source)
            if not unit.name.strip():
                raise DirectoryError(
                    N_("đơn vị '{code}' chưa có tên"), line, source, code=unit.code
                )
            if unit.code in seen:
                raise DirectoryError(
                    N_("mã đơn vị '{code}' bị trùng"), line, source, code=unit.code
                )
        seen.add(unit.code)
    for unit, line in zip(units, unit_lines, strict=True):
        if concerned(unit.code) and unit.parent is not None and unit.parent not in seen:
            raise DirectoryError(
                N_("đơn vị '{code}' có cấp trên '{parent}' không có trong danh mục"),
                line,
                source,
                code=unit.code,
                parent=unit.parent,
            )
    _check_cycles(units, unit_lines, source, concerned)
    group_codes: set[str] = set()
    for group, line in zip(groups, group_lines, strict=True):
        if concerned(group.code):
            _check_group(group, line, source, seen, group_codes)
        group_codes.add(group.code)
    _check_names(units, groups, unit_lines, group_lines, source, set(inactive), concerned)


def _check_group(
    group: DirectoryGroup, line: int | None, source: str, units: set[str], groups: set[str]
) -> None:
    _check_code(group.code, N_("mã nhóm"), line, source)
    if group.code in units or group.code in groups:
        raise DirectoryError(N_("mã nhóm '{code}' bị trùng"), line, source, code=group.code)
    if not group.members:
        raise DirectoryError(N_("nhóm '{code}' chưa có thành viên"), line, source, code=group.code)
    unknown = [member for member in group.members if member not in units]
    if unknown:
        raise DirectoryError(
            N_("nhóm '{code}' có thành viên không có trong danh mục: {members}"),
            line,
            source,
            code=group.code,
            members=", ".join(unknown),
        )


def _check_code(code: str, what: str, line: int | None, source: str) -> None:
    if not CODE_PATTERN.match(code):
        raise DirectoryError(
            N_(
                "{what} '{code}' không hợp lệ (chữ không dấu, số, '-', '_' hoặc '.', "
                "tối đa 40 ký tự)"
            ),
            line,
            source,
            what=what,
            code=code,
        )


def _check_cycles(
    units: tuple[DirectoryUnit, ...],
    unit_lines: Sequence[int | None],
    source: str,
    concerned: Callable[[str], bool],
) -> None:
    parents = {unit.code: unit.parent for unit in units}
    for unit, line in zip(units, unit_lines, strict=True):
        if not concerned(unit.code):
            continue
        chain, current = {unit.code}, unit.parent
        while current is not None:
            if current in chain:
                raise DirectoryError(
                    N_("quan hệ cấp trên của '{code}' tạo thành vòng lặp"),
                    line,
                    source,
                    code=unit.code,
                )
            chain.add(current)
            current = parents[current]


def _check_names(
    units: tuple[DirectoryUnit, ...],
    groups: tuple[DirectoryGroup, ...],
    unit_lines: Sequence[int | None],
    group_lines: Sequence[int | None],
    source: str,
    inactive: set[str],
    concerned: Callable[[str], bool],
) -> None:
    """No name or alias of one unit or group is also a name or alias of another."""
    owners: dict[tuple[str, ...], tuple[str, str, str]] = {}
    entries = [
        (N_("đơn vị"), unit.code, (unit.name, *unit.aliases), line)
        for unit, line in zip(units, unit_lines, strict=True)
        if unit.code not in inactive
    ]
    entries += [
        (N_("nhóm"), group.code, (group.name, *group.aliases), line)
        for group, line in zip(groups, group_lines, strict=True)
    ]
    for what, code, names, line in entries:
        for written in names:
            key = name_key(written)
            if not key:
                continue
            owner = owners.setdefault(key, (what, code, written))
            if owner[:2] != (what, code) and (concerned(code) or concerned(owner[1])):
                other_what, other_code, other_written = owner
                raise DirectoryError(
                    N_(
                        "tên '{written}' của {what} '{code}' trùng với tên '{other_written}' "
                        "của {other_what} '{other_code}'; mỗi tên hoặc tên gọi khác chỉ dùng "
                        "cho một đơn vị hoặc nhóm"
                    ),
                    line,
                    source,
                    written=written,
                    what=what,
                    code=code,
                    other_written=other_written,
                    other_what=other_what,
                    other_code=other_code,
                )
