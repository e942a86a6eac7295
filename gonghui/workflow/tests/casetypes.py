"""A small case type for the engine's own tests (real types live in their apps)."""

from gonghui.workflow.declarations import (
    APPLICANT,
    HOURS,
    SUPERVISOR,
    CaseType,
    Field,
    State,
    TimeLimit,
    Transition,
    register,
)

TEST_CASE = register(CaseType(
    name="test_case", label="测试事项", number_prefix="TC", view_permission="members.view",
    states=[
        State("submitted", "待受理", applicant_label="已提交", time_limit=TimeLimit(1)),
        State("handling", "办理中", applicant_label="受理中", time_limit=TimeLimit(48, HOURS)),
        State("closed", "已办结", applicant_label="已办结", terminal=True),
    ],
    transitions=[
        Transition("accept", "受理", ("submitted",), "handling", permission="members.change"),
        Transition("transfer", "转办", ("submitted", "handling"), "submitted", permission="members.change",
                   moves_case=True, visible_to_applicant=False,
                   fields=(Field("node", "转给", kind="node", required=True),
                           Field("note", "转办原因", kind="textarea", required=True))),
        Transition("close", "办结", ("handling",), "closed", permission="members.change",
                   fields=(Field("note", "办理结果", kind="textarea", required=True),)),
        Transition("take_over", "接管", ("submitted", "handling"), "handling", permission="members.change",
                   level=SUPERVISOR, notify=("owner_staff", "applicant")),
        Transition("withdraw", "撤回", ("submitted",), "closed", level=APPLICANT, notify=("owner_staff",)),
    ],
))
