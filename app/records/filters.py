"""A kind's own list filters, declared in its spec: each names its query parameters (for the route
and OpenAPI), checks their values and turns them into SQL. Routers pass the checked values to the
service; only the repository sees the SQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Query
from sqlalchemy import ColumnElement, and_, case, exists, not_, or_, select, true

from app.core.errors import Unprocessable, field_error
from app.core.partial_date import (
    certainly_before_end,
    certainly_started,
    possibly_before_end,
    possibly_started,
)
from app.models import Participant, Record, Relation
from app.records.catalog import CATALOG


def split_multi(values: Iterable[str] | None) -> list[str]:
    """`?country=KG&country=TJ` and `?country=KG,TJ` both mean KG or TJ."""
    out: list[str] = []
    for value in values or []:
        for part in value.split(","):
            part = part.strip()
            if part and part not in out:
                out.append(part)
    return out


def check_choices(name: str, values: list[str], allowed: Iterable[str]) -> list[str]:
    allowed = list(allowed)
    bad = [v for v in values if v not in allowed]
    if bad:
        raise Unprocessable(
            [field_error([name], f"unknown value {bad[0]!r}; use one of: {', '.join(allowed)}", "enum")]
        )
    return values


def literal_values(annotation: Any) -> tuple[str, ...]:
    return tuple(getattr(annotation, "__args__", ()))


Choices = tuple[str, ...] | Callable[[], Iterable[str]] | None


def _choices(choices: Choices) -> list[str] | None:
    if choices is None:
        return None
    return list(choices() if callable(choices) else choices)


def multi_query(description: str, example: str, choices: Choices = None) -> Any:
    """A repeatable, comma-separable string parameter; its allowed values, where fixed, are named
    in its description (an enum would refuse `a,b`)."""
    if choices is not None and not callable(choices):
        description = f"{description} One of: {', '.join(choices)}."
    return Annotated[list[str] | None, Query(description=description, examples=[example])]


@dataclass(frozen=True)
class ListFilter:
    """Base: one repeatable parameter, values OR-ed."""

    param: str
    description: str
    example: str

    def parameters(self) -> dict[str, Any]:
        return {self.param: multi_query(self.description, self.example, self.allowed())}

    def allowed(self) -> Choices:
        return None

    def parse(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        values = split_multi(raw.get(self.param))
        choices = _choices(self.allowed())
        if choices is not None:
            check_choices(self.param, values, choices)
        return {self.param: values} if values else {}

    def condition(self, values: Mapping[str, Any]) -> ColumnElement[bool] | None:
        raise NotImplementedError

    def uncertain(self, values: Mapping[str, Any]) -> ColumnElement[bool] | None:
        """Whether a listed record's data cannot settle the condition (shown as `dates_uncertain`)."""
        return None


