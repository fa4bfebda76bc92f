"""Release notes: a release's delivered work, grouped and rendered for readers."""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from .._tabular import Tabular
from ..errors import InvalidInputError
from ..model.process import Process, StateCategory
from ..model.release import Release, ReleaseStatus
from ..model.work import WorkItem

__all__ = [
    "DEFAULT_DONE_STATUSES",
    "DEFAULT_GROUPS",
    "DEFAULT_INTERNAL_GROUPS",
    "ReleaseNotes",
    "SkippedItem",
    "release_notes",
]

Audience = Literal["customer", "internal"]
NotesFormat = Literal["markdown", "confluence"]
Include = Literal["done", "all"]

DEFAULT_GROUPS: Mapping[str, str] = MappingProxyType(
    {
        "story": "New features",
        "feature": "New features",
        "improvement": "Improvements",
        "enhancement": "Improvements",
        "task": "Improvements",
        "bug": "Fixes",
        "defect": "Fixes",
        "chore": "Internal changes",
        "tech-debt": "Internal changes",
        "spike": "Internal changes",
    }
)
"""Section heading of each work item type (matched case-insensitively).

Sections appear in the order their headings first appear here.
"""

DEFAULT_INTERNAL_GROUPS: tuple[str, ...] = ("Internal changes",)
"""Headings shown only in internal notes."""

DEFAULT_DONE_STATUSES: frozenset[str] = frozenset(
    {"done", "closed", "resolved", "released"}
)
"""Statuses (case-insensitive) that count as delivered when no process is given."""

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>&#|~!])")
_URL_ESCAPES = {" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E"}
_MD_LINE_START = re.compile(r"^(\d+)([.)])|^([+\-=])")


def _md(text: str) -> str:
    """Escape `text` for inline Markdown (CommonMark backslash escapes)."""
    flat = " ".join(text.split())
    escaped = _MD_SPECIAL.sub(r"\\\1", flat)
    return _MD_LINE_START.sub(
        lambda m: f"{m.group(1)}\\{m.group(2)}" if m.group(1) else f"\\{m.group(3)}",
        escaped,
    )


def _md_url(url: str) -> str:
    """Percent-encode the characters that would end a Markdown link target."""
    return "".join(_URL_ESCAPES.get(ch, ch) for ch in url.strip())


def _xml(text: str) -> str:
    """Escape `text` for XML character data and attribute values."""
    return html.escape(" ".join(text.split()), quote=True)


@dataclass(frozen=True, slots=True)
class SkippedItem:
    """A scope key or work item left out of the notes, and why.

    Attributes
    ----------
    key : str
        The work item key.
    reason : str
        Why it was left out, in words.

    Examples
    --------
    >>> SkippedItem("APP-9", "not in work_items")
    SkippedItem('APP-9': not in work_items)
    """

    key: str
    reason: str

    def __repr__(self) -> str:
        return f"SkippedItem({self.key!r}: {self.reason})"


