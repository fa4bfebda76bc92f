"""Chat messages: Slack Block Kit and Teams Adaptive Card payloads from results.

A result (a KPI status, a list of them, a flow report, a release readiness
verdict) becomes a neutral `Message` with `message_from`; `slack_blocks` and
`teams_card` turn a message into the JSON payload each tool expects. Nothing is
sent here: the payloads are plain dicts, ready for ``json.dumps`` and an adapter.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Protocol, runtime_checkable

from .._tabular import Tabular
from ..errors import InvalidInputError
from ..kpi._status import KpiStatus

if TYPE_CHECKING:
    from ..flow._metrics import FlowReport

__all__ = [
    "SLACK_LIMITS",
    "TEAMS_VERSIONS",
    "Fact",
    "Link",
    "Message",
    "MessageStatus",
    "ReadinessReasonLike",
    "ReadinessResult",
    "Section",
    "message_from",
    "slack_blocks",
    "teams_card",
]

MessageStatus = Literal["good", "warning", "bad", "neutral"]
"""How a message should look: green, amber, red or without judgement."""

_STATUSES: tuple[str, ...] = ("good", "warning", "bad", "neutral")

SLACK_LIMITS: Mapping[str, int] = MappingProxyType(
    {
        "blocks": 50,
        "header_text": 150,
        "section_text": 3000,
        "section_fields": 10,
        "field_text": 2000,
        "context_elements": 10,
        "context_text": 3000,
        "button_text": 75,
        "button_url": 3000,
        "fallback_text": 3000,
    }
)
"""Slack's documented Block Kit limits in characters (counts for ``blocks``,
``section_fields`` and ``context_elements``), as `slack_blocks` applies them.

