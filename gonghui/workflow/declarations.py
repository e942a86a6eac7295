"""How a case type declares its states and transitions.

An app that owns a kind of case (requests, hardship files, legal aid …) declares it in code and
registers it from ``AppConfig.ready()``::

    REQUEST = CaseType(
        name="request", label=_("职工诉求"), number_prefix="SQ",
        states=[State("submitted", _("待受理"), applicant_label=_("已提交"),
                      time_limit=TimeLimit(1, WORKING_DAYS)), ...],
        transitions=[Transition("accept", _("受理"), sources=("submitted",), target="handling",
                                permission="requests.handle"), ...],
    )
    workflow.register(REQUEST)

The engine never changes for a new type: permissions, the forms of each transition, the timeline
and the console's diagram of states all come from the declaration.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

HOURS = "hours"
WORKING_DAYS = "working_days"

# Who may take a transition, relative to the union node that owns the case.
OWNER = "owner"  # a grant at the owning node or any node above it (the whole supervising chain)
SUPERVISOR = "supervisor"  # a grant strictly above the owning node: the parent union supervises (督办)
APPLICANT = "applicant"  # the worker or enterprise that applied


@dataclass(frozen=True)
class TimeLimit:
    """How long a case may stay in a state: calendar hours or working days (调休 included)."""

    amount: int
    unit: str = WORKING_DAYS
    # Warn the assignee this long before the due time.
    warn_before: timedelta = timedelta(hours=24)

    def __post_init__(self):
        if self.unit not in (HOURS, WORKING_DAYS):
            raise ValueError("unit must be HOURS or WORKING_DAYS")


@dataclass(frozen=True)
class State:
    name: str
    label: Any  # what staff read
    applicant_label: Any = ""  # what the worker reads: plain words (已提交 → 受理中 → 已办结)
    time_limit: TimeLimit | None = None
    terminal: bool = False


@dataclass(frozen=True)
class Field:
    """One input of a transition's form."""

    name: str
    label: Any
    kind: str = "text"  # text, textarea, choice, node, user, integer, boolean
    required: bool = False
    choices: tuple[tuple[str, Any], ...] = ()
    help_text: Any = ""
    # kind "node": the nodes offered for this case (default: where it may be handed, transfer_targets).
    targets: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class Transition:
    name: str
    label: Any  # the button: 受理, 转办, 办结
    sources: tuple[str, ...]
    target: str
    permission: str | None = None  # None only for APPLICANT transitions
    level: str = OWNER
    fields: tuple[Field, ...] = ()
    # Handing over to another union (转办): the only way a case leaves a subtree. The form must
    # have a "node" field naming the new owner.
    moves_case: bool = False
    # Whether the applicant sees this step on their timeline (internal steps stay internal).
    visible_to_applicant: bool = True
    # Who is told: any of "applicant", "assignee", "owner_staff", "supervisor_staff".
    notify: tuple[str, ...] = ("applicant",)
    confirm: Any = ""  # a sentence shown before an irreversible step
    # An extra condition on the case, beyond its state (e.g. "only once", "within 7 days").
    guard: Callable[[Any], bool] | None = None

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


@dataclass
class CaseType:
    name: str
    label: Any
    number_prefix: str
    states: list[State]
    transitions: list[Transition]
    # The permission that lets staff see cases of this type at all (list, read).
    view_permission: str
    initial_state: str = ""
    # Overrides a state's declared time limit for one case (e.g. urgent or graded requests).
    time_limit_for: Callable[[Any, State], TimeLimit | None] | None = None
    # Called inside the transition's transaction after the state changed: (case, transition, data, by).
    on_transition: Callable[..., None] | None = None
    # Where an overdue case is escalated (督办): by default the owning union's parent.
    escalate_to: Callable[[Any], Any] | None = None
    # Templates the case pages include for the type's own facts (console, and the applicant's page).
    summary_template: str = ""
    applicant_summary_template: str = ""
    _states: dict[str, State] = field(init=False, repr=False)
    _transitions: dict[str, Transition] = field(init=False, repr=False)

    def __post_init__(self):
        self._states = {s.name: s for s in self.states}
        self._transitions = {t.name: t for t in self.transitions}
        if not self.initial_state:
            self.initial_state = self.states[0].name
        problems = []
        for t in self.transitions:
            for name in (*t.sources, t.target):
                if name not in self._states:
                    problems.append(f"{t.name}: unknown state {name!r}")
            if t.level != APPLICANT and not t.permission:
                problems.append(f"{t.name}: staff transitions need a permission")
            if t.moves_case and not t.field("node"):
                problems.append(f"{t.name}: a transfer needs a 'node' field")
        if problems:
            raise ValueError(f"case type {self.name}: " + "; ".join(problems))

    def state(self, name: str) -> State:
        return self._states[name]

    def transition(self, name: str) -> Transition | None:
        return self._transitions.get(name)

    def transitions_from(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if state in t.sources]

    def escalation_node(self, case):
        if self.escalate_to is not None:
            return self.escalate_to(case)
        return case.node.parent or case.node

    def time_limit(self, case, state: State) -> TimeLimit | None:
        if self.time_limit_for is not None:
            return self.time_limit_for(case, state)
        return state.time_limit


REGISTRY: dict[str, CaseType] = {}


def register(case_type: CaseType) -> CaseType:
    REGISTRY[case_type.name] = case_type
    return case_type


def get(name: str) -> CaseType:
    return REGISTRY[name]
