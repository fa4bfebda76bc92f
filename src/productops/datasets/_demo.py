"""Generator of the demo workspace; `productops.datasets` describes what it holds."""

from __future__ import annotations

import bisect
import heapq
import math
import random
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar

from productops.model import (
    KPI,
    Channel,
    Dependency,
    DependencyKind,
    DependencyStatus,
    Deployment,
    DeploymentStatus,
    Direction,
    Feedback,
    FeedbackKind,
    GateKind,
    GateStatus,
    Horizon,
    Incident,
    Initiative,
    InitiativeStatus,
    KanoCategory,
    Link,
    Mitigation,
    MitigationStatus,
    MoSCoW,
    Observation,
    Process,
    RaciAssignment,
    RaciRole,
    Release,
    ReleaseGate,
    ReleaseStatus,
    Risk,
    RiskCategory,
    RiskStatus,
    Severity,
    Sprint,
    Stakeholder,
    State,
    StateCategory,
    StatusChange,
    Team,
    Transition,
    WorkItem,
    Workspace,
)

T = TypeVar("T")

__all__ = [
    "DEMO_AS_OF",
    "DEMO_BOTTLENECK",
    "DEMO_SEED",
    "DEMO_START",
    "generate",
]

# -- the fixed frame -------------------------------------------------------------

DEMO_SEED = 20250901
"""The seed of the default demo workspace."""
DEMO_START = datetime(2025, 9, 1, tzinfo=UTC)
"""Start of the demo period: a Monday; the first item is created on it."""
DEMO_AS_OF = datetime(2026, 6, 1, tzinfo=UTC)
"""End of the demo period and its analysis time; nothing happens after it."""

BACKLOG = "Backlog"
READY = "Ready"
IN_PROGRESS = "In Progress"
IN_REVIEW = "In Review"
READY_FOR_QA = "Ready for QA"
IN_QA = "In QA"
DONE = "Done"

DEMO_BOTTLENECK = READY_FOR_QA
"""The state planted as the bottleneck: work waits here for the shared testers."""

WORKDAY_START = time(9, 0)
WORKDAY_MINUTES = 8 * 60
WEEKS = (DEMO_AS_OF - DEMO_START).days // 7  # 39
HORIZON = WEEKS * 5 * WORKDAY_MINUTES
"""First working minute at or after `DEMO_AS_OF`; the simulation stops before it."""

# -- knobs of the work-item simulation -------------------------------------------

N_ITEMS = 410
TYPE_WEIGHTS = {"story": 0.6, "bug": 0.3, "task": 0.1}
PRIORITIES = ("Highest", "High", "Medium", "Low", "Lowest")
PRIORITY_WEIGHTS = {
    "story": (0.03, 0.22, 0.5, 0.2, 0.05),
    "bug": (0.12, 0.33, 0.4, 0.13, 0.02),
    "task": (0.02, 0.15, 0.55, 0.23, 0.05),
}
STORY_POINTS = (1, 2, 3, 5, 8, 13)
POINT_WEIGHTS = (0.12, 0.22, 0.28, 0.22, 0.12, 0.04)
UNESTIMATED_BUG_RATE = 0.4
ARRIVAL_RAMP = 1.0
"""Items arrive (1 + ARRIVAL_RAMP) times as fast at the end as at the start."""
NEVER_COMMITTED_RATE = 0.08
"""Share of items that stay in Backlog for good."""
DEPRIORITISE_RATE = 0.06
"""Share of Backlog -> Ready moves undone (Ready -> Backlog) before work starts."""
REPRIORITISE_RATE = 0.5
"""Share of de-prioritised items that come back to Ready later."""
REVIEW_REWORK_RATE = 0.2
"""Share of reviews that send the work back to In Progress."""
QA_TESTERS = ("priya.nair", "tom.berg")
"""The shared QA resource: each tester tests one item at a time."""
QA_FAIL_RATE = 0.15
"""Share of QA runs that fail and send the work back to In Progress."""
REOPEN_RATE = 0.03
"""Share of deliveries reopened (Done -> In Progress) some days later."""

# Durations in working hours: (median, lognormal sigma, lowest, highest).
BACKLOG_HOURS = (40.0, 1.0, 1.0, 480.0)
URGENT_BACKLOG_HOURS = (2.0, 0.8, 0.25, 16.0)
READY_HOURS = (5.0, 0.8, 0.25, 40.0)
DEPRIORITISE_HOURS = (16.0, 0.7, 1.0, 80.0)
DEV_BASE_HOURS = 4.0
DEV_HOURS_PER_POINT = 3.0
DEV_SIGMA, DEV_MIN_HOURS, DEV_MAX_HOURS = 0.5, 1.0, 80.0
UNESTIMATED_DEV_HOURS = 8.0
REVIEW_HOURS = (5.0, 0.6, 1.0, 16.0)
REWORK_HOURS = (5.0, 0.6, 0.5, 24.0)
QA_PICKUP_HOURS = (0.3, 0.6, 0.05, 2.0)
QA_HOURS = (7.0, 0.35, 2.0, 20.0)
REOPEN_HOURS = (24.0, 0.8, 2.0, 120.0)

# -- people, teams and services --------------------------------------------------

TEAM_KEYS = ("payments", "growth", "platform", "mobile")
TEAM_NAMES = {
    "payments": "Payments",
    "growth": "Growth",
    "platform": "Platform",
    "mobile": "Mobile",
}
TEAM_DEVELOPERS = {
    "payments": ("lucas.martin", "fatima.zahra", "erik.hansen", "chloe.dubois"),
    "growth": ("sofia.rossi", "daniel.kim", "amara.obi", "noah.fischer"),
    "platform": ("raj.patel", "hannah.wood", "leo.moreau", "zara.ali", "ben.carter"),
    "mobile": ("emma.larsen", "kwame.asante", "julia.santos", "mateo.garcia"),
}
TEAM_LEADS = {
    "payments": "ana.souza",
    "growth": "jonas.weber",
    "platform": "mei.chen",
    "mobile": "tomasz.nowak",
}
TEAM_CAPACITY = {"payments": 34.0, "growth": 30.0, "platform": 40.0, "mobile": 28.0}
QA_TEAM = "platform"
"""The QA chapter (the testers) sits in the platform team and owns the QA states."""
SERVICES = {
    "payments": "payments-api",
    "growth": "web-app",
    "platform": "core-api",
    "mobile": "mobile-app",
}
PRODUCT_OWNERS = {
    "payments": "nadia.okafor",
    "growth": "aiko.tanaka",
    "platform": "marcus.lindqvist",
    "mobile": "lena.vogel",
}
"""The stakeholder who owns each team's initiatives."""

CPO, VP_ENG, CFO, VP_SALES = (
    "nadia.okafor",
    "marcus.lindqvist",
    "helen.brandt",
    "diego.ramos",
)
MARKETING, SUPPORT, LEGAL, CISO = (
    "aiko.tanaka",
    "samira.haddad",
    "olivia.grant",
    "ravi.menon",
)
DESIGN, QA_LEAD, PRODUCT_OPS = "lena.vogel", "priya.nair", "kofi.mensah"

SLACK, EMAIL, TEAMS, MEETING, DOCUMENT = (
    Channel.SLACK,
    Channel.EMAIL,
    Channel.TEAMS,
    Channel.MEETING,
    Channel.DOCUMENT,
)
# (key, name, role, team, influence, interest, channel)
STAKEHOLDERS: tuple[tuple[str, str, str, str | None, int, int, Channel], ...] = (
    (CPO, "Nadia Okafor", "Chief Product Officer", None, 5, 5, MEETING),
    (VP_ENG, "Marcus Lindqvist", "VP Engineering", None, 5, 4, SLACK),
    (CFO, "Helen Brandt", "Chief Financial Officer", None, 5, 2, EMAIL),
    (VP_SALES, "Diego Ramos", "VP Sales", None, 4, 3, EMAIL),
    (MARKETING, "Aiko Tanaka", "Head of Marketing", None, 3, 4, SLACK),
    (SUPPORT, "Samira Haddad", "Head of Customer Support", None, 3, 5, TEAMS),
    (LEGAL, "Olivia Grant", "Legal & Compliance Counsel", None, 4, 1, DOCUMENT),
    (CISO, "Ravi Menon", "Chief Information Security Officer", None, 4, 2, EMAIL),
    (DESIGN, "Lena Vogel", "Design Lead", None, 2, 4, SLACK),
    (QA_LEAD, "Priya Nair", "QA Lead", QA_TEAM, 2, 5, SLACK),
    (PRODUCT_OPS, "Kofi Mensah", "Product Operations Manager", None, 3, 5, SLACK),
    ("ana.souza", "Ana Souza", "Engineering Lead, Payments", "payments", 3, 4, SLACK),
    ("jonas.weber", "Jonas Weber", "Engineering Lead, Growth", "growth", 3, 4, SLACK),
    ("mei.chen", "Mei Chen", "Engineering Lead, Platform", "platform", 3, 3, SLACK),
    ("tomasz.nowak", "Tomasz Nowak", "Engineering Lead, Mobile", "mobile", 1, 4, TEAMS),
)

# -- vocabulary for titles and texts ---------------------------------------------

