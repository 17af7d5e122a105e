"""The unit directory: units (a tree) and named groups of units."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from tracker.db import UtcDateTime, utcnow


class Unit(SQLModel, table=True):
    """A body that receives assignments: a board, an organisation, a district board."""

    __tablename__ = "unit"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=255)
    aliases: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    parent_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    is_active: bool = Field(default=True)
    created_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)
    updated_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)


class UnitGroup(SQLModel, table=True):
    """A named set of units that notices address at once ("các tổ chức chính trị - xã hội")."""

    __tablename__ = "unit_group"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=255)
    aliases: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)
    updated_at: datetime = Field(sa_type=UtcDateTime, default_factory=utcnow)


class UnitGroupMember(SQLModel, table=True):
    __tablename__ = "unit_group_member"

    group_id: int = Field(foreign_key="unit_group.id", primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", primary_key=True, index=True)
