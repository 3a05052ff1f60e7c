"""Registries through which apps contribute to the whole.

``core`` never imports a domain app. Instead each app registers, from its
``AppConfig.ready()``, what it offers: named client figures (KPIs) that the
client overview, goals and reviews read; demo data that ``vcio demo`` loads;
periodic jobs that ``vcio worker`` runs. Adding an app adds its pieces
everywhere with no change to the centre.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

Number = int | float | Decimal
MONEY = "money"


@dataclass(frozen=True)
class Figure:
    """A named figure computed for many clients at once, as of a day.

    ``compute(client_ids, at)`` returns ``{client_id: value}`` (a missing id
    or ``None`` means "no data"), so a page showing a figure for 500 clients
    still runs a fixed number of queries. ``at`` is a date: the figure as of
    the end of that day in each client's time zone (``None``: each client's
    own today). A review stores its figures as of the review's day, so a
    past review keeps what was true then, recomputable from the rows kept.
    Whatever depends on a date (a warranty's end, an SLA quarter, spend)
    reads it as of ``at``; counts of records kept without a history (devices,
    contacts) count the records as they are.
    """

    key: str
    label: str
    compute: Callable[[list[int], Any], dict[int, Number | None]]
    # "%" for shares, MONEY for amounts in the client's currency, else a count's unit.
    unit: str = ""
    better: Literal["higher", "lower", "neither"] = "neither"
    description: str = ""
    app: str = ""
    # Shown as a column of the practice dashboard and the client list.
    summary: bool = False
    # "month" or "quarter" when the figure covers the client's current calendar month or
    # fiscal quarter so far: pages name that period ("FY2027 Q2 so far") beside it.
    period: str = ""


@dataclass(frozen=True)
class DemoLoader:
    """A step of ``vcio demo``: loads one app's demo data, idempotently.

    ``load`` receives the shared context dict (earlier steps put the demo
    clients and users there) and a ``log`` callable for progress lines.
    """

    name: str
    load: Callable[[dict[str, Any], Callable[[str], None]], None]
    order: int = 100


@dataclass(frozen=True)
class PeriodicJob:
    """A job ``vcio worker`` runs every ``interval`` seconds (at most one worker at a time)."""

    name: str
    run: Callable[[], Any]
    interval: int
    description: str = ""
    # Seconds a claim is held; after that a crashed worker's job is taken again.
    lease: int = 600


@dataclass(frozen=True)
class ClientTab:
    """A section of the client pages (a tab under the client's name).

    ``url_name`` is reversed with the client's slug as ``client``. ``group``
    names a ``ClientTabGroup``: the bar shows the group once (a menu of its
    tabs) so sixteen sections still fit one line; "" stands alone.
    """

    key: str
    label: str
    url_name: str
    order: int = 100
    group: str = ""


@dataclass(frozen=True)
class ClientTabGroup:
    """A place in the client tab bar shared by related tabs (Strategy, Inventory...).

    ``order`` places the group among the bar's entries; its tabs keep their
    own order inside it.
    """

    key: str
    label: str
    order: int = 100


@dataclass
class Registry:
    """An ordered, keyed collection that refuses duplicate keys."""

    kind: str
    _items: dict[str, Any] = field(default_factory=dict)

    def register(self, item: Any) -> Any:
        key = getattr(item, "key", None) or item.name
        if key in self._items and self._items[key] != item:
            raise ValueError(f"{self.kind} {key!r} is already registered")
        self._items[key] = item
        return item

    def unregister(self, key: str) -> None:
        self._items.pop(key, None)

    def get(self, key: str) -> Any:
        try:
            return self._items[key]
        except KeyError:
            raise KeyError(f"no {self.kind} named {key!r}") from None

    def __contains__(self, key: str) -> bool:
        return key in self._items

    def __iter__(self):
        return iter(list(self._items.values()))

    def __len__(self) -> int:
        return len(self._items)


@dataclass(frozen=True)
class WorkerService:
    """A long-running loop ``vcio worker`` runs in its own thread beside the periodic jobs.

    ``run`` receives the worker's stop event and must return soon after it is
    set (SIGTERM), having finished what it had in hand. The availability
    checker is one: its checks are due every few seconds, not every minute.
    """

    key: str
    run: Callable[[Any], None]  # run(stop: threading.Event) -> None
    description: str = ""


figures = Registry("figure")
demo_loaders = Registry("demo loader")
periodic_jobs = Registry("periodic job")
client_tabs = Registry("client tab")
client_tab_groups = Registry("client tab group")
worker_services = Registry("worker service")


def compute_figures(
    client_ids: Iterable[int], keys: Iterable[str] | None = None, at: Any = None
) -> dict[str, dict[int, Number | None]]:
    """Every registered figure (or those named) for the given clients, as of ``at``.

    Returns ``{figure_key: {client_id: value}}``; one call per figure, so the
    number of queries grows with the number of figures, not of clients.
    ``at`` (a date) is the day the figures are as of; ``None`` is each
    client's own today.
    """
    ids = list(client_ids)
    chosen = [figures.get(k) for k in keys] if keys is not None else list(figures)
    return {fig.key: fig.compute(ids, at) for fig in chosen}


def summary_figures() -> list[Figure]:
    """The figures apps chose for the practice-wide tables, in registration order."""
    return [f for f in figures if f.summary]


# Recommendations ---------------------------------------------------------------

RISK_LEVELS = ("low", "medium", "high", "critical")


@dataclass(frozen=True)
class RecommendationDraft:
    """A proposal an app derives from its data, before it becomes a stored row.

    ``key`` is stable across runs (e.g. "assets.replace.FY2027-Q1") so a
    re-run updates the same recommendation instead of adding a copy; it is
    unique per client. ``evidence`` must be JSON-able (numbers, strings,
    lists, dicts). Costs are in the client's currency; the one-time cost and
    the effort are never negative, a negative recurring cost is a saving;
    ``due_date`` is the date that makes it urgent (an end of support, a
    renewal), if any.
    """

    key: str
    client_id: int
    title: str
    why: str
    category: str
    source_app: str
    risk: Literal["low", "medium", "high", "critical"] = "medium"
    evidence_url: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)
    one_time_cost: Decimal = Decimal("0")
    recurring_cost_per_year: Decimal = Decimal("0")
    effort_days: Decimal = Decimal("0")
    due_date: Any = None  # datetime.date | None
    # The client's business goals this proposal serves (ids) and the department that
    # asked for it, if any: promoting it links the initiative to those goals.
    goal_ids: tuple[int, ...] = ()
    department_id: int | None = None


@dataclass(frozen=True)
class RecommendationGenerator:
    """Turns an app's data into recommendations for many clients at once.

    ``generate`` takes client ids and returns drafts for those clients only,
    in a fixed number of queries whatever the number of clients.
    """

    key: str
    label: str
    generate: Callable[[list[int]], list[RecommendationDraft]]
    app: str = ""


recommendation_generators = Registry("recommendation generator")


@dataclass(frozen=True)
class CommittedCost:
    """A recurring cost a client already pays, outside any initiative.

    ``annual`` is the yearly amount in the client's currency; it accrues
    evenly (a quarter of it each quarter) until ``until`` if given. The
    budget adds these to the roadmap's costs, so leaders see what IT costs
    in total, not only what is new.
    """

    client_id: int
    label: str
    annual: Decimal
    category: str = "opex"
    until: Any = None  # datetime.date | None


@dataclass(frozen=True)
class CommittedCostSource:
    """An app's recurring costs for many clients at once, in a fixed number of queries."""

    key: str
    label: str
    collect: Callable[[list[int]], list[CommittedCost]]


committed_cost_sources = Registry("committed cost source")


def committed_costs(client_ids: Iterable[int]) -> list[CommittedCost]:
    """Every registered source's committed costs of ``client_ids``."""
    ids = list(client_ids)
    return [cost for source in committed_cost_sources for cost in source.collect(ids)]


@dataclass(frozen=True)
class ForecastCost:
    """A one-time cost an app forecasts for a client, due in the quarter holding ``day``.

    E.g. the devices reaching their replacement date in a quarter. ``key``
    is the recommendation the same money is proposed as: once that one is
    promoted to an initiative (which then carries the money) or dismissed,
    the budget stops counting the forecast, so money counts once.
    """

    client_id: int
    key: str
    label: str
    day: Any  # datetime.date
    amount: Decimal


@dataclass(frozen=True)
class ForecastCostSource:
    """An app's forecast one-time costs for many clients at once, in a fixed number of queries."""

    key: str
    label: str
    # (client ids, as-of day or None for today) → the costs forecast as of that day.
    collect: Callable[[list[int], Any], list[ForecastCost]]


forecast_cost_sources = Registry("forecast cost source")


def forecast_costs(client_ids: Iterable[int], at: Any = None) -> list[ForecastCost]:
    """Every registered source's forecast one-time costs of ``client_ids`` as of ``at``.

    ``at`` (a date; None: each client's today) lets a review's budget show the
    forecast it would have shown on the review's day.
    """
    ids = list(client_ids)
    return [cost for source in forecast_cost_sources for cost in source.collect(ids, at)]


# Reviews ------------------------------------------------------------------------

REVIEW_KINDS = ("monthly", "qbr")


@dataclass(frozen=True)
class ReviewPeriod:
    """What a review looks at: one client, the days it covers, and when the next one is.

    ``start`` and ``end`` are both included, in the client's calendar.
    ``next_review`` is when the following review is due (``None`` when no
    cadence is set): "ends before the next review" means before that day.
    ``today`` is the day the snapshot is taken, so demo and tests can go back
    in time.
    """

    client_id: int
    kind: str  # one of REVIEW_KINDS
    start: Any  # datetime.date
    end: Any  # datetime.date
    today: Any  # datetime.date
    next_review: Any = None  # datetime.date | None


@dataclass(frozen=True)
class Change:
    """One thing that changed since the previous review, in words a leader reads.

    ``direction`` says whether it is good news for the client ("better"),
    bad news ("worse") or neither ("neutral"); ``kind`` groups changes of one
    sort (e.g. "recommendation.new", "sla.breach", "asset.support_ends").
    """

    section: str  # the report section's key it belongs to
    kind: str
    text: str
    direction: Literal["better", "worse", "neutral"] = "neutral"
    url: str = ""


# changes(previous section data or None, current section data, period) -> changes
ChangesFn = Callable[[dict[str, Any] | None, dict[str, Any], ReviewPeriod], list[Change]]


@dataclass(frozen=True)
class ReportSection:
    """An app's part of the review: what it stores in the snapshot and how it reads.

    ``collect(period)`` returns JSON-able data for one client (numbers,
    strings, lists, dicts; dates as ISO strings), computed from rollups in a
    fixed number of queries whatever the amount of raw history. It is
    stored in the review's snapshot when the review is finalised, so a past
    report reads as it did. ``changes(previous, current, period)`` compares
    the data of two snapshots (``previous`` is ``None`` for a first review)
    and returns what changed. ``template`` renders the data inside the HTML
    and PDF report with ``data``, ``period`` and ``client`` in its context;
    it must say "No data yet" when ``data`` is empty rather than fail.
    """

    key: str
    title: str
    collect: Callable[[ReviewPeriod], dict[str, Any]]
    template: str
    changes: ChangesFn | None = None
    order: int = 100
    kinds: tuple[str, ...] = REVIEW_KINDS
    app: str = ""


@dataclass(frozen=True)
class SubScore:
    """One part of a client's health: 0–100 (100 is healthy), and why."""

    score: float | None  # None: no data, left out of the weighted composite
    explanation: str


@dataclass(frozen=True)
class HealthComponent:
    """A 0–100 sub-score an app computes for many clients at once (fixed queries).

    ``compute(client_ids, today)`` scores each client as of ``today`` (a
    date; ``None`` means each client's own today). A review scores its
    client as of its meeting day, so a review finalised late, or the demo's
    past reviews, score the situation they reviewed, not the present.
    """

    key: str
    label: str
    weight: int
    compute: Callable[[list[int], Any], dict[int, SubScore]]
    app: str = ""


report_sections = Registry("report section")
health_components = Registry("health component")


@dataclass(frozen=True)
class DashboardPanel:
    """A panel of the practice dashboard, contributed by an app.

    ``context(clients, user)`` receives the active clients the user may see
    (a list, already scoped) and returns the template's context, in a fixed
    number of queries whatever the number of clients; ``template`` renders
    it. Panels show in ``order``.
    """

    key: str
    title: str
    template: str
    context: Callable[[list[Any], Any], dict[str, Any]]
    order: int = 100
    app: str = ""


dashboard_panels = Registry("dashboard panel")


@dataclass(frozen=True)
class ClientPanel:
    """A panel of a client's overview page, contributed by an app.

    ``context(client, user)`` returns the template's context in a fixed
    number of queries; ``None`` hides the panel (nothing to show, or the
    user may not see it). ``perm`` is the permission on the client the
    user needs for the panel to be computed at all.
    """

    key: str
    title: str
    template: str
    context: Callable[[Any, Any], dict[str, Any] | None]
    perm: str = "view"
    order: int = 100
    app: str = ""


client_panels = Registry("client panel")


@dataclass(frozen=True)
class PortalTab:
    """A page of the client portal an app adds after the portal's own tabs.

    ``url_name`` is reversed with the client's slug as ``client``; the page
    must show only what a client's leaders may read (no internal notes).
    """

    key: str
    label: str
    url_name: str
    order: int = 100


portal_tabs = Registry("portal tab")


# Evidence -----------------------------------------------------------------------

EVIDENCE_STATUSES = ("aligned", "partly", "not_aligned", "no_data")


@dataclass(frozen=True)
class EvidenceRow:
    """One record behind an evidence result: a device, a monitor, a service..."""

    label: str  # e.g. "PC-017"
    detail: str = ""  # e.g. "Windows 10, support ended 2025-10-14"
    url: str = ""  # the record's page, when it has one
    ok: bool = False  # True: this row meets the rule; False: it is why the rule fails


@dataclass(frozen=True)
class EvidenceResult:
    """What a rule found for one client: a status, one sentence, the rows behind it.

    ``status`` is one of ``EVIDENCE_STATUSES``; "no_data" when the client has
    nothing the rule can judge (no devices, no monitors): an assessment then
    leaves the item to a person rather than calling it aligned. ``rows`` lists
    the records that fail the rule first, then (a few of) those that meet it;
    ``counts`` holds the figures the sentence states (e.g. {"ok": 31, "total": 33})
    so a test or a report can recompute the share.
    """

    status: Literal["aligned", "partly", "not_aligned", "no_data"]
    sentence: str
    rows: tuple[EvidenceRow, ...] = ()
    counts: dict[str, Number] = field(default_factory=dict)


@dataclass(frozen=True)
class EvidenceRule:
    """A rule that answers an assessment item from an app's live data.

    ``evaluate(client_ids, at)`` returns ``{client_id: EvidenceResult}`` for
    every id given, in a fixed number of queries whatever the number of
    clients; ``at`` is the day judged (``None``: today). Framework items name
    the rule by ``key`` (e.g. "assets.supported_os"); the assessments app runs
    whatever rules are registered, so a new app adds its rules without
    touching it.
    """

    key: str
    label: str
    evaluate: Callable[[list[int], Any], dict[int, EvidenceResult]]
    description: str = ""
    app: str = ""


evidence_rules = Registry("evidence rule")


def evaluate_evidence(
    client_ids: Iterable[int], keys: Iterable[str] | None = None, at: Any = None
) -> dict[str, dict[int, EvidenceResult]]:
    """Every registered evidence rule (or those named that exist) for the clients, as of ``at``.

    Returns ``{rule_key: {client_id: result}}``; a key no app registers is
    left out (the item then stays with a person).
    """
    ids = list(client_ids)
    chosen = (
        list(evidence_rules)
        if keys is None
        else [evidence_rules.get(k) for k in dict.fromkeys(keys) if k in evidence_rules]
    )
    return {rule.key: rule.evaluate(ids, at) for rule in chosen}


# Departments and the practice's workload -----------------------------------------------

COVERAGE_KINDS = ("count", "money")


@dataclass(frozen=True)
class CoverageColumn:
    """One column of the coverage matrix: departments × what each app knows of them.

    ``collect(client_ids, at)`` returns ``{(client_id, department_id): value}``
    for many clients in a fixed number of queries; ``department_id`` is
    ``None`` for what belongs to no department (shown as its own row, so the
    totals still add up). ``kind`` is "count" (goals, tickets...) or "money"
    (spend in the client's currency). ``at`` is the day counted as of
    (``None``: today). The matrix shows whatever columns apps register, in
    ``order``, so a department nobody serves stands out as an empty row.
    """

    key: str
    label: str
    collect: Callable[[list[int], Any], dict[tuple[int, int | None], Number]]
    kind: Literal["count", "money"] = "count"
    description: str = ""
    order: int = 100
    app: str = ""


coverage_columns = Registry("coverage column")


def collect_coverage(
    client_ids: Iterable[int], at: Any = None
) -> dict[str, dict[tuple[int, int | None], Number]]:
    """Every registered coverage column: ``{column_key: {(client, department): value}}``."""
    ids = list(client_ids)
    return {c.key: c.collect(ids, at) for c in sorted(coverage_columns, key=lambda c: c.order)}


@dataclass(frozen=True)
class ScheduledWork:
    """Work the practice owes a client in a month (a review to hold, an assessment due).

    ``month`` is the first day of the month it is due in; ``hours`` what it
    usually takes; ``user_id`` the practice person expected to do it, if known
    (the client's consultant otherwise).
    """

    client_id: int
    month: Any  # datetime.date, first of the month
    label: str
    hours: Decimal
    user_id: int | None = None


@dataclass(frozen=True)
class ScheduledWorkSource:
    """An app's scheduled work for many clients over months, in a fixed number of queries.

    ``collect(client_ids, first_month, months)`` returns the work due from
    ``first_month`` for ``months`` months. The practice page sets it against
    each person's capacity, so the practice sees the months it cannot deliver.
    """

    key: str
    label: str
    collect: Callable[[list[int], Any, int], list[ScheduledWork]]


scheduled_work_sources = Registry("scheduled work source")


def scheduled_work(client_ids: Iterable[int], first_month: Any, months: int) -> list[ScheduledWork]:
    """Every registered source's work for the clients from ``first_month`` on."""
    ids = list(client_ids)
    return [
        w for source in scheduled_work_sources for w in source.collect(ids, first_month, months)
    ]


def register_parts(package: str, names: Iterable[str]) -> None:
    """Call ``register()`` of each module ``package.name`` that exists, in order.

    Each app lists the modules that contribute its pieces (figures, demo,
    review sections...) and calls this from ``AppConfig.ready()``; a part not
    written yet is skipped, an error inside a part is not.
    """
    from importlib import import_module

    for name in names:
        try:
            module = import_module(f"{package}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{package}.{name}":
                raise
            continue
        module.register()