@dataclass(frozen=True, slots=True)
class ReleaseNotes(Tabular):
    """Release notes for one release, ready to publish.

    Attributes
    ----------
    release : str
        Key of the release.
    audience : {"customer", "internal"}
        Who the notes are written for.
    format : {"markdown", "confluence"}
        The markup of `text`.
    text : str
        The rendered notes.
    sections : dict of str to tuple of WorkItem
        Items per section heading, in section order; empty sections are left out.
    skipped : tuple of SkippedItem
        Everything left out, in scope order: unknown scope keys, undelivered
        items, excluded labels, internal-only or unmapped types.

    Examples
    --------
    >>> from datetime import datetime, UTC
    >>> release = Release(key="1.0", name="First", version="1.0.0",
    ...                   target_date="2024-03-29", scope=["A-1", "A-2"])
    >>> items = [WorkItem(key="A-1", title="Export", status="Done",
    ...                   created=datetime(2024, 3, 1, tzinfo=UTC))]
    >>> notes = release_notes(release, items)
    >>> notes
    ReleaseNotes('1.0', customer/markdown: New features 1; 1 skipped)
    >>> notes.skipped
    (SkippedItem('A-2': not in work_items),)
    """

    release: str
    audience: Audience
    format: NotesFormat
    text: str
    sections: dict[str, tuple[WorkItem, ...]]
    skipped: tuple[SkippedItem, ...]

    def __repr__(self) -> str:
        counts = ", ".join(f"{name} {len(v)}" for name, v in self.sections.items())
        return (
            f"ReleaseNotes({self.release!r}, {self.audience}/{self.format}: "
            f"{counts or 'no items'}; {len(self.skipped)} skipped)"
        )

    def to_records(self) -> list[dict[str, Any]]:
        """Return one dict per item in the notes (skipped items not included).

        Examples
        --------
        >>> from datetime import datetime, UTC
        >>> release = Release(key="1.0", name="First", scope=["A-1"])
        >>> items = [WorkItem(key="A-1", title="Export", status="Done",
        ...                   created=datetime(2024, 3, 1, tzinfo=UTC))]
        >>> release_notes(release, items).to_records()[0]["section"]
        'New features'
        """
        return [
            {
                "release": self.release,
                "section": section,
                "key": item.key,
                "title": item.title,
                "type": item.type,
                "status": item.status,
                "assignee": item.assignee,
                "team": item.team,
                "url": item.url,
            }
            for section, items in self.sections.items()
            for item in items
        ]


def _is_done(item: WorkItem, process: Process | None) -> bool:
    if item.resolved is not None:
        return True
    if process is None:
        return item.status.casefold() in DEFAULT_DONE_STATUSES
    if item.status in process.state_names:
        return process.category_of(item.status) is StateCategory.DONE
    return False


def _date_line(release: Release) -> str:
    version = release.version or release.key
    if release.status is ReleaseStatus.RELEASED and release.released_at is not None:
        when = f"released on {release.released_at.date().isoformat()}"
    elif release.status is ReleaseStatus.CANCELLED:
        when = "cancelled"
    elif release.target_date is not None:
        when = f"planned for {release.target_date.isoformat()}"
    else:
        when = "date not set"
    return f"Version {version}, {when}."


def _line_markdown(item: WorkItem, audience: Audience) -> str:
    title = _md(item.title)
    if audience == "customer":
        return f"- {title}"
    key = _md(item.key)
    if item.url:
        key = f"[{key}]({_md_url(item.url)})"
    return f"- {key}: {title} {_md(_who(item))}"


def _line_confluence(item: WorkItem, audience: Audience) -> str:
    title = _xml(item.title)
    if audience == "customer":
        return f"<li>{title}</li>"
    key = _xml(item.key)
    if item.url:
        key = f'<a href="{_xml(item.url)}">{key}</a>'
    return f"<li>{key}: {title} {_xml(_who(item))}</li>"


def _who(item: WorkItem) -> str:
    parts = [
        f"assignee: {item.assignee or 'unassigned'}",
        f"team: {item.team or 'none'}",
    ]
    return f"({', '.join(parts)})"


def _render(
    heading: str,
    release: Release,
    sections: Mapping[str, tuple[WorkItem, ...]],
    *,
    audience: Audience,
    format: NotesFormat,
) -> str:
    date_line = _date_line(release)
    if format == "markdown":
        lines = [f"# {_md(heading)}", "", _md(date_line)]
        for name, items in sections.items():
            lines += ["", f"## {_md(name)}", ""]
            lines += [_line_markdown(item, audience) for item in items]
        if not sections:
            lines += ["", "No changes."]
        return "\n".join(lines)
    lines = [f"<h1>{_xml(heading)}</h1>", f"<p>{_xml(date_line)}</p>"]
    for name, items in sections.items():
        lines.append(f"<h2>{_xml(name)}</h2>")
        lines.append("<ul>")
        lines += [_line_confluence(item, audience) for item in items]
        lines.append("</ul>")
    if not sections:
        lines.append("<p>No changes.</p>")
    return "\n".join(lines)


