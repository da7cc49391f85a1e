"""The steps on the problem detail page, one URL each: allowed and denied per role, state and
history after each, nothing changed when a step is refused or its input is bad."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from qiangji.ledger.models import Measure, Problem, ProblemAttachment, ProblemEvent
from qiangji.ledger.services import measure_add, measure_progress

S = Problem.State


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def problem(register, today):
    return register(today=today)


def at(problem, state, **fields):
    Problem.objects.filter(pk=problem.pk).update(state=state, **fields)
    problem.refresh_from_db()
    return problem


def act(client, problem, action, **data):
    if action in ("analyse", "update"):  # edits carry the version the page read
        data.setdefault("version", Problem.objects.get(pk=problem.pk).version)
    return client.post(f"/ledger/problems/{problem.pk}/act/{action}/", {f"{action}-{k}": v for k, v in data.items()})


def snapshot(problem):
    problem = Problem.objects.get(pk=problem.pk)
    return (problem.state, problem.owner_id, problem.deadline, problem.evidence, problem.events.count())


def last_event(problem):
    event = ProblemEvent.objects.filter(problem=problem).latest("id")
    return event.action, event.from_state, event.to_state, event.by, event.reason


def test_owner_starts_and_analyses(problem, owner, client_as):
    client = client_as(owner)
    response = act(client, problem, "start")
    assert response.status_code == 302
    assert response["Location"] == f"/ledger/problems/{problem.pk}/"
    problem.refresh_from_db()
    assert problem.state == S.IN_PROGRESS
    assert last_event(problem) == ("start", S.REGISTERED, S.IN_PROGRESS, owner, "")

    act(client, problem, "analyse", root_cause="活动室无人管理，开放制度缺失", fix_kind="long_term")
    problem.refresh_from_db()
    assert (problem.root_cause, problem.fix_kind) == ("活动室无人管理，开放制度缺失", "long_term")
    assert last_event(problem)[:3] == ("analyse", S.IN_PROGRESS, S.IN_PROGRESS)


@pytest.mark.parametrize("role,status", [("secretary_b", 404), ("member", 404), ("visitor", 404), ("liaison", 403)])
def test_start_denied(role, status, problem, users, client_as):
    before = snapshot(problem)
    assert act(client_as(users[role]), problem, "start").status_code == status
    assert snapshot(problem) == before


def test_anonymous_step_is_sent_to_login(problem, client_as):
    before = snapshot(problem)
    response = act(client_as(None), problem, "start")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert snapshot(problem) == before


def test_member_who_owns_the_problem_may_start_it(register, users, client_as, today):
    problem = register(today=today, owner=users["member"])
    assert act(client_as(users["member"]), problem, "start").status_code == 302
    problem.refresh_from_db()
    assert problem.state == S.IN_PROGRESS


def test_unknown_step_is_404_and_get_is_405(problem, users, client_as):
    client = client_as(users["town_admin"])
    assert act(client, problem, "explode").status_code == 404
    assert client.get(f"/ledger/problems/{problem.pk}/act/start/").status_code == 405


def test_illegal_step_for_the_state_shows_the_message(problem, users, client_as):
    before = snapshot(problem)
    response = act(client_as(users["town_admin"]), problem, "send_back", reason="不合格")
    assert response.status_code == 400
    assert "问题当前状态为“已挂号”，不能验收退回" in response.content.decode()
    assert snapshot(problem) == before


def test_missing_reason_changes_nothing(problem, owner, client_as):
    before = snapshot(problem)
    response = act(client_as(owner), problem, "dispute", reason="")
    assert response.status_code == 400
    assert response.context["actions"][2]["form"].errors == {"reason": ["异议理由未填写"]}
    assert snapshot(problem) == before


def test_owner_cannot_close_their_own_problem(problem, owner, client_as):
    at(problem, S.AWAITING_CHECK, evidence="已整改", fix_kind="immediate")
    before = snapshot(problem)
    response = act(client_as(owner), problem, "close", evidence="自己验收")
    assert response.status_code == 400
    assert "验收人不能是整改责任人" in response.content.decode()
    assert snapshot(problem) == before


def test_reassign_dispute_uphold(problem, users, owner, client_as):
    act(client_as(owner), problem, "dispute", reason="该问题不属于本支部")
    problem.refresh_from_db()
    assert problem.state == S.DISPUTED
    assert last_event(problem) == ("dispute", S.REGISTERED, S.DISPUTED, owner, "该问题不属于本支部")

    act(client_as(users["liaison"]), problem, "uphold", reason="经核实属本支部")
    problem.refresh_from_db()
    assert problem.state == S.IN_PROGRESS
    assert last_event(problem) == ("uphold", S.DISPUTED, S.IN_PROGRESS, users["liaison"], "经核实属本支部")

    response = act(client_as(users["liaison"]), problem, "reassign", owner=users["secretary_a"].pk, reason="由总支书记牵头")
    assert response.status_code == 302
    problem.refresh_from_db()
    assert (problem.state, problem.owner) == (S.REGISTERED, users["secretary_a"])
    assert last_event(problem) == ("reassign", S.IN_PROGRESS, S.REGISTERED, users["liaison"], "由总支书记牵头")


def test_reassign_to_someone_who_cannot_own_it_changes_nothing(problem, users, client_as):
    before = snapshot(problem)
    response = act(client_as(users["town_admin"]), problem, "reassign", owner=users["secretary_b"].pk, reason="改派")
    assert response.status_code == 400
    assert snapshot(problem) == before


def test_submit_with_evidence_files_then_send_back_then_close(problem, users, owner, client_as):
    at(problem, S.IN_PROGRESS, fix_kind="immediate")
    proof = SimpleUploadedFile("整改照片.jpg", b"\xff\xd8\xff\xe0 after", content_type="image/jpeg")
    response = client_as(owner).post(
        f"/ledger/problems/{problem.pk}/act/submit/", {"submit-evidence": "已制定开放制度并上墙", "submit-files": [proof]}
    )
    assert response.status_code == 302
    problem.refresh_from_db()
    assert (problem.state, problem.evidence) == (S.AWAITING_CHECK, "已制定开放制度并上墙")
    assert list(ProblemAttachment.objects.values_list("name", "is_evidence")) == [("整改照片.jpg", True)]
    assert last_event(problem) == ("submit", S.IN_PROGRESS, S.AWAITING_CHECK, owner, "已制定开放制度并上墙")

    act(client_as(users["secretary_a"]), problem, "send_back", reason="制度未落实到人")
    problem.refresh_from_db()
    assert problem.state == S.IN_PROGRESS
    assert last_event(problem) == ("send_back", S.AWAITING_CHECK, S.IN_PROGRESS, users["secretary_a"], "制度未落实到人")

    act(client_as(owner), problem, "submit", evidence="已明确专人负责开放")
    act(client_as(users["secretary_a"]), problem, "close", evidence="")
    problem.refresh_from_db()
    assert (problem.state, problem.checked_by, problem.closed_on) == (S.CLOSED, users["secretary_a"], timezone.localdate())
    assert last_event(problem) == ("close", S.AWAITING_CHECK, S.CLOSED, users["secretary_a"], "已明确专人负责开放")


def test_submit_without_evidence_changes_nothing(problem, owner, client_as):
    at(problem, S.IN_PROGRESS, fix_kind="immediate")
    before = snapshot(problem)
    assert act(client_as(owner), problem, "submit", evidence=" ").status_code == 400
    assert snapshot(problem) == before


def test_close_immediate(problem, users, client_as):
    photo = SimpleUploadedFile("现场.png", b"\x89PNG after", content_type="image/png")
    response = client_as(users["liaison"]).post(
        f"/ledger/problems/{problem.pk}/act/close_immediate/",
        {"close_immediate-evidence": "当场整改到位", "close_immediate-files": [photo]},
    )
    assert response.status_code == 302
    problem.refresh_from_db()
    assert (problem.state, problem.fix_kind, problem.checked_by) == (S.CLOSED, "immediate", users["liaison"])
    assert list(problem.attachments.values_list("name", "is_evidence", "uploaded_by")) == [
        ("现场.png", True, users["liaison"].pk)
    ]
    assert last_event(problem) == ("close_immediate", S.REGISTERED, S.CLOSED, users["liaison"], "当场整改到位")


def test_merge_by_number(problem, register, users, client_as, today, town):
    target = register(today=today, description="12345工单：党员活动室不开放")
    client = client_as(users["secretary_a"])
    before = snapshot(problem)
    response = act(client, problem, "merge", into="2099-9999", reason="重复")
    assert response.status_code == 400
    assert "没有找到编号为“2099-9999”的问题。" in response.content.decode()
    assert snapshot(problem) == before

    elsewhere = register(today=today, organization=town["branch_b"], owner=users["secretary_b"], description="企业问题")
    assert act(client, problem, "merge", into=elsewhere.number, reason="重复").status_code == 400
    assert snapshot(problem) == before

    assert act(client, problem, "merge", into=target.number, reason="与12345工单重复").status_code == 302
    problem.refresh_from_db()
    assert (problem.state, problem.merged_into) == (S.MERGED, target)
    assert last_event(problem) == ("merge", S.REGISTERED, S.MERGED, users["secretary_a"], "与12345工单重复")
    assert ProblemEvent.objects.filter(problem=target, action="merge").count() == 1


def test_merge_offers_similar_problems(problem, register, users, client_as, today):
    twin = register(today=today, description="群众反映党员活动室长期闲置，开放时间不固定")
    context = client_as(users["town_admin"]).get(f"/ledger/problems/{problem.pk}/").context
    assert [p.number for p, _ in context["merge_candidates"]] == [twin.number]


def test_withdraw_and_reopen(problem, register, users, client_as, today):
    act(client_as(users["town_admin"]), problem, "withdraw", reason="经核实不属实")
    problem.refresh_from_db()
    assert problem.state == S.WITHDRAWN
    assert last_event(problem) == ("withdraw", S.REGISTERED, S.WITHDRAWN, users["town_admin"], "经核实不属实")

    closed = at(register(today=today, description="另一问题"), S.CLOSED, evidence="已整改", fix_kind="immediate")
    act(client_as(users["town_admin"]), closed, "reopen", reason="群众再次反映")
    closed.refresh_from_db()
    assert (closed.state, closed.closed_on) == (S.IN_PROGRESS, None)
    assert last_event(closed) == ("reopen", S.CLOSED, S.IN_PROGRESS, users["town_admin"], "群众再次反映")


def test_postpone(problem, users, client_as, today):
    new_deadline = today + dt.timedelta(days=60)
    before = snapshot(problem)
    assert act(client_as(users["liaison"]), problem, "postpone", deadline="2020-01-01", reason="延期").status_code == 400
    assert snapshot(problem) == before
    act(client_as(users["liaison"]), problem, "postpone", deadline=new_deadline.isoformat(), reason="涉及资金审批")
    problem.refresh_from_db()
    assert problem.deadline == new_deadline
    event = ProblemEvent.objects.filter(problem=problem).latest("id")
    assert (event.action, event.reason, event.data["deadline"][1]) == ("postpone", "涉及资金审批", new_deadline.isoformat())


def test_update(problem, users, client_as):
    act(
        client_as(users["town_admin"]),
        problem,
        "update",
        source="petition",
        village="",
        category="阵地建设",
        description="党员活动室长期闲置",
        external_ref="XF-7",
        reason="按信访件更正",
    )
    problem.refresh_from_db()
    assert (problem.source, problem.category, problem.description, problem.external_ref) == (
        "petition",
        "阵地建设",
        "党员活动室长期闲置",
        "XF-7",
    )
    event = ProblemEvent.objects.filter(problem=problem).latest("id")
    assert (event.action, event.reason, event.data["changes"]["external_ref"]) == ("update", "按信访件更正", ["", "XF-7"])


def test_update_denied_to_the_owner(problem, owner, client_as):
    before = snapshot(problem)
    response = act(client_as(owner), problem, "update", source="petition", description="改了", reason="")
    assert response.status_code == 403
    assert snapshot(problem) == before


# Measures ----------------------------------------------------------------------------------


def test_measure_add_progress_check(problem, users, owner, client_as, today):
    url = f"/ledger/problems/{problem.pk}/measures/"
    deadline = (today + dt.timedelta(days=10)).isoformat()
    data = {"measure-description": "制定活动室开放制度", "measure-owner": owner.pk, "measure-deadline": deadline}
    assert client_as(users["liaison"]).post(url, data).status_code == 403
    assert Measure.objects.count() == 0
    assert client_as(users["secretary_b"]).post(url, data).status_code == 404
    assert client_as(owner).post(url, {**data, "measure-description": ""}).status_code == 400
    assert Measure.objects.count() == 0

    assert client_as(owner).post(url, data).status_code == 302
    measure = Measure.objects.get()
    assert (measure.description, measure.owner, measure.state) == ("制定活动室开放制度", owner, Measure.State.OPEN)

    progress = f"/ledger/problems/{problem.pk}/measures/{measure.pk}/progress/"
    m = f"m{measure.pk}"
    assert client_as(users["secretary_b"]).post(progress, {f"{m}-progress": 100, f"{m}-progress_note": "完成"}).status_code == 404
    assert client_as(owner).post(progress, {f"{m}-progress": 150, f"{m}-progress_note": "完成"}).status_code == 400
    measure.refresh_from_db()
    assert (measure.progress, measure.state) == (0, Measure.State.OPEN)
    client_as(owner).post(progress, {f"{m}-progress": 100, f"{m}-progress_note": "制度已上墙"})
    measure.refresh_from_db()
    assert (measure.progress, measure.state, measure.progress_note) == (100, Measure.State.DONE, "制度已上墙")

    check = f"/ledger/problems/{problem.pk}/measures/{measure.pk}/check/"
    c = f"c{measure.pk}"
    response = client_as(owner).post(check, {f"{c}-passed": "1", f"{c}-check_note": ""})
    assert response.status_code == 400
    assert "验收人不能是措施责任人" in response.content.decode()
    assert client_as(users["liaison"]).post(check, {f"{c}-passed": "0", f"{c}-check_note": ""}).status_code == 400
    measure.refresh_from_db()
    assert measure.state == Measure.State.DONE
    client_as(users["liaison"]).post(check, {f"{c}-passed": "1", f"{c}-check_note": "现场核实"})
    measure.refresh_from_db()
    assert (measure.state, measure.checked_by, measure.check_note) == (Measure.State.CHECKED, users["liaison"], "现场核实")
    assert list(problem.events.values_list("action", flat=True)) == [
        "register",
        "measure_add",
        "measure_progress",
        "measure_check",
    ]


def test_measure_of_another_problem_is_404(problem, register, owner, client_as, today):
    other = register(today=today, description="另一问题")
    measure = measure_add(by=owner, problem=other, data={"description": "措施", "owner": owner, "deadline": today})
    url = f"/ledger/problems/{problem.pk}/measures/{measure.pk}/progress/"
    m = f"m{measure.pk}"
    assert client_as(owner).post(url, {f"{m}-progress": 50, f"{m}-progress_note": "推进"}).status_code == 404
    measure.refresh_from_db()
    assert measure.progress == 0


def test_closed_problem_offers_no_measure_forms(problem, owner, users, client_as, today):
    measure = measure_add(by=owner, problem=problem, data={"description": "措施", "owner": owner, "deadline": today})
    measure_progress(measure=measure, by=owner, progress=100, note="完成")
    at(problem, S.CLOSED, evidence="已整改", fix_kind="immediate")
    context = client_as(users["liaison"]).get(f"/ledger/problems/{problem.pk}/").context
    assert [sorted(row) for row in context["measures"]] == [["behind", "measure"]]
    assert context["measure_form"] is None
    assert [a["name"] for a in context["actions"]] == ["reopen"]


def test_progress_on_a_closed_problem_is_refused(problem, owner, client_as, today):
    measure = measure_add(by=owner, problem=problem, data={"description": "措施", "owner": owner, "deadline": today})
    at(problem, S.CLOSED, evidence="已整改", fix_kind="immediate")
    m = f"m{measure.pk}"
    response = client_as(owner).post(
        f"/ledger/problems/{problem.pk}/measures/{measure.pk}/progress/", {f"{m}-progress": 100, f"{m}-progress_note": "补报"}
    )
    assert response.status_code == 400
    assert "问题已销号，不能再修改措施进展" in response.content.decode()
    measure.refresh_from_db()
    assert (measure.progress, measure.state, measure.progress_note) == (0, Measure.State.OPEN, "")


def test_a_long_term_problem_is_not_closed_on_the_page_without_its_mechanism(problem, users, owner, client_as, today):
    at(problem, S.IN_PROGRESS, fix_kind="long_term")
    measure = measure_add(
        problem=problem, by=owner, data={"description": "制定开放制度", "owner": owner, "deadline": today}, today=today
    )
    measure_progress(measure=measure, by=owner, progress=100, note="制度已上墙", today=today)
    act(client_as(owner), problem, "submit", evidence="制度已上墙")
    checker = client_as(users["secretary_a"])
    page = checker.get(f"/ledger/problems/{problem.pk}/").content.decode()
    assert '<p class="small text-danger mb-2" id="close-blocker">该问题需建立长效机制，请先关联长效机制再验收销号。</p>' in page
    before = snapshot(problem)
    response = act(checker, problem, "close", evidence="已验收")
    assert response.status_code == 400
    assert "该问题需建立长效机制，请先关联长效机制再验收销号" in response.content.decode()
    assert snapshot(problem) == before
    assert Problem.objects.get(pk=problem.pk).closed_on is None