``fallback_text`` is our own cap on the top-level ``text``; Slack truncates
only far longer texts. See `slack_blocks` for the sources.
"""

TEAMS_VERSIONS: tuple[str, ...] = ("1.2", "1.3", "1.4", "1.5", "1.6")
"""Adaptive Card versions `teams_card` accepts (``Container.style`` values
``good``/``warning``/``attention`` need 1.2)."""

_ELLIPSIS = "…"
_SLACK_EMOJI = {
    "good": ":large_green_circle:",
    "warning": ":large_yellow_circle:",
    "bad": ":red_circle:",
    "neutral": ":white_circle:",
}
_TEAMS_STYLE = {
    "good": "good",
    "warning": "warning",
    "bad": "attention",
    "neutral": "emphasis",
}
_TEAMS_COLOR = {
    "good": "good",
    "warning": "warning",
    "bad": "attention",
    "neutral": "default",
}


class Fact(NamedTuple):
    """A label and its value, shown side by side.

    Attributes
    ----------
    label : str
        What the value is (``"Throughput"``).
    value : str
        The value, already formatted (``"8.3 items/week"``).

    Examples
    --------
    >>> Fact("WIP", "60 items")
    Fact(label='WIP', value='60 items')
    """

    label: str
    value: str


class Section(NamedTuple):
    """A heading with lines under it.

    Attributes
    ----------
    heading : str
        The heading.
    lines : tuple of str
        The lines, shown as a bulleted list.

    Examples
    --------
    >>> Section("Blockers", ("security gate failed",)).lines
    ('security gate failed',)
    """

    heading: str
    lines: tuple[str, ...]


class Link(NamedTuple):
    """A link shown as a button.

    Attributes
    ----------
    url : str
        An ``http://`` or ``https://`` URL.
    label : str
        The button's text.

    Examples
    --------
    >>> Link("https://example.com/releases/2.3", "Release notes").label
    'Release notes'
    """

    url: str
    label: str


def _is_str_seq(value: object) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str)


def _is_iterable(value: object) -> bool:
    return isinstance(value, Iterable) and not isinstance(value, str)


@dataclass(frozen=True, slots=True, init=False)
class Message(Tabular):
    """A chat message, independent of the tool that will show it.

    All arguments are keyword-only. Any iterables given for `facts`,
    `sections` or a section's lines, and plain pairs for `Fact`, `Section`
    and `Link`, are stored as tuples and named tuples.

    Attributes
    ----------
    title : str
        The headline; not empty.
    status : {"good", "warning", "bad", "neutral"}
        Green, amber, red, or no judgement.
    summary : str
        One line saying what matters; may be empty.
    facts : tuple of Fact
        ``(label, value)`` pairs.
    sections : tuple of Section
        ``(heading, lines)`` pairs.
    link : Link or None
        ``(url, label)``: a button to more detail.

    Examples
    --------
    >>> m = Message(title="Release 2.3", status="warning", summary="1 blocker",
    ...             facts=[("Target", "2026-06-30")],
    ...             link=("https://example.com/r/2.3", "Open release"))
    >>> m
    Message('Release 2.3', warning: 1 fact, 0 sections, link)
    >>> m.facts[0]
    Fact(label='Target', value='2026-06-30')
    """

    title: str
    status: MessageStatus
    summary: str
    facts: tuple[Fact, ...]
    sections: tuple[Section, ...]
    link: Link | None

    def __init__(
        self,
        *,
        title: str,
        status: MessageStatus,
        summary: str = "",
        facts: Iterable[tuple[str, str]] = (),
        sections: Iterable[tuple[str, Iterable[str]]] = (),
        link: tuple[str, str] | None = None,
    ) -> None:
        # Checked as Any: callers (notebooks, JSON) may pass anything at runtime.
        title_in: Any = title
        summary_in: Any = summary
        facts_in: Any = list(facts) if _is_iterable(facts) else facts
        sections_in: Any = list(sections) if _is_iterable(sections) else sections
        link_in: Any = link
        problems: list[str] = []
        if not isinstance(title_in, str) or not title_in.strip():
            problems.append(f"title: must be a non-empty string, got {title_in!r}")
        if status not in _STATUSES:
            problems.append(
                f"status: must be one of {', '.join(_STATUSES)}, got {status!r}"
            )
        if not isinstance(summary_in, str):
            problems.append(f"summary: must be a string, got {summary_in!r}")
        fact_list: list[Fact] = []
        if not _is_str_seq(facts_in):
            problems.append(f"facts: must be a sequence of pairs, got {facts_in!r}")
        else:
            for i, pair in enumerate(facts_in):
                if (
                    _is_str_seq(pair)
                    and len(pair) == 2
                    and all(isinstance(part, str) for part in pair)
                ):
                    fact_list.append(Fact(pair[0], pair[1]))
                else:
                    problems.append(
                        f"facts[{i}]: must be a (label, value) pair of strings, "
                        f"got {pair!r}"
                    )
        section_list: list[Section] = []
        if not _is_str_seq(sections_in):
            problems.append(
                f"sections: must be a sequence of (heading, lines), got {sections_in!r}"
            )
        else:
            for i, item in enumerate(sections_in):
                ok = (
                    _is_str_seq(item)
                    and len(item) == 2
                    and isinstance(item[0], str)
                    and _is_iterable(item[1])
                )
                lines = tuple(item[1]) if ok else ()
                if ok and all(isinstance(line, str) for line in lines):
                    section_list.append(Section(item[0], lines))
                else:
                    problems.append(
                        f"sections[{i}]: must be (heading, lines) with a string "
                        f"heading and a sequence of string lines, got {item!r}"
                    )
        checked_link: Link | None = None
        if link_in is not None:
            if (
                _is_str_seq(link_in)
                and len(link_in) == 2
                and all(isinstance(part, str) for part in link_in)
            ):
                checked_link = Link(link_in[0], link_in[1])
                if not checked_link.url.startswith(("https://", "http://")):
                    problems.append(
                        f"link.url: must start with https:// or http://, "
                        f"got {checked_link.url!r}"
                    )
                if not checked_link.label.strip():
                    problems.append("link.label: must not be empty")
            else:
                problems.append(
                    f"link: must be a (url, label) pair of strings, got {link_in!r}"
                )
        if problems:
            msg = "Message: " + "; ".join(problems)
            raise InvalidInputError(msg)
        object.__setattr__(self, "title", title)
        object.__setattr__(self, "status", status)
        object.__setattr__(self, "summary", summary)
        object.__setattr__(self, "facts", tuple(fact_list))
        object.__setattr__(self, "sections", tuple(section_list))
        object.__setattr__(self, "link", checked_link)

    def __repr__(self) -> str:
        n_facts, n_sections = len(self.facts), len(self.sections)
        return (
            f"Message({self.title!r}, {self.status}: {n_facts} "
            f"fact{'' if n_facts == 1 else 's'}, {n_sections} "
            f"section{'' if n_sections == 1 else 's'}"
            f"{', link' if self.link else ''})"
        )

    def to_records(self) -> list[dict[str, Any]]:
        """Return one dict per part (title, summary, fact, section line, link).

        Each has ``part``, ``label`` and ``text``; a section line's label is its
        heading, a link's label is its button text and its text the URL.

        Examples
        --------
        >>> Message(title="T", status="good", facts=[("a", "1")]).to_records()
        ... # doctest: +NORMALIZE_WHITESPACE
        [{'part': 'title', 'label': '', 'text': 'T'},
         {'part': 'status', 'label': '', 'text': 'good'},
         {'part': 'fact', 'label': 'a', 'text': '1'}]
        """
        records: list[dict[str, Any]] = [
            {"part": "title", "label": "", "text": self.title},
            {"part": "status", "label": "", "text": self.status},
        ]
        if self.summary:
            records.append({"part": "summary", "label": "", "text": self.summary})
        records.extend(
            {"part": "fact", "label": f.label, "text": f.value} for f in self.facts
        )
        for section in self.sections:
            records.append({"part": "section", "label": section.heading, "text": ""})
            records.extend(
                {"part": "line", "label": section.heading, "text": line}
                for line in section.lines
            )
        if self.link is not None:
            records.append(
                {"part": "link", "label": self.link.label, "text": self.link.url}
            )
        return records


@runtime_checkable
class ReadinessReasonLike(Protocol):
    """**Protocol**: one reason behind a release readiness verdict.

    Matches `productops.release.Reason` structurally; enum values are read
    through ``.value``.

    Attributes
    ----------
    kind : str or Enum
        What was checked (a gate, a risk, ...).
    severity : str or Enum
        ``"blocker"``, ``"warning"`` or ``"info"``.
    subject : str
        What the reason is about (a gate, a risk key, ...).
    message : str
        The reason in words.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> reason = SimpleNamespace(kind="gate", severity="blocker",
    ...                          subject="security", message="failed")
    >>> isinstance(reason, ReadinessReasonLike)
    True
    """

    @property
    def kind(self) -> str | enum.Enum: ...
    @property
    def severity(self) -> str | enum.Enum: ...
    @property
    def subject(self) -> str: ...
    @property
    def message(self) -> str: ...


@runtime_checkable
class ReadinessResult(Protocol):
    """**Protocol**: a release readiness result (`productops.release.Readiness`).

    Attributes
    ----------
    release : str
        The release's key.
    name : str
        Its name.
    verdict : str or Enum
        ``"go"``, ``"at_risk"`` or ``"no_go"``.
    reasons : sequence of ReadinessReasonLike
        Why.
    as_of : datetime
        When it was judged; timezone-aware.
    target_date : date or None
        The release's target date.
    probability : float or None
        The probability of shipping by `target_date`, in ``[0, 1]``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> isinstance(SimpleNamespace(release="r", name="R", verdict="go", reasons=(),
    ...     as_of=None, target_date=None, probability=None), ReadinessResult)
    True
    """

    @property
    def release(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def verdict(self) -> str | enum.Enum: ...
    @property
    def reasons(self) -> Sequence[ReadinessReasonLike]: ...
    @property
    def as_of(self) -> datetime: ...
    @property
    def target_date(self) -> date | None: ...
    @property
    def probability(self) -> float | None: ...


# -- converters -----------------------------------------------------------------


def _plain(value: object) -> str:
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


def _num(x: float | None, fmt: str = ".1f") -> str:
    if x is None or x != x:
        return "n/a"
    return format(x, fmt)


def _with_unit(x: float, unit: str) -> str:
    text = f"{x:g}"
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


_RAG_STATUS: dict[str, MessageStatus] = {
    "green": "good",
    "amber": "warning",
    "red": "bad",
    "grey": "neutral",
}


def _from_kpi(s: KpiStatus) -> Message:
    facts = [Fact("Status", s.rag)]
    facts.append(
        Fact("Value", "no data" if s.value is None else _with_unit(s.value, s.unit))
    )
    if s.target is not None:
        facts.append(Fact("Target", _with_unit(s.target, s.unit)))
    if s.gap is not None:
        gap = f"{s.gap:+g}"
        facts.append(Fact("Gap", f"{gap}{s.unit}" if s.unit == "%" else gap))
    facts.append(Fact("Direction", s.direction.value.replace("_", " ")))
    if s.observed_at is not None:
        facts.append(Fact("Observed", s.observed_at.isoformat()))
    return Message(
        title=f"KPI {s.kpi}: {s.rag}",
        status=_RAG_STATUS[s.rag],
        summary=s.reason,
        facts=tuple(facts),
    )


def _from_kpis(statuses: Sequence[KpiStatus]) -> Message:
    order = ("red", "amber", "green", "grey")
    counts = {rag: sum(1 for s in statuses if s.rag == rag) for rag in order}
    status: MessageStatus
    if counts["red"]:
        status = "bad"
    elif counts["amber"]:
        status = "warning"
    elif counts["green"]:
        status = "good"
    else:
        status = "neutral"
    summary = ", ".join(f"{counts[rag]} {rag}" for rag in order if counts[rag])
    facts = tuple(
        Fact(
            s.kpi,
            f"{s.rag}: "
            + ("no data" if s.value is None else _with_unit(s.value, s.unit)),
        )
        for s in statuses
    )
    sections = tuple(
        Section(
            rag.capitalize(),
            tuple(f"{s.kpi}: {s.reason}" for s in statuses if s.rag == rag),
        )
        for rag in ("red", "amber", "grey")
        if counts[rag]
    )
    return Message(
        title=f"KPI status: {_plural(len(statuses), 'KPI')}",
        status=status,
        summary=summary,
        facts=facts,
        sections=sections,
    )


def _percentiles(values: Mapping[float, float]) -> str:
    levels = (50, 85, 95)
    return " / ".join(_num(values.get(level)) for level in levels) + " days"


def _from_flow(report: FlowReport) -> Message:
    s = report.summary()
    b = s["bottleneck"]
    cycle, lead = s["cycle_time_days"], s["lead_time_days"]
    growing = b is not None and b.growing
    summary = (
        f"{s['delivered']} of {s['items']} items delivered, "
        f"{s['in_progress']} in progress; cycle time p85 {_num(cycle.get(85))} days"
    )
    if b is not None:
        summary += f"; bottleneck {b.state!r} holds {b.share:.0%} of in-cycle time" + (
            ", and its queue is growing" if growing else ""
        )
    facts = [
        Fact("Throughput", f"{_num(s['throughput_per_week'])} items/week (last 12)"),
        Fact("WIP", _plural(int(s["in_progress"]), "item")),
        Fact("Delivered", f"{s['delivered']} of {s['items']} items"),
        Fact("Cycle time p50 / p85 / p95", _percentiles(cycle)),
        Fact("Lead time p50 / p85 / p95", _percentiles(lead)),
        Fact("Flow efficiency", _num(float(s["flow_efficiency"]), ".0%")),
        Fact("Rework rate", _num(float(s["rework_rate"]), ".0%")),
    ]
    sections: list[Section] = []
    if b is not None:
        facts.append(Fact("Bottleneck", b.state))
        sections.append(
            Section(
                f"Bottleneck: {b.state}",
                (
                    f"holds {b.share:.0%} of in-cycle item-time "
                    f"({b.category.value} state)",
                    f"{b.mean_wip:.1f} items there on average, {b.items_now} now",
                    f"time there: median {_num(b.median_days)} d, "
                    f"p85 {_num(b.p85_days)} d",
                    f"last {b.recent_weeks} weeks: {b.arrivals_per_week:.1f} in vs "
                    f"{b.departures_per_week:.1f} out per week, queue from "
                    f"{b.wip_start} to {b.wip_end} items",
                    f"median age of the items there now: {_num(b.median_age_days)} d",
                    f"rework entering it: {b.rework_share:.0%}, repeat visits "
                    f"{b.repeat_share:.0%}",
                ),
            )
        )
    if report.process_guessed:
        sections.append(
            Section("Note", ("the process was discovered from the log, not given",))
        )
    return Message(
        title=f"Flow as of {report.as_of:%Y-%m-%d}",
        status="warning" if growing else "neutral",
        summary=summary,
        facts=tuple(facts),
        sections=tuple(sections),
    )


_VERDICTS: dict[str, tuple[str, MessageStatus]] = {
    "go": ("GO", "good"),
    "at_risk": ("AT RISK", "warning"),
    "no_go": ("NO GO", "bad"),
}
_SEVERITY_HEADINGS = {"blocker": "Blockers", "warning": "Warnings", "info": "Info"}


def _from_readiness(r: ReadinessResult) -> Message:
    verdict = _plain(r.verdict)
    problems: list[str] = []
    if verdict not in _VERDICTS:
        problems.append(
            f"verdict: must be one of {', '.join(_VERDICTS)}, got {verdict!r}"
        )
    if r.as_of.tzinfo is None:
        problems.append(f"as_of: {r.as_of.isoformat()} is naive; give an aware one")
    if problems:
        msg = f"readiness of {r.release!r}: " + "; ".join(problems)
        raise InvalidInputError(msg)
    label, status = _VERDICTS[verdict]
    by_severity: dict[str, list[str]] = {}
    for reason in r.reasons:
        line = f"{reason.subject}: {reason.message} ({_plain(reason.kind)})"
        by_severity.setdefault(_plain(reason.severity), []).append(line)
    severities = [s for s in _SEVERITY_HEADINGS if s in by_severity]
    severities += sorted(s for s in by_severity if s not in _SEVERITY_HEADINGS)
    blockers = len(by_severity.get("blocker", ()))
    warnings = len(by_severity.get("warning", ()))
    summary = f"{_plural(blockers, 'blocker')}, {_plural(warnings, 'warning')}"
    if r.probability is not None:
        by = f" by {r.target_date.isoformat()}" if r.target_date else ""
        summary += f"; {r.probability:.0%} probability of shipping{by}"
    who = r.name if r.name == r.release else f"{r.name} ({r.release})"
    facts = (
        Fact("Verdict", label),
        Fact(
            "Target date",
            "none" if r.target_date is None else r.target_date.isoformat(),
        ),
        Fact(
            "Probability on time",
            "n/a" if r.probability is None else f"{r.probability:.0%}",
        ),
        Fact("Blockers", str(blockers)),
        Fact("Warnings", str(warnings)),
        Fact("As of", r.as_of.isoformat(timespec="minutes")),
    )
    sections = tuple(
        Section(_SEVERITY_HEADINGS.get(s, s.capitalize()), tuple(by_severity[s]))
        for s in severities
    )
    return Message(
        title=f"Release {who}: {label}",
        status=status,
        summary=summary,
        facts=facts,
        sections=sections,
    )


def message_from(
    result: Message | KpiStatus | Sequence[KpiStatus] | FlowReport | ReadinessResult,
    *,
    link: Link | tuple[str, str] | None = None,
) -> Message:
    """Turn a result into a neutral `Message`.

    - `productops.kpi.KpiStatus`: title ``"KPI <key>: <rag>"``, the reason as
      summary, value, target, gap, direction and observation time as facts.
      Green, amber, red and grey map to good, warning, bad and neutral.
    - A list of them: one fact per KPI with its colour and value; the worst
      colour sets the status (red, then amber; all grey is neutral, and grey
      KPIs never make a green list look worse); a section per red, amber and
      grey colour gives each KPI's reason.
    - `productops.flow.FlowReport`: throughput (mean of the last 12 ISO
      weeks), WIP, cycle and lead time percentiles, flow efficiency, rework
      and the bottleneck with its evidence (`FlowReport.summary`). A flow
      report carries no target, so the status is neutral, or warning when the
      bottleneck's queue is growing.
    - A release readiness result (`ReadinessResult`, structural): go, at risk
      and no go map to good, warning and bad; one section per severity lists
      every reason.
    - A `Message` is returned as is (with `link` replaced when given).

    Parameters
    ----------
    result : Message, KpiStatus, sequence of KpiStatus, FlowReport or ReadinessResult
        What to report.
    link : Link or (url, label), optional
        A button to more detail (a dashboard, the release page).

    Returns
    -------
    Message

    Raises
    ------
    InvalidInputError
        If `result` is of none of these kinds (naming every element of a
        sequence that is not a `KpiStatus`), an empty sequence, a readiness
        result with an unknown verdict or a naive `as_of`, or `link` is bad.

    Examples
    --------
    >>> from productops.model import KPI, Observation
    >>> from productops import kpi
    >>> nps = KPI(key="nps", name="NPS", green=30, red=10)
    >>> s = kpi.status(nps, [Observation(kpi="nps", value=22, at="2026-05-01T00:00Z")])
    >>> m = message_from(s, link=("https://example.com/kpi/nps", "Open dashboard"))
    >>> m
    Message('KPI nps: amber', warning: 4 facts, 0 sections, link)
    >>> m.summary
    '22 is below the green threshold 30 but not below the red threshold 10'
    >>> message_from([s, s]).facts[0]
    Fact(label='nps', value='amber: 22')
    """
    from ..flow._metrics import FlowReport

    message: Message
    if isinstance(result, Message):
        message = result
    elif isinstance(result, KpiStatus):
        message = _from_kpi(result)
    elif isinstance(result, FlowReport):
        message = _from_flow(result)
    elif isinstance(result, ReadinessResult):
        message = _from_readiness(result)
    elif _is_str_seq(result):
        items: Sequence[Any] = result  # checked item by item below
        bad = [
            f"[{i}] is {type(item).__name__}"
            for i, item in enumerate(items)
            if not isinstance(item, KpiStatus)
        ]
        if bad or not items:
            detail = ", ".join(bad) if bad else "it is empty"
            msg = f"result: expected a non-empty sequence of KpiStatus; {detail}"
            raise InvalidInputError(msg)
        message = _from_kpis(items)
    else:
        msg = (
            f"result: cannot make a message from {type(result).__name__}; give a "
            "Message, KpiStatus (or a list of them), FlowReport or release readiness"
        )
        raise InvalidInputError(msg)
    if link is None:
        return message
    return Message(
        title=message.title,
        status=message.status,
        summary=message.summary,
        facts=message.facts,
        sections=message.sections,
        link=link,
    )


# -- Slack ------------------------------------------------------------------------


def _escape(text: str) -> str:
    """Escape Slack's three control characters (``&`` first)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _units(text: str) -> int:
    """Length in UTF-16 code units: never less than the count of characters."""
    return len(text.encode("utf-16-le")) // 2


