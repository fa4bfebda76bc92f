"""Shared base model and field types of the domain model."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Annotated, Any, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from productops.errors import ConfigurationError

__all__ = [
    "Key",
    "NonEmptyStr",
    "Probability",
    "ProductOpsModel",
    "Timestamp",
    "duplicates",
    "parse_timestamp",
    "resolve_tz",
    "field_error",
]

# Unix times above this (in seconds) are in the year 5138: almost surely milliseconds.
_MAX_EPOCH_SECONDS = 1e11


class ProductOpsModel(BaseModel):
    """Base of every productops record: immutable, and strict about unknown keys.

    Records are frozen: change one with `evolve`, which re-validates. Collections
    inside records are tuples, so records can be set members and graph nodes.

    Examples
    --------
    >>> from productops import Stakeholder
    >>> ann = Stakeholder(key="ann", name="Ann Lee", influence=4, interest=5)
    >>> ann.evolve(interest=3).interest
    3
    """

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        str_strip_whitespace=True,
        allow_inf_nan=False,
        defer_build=True,
    )

    def evolve(self, **changes: Any) -> Self:
        """Return a copy with `changes` applied and validated again.

        ``model_copy(update=...)`` skips validation; this does not.

        Parameters
        ----------
        **changes
            Field names and their new values.

        Returns
        -------
        Self
            A new record of the same type.
        """
        return self.model_validate({**self.model_dump(), **changes})


def duplicates(values: Iterable[Hashable]) -> list[Any]:
    """Return the values that occur more than once, sorted by first occurrence.

    Examples
    --------
    >>> duplicates(["a", "b", "a", "c", "b", "a"])
    ['a', 'b']
    """
    counts = Counter(values)
    return [value for value, count in counts.items() if count > 1]


def field_error(record: BaseModel, problems: Sequence[str]) -> ValidationError:
    """Return one `pydantic.ValidationError` for cross-field `problems`, to raise.

    Each problem reads ``"<field path>: <message>"`` with a dotted path such as
    ``"transitions.0.target"``; the path becomes the error's ``loc``, so nested
    records report the full path (``"process.transitions.0.target"``).
    """
    details = []
    for problem in problems:
        path, _, message = problem.partition(": ")
        loc = tuple(int(part) if part.isdigit() else part for part in path.split("."))
        details.append(
            InitErrorDetails(
                type=PydanticCustomError(
                    "value_error", "{message}", {"message": message}
                ),
                loc=loc,
                input=getattr(record, str(loc[0]), None),
            )
        )
    return ValidationError.from_exception_data(type(record).__name__, details)


def _default_tz(info: ValidationInfo | None) -> tzinfo | None:
    context = info.context if info is not None else None
    if not isinstance(context, dict):
        return None
    tz = context.get("tz")
    if isinstance(tz, str):
        return resolve_tz(tz)
    return tz if isinstance(tz, tzinfo) else None


def resolve_tz(tz: tzinfo | str | None) -> tzinfo | None:
    """Return `tz` as a `tzinfo`: IANA names (``"Europe/Berlin"``) are looked up.

    Raises
    ------
    ConfigurationError
        If `tz` is a name no time zone database knows.
    """
    if tz is None or isinstance(tz, tzinfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        msg = f"tz: {tz!r} is not a known IANA time zone (e.g. 'Europe/Berlin', 'UTC')"
        raise ConfigurationError(msg) from exc


def parse_timestamp(value: object, *, tz: tzinfo | None = None) -> datetime:
    """Parse `value` into a timezone-aware `datetime`.

    Accepts aware `datetime` objects, ISO 8601 strings (with ``Z``, ``+01:00`` or
    ``+0100`` offsets, as Jira writes them), RFC 2822 strings
    (``"Wed, 31 Jan 2024 10:00:00 +0000"``) and Unix times in seconds (UTC).
    A value without an offset is an error unless `tz` says which zone it is in.

    Parameters
    ----------
    value : object
        What to parse.
    tz : tzinfo, optional
        Zone to attach to naive values. Without it, naive values are rejected.

    Returns
    -------
    datetime
        An aware datetime in UTC: the same instant, whatever offset it was
        written with, so that differences are exact elapsed time even across
        daylight-saving changes.

    Raises
    ------
    ValueError
        If `value` is not a timestamp, or is naive and no `tz` is given.

    Examples
    --------
    >>> parse_timestamp("2024-01-31T10:00:00.000+0000")
    datetime.datetime(2024, 1, 31, 10, 0, tzinfo=datetime.timezone.utc)
    >>> from zoneinfo import ZoneInfo
    >>> parse_timestamp("2024-01-31 10:00", tz=ZoneInfo("Europe/Berlin"))
    datetime.datetime(2024, 1, 31, 9, 0, tzinfo=datetime.timezone.utc)
    """
    result: datetime
    if isinstance(value, datetime):
        result = value
    elif isinstance(value, bool):
        msg = "expected a timestamp, got a boolean"
        raise ValueError(msg)  # noqa: TRY004  (pydantic turns ValueError into field errors)
    elif isinstance(value, int | float):
        if not math.isfinite(value) or abs(value) > _MAX_EPOCH_SECONDS:
            msg = (
                f"Unix time {value!r} is out of range for seconds "
                "(milliseconds? divide by 1000)"
            )
            raise ValueError(msg)
        return datetime.fromtimestamp(value, tz=UTC)
    elif isinstance(value, str):
        result = _parse_timestamp_text(value.strip())
    else:
        msg = f"expected a timestamp, got {type(value).__name__}"
        raise ValueError(msg)  # noqa: TRY004  (pydantic turns ValueError into field errors)
    if result.tzinfo is None or result.utcoffset() is None:
        if tz is None:
            msg = (
                "timestamp has no timezone; give an offset (e.g. 'Z' or '+01:00') "
                "or load with an explicit tz="
            )
            raise ValueError(msg)
        result = result.replace(tzinfo=tz)
    return result.astimezone(UTC)


def _parse_timestamp_text(text: str) -> datetime:
    if not text:
        msg = "empty timestamp"
        raise ValueError(msg)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    from dateutil import parser as dateutil_parser

    try:
        return dateutil_parser.isoparse(text)
    except (ValueError, OverflowError):
        pass
    import email.utils

    try:
        return email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        pass
    msg = f"{text[:40]!r} is not an ISO 8601 or RFC 2822 timestamp"
    raise ValueError(msg)


def _validate_timestamp(value: object, info: ValidationInfo) -> datetime:
    return parse_timestamp(value, tz=_default_tz(info))


Timestamp = Annotated[AwareDatetime, BeforeValidator(_validate_timestamp)]
"""A timezone-aware datetime, stored in UTC.

Aware datetimes, ISO 8601 and RFC 2822 strings and Unix seconds are accepted and
converted to UTC (the instant is kept; the offset it was written in is not). A
naive value is rejected unless validation runs with ``context={"tz": zone}``
(what ``Workspace.load(..., tz=...)`` does)."""

Key = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
"""The stable identifier of a record inside its collection (``"APP-123"``)."""

NonEmptyStr = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
"""A string that is not empty once surrounding whitespace is stripped."""

Probability = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
"""A probability or fraction in ``[0, 1]``."""