def _check_options(audience: str, format: str, include: str) -> None:
    problems = []
    if audience not in ("customer", "internal"):
        problems.append(f"audience: {audience!r} is not 'customer' or 'internal'")
    if format not in ("markdown", "confluence"):
        problems.append(f"format: {format!r} is not 'markdown' or 'confluence'")
    if include not in ("done", "all"):
        problems.append(f"include: {include!r} is not 'done' or 'all'")
    if problems:
        msg = "; ".join(problems)
        raise InvalidInputError(msg)


def release_notes(
    release: Release,
    work_items: Iterable[WorkItem],
    *,
    audience: Audience = "customer",
    format: NotesFormat = "markdown",
    groups: Mapping[str, str] | None = None,
    internal_groups: Collection[str] = DEFAULT_INTERNAL_GROUPS,
    exclude_labels: Collection[str] = ("internal",),
    include: Include = "done",
    process: Process | None = None,
    title: str | None = None,
) -> ReleaseNotes:
    r"""Return the release notes of `release`, grouped by work item type.

    The items are the release's `Release.scope`, in scope order, followed by
    any other item whose `WorkItem.releases` names the release, in input order.
    Each goes to the section its type maps to in `groups`; sections appear in
    the order their headings first appear in `groups`, and empty ones are left
    out. Nothing is dropped silently: every item left out is listed in
    `ReleaseNotes.skipped` with the reason.

    An item counts as delivered (``include="done"``) when `WorkItem.resolved`
    is set, or when its current status is a ``done`` state of `process`; with no
    process, when its status is one of `DEFAULT_DONE_STATUSES`.

    Parameters
    ----------
    release : Release
        The release; its name, version and date head the notes.
    work_items : iterable of WorkItem
        Work items, of any releases; the scope keys are looked up here.
    audience : {"customer", "internal"}, default "customer"
        ``"customer"``: titles only (no keys, people or labels); items carrying
        any of `exclude_labels` and items in `internal_groups` are left out.
        ``"internal"``: every mapped item with its key (linked to
        `WorkItem.url`), assignee and team.
    format : {"markdown", "confluence"}, default "markdown"
        CommonMark, with titles backslash-escaped; or Confluence storage format
        (XHTML: ``<h1>``, ``<p>``, ``<h2>``, ``<ul><li>``, ``<a href>``) with
        text XML-escaped, a well-formed fragment.
    groups : mapping of str to str, optional
        Section heading per work item type, matched case-insensitively.
        Default `DEFAULT_GROUPS`. Items of an unmapped type are skipped.
    internal_groups : collection of str, default `DEFAULT_INTERNAL_GROUPS`
        Headings shown only to the internal audience.
    exclude_labels : collection of str, default ``("internal",)``
        Labels (case-insensitive) that keep an item out of customer notes.
    include : {"done", "all"}, default "done"
        Only delivered items, or every item in scope.
    process : Process, optional
        The workflow whose ``done`` states count as delivered.
    title : str, optional
        The heading. Default ``"Release notes: <release name>"``.

    Returns
    -------
    ReleaseNotes

    Raises
    ------
    InvalidInputError
        If `audience`, `format` or `include` is not one of its values (naming
        every bad one), or two work items share a key.

    Notes
    -----
    Confluence storage format is XHTML-based XML (Atlassian, "Confluence
    Storage Format"): headings are ``<h1>``-``<h6>``, lists ``<ul><li>``,
    external links plain ``<a href>``. Only XML's own entities are produced
    (``&amp;``, ``&lt;``, ``&gt;``, ``&quot;``, ``&#x27;``); HTML named entities
    such as ``&nbsp;`` are not valid there.

    Examples
    --------
    >>> from datetime import datetime, UTC
    >>> release = Release(key="1.0", name="First", version="1.0.0",
    ...                   target_date="2024-03-29", scope=["A-1", "A-2", "A-3"])
    >>> created = datetime(2024, 3, 1, tzinfo=UTC)
    >>> items = [
    ...     WorkItem(key="A-1", title="Export to *CSV*", status="Done",
    ...              created=created, url="https://t.example/A-1", team="core"),
    ...     WorkItem(key="A-2", title="Crash on save", type="bug", status="Done",
    ...              created=created),
    ...     WorkItem(key="A-3", title="Dark mode", status="In Progress",
    ...              created=created),
    ... ]
    >>> print(release_notes(release, items).text)
    # Release notes: First
    <BLANKLINE>
    Version 1.0.0, planned for 2024-03-29.
    <BLANKLINE>
    ## New features
    <BLANKLINE>
    - Export to \*CSV\*
    <BLANKLINE>
    ## Fixes
    <BLANKLINE>
    - Crash on save
    >>> notes = release_notes(release, items, audience="internal",
    ...                       format="confluence")
    >>> print(notes.text)
    <h1>Release notes: First</h1>
    <p>Version 1.0.0, planned for 2024-03-29.</p>
    <h2>New features</h2>
    <ul>
    <li><a href="https://t.example/A-1">A-1</a>: Export to *CSV* (assignee: unassigned, team: core)</li>
    </ul>
    <h2>Fixes</h2>
    <ul>
    <li>A-2: Crash on save (assignee: unassigned, team: none)</li>
    </ul>
    >>> notes.skipped
    (SkippedItem('A-3': not done (status 'In Progress')),)
    """  # noqa: E501 - the doctest output is one long line
    _check_options(audience, format, include)
    mapping = {
        kind.casefold(): heading
        for kind, heading in (DEFAULT_GROUPS if groups is None else groups).items()
    }
    order = list(dict.fromkeys(mapping.values()))
    internal_only = set(internal_groups)
    excluded = {label.casefold() for label in exclude_labels}

    by_key: dict[str, WorkItem] = {}
    twice: list[str] = []
    extra: list[str] = []
    for item in work_items:
        if item.key in by_key:
            twice.append(item.key)
            continue
        by_key[item.key] = item
        if release.key in item.releases and item.key not in release.scope:
            extra.append(item.key)
    if twice:
        msg = f"work_items: keys given twice {sorted(set(twice))}"
        raise InvalidInputError(msg)

    picked: dict[str, list[WorkItem]] = {heading: [] for heading in order}
    skipped: list[SkippedItem] = []
    for key in (*release.scope, *extra):
        reason = _skip_reason(
            by_key.get(key),
            mapping=mapping,
            include=include,
            process=process,
            audience=audience,
            excluded=excluded,
            internal_only=internal_only,
        )
        if reason is not None:
            skipped.append(SkippedItem(key, reason))
            continue
        item = by_key[key]
        picked[mapping[item.type.casefold()]].append(item)

    sections = {name: tuple(items) for name, items in picked.items() if items}
    heading = title if title is not None else f"Release notes: {release.name}"
    text = _render(heading, release, sections, audience=audience, format=format)
    return ReleaseNotes(
        release=release.key,
        audience=audience,
        format=format,
        text=text,
        sections=sections,
        skipped=tuple(skipped),
    )


def _skip_reason(
    item: WorkItem | None,
    *,
    mapping: Mapping[str, str],
    include: Include,
    process: Process | None,
    audience: Audience,
    excluded: set[str],
    internal_only: set[str],
) -> str | None:
    """Return why `item` stays out of the notes, or ``None`` when it goes in."""
    if item is None:
        return "not in work_items"
    if include == "done" and not _is_done(item, process):
        return f"not done (status {item.status!r})"
    heading = mapping.get(item.type.casefold())
    if heading is None:
        return f"type {item.type!r} is not mapped to a section"
    if audience == "customer":
        labels = [label for label in item.labels if label.casefold() in excluded]
        if labels:
            return f"labelled {labels[0]!r}"
        if heading in internal_only:
            return f"type {item.type!r} goes to internal-only section {heading!r}"
    return None