@dataclass(frozen=True)
class OneOf(ListFilter):
    """A column equal to one of the values (`lower`: compared in lower case)."""

    column: Any = None
    choices: Choices = None
    lower: bool = False
    array: bool = False  # the column holds a list: any of its values matches

    def allowed(self) -> Choices:
        return self.choices

    def parse(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        if self.lower:
            raw = {self.param: [v.lower() for v in raw.get(self.param) or []]}
        return super().parse(raw)

    def condition(self, values: Mapping[str, Any]) -> ColumnElement[bool] | None:
        wanted = values.get(self.param)
        if not wanted:
            return None
        cond: ColumnElement[bool] = self.column.overlap(wanted) if self.array else self.column.in_(wanted)
        return cond


@dataclass(frozen=True)
class Flag(ListFilter):
    """A boolean column: `true` or `false`."""

    column: Any = None

    def parameters(self) -> dict[str, Any]:
        return {
            self.param: Annotated[bool | None, Query(description=self.description, examples=[self.example])]
        }

    def parse(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        value = raw.get(self.param)
        return {} if value is None else {self.param: bool(value)}

    def condition(self, values: Mapping[str, Any]) -> ColumnElement[bool] | None:
        if self.param not in values:
            return None
        cond: ColumnElement[bool] = self.column.is_(values[self.param])
        return cond


@dataclass(frozen=True)
class TakesPart(ListFilter):
    """Records in which one of the organizations (slugs) takes one of the roles (`role_param`)."""

    role_param: str = "role"
    roles: tuple[str, ...] = ()

    def parameters(self) -> dict[str, Any]:
        return {
            self.param: multi_query(self.description, self.example),
            self.role_param: multi_query(
                f"{', '.join(self.roles)}: with `{self.param}`, that organization's role.",
                self.roles[0],
                self.roles,
            ),
        }

    def parse(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if organizations := split_multi(raw.get(self.param)):
            out[self.param] = organizations
        if roles := check_choices(self.role_param, split_multi(raw.get(self.role_param)), self.roles):
            out[self.role_param] = roles
        return out

    def condition(self, values: Mapping[str, Any]) -> ColumnElement[bool] | None:
        organizations, roles = values.get(self.param), values.get(self.role_param)
        if not organizations and not roles:
            return None
        sub = select(Participant.id).where(Participant.record_id == Record.id)
        if roles:
            sub = sub.where(Participant.role.in_(roles))
        if organizations:
            org_ids = select(Record.id).where(
                Record.kind == CATALOG.participant_kind, Record.slug.in_(organizations)
            )
            sub = sub.where(Participant.organization_id.in_(org_ids))
        return exists(sub)


@dataclass(frozen=True)
class PartOf(ListFilter):
    """Organizations that take part in some record with one of the roles."""

    roles: Callable[[], Iterable[str]] | None = None

    def allowed(self) -> Choices:
        return self.roles

    def condition(self, values: Mapping[str, Any]) -> ColumnElement[bool] | None:
        roles = values.get(self.param)
        if not roles:
            return None
        return exists(
            select(Participant.id).where(
                Participant.organization_id == Record.id, Participant.role.in_(roles)
            )
        )


@dataclass(frozen=True)
class LinkedTo(ListFilter):
    """Records with an outgoing `relation` to one of these records (slugs of `kind`)."""

    relation: str = ""
    kind: str = ""

    def condition(self, values: Mapping[str, Any]) -> ColumnElement[bool] | None:
        slugs = values.get(self.param)
        if not slugs:
            return None
        targets = select(Record.id).where(Record.kind == self.kind, Record.slug.in_(slugs))
        return exists(
            select(Relation.id).where(
                Relation.source_id == Record.id,
                Relation.type == self.relation,
                Relation.target_id.in_(targets),
            )
        )


@dataclass(frozen=True)
class InEffect(ListFilter):
    """Records in effect on a day (`in_force_on=`, `active_on=`), from `start` until `end` (SQL
    expressions of the kind's row; an exclusive end is the day it stops, an inclusive one the last
    day of a period). Partial dates count conservatively: a record is listed when its dates allow
    the day, and `uncertain` says when they do not settle it (a bound's period holds the day, a
    start is missing, or a status says it ended with no date known)."""

    # Functions of no argument: a kind's columns exist only once its model is mapped.
    start: Callable[[], Any] | None = None
    end: Callable[[], Any] | None = None
    end_inclusive: bool = True
    status: Callable[[], Any] | None = None
    never: tuple[str, ...] = ()  # statuses never in effect
    ended: tuple[str, ...] = ()  # statuses that say it ended (its end unknown when not given)

    def parameters(self) -> dict[str, Any]:
        return {
            self.param: Annotated[
                dt.date | None, Query(description=self.description, examples=[self.example])
            ]
        }

    def parse(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        value = raw.get(self.param)
        return {} if value is None else {self.param: value.isoformat()}

    def _parts(self) -> tuple[ColumnElement[str], ColumnElement[str], ColumnElement[str]]:
        assert self.start and self.end and self.status
        return self.start(), self.end(), self.status()

    def condition(self, values: Mapping[str, Any]) -> ColumnElement[bool] | None:
        day = values.get(self.param)
        if day is None:
            return None
        start, end, status = self._parts()
        return and_(
            status.not_in(self.never) if self.never else true(),
            or_(start.is_(None), possibly_started(start, day)),
            or_(end.is_(None), possibly_before_end(end, day, inclusive=self.end_inclusive)),
        )

    def uncertain(self, values: Mapping[str, Any]) -> ColumnElement[bool] | None:
        day = values.get(self.param)
        if day is None:
            return None
        start, end, status = self._parts()
        settled_end = case(
            (end.is_(None), status.not_in(self.ended) if self.ended else true()),
            else_=certainly_before_end(end, day, inclusive=self.end_inclusive),
        )
        return not_(and_(start.is_not(None), certainly_started(start, day), settled_end))