OBJECTS = {
    "payments": (
        "checkout", "invoice PDF", "refund flow", "card vault", "payment retry job",
        "tax calculation", "billing page", "currency conversion", "payment webhook",
        "receipt email",
    ),
    "growth": (
        "onboarding checklist", "sign-up form", "pricing page", "referral link",
        "trial banner", "welcome email", "template gallery", "upgrade modal",
        "invite flow", "usage digest",
    ),
    "platform": (
        "search index", "export service", "SSO login", "audit log", "API gateway",
        "rate limiter", "permissions model", "report scheduler", "job queue",
        "database pool",
    ),
    "mobile": (
        "offline sync", "push settings", "login screen", "tablet layout",
        "document scanner", "app start-up", "dark theme", "home widget",
        "feedback sheet", "photo upload",
    ),
}  # fmt: skip
STORY_VERBS = (
    "Add", "Improve", "Redesign", "Support", "Simplify", "Localise", "Speed up",
    "Track usage of",
)  # fmt: skip
STORY_QUALIFIERS = (
    "for teams", "for EU customers", "with an audit trail", "behind a feature flag",
    "for admins", "(phase 2)", "for large accounts", "on small screens",
)  # fmt: skip
BUG_SYMPTOMS = (
    "fails with a 500 on retry", "shows the wrong currency",
    "times out for large accounts", "crashes after the update",
    "double-submits on slow networks", "ignores the user's locale",
    "is misaligned on small screens", "loses state after logout",
    "returns stale data", "sends duplicate emails",
)  # fmt: skip
TASK_TEMPLATES = (
    "Upgrade {dependency} in {service}", "Add alerting for the {object}",
    "Remove the feature flag of the {object}", "Write a runbook for the {object}",
    "Load-test the {object}",
)  # fmt: skip
DEPENDENCIES_TO_UPGRADE = (
    "Python 3.12", "PostgreSQL 16", "React 19", "Kotlin 2.0", "the payment SDK",
    "OpenTelemetry",
)  # fmt: skip
LABELS = {
    "story": ("ux", "quick-win", "performance", "a11y", "experiment"),
    "bug": ("customer-reported", "regression", "security", "performance"),
    "task": ("tech-debt", "ops", "security"),
}

# (title, theme) per team; the first DELIVERY_INITIATIVES of each team get items.
INITIATIVES = {
    "payments": (
        ("One-click checkout for returning buyers", "checkout"),
        ("Strong Customer Authentication (PSD2 SCA)", "checkout"),
        ("Smarter failed-payment retries", "billing"),
        ("Self-serve invoice downloads", "billing"),
        ("Multi-currency pricing", "pricing"),
        ("Apple Pay and Google Pay", "checkout"),
        ("Usage-based billing", "pricing"),
        ("Fraud scoring for new accounts", "fraud"),
        ("Refunds from the admin console", "billing"),
        ("Tax-inclusive price display", "pricing"),
    ),
    "growth": (
        ("Guided onboarding checklist", "onboarding"),
        ("Template gallery for new workspaces", "onboarding"),
        ("In-app upgrade prompts", "pricing"),
        ("Team invites during onboarding", "onboarding"),
        ("Lifecycle email journeys", "notifications"),
        ("Referral programme", "referrals"),
        ("Free-trial extension flow", "pricing"),
        ("Weekly usage insights digest", "notifications"),
        ("Localised sign-up (DE, FR, ES)", "localisation"),
        ("Pricing page experiments", "pricing"),
    ),
    "platform": (
        ("SAML single sign-on", "sso"),
        ("CSV and Excel exports", "exports"),
        ("Search performance overhaul", "performance"),
        ("Audit log export", "security"),
        ("Public REST API v2", "integrations"),
        ("SCIM user provisioning", "sso"),
        ("Webhooks with retries", "integrations"),
        ("EU data residency", "security"),
        ("Role-based access control", "security"),
        ("Scheduled reports", "exports"),
    ),
    "mobile": (
        ("Offline mode for field teams", "mobile-offline"),
        ("Push notification preferences", "notifications"),
        ("Faster app start-up", "performance"),
        ("Biometric login", "security"),
        ("Tablet layout", "mobile-ux"),
        ("Accessibility pass (WCAG 2.1 AA)", "accessibility"),
        ("Mobile dark mode", "mobile-ux"),
        ("Home-screen widgets", "mobile-ux"),
        ("In-app feedback widget", "mobile-ux"),
        ("Mobile document scanner", "mobile-offline"),
    ),
}
DELIVERY_INITIATIVES = 5
INITIATIVE_OVERLAP = 0.3
"""Delivery windows overlap by this share of their length on each side."""
PARENT_RATES = {"story": 0.8, "bug": 0.2, "task": 0.3}
"""Share of items of each type that belong to an initiative."""

# -- knobs of the other collections ----------------------------------------------

BLOCKING_LINKS = 24
RELATED_LINKS = 10
SPRINT_DAYS = 14
SPRINT_LENGTH = 12  # Monday to Friday of the second week, inclusive
SPRINT_PLANNING = timedelta(hours=12)
"""Sprint planning ends at noon of the first day: later pulls count as added."""
DEPLOYS_PER_WEEK = (0, 1, 2)
DEPLOYS_PER_WEEK_WEIGHTS = (0.05, 0.65, 0.30)
DEPLOY_FREEZE_WEEKS = (16, 17)  # 22 December to 4 January
DEPLOY_FAILURE_RATE = 0.04
DEPLOY_ROLLBACK_RATE = 0.04
N_INCIDENTS = 10
N_CAUSED_INCIDENTS = 6
N_FEEDBACK = 200
N_DEPENDENCIES = 20
FEEDBACK_SOURCES = {
    "zendesk": (0.35, "ZD", "https://example.invalid/zendesk/tickets/{number}"),
    "productboard": (0.25, "PB", "https://example.invalid/productboard/notes/{number}"),
    "survey": (0.25, "SV", "https://example.invalid/surveys/responses/{number}"),
    "salesforce": (0.15, "SF", "https://example.invalid/salesforce/cases/{number}"),
}
FEEDBACK_KINDS: dict[str, dict[FeedbackKind, float]] = {
    "zendesk": {
        FeedbackKind.BUG_REPORT: 0.45,
        FeedbackKind.COMMENT: 0.25,
        FeedbackKind.CSAT: 0.3,
    },
    "productboard": {FeedbackKind.FEATURE_REQUEST: 0.75, FeedbackKind.COMMENT: 0.25},
    "survey": {FeedbackKind.NPS: 0.75, FeedbackKind.CSAT: 0.25},
    "salesforce": {FeedbackKind.FEATURE_REQUEST: 0.6, FeedbackKind.COMMENT: 0.4},
}
MOSCOW_WEIGHTS = {
    MoSCoW.MUST: 0.3,
    MoSCoW.SHOULD: 0.35,
    MoSCoW.COULD: 0.25,
    MoSCoW.WONT: 0.1,
}
KANO_WEIGHTS = {
    KanoCategory.MUST_BE: 0.3,
    KanoCategory.PERFORMANCE: 0.4,
    KanoCategory.ATTRACTIVE: 0.2,
    KanoCategory.INDIFFERENT: 0.1,
}
DEPENDENCY_ORDER = ("platform", "payments", "growth", "mobile")
"""Dependencies point forward in this team order: platform enables the others."""
ACCOUNTS = (
    "Alder Logistics", "Brightwave Media", "Cobalt Health", "Dunmore Foods",
    "Eastgate Legal", "Fernhill Schools", "Granite Insurance", "Harbour Freight Co",
    "Ironbark Energy", "Juniper Retail", "Kestrel Aviation", "Lumen Architects",
    "Meridian Bank", "Northfield Clinics", "Orchard Hotels", "Pinecrest Realty",
    "Quayside Shipping", "Redwood Manufacturing", "Silverline Telecom",
    "Tidewater Utilities", "Upland Farms", "Vantage Consulting", "Willow Care",
    "Yellowstone Outdoor",
)  # fmt: skip
FIRST_NAMES = (
    "Alex", "Sam", "Jordan", "Maria", "Wei", "Fatou", "Lars", "Priyanka", "Tom",
    "Aisha", "Carlos", "Ingrid", "Kenji", "Olga", "Rosa", "Yara",
)  # fmt: skip
LAST_NAMES = (
    "Schmidt", "Nguyen", "Okoye", "Garcia", "Jensen", "Kowalski", "Haddad",
    "Murphy", "Sato", "Silva", "Novak", "Ahmed",
)  # fmt: skip
THEME_PHRASES = {
    "checkout": "checkout", "billing": "billing", "pricing": "pricing and plans",
    "fraud": "fraud checks", "onboarding": "onboarding", "notifications":
    "notifications", "referrals": "referrals", "localisation": "translations",
    "sso": "single sign-on", "exports": "exports", "performance": "speed",
    "security": "security controls", "integrations": "the API",
    "mobile-offline": "offline use on mobile", "mobile-ux": "the mobile app",
    "accessibility": "accessibility",
}  # fmt: skip
FEEDBACK_TEXTS = {
    FeedbackKind.FEATURE_REQUEST: (
        "It would help us a lot to have better {phrase}.",
        "We need improvements to {phrase} before our renewal.",
        "Our admins keep asking for more control over {phrase}.",
        "Competitors already do {phrase} better; please prioritise it.",
    ),
    FeedbackKind.BUG_REPORT: (
        "Something is broken with {phrase} since the last update.",
        "Our users see errors around {phrase} several times a day.",
        "{phrase_cap} stopped working for part of our team.",
    ),
    FeedbackKind.COMMENT: (
        "A few thoughts on {phrase} after the quarterly review.",
        "The team likes the product, but {phrase} is confusing.",
        "Shared in the account call: {phrase} matters most this year.",
    ),
    FeedbackKind.NPS: (
        "Would recommend; {phrase} works well for us.",
        "Fine overall, {phrase} could be better.",
        "Hard to recommend until {phrase} improves.",
    ),
    FeedbackKind.CSAT: (
        "Support solved my question about {phrase} quickly.",
        "The answer on {phrase} was OK but slow.",
        "Still waiting for a fix to {phrase}.",
    ),
}