def _cut(text: str, limit: int, *, escaped: bool = True) -> tuple[str, bool]:
    """Shorten `text` to at most `limit` UTF-16 units, ending with an ellipsis.

    In an `escaped` text an entity (``&amp;``, ``&lt;``, ``&gt;``) is never
    split: every ``&`` there starts one.
    """
    if _units(text) <= limit:
        return text, False
    budget = limit - _units(_ELLIPSIS)
    used = 0
    end = 0
    for i, ch in enumerate(text):
        size = 2 if ord(ch) > 0xFFFF else 1
        if used + size > budget:
            break
        used += size
        end = i + 1
    prefix = text[:end]
    if escaped:
        amp = prefix.rfind("&")
        if amp != -1 and ";" not in prefix[amp:]:
            prefix = prefix[:amp]
    return prefix + _ELLIPSIS, True


def _labelled(label: str, escaped_text: str) -> str:
    """Return ``*label*`` over `escaped_text`; never empty (Slack rejects that)."""
    label = label.strip()
    head = f"*{_escape(label)}*" if label else ""
    text = "\n".join(part for part in (head, escaped_text) if part.strip())
    return text or "(empty)"


def _mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}


def slack_blocks(
    message_or_result: Message
    | KpiStatus
    | Sequence[KpiStatus]
    | FlowReport
    | ReadinessResult,
    *,
    fallback_text: bool = True,
) -> dict[str, Any]:
    r"""Build a Slack Block Kit message payload.

    Layout: a ``header`` block (status emoji and title, plain text), a
    ``section`` with the summary (mrkdwn), ``section`` blocks whose
    ``fields`` hold the facts (ten per block), for each message section a
    ``divider`` and a ``section`` with the heading in bold and a bulleted line
    per entry, an ``actions`` block with a link ``button``, and, only when
    something had to be shortened or left out, a ``context`` block saying what.

    Slack's documented limits are kept (`SLACK_LIMITS`): header text 150
    characters, section text 3,000, at most 10 fields of 2,000 each, button
    text 75 and URL 3,000, at most 50 blocks per message. Longer texts end in
    "…"; sections that do not fit in 50 blocks are left out; a link whose URL
    is too long is left out. Lengths are counted in UTF-16 code units, which is
    never less than the number of characters, so the payload fits however
    Slack counts.

    In mrkdwn texts, ``&``, ``<`` and ``>`` are escaped as ``&amp;``, ``&lt;``
    and ``&gt;``, the only escaping Slack asks for; ``*``, ``_`` and ``~`` have
    no escape in mrkdwn and are left as they are. Plain-text objects (header,
    button) are not escaped.

    Parameters
    ----------
    message_or_result : Message or anything `message_from` accepts
        What to show.
    fallback_text : bool, default True
        Add the top-level ``text`` (title and summary) that Slack shows in
        notifications and where blocks cannot be shown.

    Returns
    -------
    dict
        ``{"text": ..., "blocks": [...]}`` (without ``"text"`` when
        `fallback_text` is false), ready for ``json.dumps`` and
        ``chat.postMessage`` or an incoming webhook.

    Raises
    ------
    InvalidInputError
        As `message_from`.

    See Also
    --------
    teams_card : The same message as a Teams Adaptive Card.

    References
    ----------
    Slack, docs.slack.dev (read 2026):

    - Blocks, https://docs.slack.dev/reference/block-kit/blocks ("up to 50
      blocks in each message").
    - Header block,
      https://docs.slack.dev/reference/block-kit/blocks/header-block (plain
      text, at most 150 characters).
    - Section block,
      https://docs.slack.dev/reference/block-kit/blocks/section-block (text at
      most 3,000 characters; at most 10 fields of at most 2,000 characters).
    - Context block,
      https://docs.slack.dev/reference/block-kit/blocks/context-block (at most
      10 elements).
    - Button element,
      https://docs.slack.dev/reference/block-kit/block-elements/button-element
      (text at most 75 characters, url at most 3,000).
    - Formatting message text,
      https://docs.slack.dev/messaging/formatting-message-text (escape ``&``,
      ``<``, ``>`` as HTML entities, and only those).
    - chat.postMessage, https://docs.slack.dev/reference/methods/chat.postMessage
      (``text`` is the notification fallback when ``blocks`` are given).

    Examples
    --------
    >>> m = Message(title="Release 2.3", status="bad", summary="Gate <security> & QA",
    ...             facts=[("Verdict", "NO GO")])
    >>> payload = slack_blocks(m)
    >>> payload["text"]
    'Release 2.3: Gate &lt;security&gt; &amp; QA'
    >>> [block["type"] for block in payload["blocks"]]
    ['header', 'section', 'section']
    >>> payload["blocks"][0]["text"]["text"]
    ':red_circle: Release 2.3'
    >>> payload["blocks"][2]["fields"]
    [{'type': 'mrkdwn', 'text': '*Verdict*\nNO GO'}]
    """
    message = message_from(message_or_result)
    limits = SLACK_LIMITS
    notes: list[str] = []

    header, cut = _cut(
        f"{_SLACK_EMOJI[message.status]} {message.title}",
        limits["header_text"],
        escaped=False,
    )
    if cut:
        notes.append("the title")
    head: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": header, "emoji": True},
        }
    ]
    if message.summary.strip():
        text, cut = _cut(_escape(message.summary), limits["section_text"])
        if cut:
            notes.append("the summary")
        head.append({"type": "section", "text": _mrkdwn(text)})

    tail: list[dict[str, Any]] = []
    if message.link is not None:
        if _units(message.link.url) > limits["button_url"]:
            notes.append(
                f"the link (its URL is longer than {limits['button_url']} characters)"
            )
        else:
            label, cut = _cut(message.link.label, limits["button_text"], escaped=False)
            if cut:
                notes.append("the link's label")
            tail.append(
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "text": {
                                "type": "plain_text",
                                "text": label,
                                "emoji": True,
                            },
                            "url": message.link.url,
                            "action_id": "productops-link",
                        }
                    ],
                }
            )

    # Blocks left for facts and sections; one is kept for the context block.
    budget = limits["blocks"] - len(head) - len(tail) - 1
    body: list[dict[str, Any]] = []
    per_block = limits["section_fields"]
    fact_groups = [
        message.facts[i : i + per_block]
        for i in range(0, len(message.facts), per_block)
    ]
    cut_facts = 0
    facts_left_out = 0
    for group in fact_groups:
        if len(body) >= budget:
            facts_left_out += len(group)
            continue
        fields = []
        for fact in group:
            text, cut = _cut(
                _labelled(fact.label, _escape(fact.value)), limits["field_text"]
            )
            cut_facts += cut
            fields.append(_mrkdwn(text))
        body.append({"type": "section", "fields": fields})
    if cut_facts:
        notes.append(_plural(cut_facts, "fact"))
    if facts_left_out:
        notes.append(f"{_plural(facts_left_out, 'fact')} left out")

    cut_sections = 0
    sections_left_out = 0
    for section in message.sections:
        if len(body) + 2 > budget:
            sections_left_out += 1
            continue
        lines = "\n".join(f"• {_escape(line)}" for line in section.lines)
        text, cut = _cut(_labelled(section.heading, lines), limits["section_text"])
        cut_sections += cut
        body.append({"type": "divider"})
        body.append({"type": "section", "text": _mrkdwn(text)})
    if cut_sections:
        notes.append(_plural(cut_sections, "section"))
    if sections_left_out:
        notes.append(
            f"{_plural(sections_left_out, 'section')} left out "
            f"(at most {limits['blocks']} blocks)"
        )

    blocks = head + body + tail
    if notes:
        note, _ = _cut(
            _escape("Shortened to fit Slack's limits: " + "; ".join(notes) + "."),
            limits["context_text"],
        )
        blocks.append({"type": "context", "elements": [_mrkdwn(note)]})
    payload: dict[str, Any] = {}
    if fallback_text:
        text = message.title
        if message.summary.strip():
            text += f": {message.summary}"
        payload["text"], _ = _cut(_escape(text), limits["fallback_text"])
    payload["blocks"] = blocks
    return payload