# -- the three releases ----------------------------------------------------------


@dataclass(frozen=True)
class _ReleasePlan:
    key: str
    name: str
    status: ReleaseStatus
    code_freeze: date
    target_date: date
    owner: str
    teams: tuple[str, ...]
    released_at: datetime | None = None


RELEASE_PLANS = (
    _ReleasePlan(
        key="2026.1",
        name="Spring release",
        status=ReleaseStatus.RELEASED,
        code_freeze=date(2026, 3, 2),
        target_date=date(2026, 3, 11),
        owner=VP_ENG,
        teams=TEAM_KEYS,
        released_at=datetime(2026, 3, 11, 15, 30, tzinfo=UTC),
    ),
    _ReleasePlan(
        key="2026.2",
        name="Summer release",
        status=ReleaseStatus.FROZEN,
        code_freeze=date(2026, 5, 25),
        target_date=date(2026, 6, 10),
        owner=PRODUCT_OPS,
        teams=TEAM_KEYS,
    ),
    _ReleasePlan(
        key="2026.3",
        name="Autumn release",
        status=ReleaseStatus.PLANNED,
        code_freeze=date(2026, 9, 7),
        target_date=date(2026, 9, 16),
        owner=CPO,
        teams=("payments", "platform", "mobile"),
    ),
)
RELEASED, FROZEN, PLANNED = RELEASE_PLANS


# -- time ------------------------------------------------------------------------


def _wall(minute: int) -> datetime:
    """Map a working minute (from `DEMO_START`, 09:00) to a UTC timestamp."""
    day, within = divmod(minute, WORKDAY_MINUTES)
    week, weekday = divmod(day, 5)
    start = timedelta(hours=WORKDAY_START.hour, minutes=within)
    return DEMO_START + timedelta(days=7 * week + weekday) + start


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _hours(rng: random.Random, spec: tuple[float, float, float, float]) -> int:
    """Draw a lognormal duration in working hours; return it in whole minutes."""
    median, sigma, lowest, highest = spec
    hours = min(max(rng.lognormvariate(math.log(median), sigma), lowest), highest)
    return max(1, round(hours * 60))


def _rng(seed: int, part: str) -> random.Random:
    """Return an independent random stream for one part of the demo."""
    return random.Random(f"productops-demo:{seed}:{part}")  # noqa: S311  (not crypto)


def _pick(rng: random.Random, weights: dict[T, float]) -> T:
    """Draw one key of `weights` with the probabilities given as its values."""
    return rng.choices(list(weights), list(weights.values()))[0]


def _quarter(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


# -- work items: drafts ----------------------------------------------------------


@dataclass(frozen=True)
class _Move:
    at: int
    source: str
    target: str
    author: str


@dataclass
class _Draft:
    """A work item while it is being generated (mutable; becomes a `WorkItem`)."""

    key: str
    team: str
    type: str
    priority: str
    points: int | None
    created: int
    title: str
    labels: list[str]
    assignee: str | None = None
    tester: str | None = None
    parent: str | None = None
    releases: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    moves: list[_Move] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.moves[-1].target if self.moves else BACKLOG

    @property
    def committed(self) -> int | None:
        return next((m.at for m in self.moves if m.target == READY), None)

    @property
    def first_done(self) -> int | None:
        return next((m.at for m in self.moves if m.target == DONE), None)

    @property
    def delivered(self) -> int | None:
        return self.moves[-1].at if self.status == DONE else None


def _arrival_minutes(rng: random.Random, count: int) -> list[int]:
    """Creation times: a rate rising linearly by `ARRIVAL_RAMP` over the period."""
    k = ARRIVAL_RAMP
    fractions = sorted(rng.random() for _ in range(count))
    return [int((math.sqrt(1 + k * (2 + k) * u) - 1) / k * HORIZON) for u in fractions]


def _title(rng: random.Random, team: str, kind: str) -> str:
    thing = rng.choice(OBJECTS[team])
    if kind == "bug":
        return f"{thing[0].upper()}{thing[1:]} {rng.choice(BUG_SYMPTOMS)}"
    if kind == "task":
        return rng.choice(TASK_TEMPLATES).format(
            dependency=rng.choice(DEPENDENCIES_TO_UPGRADE),
            service=SERVICES[team],
            object=thing,
        )
    return f"{rng.choice(STORY_VERBS)} {thing} {rng.choice(STORY_QUALIFIERS)}"


def _draft_items(rng: random.Random) -> list[_Draft]:
    kinds, kind_weights = zip(*TYPE_WEIGHTS.items(), strict=True)
    drafts: list[_Draft] = []
    used_titles: set[str] = set()
    for number, created in enumerate(_arrival_minutes(rng, N_ITEMS), start=1):
        team = rng.choice(TEAM_KEYS)
        kind = rng.choices(kinds, kind_weights)[0]
        points: int | None = rng.choices(STORY_POINTS, POINT_WEIGHTS)[0]
        if kind == "bug" and rng.random() < UNESTIMATED_BUG_RATE:
            points = None
        elif kind in ("bug", "task"):
            points = min(points or 1, 5)
        title = _title(rng, team, kind)
        for _ in range(20):
            if title not in used_titles:
                break
            title = _title(rng, team, kind)
        used_titles.add(title)
        label_count = rng.choices((0, 1, 2), (0.35, 0.45, 0.2))[0]
        labels = sorted(set(rng.sample(LABELS[kind], label_count)))
        drafts.append(
            _Draft(
                key=f"APP-{number}",
                team=team,
                type=kind,
                priority=rng.choices(PRIORITIES, PRIORITY_WEIGHTS[kind])[0],
                points=points,
                created=created,
                title=title,
                labels=labels,
            )
        )
    return drafts


# -- work items: the flow simulation ---------------------------------------------


class _FlowSimulation:
    """Discrete-event simulation of the items moving through the process.

    Development and review have unlimited capacity; QA has `QA_TESTERS`. Events
    are ``(minute, sequence, action, item index)`` in a heap; the sequence number
    breaks ties in the order events were scheduled, so the run is deterministic.
    """

    def __init__(self, rng: random.Random, drafts: Sequence[_Draft]) -> None:
        self.rng = rng
        self.drafts = drafts
        self.events: list[tuple[int, int, str, int]] = []
        self.sequence = 0
        self.free_testers = list(QA_TESTERS)
        self.qa_queue: deque[int] = deque()
        self.handlers: dict[str, Callable[[int, _Draft, int], None]] = {
            "ready": self._ready,
            "deprioritise": self._deprioritise,
            "start": self._start,
            "submit": self._submit,
            "review": self._review,
            "pick_up": self._pick_up,
            "test": self._test,
            "reopen": self._reopen,
        }

    def run(self) -> None:
        for index, draft in enumerate(self.drafts):
            if self.rng.random() < NEVER_COMMITTED_RATE:
                continue
            urgent = draft.type == "bug" and draft.priority == "Highest"
            wait = _hours(self.rng, URGENT_BACKLOG_HOURS if urgent else BACKLOG_HOURS)
            self._schedule(draft.created + wait, "ready", index)
        while self.events and self.events[0][0] < HORIZON:
            at, _, action, index = heapq.heappop(self.events)
            self.handlers[action](at, self.drafts[index], index)

    def _schedule(self, at: int, action: str, index: int) -> None:
        self.sequence += 1
        heapq.heappush(self.events, (at, self.sequence, action, index))

    def _move(self, draft: _Draft, at: int, target: str, author: str) -> None:
        draft.moves.append(_Move(at, draft.status, target, author))

    def _dev_minutes(self, draft: _Draft) -> int:
        median = (
            UNESTIMATED_DEV_HOURS
            if draft.points is None
            else DEV_BASE_HOURS + DEV_HOURS_PER_POINT * draft.points
        )
        spec = (median, DEV_SIGMA, DEV_MIN_HOURS, DEV_MAX_HOURS)
        return _hours(self.rng, spec)

    # -- handlers, one per action ---------------------------------------------

    def _ready(self, at: int, draft: _Draft, index: int) -> None:
        self._move(draft, at, READY, TEAM_LEADS[draft.team])
        if self.rng.random() < DEPRIORITISE_RATE:
            self._schedule(
                at + _hours(self.rng, DEPRIORITISE_HOURS), "deprioritise", index
            )
        else:
            self._schedule(at + _hours(self.rng, READY_HOURS), "start", index)

    def _deprioritise(self, at: int, draft: _Draft, index: int) -> None:
        self._move(draft, at, BACKLOG, TEAM_LEADS[draft.team])
        if self.rng.random() < REPRIORITISE_RATE:
            wait = 3 * _hours(self.rng, BACKLOG_HOURS)
            self._schedule(at + wait, "ready", index)

    def _start(self, at: int, draft: _Draft, index: int) -> None:
        if draft.assignee is None:
            draft.assignee = self.rng.choice(TEAM_DEVELOPERS[draft.team])
        self._move(draft, at, IN_PROGRESS, draft.assignee)
        self._schedule(at + self._dev_minutes(draft), "submit", index)

    def _submit(self, at: int, draft: _Draft, index: int) -> None:
        self._move(draft, at, IN_REVIEW, draft.assignee or TEAM_LEADS[draft.team])
        self._schedule(at + _hours(self.rng, REVIEW_HOURS), "review", index)

    def _review(self, at: int, draft: _Draft, index: int) -> None:
        reviewers = [m for m in TEAM_DEVELOPERS[draft.team] if m != draft.assignee]
        reviewer = self.rng.choice(reviewers)
        if self.rng.random() < REVIEW_REWORK_RATE:
            self._move(draft, at, IN_PROGRESS, reviewer)
            self._schedule(at + _hours(self.rng, REWORK_HOURS), "submit", index)
            return
        self._move(draft, at, READY_FOR_QA, reviewer)
        self.qa_queue.append(index)
        self._dispatch(at)

    def _dispatch(self, at: int) -> None:
        """Hand the oldest waiting items to free testers (first come, first served)."""
        while self.free_testers and self.qa_queue:
            index = self.qa_queue.popleft()
            self.drafts[index].tester = self.free_testers.pop(0)
            self._schedule(at + _hours(self.rng, QA_PICKUP_HOURS), "pick_up", index)

    def _pick_up(self, at: int, draft: _Draft, index: int) -> None:
        self._move(draft, at, IN_QA, draft.tester or QA_LEAD)
        self._schedule(at + _hours(self.rng, QA_HOURS), "test", index)

    def _test(self, at: int, draft: _Draft, index: int) -> None:
        tester = draft.tester or QA_LEAD
        draft.tester = None
        self.free_testers = sorted([*self.free_testers, tester], key=QA_TESTERS.index)
        if self.rng.random() < QA_FAIL_RATE:
            self._move(draft, at, IN_PROGRESS, tester)
            self._schedule(at + _hours(self.rng, REWORK_HOURS), "submit", index)
        else:
            self._move(draft, at, DONE, tester)
            if self.rng.random() < REOPEN_RATE:
                self._schedule(at + _hours(self.rng, REOPEN_HOURS), "reopen", index)
        self._dispatch(at)

    def _reopen(self, at: int, draft: _Draft, index: int) -> None:
        self._move(draft, at, IN_PROGRESS, TEAM_LEADS[draft.team])
        self._schedule(at + _hours(self.rng, REWORK_HOURS), "submit", index)


# -- work items: parents, releases, links ----------------------------------------


def _initiative_keys() -> dict[str, list[str]]:
    """Return the initiative keys per team, ``INIT-1`` ... in `INITIATIVES` order."""
    keys: dict[str, list[str]] = {}
    number = 0
    for team in TEAM_KEYS:
        for _ in INITIATIVES[team]:
            number += 1
            keys.setdefault(team, []).append(f"INIT-{number}")
    return keys


def _window(position: int) -> tuple[float, float]:
    """Return the working minutes in which a delivery initiative takes new items."""
    step = HORIZON / DELIVERY_INITIATIVES
    return (
        (position - INITIATIVE_OVERLAP) * step,
        (position + 1 + INITIATIVE_OVERLAP) * step,
    )


def _assign_parents(rng: random.Random, drafts: Sequence[_Draft]) -> None:
    """Give items a parent initiative active when they were created.

    Each team's delivery initiatives run in overlapping windows that together
    cover the period; an item may belong to any initiative whose window holds
    its creation time.
    """
    keys = _initiative_keys()
    for draft in drafts:
        if rng.random() >= PARENT_RATES[draft.type]:
            continue
        active = [
            keys[draft.team][j]
            for j in range(DELIVERY_INITIATIVES)
            if _window(j)[0] <= draft.created < _window(j)[1]
        ]
        draft.parent = rng.choice(active)


def _assign_releases(drafts: Sequence[_Draft]) -> None:
    """Set fix versions from when items were delivered or committed.

    Delivered before the spring freeze: 2026.1. Delivered later, or committed
    before the summer freeze: 2026.2 (after the freeze only bugs get in). Other
    committed work, and high-priority backlog of the autumn teams: 2026.3. Tasks
    are internal and ship in no release.
    """
    first_freeze = _midnight(RELEASED.code_freeze)
    second_freeze = _midnight(FROZEN.code_freeze)
    for draft in drafts:
        if draft.type == "task":
            continue
        done, committed = draft.first_done, draft.committed
        settled = done if done is not None else committed
        if done is not None and _wall(done) < first_freeze:
            draft.releases.append(RELEASED.key)
        elif settled is not None and (
            draft.type == "bug" or _wall(settled) < second_freeze
        ):
            draft.releases.append(FROZEN.key)
        elif draft.team in PLANNED.teams and (
            committed is not None or draft.priority in ("Highest", "High")
        ):
            draft.releases.append(PLANNED.key)


def _link(rng: random.Random, drafts: Sequence[_Draft]) -> None:
    """Add ``blocks`` / ``is blocked by`` and ``relates to`` links, both ways."""
    pairs: set[tuple[int, int]] = set()
    for kinds, count in (
        (("blocks", "is blocked by"), BLOCKING_LINKS),
        (("relates to", "relates to"), RELATED_LINKS),
    ):
        made = 0
        while made < count:
            later = rng.randrange(20, len(drafts))
            earlier = rng.randrange(later - 20, later)
            candidate = drafts[later]
            if drafts[earlier].team not in (candidate.team, QA_TEAM):
                continue
            if (earlier, later) in pairs:
                continue
            pairs.add((earlier, later))
            drafts[earlier].links.append(Link(kind=kinds[0], target=candidate.key))
            candidate.links.append(Link(kind=kinds[1], target=drafts[earlier].key))
            made += 1


def _work_item(draft: _Draft) -> WorkItem:
    history = tuple(
        StatusChange(
            at=_wall(move.at),
            from_status=move.source,
            to_status=move.target,
            author=move.author,
        )
        for move in draft.moves
    )
    created = _wall(draft.created)
    return WorkItem(
        key=draft.key,
        title=draft.title,
        type=draft.type,
        status=draft.status,
        created=created,
        updated=history[-1].at if history else created,
        resolved=_wall(draft.moves[-1].at) if draft.status == DONE else None,
        assignee=draft.assignee,
        team=draft.team,
        priority=draft.priority,
        labels=tuple(draft.labels),
        estimate=None if draft.points is None else float(draft.points),
        parent=draft.parent,
        releases=tuple(draft.releases),
        links=tuple(draft.links),
        url=f"https://example.invalid/browse/{draft.key}",
        source="demo",
        history=history,
    )


# -- process, people, teams ------------------------------------------------------


def build_process() -> Process:
    """Return the seven-state software workflow of the demo."""
    states = (
        State(name=BACKLOG, category=StateCategory.BACKLOG),
        State(name=READY, category=StateCategory.QUEUE, wip_limit=12),
        State(name=IN_PROGRESS, category=StateCategory.ACTIVE, wip_limit=16),
        State(name=IN_REVIEW, category=StateCategory.ACTIVE, wip_limit=10),
        State(name=READY_FOR_QA, category=StateCategory.QUEUE, owner_team=QA_TEAM),
        State(
            name=IN_QA,
            category=StateCategory.ACTIVE,
            wip_limit=len(QA_TESTERS),
            owner_team=QA_TEAM,
        ),
        State(name=DONE, category=StateCategory.DONE),
    )
    moves = (
        (BACKLOG, READY),
        (READY, BACKLOG),
        (READY, IN_PROGRESS),
        (IN_PROGRESS, IN_REVIEW),
        (IN_REVIEW, IN_PROGRESS),
        (IN_REVIEW, READY_FOR_QA),
        (READY_FOR_QA, IN_QA),
        (IN_QA, IN_PROGRESS),
        (IN_QA, DONE),
        (DONE, IN_PROGRESS),
    )
    return Process(
        name="software delivery",
        states=states,
        transitions=tuple(Transition(source=a, target=b) for a, b in moves),
        commitment_point=READY,
        delivery_point=DONE,
    )


def _stakeholders() -> tuple[Stakeholder, ...]:
    return tuple(
        Stakeholder(
            key=key,
            name=name,
            email=f"{key}@example.com",
            role=role,
            team=team,
            influence=influence,
            interest=interest,
            channel=channel,
        )
        for key, name, role, team, influence, interest, channel in STAKEHOLDERS
    )


def _teams() -> tuple[Team, ...]:
    return tuple(
        Team(
            key=team,
            name=TEAM_NAMES[team],
            lead=TEAM_LEADS[team],
            members=(
                TEAM_LEADS[team],
                *TEAM_DEVELOPERS[team],
                *(QA_TESTERS if team == QA_TEAM else ()),
            ),
            capacity=TEAM_CAPACITY[team],
            channel=f"#team-{team}",
        )
        for team in TEAM_KEYS
    )


# -- sprints ---------------------------------------------------------------------


def _sprints(items: Sequence[WorkItem]) -> tuple[Sprint, ...]:
    """Two-week sprints per team, the last one running at `DEMO_AS_OF`.

    Committed: the team's items in a committed, unfinished state when planning
    ends. Added: its other items that entered a committed state (from Backlog,
    or reopened from Done) during the sprint.
    """
    in_cycle = (READY, IN_PROGRESS, IN_REVIEW, READY_FOR_QA, IN_QA)
    titles = {
        key: title
        for team in TEAM_KEYS
        for key, (title, _) in zip(
            _initiative_keys()[team], INITIATIVES[team], strict=True
        )
    }
    sprints = []
    count = (DEMO_AS_OF - DEMO_START).days // SPRINT_DAYS + 1
    timelines = {item.key: item.timeline() for item in items}

    def status_at(item: WorkItem, at: datetime) -> str | None:
        timeline = timelines[item.key]
        position = bisect.bisect_right(timeline, at, key=lambda step: step[1])
        return timeline[position - 1][0] if position else None

    for team in TEAM_KEYS:
        own = [item for item in items if item.team == team]
        for number in range(1, count + 1):
            start = DEMO_START.date() + timedelta(days=SPRINT_DAYS * (number - 1))
            end = start + timedelta(days=SPRINT_LENGTH - 1)
            planned = _midnight(start) + SPRINT_PLANNING
            finish = min(_midnight(end + timedelta(days=1)), DEMO_AS_OF)
            committed = [i for i in own if status_at(i, planned) in in_cycle]
            chosen = {item.key for item in committed}
            added = [
                item
                for item in own
                if item.key not in chosen
                and any(
                    planned < change.at < finish
                    and change.to_status in in_cycle
                    and change.from_status in (BACKLOG, DONE)
                    for change in item.history
                )
            ]
            parents = Counter(i.parent for i in committed + added if i.parent)
            goal = (
                f"Deliver the next slice of {titles[parents.most_common(1)[0][0]]}"
                if parents
                else "Fix the most urgent bugs and pay down tech debt"
            )
            sprints.append(
                Sprint(
                    key=f"{team}-S{number}",
                    name=f"{TEAM_NAMES[team]} sprint {number}",
                    team=team,
                    start=start,
                    end=end,
                    goal=goal,
                    committed=tuple(item.key for item in committed),
                    added=tuple(item.key for item in added),
                )
            )
    return tuple(sprints)


# -- releases, deployments, incidents --------------------------------------------


@dataclass
class _DeploymentDraft:
    service: str
    team: str
    deployed_at: datetime
    status: DeploymentStatus
    items: tuple[str, ...]
    version: str
    key: str = ""
    incidents: list[str] = field(default_factory=list)


def _deployments(
    rng: random.Random, drafts: Sequence[_Draft]
) -> list[_DeploymentDraft]:
    """One or two production deployments a week per service, outside the freeze.

    Each ships the team's items first delivered since the previous successful
    deployment; items of a failed or rolled-back deployment ship again next time.
    """
    result: list[_DeploymentDraft] = []
    for team in TEAM_KEYS:
        delivered = sorted(
            (_wall(d.first_done), d.key)
            for d in drafts
            if d.team == team and d.first_done is not None
        )
        shipped = 0
        minor = 0
        for week in range(WEEKS):
            count = rng.choices(DEPLOYS_PER_WEEK, DEPLOYS_PER_WEEK_WEIGHTS)[0]
            if week in DEPLOY_FREEZE_WEEKS:
                count = 0
            for weekday in sorted(rng.sample((1, 2, 3), count)):
                at = DEMO_START + timedelta(
                    days=7 * week + weekday, hours=14, minutes=rng.randrange(150)
                )
                pending = [key for when, key in delivered[shipped:] if when <= at]
                roll = rng.random()
                status = (
                    DeploymentStatus.FAILURE
                    if roll < DEPLOY_FAILURE_RATE
                    else DeploymentStatus.ROLLED_BACK
                    if roll < DEPLOY_FAILURE_RATE + DEPLOY_ROLLBACK_RATE
                    else DeploymentStatus.SUCCESS
                )
                if status is DeploymentStatus.SUCCESS:
                    shipped += len(pending)
                minor += 1
                result.append(
                    _DeploymentDraft(
                        service=SERVICES[team],
                        team=team,
                        deployed_at=at,
                        status=status,
                        items=tuple(pending),
                        version=f"2.{minor}.0",
                    )
                )
    result.sort(key=lambda d: (d.deployed_at, d.service))
    for number, deployment in enumerate(result, start=1):
        deployment.key = f"DEP-{number}"
    return result


INCIDENT_TITLES = {
    "payments-api": ("Card payments declined in bulk", "Duplicate charges on retry"),
    "web-app": ("Sign-up form returns errors", "Pricing page fails to load"),
    "core-api": ("API latency above SLO", "Exports stuck in the job queue"),
    "mobile-app": ("App crashes on start for Android 14", "Push notifications delayed"),
}
OTHER_INCIDENTS = (
    ("core-api", "Cloud provider outage in eu-west"),
    ("payments-api", "Payment provider degraded"),
    ("web-app", "CDN certificate expired"),
)
OPEN_INCIDENT = ("mobile-app", "Intermittent push delays on Android")


def _incidents(
    rng: random.Random,
    deployments: Sequence[_DeploymentDraft],
    drafts: Sequence[_Draft],
) -> tuple[Incident, ...]:
    """Ten incidents: six caused by deployments, three external, one still open."""
    latest = DEMO_AS_OF - timedelta(days=5)
    candidates = [
        d
        for d in deployments
        if d.status is not DeploymentStatus.FAILURE and d.deployed_at < latest
    ]
    rolled_back = [d for d in candidates if d.status is DeploymentStatus.ROLLED_BACK]
    causes = rng.sample(rolled_back, min(2, len(rolled_back)))
    others = [d for d in candidates if d.status is DeploymentStatus.SUCCESS]
    causes += rng.sample(others, N_CAUSED_INCIDENTS - len(causes))
    span = int((latest - DEMO_START).total_seconds() // 60)
    raw: list[tuple[datetime, str, str, _DeploymentDraft | None]] = [
        (
            cause.deployed_at + timedelta(minutes=rng.randrange(10, 240)),
            cause.service,
            rng.choice(INCIDENT_TITLES[cause.service]),
            cause,
        )
        for cause in causes
    ]
    raw += [
        (DEMO_START + timedelta(minutes=rng.randrange(span)), service, title, None)
        for service, title in OTHER_INCIDENTS
    ]
    raw.sort(key=lambda entry: entry[0])
    open_start = DEMO_AS_OF - timedelta(minutes=rng.randrange(24 * 60, 3 * 24 * 60))
    raw.append((open_start, *OPEN_INCIDENT, None))
    team_of = {service: team for team, service in SERVICES.items()}
    incidents = []
    for number, (started, service, title, cause) in enumerate(raw, start=1):
        key = f"INC-{number}"
        detected = started + timedelta(minutes=rng.randrange(2, 60))
        is_open = number == len(raw)
        severity = (
            Severity.SEV3
            if is_open
            else rng.choices(tuple(Severity), (0.1, 0.3, 0.4, 0.2))[0]
        )
        follow_ups = [
            d
            for d in drafts
            if d.team == team_of[service]
            and d.type == "bug"
            and started < _wall(d.created) < started + timedelta(days=14)
        ][:2]
        for draft in follow_ups:
            draft.labels = sorted({*draft.labels, "incident-follow-up"})
        if cause is not None:
            cause.incidents.append(key)
        incidents.append(
            Incident(
                key=key,
                title=title,
                severity=severity,
                service=service,
                started_at=started,
                detected_at=detected,
                resolved_at=None
                if is_open
                else detected + timedelta(minutes=rng.randrange(20, 8 * 60)),
                caused_by=None if cause is None else cause.key,
                items=tuple(d.key for d in follow_ups),
            )
        )
    return tuple(incidents)


def _deployment(draft: _DeploymentDraft) -> Deployment:
    released_at = RELEASED.released_at or DEMO_AS_OF
    return Deployment(
        key=draft.key,
        service=draft.service,
        environment="production",
        deployed_at=draft.deployed_at,
        status=draft.status,
        version=draft.version,
        release=RELEASED.key if draft.deployed_at < released_at else FROZEN.key,
        items=draft.items,
        caused_incidents=tuple(draft.incidents),
    )


def _gates(plan: _ReleasePlan) -> tuple[ReleaseGate, ...]:
    evidence = "https://example.invalid/evidence/{release}/{what}"
    if plan.status is ReleaseStatus.RELEASED:
        decided = (plan.released_at or DEMO_AS_OF) - timedelta(days=1)
        return (
            ReleaseGate(
                name="QA sign-off",
                kind=GateKind.QA,
                status=GateStatus.PASSED,
                evidence=(evidence.format(release=plan.key, what="regression-run"),),
                approver=QA_LEAD,
                decided_at=decided,
            ),
            ReleaseGate(
                name="Security review",
                kind=GateKind.SECURITY,
                status=GateStatus.PASSED,
                evidence=(evidence.format(release=plan.key, what="security-review"),),
                approver=CISO,
                decided_at=decided - timedelta(days=2),
            ),
            ReleaseGate(
                name="GDPR impact assessment",
                kind=GateKind.COMPLIANCE,
                status=GateStatus.PASSED,
                evidence=(evidence.format(release=plan.key, what="dpia"),),
                approver=LEGAL,
                decided_at=decided - timedelta(days=3),
            ),
            ReleaseGate(
                name="Release notes",
                kind=GateKind.DOCS,
                status=GateStatus.WAIVED,
                required=False,
                approver=PRODUCT_OPS,
                decided_at=decided,
            ),
            ReleaseGate(
                name="Go / no-go",
                kind=GateKind.APPROVAL,
                status=GateStatus.PASSED,
                approver=plan.owner,
                decided_at=decided + timedelta(hours=20),
            ),
        )
    if plan.status is ReleaseStatus.FROZEN:
        freeze = _midnight(plan.code_freeze)
        return (
            ReleaseGate(name="QA sign-off", kind=GateKind.QA),
            ReleaseGate(
                name="Penetration test",
                kind=GateKind.SECURITY,
                status=GateStatus.FAILED,
                evidence=(evidence.format(release=plan.key, what="pentest-report"),),
                approver=CISO,
                decided_at=freeze + timedelta(days=3, hours=11),
            ),
            ReleaseGate(
                name="PSD2 SCA compliance",
                kind=GateKind.COMPLIANCE,
                status=GateStatus.PASSED,
                approver=LEGAL,
                decided_at=freeze + timedelta(days=2, hours=15),
            ),
            ReleaseGate(
                name="Release notes",
                kind=GateKind.DOCS,
                status=GateStatus.PASSED,
                evidence=(evidence.format(release=plan.key, what="release-notes"),),
                approver=PRODUCT_OPS,
                decided_at=freeze + timedelta(days=1, hours=10),
            ),
            ReleaseGate(name="Go / no-go", kind=GateKind.APPROVAL),
        )
    return (
        ReleaseGate(name="QA sign-off", kind=GateKind.QA),
        ReleaseGate(name="Security review", kind=GateKind.SECURITY),
        ReleaseGate(name="App store review", kind=GateKind.APPROVAL, required=False),
        ReleaseGate(name="Go / no-go", kind=GateKind.APPROVAL),
    )


def _releases(
    items: Sequence[WorkItem], deployments: Sequence[Deployment]
) -> tuple[Release, ...]:
    descriptions = {
        RELEASED.key: "Checkout, onboarding and SSO improvements shipped in March.",
        FROZEN.key: "In code freeze; QA is behind and the pen test found issues.",
        PLANNED.key: "Scope is being shaped; growth ships continuously instead.",
    }
    return tuple(
        Release(
            key=plan.key,
            name=plan.name,
            version=f"{plan.key}.0",
            status=plan.status,
            target_date=plan.target_date,
            code_freeze=plan.code_freeze,
            released_at=plan.released_at,
            owner=plan.owner,
            teams=plan.teams,
            scope=tuple(item.key for item in items if plan.key in item.releases),
            gates=_gates(plan),
            deployments=tuple(d for d in deployments if d.release == plan.key),
            description=descriptions[plan.key],
        )
        for plan in RELEASE_PLANS
    )


# -- KPIs ------------------------------------------------------------------------


def _kpis() -> tuple[KPI, ...]:
    higher, lower = Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER
    return (
        KPI(key="activation-rate", name="Activation rate", unit="%", direction=higher,
            target=45, green=42, red=36, owner=MARKETING,
            description="Share of new sign-ups who finish onboarding within 7 days."),
        KPI(key="weekly-active-users", name="Weekly active users", unit="users",
            direction=higher, target=25_000, green=24_000, red=20_000, owner=CPO,
            description="Distinct users active in the week."),
        KPI(key="logo-churn", name="Logo churn", unit="%", direction=lower,
            target=1.5, green=1.8, red=2.5, owner=VP_SALES,
            description="Share of paying accounts cancelling, annualised weekly."),
        KPI(key="nps", name="Net Promoter Score", unit="score", direction=higher,
            target=40, green=30, red=20, owner=SUPPORT,
            description="NPS of the in-app survey answers of the week."),
        KPI(key="cycle-time-p85", name="Cycle time (85th percentile)", unit="days",
            direction=lower, target=10, green=12, red=18, owner=PRODUCT_OPS,
            description="85th percentile of Ready-to-Done time of items delivered "
            "in the trailing 28 days, in calendar days."),
        KPI(key="deployment-frequency", name="Deployment frequency",
            unit="deploys/week", direction=higher, target=6, green=5, red=3,
            owner=VP_ENG, description="Production deployments in the week."),
        KPI(key="change-failure-rate", name="Change failure rate", unit="%",
            direction=lower, target=10, green=15, red=25, owner="mei.chen",
            description="Share of production deployments in the trailing 28 days "
            "that failed, were rolled back or caused an incident."),
        KPI(key="support-backlog", name="Open support tickets", unit="tickets",
            direction=Direction.TARGET_BAND, band_low=80, band_high=120,
            tolerance=20, owner=SUPPORT,
            description="Tickets open at the end of the week."),
    )  # fmt: skip


def _percentile_85(values: Sequence[float]) -> float:
    """Nearest-rank 85th percentile."""
    ordered = sorted(values)
    return ordered[math.ceil(0.85 * len(ordered)) - 1]


def _observations(
    rng: random.Random,
    drafts: Sequence[_Draft],
    deployments: Sequence[Deployment],
) -> tuple[Observation, ...]:
    """Weekly observations, Monday to Sunday, for all 39 weeks.

    Business KPIs follow a trend plus noise (churn and the support backlog drift
    into red from February, NPS into amber); the delivery KPIs are measured on the
    generated items and deployments, so the bottleneck shows in cycle time.
    """
    cycle_times = [
        (
            _wall(d.delivered),
            (_wall(d.delivered) - _wall(d.committed)).total_seconds() / 86_400,
        )
        for d in drafts
        if d.delivered is not None and d.committed is not None
    ]
    observations = []
    for week in range(WEEKS):
        first = DEMO_START.date() + timedelta(days=7 * week)
        last = first + timedelta(days=6)
        end = _midnight(last + timedelta(days=1))
        window = end - timedelta(days=28)
        x = week / (WEEKS - 1)
        late = max(0.0, (week - 20) / (WEEKS - 21))
        holiday = week in DEPLOY_FREEZE_WEEKS
        values: dict[str, float] = {
            "activation-rate": round(37 + 8 * x + rng.gauss(0, 1.2), 1),
            "weekly-active-users": float(
                round(18_500 * (1 + 0.35 * x) * (0.85 if holiday else 1))
                + round(rng.gauss(0, 400))
            ),
            "logo-churn": round(1.4 + 1.3 * late + rng.gauss(0, 0.12), 2),
            "nps": float(round(36 - 12 * x + rng.gauss(0, 2.5))),
            "support-backlog": float(round(95 + 55 * late + rng.gauss(0, 6))),
        }
        recent = [days for when, days in cycle_times if window <= when < end]
        if len(recent) >= 5:
            values["cycle-time-p85"] = round(_percentile_85(recent), 1)
        values["deployment-frequency"] = float(
            sum(first <= d.deployed_at.date() <= last for d in deployments)
        )
        trailing = [d for d in deployments if window <= d.deployed_at < end]
        if trailing:
            failed = sum(d.failed for d in trailing)
            values["change-failure-rate"] = round(100 * failed / len(trailing), 1)
        observations += [
            Observation(kpi=kpi, value=value, period_start=first, period_end=last)
            for kpi, value in values.items()
        ]
    return tuple(observations)


# -- feedback and initiatives ----------------------------------------------------


def _feedback(rng: random.Random) -> tuple[Feedback, ...]:
    """Feedback from four tools, each linked to initiatives on its theme."""
    keys = _initiative_keys()
    by_theme: dict[str, list[str]] = {}
    for team in TEAM_KEYS:
        for key, (_, theme) in zip(keys[team], INITIATIVES[team], strict=True):
            by_theme.setdefault(theme, []).append(key)
    themes = list(by_theme)
    theme_weights = [1 + len(by_theme[theme]) for theme in themes]
    account_values = {
        account: float(max(3_000, round(rng.lognormvariate(math.log(30_000), 0.9), -3)))
        for account in ACCOUNTS
    }
    sources = list(FEEDBACK_SOURCES)
    source_weights = [FEEDBACK_SOURCES[s][0] for s in sources]
    period_minutes = int((DEMO_AS_OF - DEMO_START).total_seconds() // 60)
    created = sorted(rng.randrange(period_minutes) for _ in range(N_FEEDBACK))
    records = []
    for number, minute in enumerate(created, start=1):
        source = rng.choices(sources, source_weights)[0]
        kind = _pick(rng, FEEDBACK_KINDS[source])
        theme = rng.choices(themes, theme_weights)[0]
        rating, tone = _rating(rng, kind, minute / period_minutes)
        phrase = THEME_PHRASES[theme]
        template = FEEDBACK_TEXTS[kind]
        text = (template[tone] if rating is not None else rng.choice(template)).format(
            phrase=phrase, phrase_cap=phrase[0].upper() + phrase[1:]
        )
        linked: list[str] = []
        if rng.random() < (0.25 if rating is not None else 0.8):
            linked = sorted(
                rng.sample(
                    by_theme[theme], min(len(by_theme[theme]), 1 + (rng.random() < 0.2))
                ),
                key=lambda key: int(key.split("-")[1]),
            )
        account = rng.choice(ACCOUNTS)
        tags = [theme] + (["enterprise"] if account_values[account] >= 60_000 else [])
        prefix, url = FEEDBACK_SOURCES[source][1:]
        ticket = 10_000 + 37 * number
        records.append(
            Feedback(
                key=f"{prefix}-{ticket}",
                source=source,
                kind=kind,
                text=text,
                created=DEMO_START + timedelta(minutes=minute),
                customer=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                account=account,
                account_value=account_values[account],
                rating=rating,
                tags=tuple(tags),
                initiatives=tuple(linked),
                url=url.format(number=ticket),
            )
        )
    return tuple(records)


def _rating(
    rng: random.Random, kind: FeedbackKind, progress: float
) -> tuple[float | None, int]:
    """Draw a survey rating and its tone (0 good, 1 neutral, 2 bad).

    NPS answers get worse over the period (`progress` runs from 0 to 1).
    """
    if kind is FeedbackKind.NPS:
        promoter = 0.5 - 0.15 * progress
        roll = rng.random()
        if roll < promoter:
            return float(rng.choice((9, 10))), 0
        if roll < promoter + 0.3:
            return float(rng.choice((7, 8))), 1
        return float(rng.randint(0, 6)), 2
    if kind is FeedbackKind.CSAT:
        score = rng.choices((1, 2, 3, 4, 5), (0.06, 0.09, 0.2, 0.35, 0.3))[0]
        return float(score), 0 if score >= 4 else 1 if score == 3 else 2
    return None, 0


@dataclass(frozen=True)
class _InitiativeState:
    status: InitiativeStatus
    horizon: Horizon | None
    quarter: str | None


def _settle_initiatives(
    rng: random.Random, drafts: Sequence[_Draft]
) -> dict[str, _InitiativeState]:
    """Decide the status, horizon and quarter of every initiative.

    A delivery initiative is done when its window has closed and every item of
    it that was started is delivered; its items still in Backlog are split off
    (their parent is cleared), as teams do with leftovers. Otherwise it is in
    progress. The other initiatives are planned, ideas or dropped.
    """
    states: dict[str, _InitiativeState] = {}
    for team in TEAM_KEYS:
        for position, key in enumerate(_initiative_keys()[team]):
            items = [d for d in drafts if d.parent == key]
            started = [d for d in items if d.status != BACKLOG]
            delivered = [d.delivered for d in started if d.delivered is not None]
            if position >= DELIVERY_INITIATIVES:
                states[key] = _later_initiative(rng, position)
            elif (
                _window(position)[1] < HORIZON
                and started
                and len(delivered) == len(started)
            ):
                quarter = _quarter(_wall(max(delivered)).date())
                states[key] = _InitiativeState(InitiativeStatus.DONE, None, quarter)
                for draft in items:
                    if draft.status == BACKLOG:
                        draft.parent = None
            else:
                quarter = rng.choice(("2026-Q2", "2026-Q3"))
                states[key] = _InitiativeState(
                    InitiativeStatus.IN_PROGRESS, Horizon.NOW, quarter
                )
    return states


def _later_initiative(rng: random.Random, position: int) -> _InitiativeState:
    status = (
        InitiativeStatus.PLANNED,
        InitiativeStatus.PLANNED,
        InitiativeStatus.IDEA,
        InitiativeStatus.IDEA,
        InitiativeStatus.DROPPED,
    )[(position - DELIVERY_INITIATIVES) % 5]
    if status is InitiativeStatus.PLANNED:
        return _InitiativeState(
            status, Horizon.NEXT, rng.choice(("2026-Q3", "2026-Q4"))
        )
    if status is InitiativeStatus.IDEA:
        return _InitiativeState(status, Horizon.LATER, rng.choice(("2027-Q1", None)))
    return _InitiativeState(status, None, None)


def _initiatives(
    rng: random.Random,
    states: dict[str, _InitiativeState],
    drafts: Sequence[_Draft],
    feedback: Sequence[Feedback],
) -> tuple[Initiative, ...]:
    """Forty initiatives, ten per team; the first five of each carry the items."""
    fibonacci = (1, 2, 3, 5, 8, 13, 20)
    records = []
    for team in TEAM_KEYS:
        for position, (key, (title, theme)) in enumerate(
            zip(_initiative_keys()[team], INITIATIVES[team], strict=True)
        ):
            items = [d for d in drafts if d.parent == key]
            state = states[key]
            sized = state.status is not InitiativeStatus.IDEA or rng.random() < 0.5
            records.append(
                Initiative(
                    key=key,
                    title=title,
                    description=f"Bet: {title.lower()} improves {THEME_PHRASES[theme]} "
                    f"for our customers. Owned by the {TEAM_NAMES[team]} team.",
                    status=state.status,
                    owner=PRODUCT_OPS if position == 9 else PRODUCT_OWNERS[team],
                    team=team,
                    reach=float(rng.randrange(200, 8_000, 50)),
                    impact=rng.choice((0.25, 0.5, 1.0, 2.0, 3.0)),
                    confidence=rng.choice((0.5, 0.8, 1.0)),
                    effort=rng.randrange(1, 13) / 2,
                    business_value=float(rng.choice(fibonacci)) if sized else None,
                    time_criticality=float(rng.choice(fibonacci)) if sized else None,
                    risk_reduction=float(rng.choice(fibonacci)) if sized else None,
                    job_size=float(rng.choice(fibonacci)) if sized else None,
                    moscow=_pick(rng, MOSCOW_WEIGHTS),
                    kano=_pick(rng, KANO_WEIGHTS),
                    target_quarter=state.quarter,
                    horizon=state.horizon,
                    feedback=tuple(f.key for f in feedback if key in f.initiatives),
                    items=tuple(d.key for d in items),
                    tags=(theme,),
                )
            )
    return tuple(records)


def _dependencies(
    rng: random.Random, initiatives: Sequence[Initiative]
) -> tuple[Dependency, ...]:
    """Dependencies between initiatives, acyclic by construction.

    Initiatives are put in one order (platform first, as the enabler; then the
    others, shuffled within each team) and every dependency points forward in it.
    """
    order: list[Initiative] = []
    for team in DEPENDENCY_ORDER:
        own = [i for i in initiatives if i.team == team]
        order += rng.sample(own, len(own))
    chosen: list[tuple[int, int]] = []
    while len(chosen) < N_DEPENDENCIES:
        first = rng.randrange(len(order) - 1)
        pair = (first, rng.randrange(first + 1, min(len(order), first + 16)))
        if pair not in chosen:
            chosen.append(pair)
    dependencies = []
    for up_index, down_index in chosen:
        upstream, downstream = order[up_index], order[down_index]
        if upstream.status is InitiativeStatus.DONE:
            status = DependencyStatus.RESOLVED
        elif rng.random() < 0.3:
            status = DependencyStatus.AT_RISK
        else:
            status = DependencyStatus.OPEN
        needed = DEMO_AS_OF.date() + timedelta(weeks=rng.randrange(0, 26))
        dependencies.append(
            Dependency(
                upstream=upstream.key,
                downstream=downstream.key,
                kind=rng.choices(tuple(DependencyKind), (0.75, 0.15, 0.1))[0],
                status=status,
                needed_by=None if status is DependencyStatus.RESOLVED else needed,
                note=f"{downstream.title} builds on {upstream.title}.",
            )
        )
    return tuple(dependencies)


# -- risks -----------------------------------------------------------------------


@dataclass(frozen=True)
class _RiskSpec:
    title: str
    category: RiskCategory
    status: RiskStatus
    likelihood: int
    impact: int
    owner: str
    mitigation: str
    mitigation_status: MitigationStatus
    cost: float | None = None
    probability: float | None = None
    detection: int | None = None
    releases: tuple[str, ...] = ()
    description: str = ""


RISKS = (
    _RiskSpec("QA capacity cannot absorb the summer release scope",
              RiskCategory.RESOURCE, RiskStatus.OPEN, 4, 4, QA_LEAD,
              "Borrow a tester from mobile and automate the regression suite",
              MitigationStatus.IN_PROGRESS, 80_000, 0.6, None, (FROZEN.key,),
              "Two testers serve four teams; work waits days for QA and the queue "
              "keeps growing, so the 2026.2 scope may not be tested by the target."),
    _RiskSpec("Payment provider sunsets its v1 API", RiskCategory.DEPENDENCY,
              RiskStatus.MITIGATING, 3, 5, "ana.souza",
              "Migrate the card vault and webhooks to the v2 API",
              MitigationStatus.IN_PROGRESS, 150_000, 0.3, None, (FROZEN.key,)),
    _RiskSpec("Fines for PSD2 SCA non-compliance", RiskCategory.COMPLIANCE,
              RiskStatus.OPEN, 2, 5, LEGAL,
              "External audit of the SCA flows before launch",
              MitigationStatus.PLANNED, 250_000, 0.1, 6, (FROZEN.key,)),
    _RiskSpec("Penetration test finds critical issues late", RiskCategory.SECURITY,
              RiskStatus.OCCURRED, 3, 4, CISO,
              "Fix the findings and re-test before go / no-go",
              MitigationStatus.IN_PROGRESS, None, None, 7, (FROZEN.key,)),
    _RiskSpec("Key engineer leaves the platform team", RiskCategory.RESOURCE,
              RiskStatus.ACCEPTED, 2, 4, VP_ENG,
              "Pair on the search and export services; document runbooks",
              MitigationStatus.DONE),
    _RiskSpec("Cloud costs overrun with EU data residency", RiskCategory.FINANCIAL,
              RiskStatus.OPEN, 3, 3, CFO,
              "Reserved instances and a cost dashboard per region",
              MitigationStatus.PLANNED, 120_000, 0.4),
    _RiskSpec("App store review delays the mobile release", RiskCategory.SCHEDULE,
              RiskStatus.OPEN, 3, 3, "tomasz.nowak",
              "Submit a release candidate two weeks early",
              MitigationStatus.PLANNED, None, None, 3, (PLANNED.key,)),
    _RiskSpec("Competitor launches usage-based pricing first", RiskCategory.MARKET,
              RiskStatus.OPEN, 3, 3, VP_SALES,
              "Pilot usage-based billing with three design partners",
              MitigationStatus.PLANNED, 200_000, 0.35),
    _RiskSpec("Database migration causes downtime", RiskCategory.TECHNICAL,
              RiskStatus.MITIGATING, 2, 5, "mei.chen",
              "Rehearse the migration on a production copy",
              MitigationStatus.DONE, None, None, 4, (FROZEN.key,)),
    _RiskSpec("Backlog of GDPR data-subject requests", RiskCategory.COMPLIANCE,
              RiskStatus.CLOSED, 2, 3, LEGAL,
              "Automate exports for data-subject requests", MitigationStatus.DONE),
    _RiskSpec("On-call fatigue after the incident spike", RiskCategory.OPERATIONAL,
              RiskStatus.MITIGATING, 3, 3, VP_ENG,
              "Add a second on-call rotation and fix the noisiest alerts",
              MitigationStatus.IN_PROGRESS),
    _RiskSpec("Search re-index overruns the release window", RiskCategory.TECHNICAL,
              RiskStatus.CLOSED, 3, 2, "mei.chen",
              "Re-index online behind a feature flag", MitigationStatus.DONE,
              None, None, None, (RELEASED.key,)),
)  # fmt: skip


def _risks(rng: random.Random, items: Sequence[WorkItem]) -> tuple[Risk, ...]:
    """Build the risk register; values jitter with the seed around each spec."""
    waiting_for_qa = [i.key for i in items if i.status == READY_FOR_QA][:5]
    risks = []
    for number, spec in enumerate(RISKS, start=1):
        likelihood = min(5, max(1, spec.likelihood + rng.choice((-1, 0, 0, 1))))
        impact = min(5, max(1, spec.impact + rng.choice((0, 0, 1))))
        raised = DEMO_START + timedelta(
            days=rng.randrange(0, 200), hours=rng.randrange(9, 17)
        )
        cost = spec.cost
        probability = spec.probability
        reduce = rng.choice((1, 2))
        due = (raised + timedelta(days=rng.randrange(30, 150))).date()
        mitigation = Mitigation(
            description=spec.mitigation,
            owner=spec.owner,
            status=spec.mitigation_status,
            due=due,
            cost=float(rng.randrange(5, 40) * 1_000),
            residual_likelihood=max(1, likelihood - reduce),
            residual_impact=max(1, impact - (reduce - 1)),
            residual_probability=None
            if probability is None
            else round(probability / 2, 2),
            residual_cost=None if cost is None else round(cost * 0.6, -3),
        )
        closed = None
        if spec.status in (RiskStatus.CLOSED, RiskStatus.OCCURRED):
            # A week after the mitigation was due; drawn without the rng so
            # every other value stays as it was.
            closed = min(
                datetime.combine(due, time(10), tzinfo=UTC) + timedelta(days=7),
                DEMO_AS_OF - timedelta(days=1),
            )
        risks.append(
            Risk(
                key=f"R-{number}",
                title=spec.title,
                description=spec.description,
                category=spec.category,
                status=spec.status,
                likelihood=likelihood,
                impact=impact,
                probability=probability,
                cost=cost,
                detection=spec.detection,
                owner=spec.owner,
                raised_at=raised,
                closed_at=closed,
                review_date=(
                    DEMO_AS_OF + timedelta(days=rng.randrange(-20, 45))
                ).date(),
                mitigations=(mitigation,),
                releases=spec.releases,
                items=tuple(waiting_for_qa) if number == 1 else (),
            )
        )
    return tuple(risks)


# -- RACI ------------------------------------------------------------------------


def _raci(
    releases: Sequence[Release], initiatives: Sequence[Initiative]
) -> tuple[RaciAssignment, ...]:
    """RACI for every release and every initiative in progress."""
    assignments: list[RaciAssignment] = []

    def add(deliverable: str, roles: Sequence[tuple[str, RaciRole]]) -> None:
        seen: list[str] = []
        for person, role in roles:
            if person not in seen:
                seen.append(person)
                assignments.append(
                    RaciAssignment(
                        deliverable=deliverable, stakeholder=person, role=role
                    )
                )

    for release in releases:
        add(
            release.key,
            [(release.owner or VP_ENG, RaciRole.ACCOUNTABLE)]
            + [(TEAM_LEADS[t], RaciRole.RESPONSIBLE) for t in release.teams]
            + [(p, RaciRole.CONSULTED) for p in (QA_LEAD, CISO, LEGAL)]
            + [(p, RaciRole.INFORMED) for p in (SUPPORT, VP_SALES, MARKETING, CFO)],
        )
    for initiative in initiatives:
        if initiative.status is not InitiativeStatus.IN_PROGRESS or not initiative.team:
            continue
        add(
            initiative.key,
            [
                (initiative.owner or CPO, RaciRole.ACCOUNTABLE),
                (TEAM_LEADS[initiative.team], RaciRole.RESPONSIBLE),
                (DESIGN, RaciRole.CONSULTED),
                (SUPPORT, RaciRole.INFORMED),
            ],
        )
    return tuple(assignments)


# -- the workspace ---------------------------------------------------------------


def generate(seed: int) -> Workspace:
    """Generate the demo workspace for `seed`, without caching.

    Each part of the demo draws from its own random stream (`_rng`), so changing
    how one collection is generated leaves the others as they were.

    Parameters
    ----------
    seed : int
        The seed; `DEMO_SEED` gives the default demo.

    Returns
    -------
    Workspace
        The demo workspace; see the module docstring for what it holds.
    """
    drafts = _draft_items(_rng(seed, "items"))
    _FlowSimulation(_rng(seed, "flow"), drafts).run()
    _assign_parents(_rng(seed, "parents"), drafts)
    states = _settle_initiatives(_rng(seed, "initiative-states"), drafts)
    _assign_releases(drafts)
    _link(_rng(seed, "links"), drafts)
    deployment_drafts = _deployments(_rng(seed, "deployments"), drafts)
    incidents = _incidents(_rng(seed, "incidents"), deployment_drafts, drafts)
    deployments = tuple(_deployment(d) for d in deployment_drafts)
    items = tuple(_work_item(d) for d in drafts)
    releases = _releases(items, deployments)
    feedback = _feedback(_rng(seed, "feedback"))
    initiatives = _initiatives(_rng(seed, "initiatives"), states, drafts, feedback)
    return Workspace(
        name="demo",
        description=(
            "productops demo: a fictional software company with four teams, "
            f"{DEMO_START.date()} to {DEMO_AS_OF.date()} (seed {seed}). QA is "
            f"shared by {len(QA_TESTERS)} testers; work piles up in "
            f"'{DEMO_BOTTLENECK}'."
        ),
        process=build_process(),
        work_items=items,
        releases=releases,
        risks=_risks(_rng(seed, "risks"), items),
        kpis=_kpis(),
        observations=_observations(_rng(seed, "kpis"), drafts, deployments),
        stakeholders=_stakeholders(),
        teams=_teams(),
        raci=_raci(releases, initiatives),
        feedback=feedback,
        initiatives=initiatives,
        dependencies=_dependencies(_rng(seed, "dependencies"), initiatives),
        sprints=_sprints(items),
        incidents=incidents,
    )