# -- Teams ------------------------------------------------------------------------


def teams_card(
    message_or_result: Message
    | KpiStatus
    | Sequence[KpiStatus]
    | FlowReport
    | ReadinessResult,
    *,
    version: str = "1.5",
) -> dict[str, Any]:
    """Build a Teams message carrying an Adaptive Card.

    The envelope is the one Teams Workflows ("Post to a channel when a webhook
    request is received") and incoming webhooks accept: ``{"type":
    "message", "attachments": [{"contentType":
    "application/vnd.microsoft.card.adaptive", "contentUrl": None,
    "content": <card>}]}``. The card's body is a ``Container`` styled
    ``good``, ``warning``, ``attention`` (bad) or ``emphasis`` (neutral)
    holding the title (``TextBlock``, large, bolder, coloured like the status)
    and the summary; then a ``FactSet`` with the facts; then, per section, a
    bolder heading with a separator and one wrapped ``TextBlock`` per line. The
    link becomes an ``Action.OpenUrl``. Enum values use the schema's canonical
    spelling (``"bolder"``, ``"large"``); Adaptive Cards also accept
    capitalised ones. Texts are not shortened or escaped: Adaptive Cards
    document no length limits, and their markdown has no escape character.

    Parameters
    ----------
    message_or_result : Message or anything `message_from` accepts
        What to show.
    version : str, default "1.5"
        The card's schema version, one of `TEAMS_VERSIONS`.

    Returns
    -------
    dict
        The message envelope, ready for ``json.dumps``.

    Raises
    ------
    InvalidInputError
        If `version` is not one of `TEAMS_VERSIONS`, or as `message_from`.

    See Also
    --------
    slack_blocks : The same message for Slack.

    References
    ----------
    - Microsoft, Adaptive Cards schema 1.5,
      ``microsoft/AdaptiveCards`` ``schemas/1.5.0/adaptive-card.json``
      (element types, required properties, ``Colors``, ``ContainerStyle``,
      ``FontSize``, ``FontWeight`` enums).
    - Microsoft Learn, "Create and send messages" / "Send Adaptive Cards using
      an Incoming Webhook" (the message envelope).

    Examples
    --------
    >>> m = Message(title="Release 2.3 shipped", status="good",
    ...             facts=[("Date", "2026-05-10")],
    ...             link=("https://example.com/releases/2.3", "Release notes"))
    >>> payload = teams_card(m)
    >>> attachment = payload["attachments"][0]
    >>> attachment["contentType"]
    'application/vnd.microsoft.card.adaptive'
    >>> card = attachment["content"]
    >>> card["version"], [element["type"] for element in card["body"]]
    ('1.5', ['Container', 'FactSet'])
    >>> card["body"][0]["style"], card["actions"][0]["type"]
    ('good', 'Action.OpenUrl')
    """
    if version not in TEAMS_VERSIONS:
        msg = f"version: must be one of {', '.join(TEAMS_VERSIONS)}, got {version!r}"
        raise InvalidInputError(msg)
    message = message_from(message_or_result)
    header: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": message.title,
            "size": "large",
            "weight": "bolder",
            "color": _TEAMS_COLOR[message.status],
            "wrap": True,
        }
    ]
    if message.summary.strip():
        header.append({"type": "TextBlock", "text": message.summary, "wrap": True})
    body: list[dict[str, Any]] = [
        {"type": "Container", "style": _TEAMS_STYLE[message.status], "items": header}
    ]
    if message.facts:
        body.append(
            {
                "type": "FactSet",
                "facts": [{"title": f.label, "value": f.value} for f in message.facts],
            }
        )
    for section in message.sections:
        body.append(
            {
                "type": "TextBlock",
                "text": section.heading,
                "weight": "bolder",
                "wrap": True,
                "separator": True,
                "spacing": "medium",
            }
        )
        body.extend(
            {"type": "TextBlock", "text": f"• {line}", "wrap": True, "spacing": "none"}
            for line in section.lines
        )
    actions: list[dict[str, Any]] = []
    if message.link is not None:
        actions.append(
            {
                "type": "Action.OpenUrl",
                "title": message.link.label,
                "url": message.link.url,
            }
        )
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": version,
        "body": body,
        "actions": actions,
    }
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }
