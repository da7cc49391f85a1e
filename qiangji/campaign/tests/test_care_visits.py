"""Care visits (三送三问回访) have their own form: the town's three sends, each ticked with what was
delivered, and its three asks, each answered; kept on the visit, shown in review, counted in the
summaries. Page and API answer with the same Chinese rules; invalid input saves nothing."""

import datetime as dt
import uuid

import pytest

from qiangji.campaign.models import CareItem, Visit, VisitTask
from qiangji.campaign.services.summaries import summary_generate
from qiangji.campaign.services.visits import visit_submit
from qiangji.campaign.summary_report import paragraphs
from qiangji.campaign.tests.conftest import care_answers, care_form_data
from qiangji.core.errors import DomainError

JSON = {"Accept": "application/json"}
PROMPTS = {
    "送政策": "宣讲惠企政策、党建政策，送上政策汇编",
    "送服务": "帮办代办、用工招聘、融资对接等实事",
    "送温暖": "走访慰问，发放暖心加油包",
    "问需求": "近期在经营发展、党建工作上有什么需求？",
    "问困难": "遇到了哪些困难和问题，需要镇里协调解决？",
    "问建议": "对镇党委、政府的工作有什么意见建议？",
}


@pytest.fixture
def care_task(entity, teams, places):
    e = entity()
    return VisitTask.objects.create(
        kind=VisitTask.Kind.CARE, entity=e, grid=places["grid1"], team=teams["team1"], title=e.name,
        reason="三送三问回访", due_on=dt.date(2026, 11, 30),
    )  # fmt: skip


def nothing_saved(task):
    task.refresh_from_db()
    return not Visit.objects.exists() and task.status == VisitTask.Status.OPEN


def test_the_town_has_three_sends_and_three_asks_by_default(db):
    rows = list(CareItem.objects.order_by("kind", "order").values_list("kind", "label", "prompt"))
    assert rows == [("ask", label, PROMPTS[label]) for label in ("问需求", "问困难", "问建议")] + [
        ("send", label, PROMPTS[label]) for label in ("送政策", "送服务", "送温暖")
    ]


# The service -------------------------------------------------------------------------------------


def submit(task, users, **data):
    values = {"visited_on": "2026-11-21", "card_number": "XLX-0800", **data}
    return visit_submit(task=task, by=users["visitor"], data=values)


def test_a_care_visit_keeps_its_sends_and_asks_as_asked(care_task, users):
    visit = submit(care_task, users, **care_answers(sends=("送政策", "送温暖")))
    assert visit.checklist == []
    assert visit.sends == [
        {"label": "送政策", "prompt": PROMPTS["送政策"], "done": True, "note": "送政策：已送达"},
        {"label": "送服务", "prompt": PROMPTS["送服务"], "done": False, "note": ""},
        {"label": "送温暖", "prompt": PROMPTS["送温暖"], "done": True, "note": "送温暖：已送达"},
    ]
    asked = ("问需求", "问困难", "问建议")
    assert visit.asks == [{"label": label, "prompt": PROMPTS[label], "answer": "暂无"} for label in asked]
    assert visit.sends_done == 2
    # Renaming an item later does not rewrite what the visit recorded.
    CareItem.objects.filter(label="送政策").update(label="送政策法规")
    visit.refresh_from_db()
    assert visit.sends[0]["label"] == "送政策"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"sends": [{"item": "送政策", "done": True, "note": " "}]}, "已勾选“送政策”，请填写送达的内容"),
        ({"sends": [{"item": "送政策", "done": False}]}, "三送三问回访须至少送达一项，请勾选并填写送达的内容"),
        ({"asks": [{"item": "问需求", "answer": "暂无"}, {"item": "问困难", "answer": ""}]}, "“问困难”未填写回答"),
        ({"sends": [{"item": "送钱", "done": True, "note": "x"}]}, "三送三问事项已调整，请刷新页面后重新填写"),
        ({"asks": "都问了"}, "填写格式不正确，请刷新页面后重新填写"),
        ({"sends": [{"item": "送政策", "done": True, "note": "长" * 501}]}, "“送政策”的内容不能超过500字"),
    ],
)
def test_invalid_answers_are_refused_in_chinese_and_nothing_is_saved(care_task, users, data, message):
    values = {**care_answers(), **data}
    with pytest.raises(DomainError) as error:
        submit(care_task, users, **values)
    assert error.value.message == message
    assert nothing_saved(care_task)


def test_an_entity_found_gone_answers_nothing(care_task, users):
    visit = submit(care_task, users, found_exists=False, card_number="")
    assert (visit.sends, visit.asks, visit.checklist) == ([], [], [])


def test_the_town_may_change_the_items(care_task, users):
    CareItem.objects.filter(label="问建议").update(active=False)
    CareItem.objects.create(kind=CareItem.Kind.SEND, label="送岗位", prompt="推送招聘信息", order=4)
    data = care_answers()
    data["sends"].append({"item": "送岗位", "done": True, "note": "推送了3个岗位"})
    data["asks"] = [a for a in data["asks"] if a["item"] != "问建议"]
    visit = submit(care_task, users, **data)
    assert [s["label"] for s in visit.sends] == ["送政策", "送服务", "送温暖", "送岗位"]
    assert [a["label"] for a in visit.asks] == ["问需求", "问困难"]


def test_a_verify_visit_keeps_no_sends(verify_tasks, users, visit_on):
    visit = visit_on(verify_tasks["changed"], **care_answers())
    assert (visit.sends, visit.asks) == ([], [])


# Pages -------------------------------------------------------------------------------------------


def form_data(**extra):
    return {
        "client_uuid": str(uuid.uuid4()), "visited_on": "2026-11-21", "found_exists": "true",
        "party_members_found": "0", "card_number": "XLX-0801", "notes": "", **extra,
    }  # fmt: skip


def test_the_care_task_opens_its_own_form(care_task, users, client_as):
    response = client_as(users["visitor"]).get(f"/campaign/tasks/{care_task.pk}/visit/")
    html = response.content.decode()
    assert "三送三问回访：" in html and "三送：送了什么" in html and "三问：问到了什么" in html
    assert "“五必须”" not in html and 'id="visit-facts"' not in html
    assert "问需求：近期在经营发展、党建工作上有什么需求？" in html
    form = response.context["form"]
    assert [b.label for b, _ in form.sends] == ["已送政策", "已送服务", "已送温暖"]


def test_invalid_page_input_shows_chinese_errors_and_saves_nothing(care_task, users, client_as):
    sends = {i.label: i.pk for i in CareItem.objects.filter(kind="send")}
    asks = {i.label: i.pk for i in CareItem.objects.filter(kind="ask")}
    data = form_data(**{f"send_{sends['送服务']}": "on", f"ask_{asks['问需求']}": "暂无"})
    response = client_as(users["visitor"]).post(f"/campaign/tasks/{care_task.pk}/visit/", data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors[f"send_{sends['送服务']}_note"] == ["已勾选“送服务”，请填写送达的内容"]
    assert errors[f"ask_{asks['问困难']}"] == ["“问困难”未填写回答"]
    assert errors[f"ask_{asks['问建议']}"] == ["“问建议”未填写回答"]
    assert nothing_saved(care_task)
    # Nothing ticked at all.
    response = client_as(users["visitor"]).post(f"/campaign/tasks/{care_task.pk}/visit/", form_data(), headers=JSON)
    assert response.status_code == 400
    assert response.json()["errors"][f"send_{sends['送政策']}"] == ["三送三问回访须至少送达一项，请勾选并填写送达的内容"]
    assert nothing_saved(care_task)


def test_a_care_visit_from_the_page_is_shown_in_review(care_task, users, client_as):
    data = form_data(**care_form_data(sends=("送政策", "送服务")))
    response = client_as(users["visitor"]).post(f"/campaign/tasks/{care_task.pk}/visit/", data)
    visit = Visit.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/campaign/visits/{visit.pk}/"
    assert [s["done"] for s in visit.sends] == [True, True, False] and len(visit.asks) == 3
    html = client_as(users["town_admin"]).get(f"/campaign/visits/{visit.pk}/").content.decode()
    assert 'id="visit-care"' in html and "送政策：已送达" in html and "未送达" in html
    assert '问困难</strong><span class="small text-muted">（遇到了哪些困难和问题，需要镇里协调解决？）</span>：暂无' in html
    queue = client_as(users["town_admin"]).get("/campaign/review/").content.decode()
    assert "三送送达 2/3 项" in queue


def test_a_sent_back_care_visit_is_corrected_on_the_same_form(care_task, users, client_as):
    from qiangji.campaign.services.visits import visit_review

    visit = submit(care_task, users, **care_answers(sends=("送政策",)))
    visit_review(visit=visit, by=users["town_admin"], action="send_back", comment="送服务请写清楚")
    client = client_as(users["visitor"])
    form = client.get(f"/campaign/visits/{visit.pk}/edit/").context["form"]
    send = CareItem.objects.get(label="送政策")
    assert form.initial[f"send_{send.pk}"] is True and form.initial[f"send_{send.pk}_note"] == "送政策：已送达"
    data = form_data(client_uuid=str(visit.client_uuid or ""), card_number="XLX-0800", **care_form_data(sends=("送服务",)))
    client.post(f"/campaign/visits/{visit.pk}/edit/", data)
    visit.refresh_from_db()
    assert visit.state == Visit.State.SUBMITTED and [s["done"] for s in visit.sends] == [False, True, False]


# API ---------------------------------------------------------------------------------------------


def test_the_api_gives_the_items_and_takes_the_same_answers(care_task, users, api_as):
    api = api_as(users["visitor"])
    task = api.get(f"/visit-tasks/{care_task.pk}").json()
    assert task["checklist"] == []
    assert [(i["label"], i["prompt"]) for i in task["sends"]] == [(k, PROMPTS[k]) for k in ("送政策", "送服务", "送温暖")]
    assert [i["label"] for i in task["asks"]] == ["问需求", "问困难", "问建议"]
    body = {"client_uuid": str(uuid.uuid4()), "visited_on": "2026-11-21", "card_number": "XLX-0802"}
    sends = [{"item": i["id"], "done": i["label"] == "送温暖", "note": "送去暖心加油包"} for i in task["sends"]]
    asks = [{"item": i["id"], "answer": "暂无" if i["label"] != "问建议" else ""} for i in task["asks"]]
    response = api.post(f"/visit-tasks/{care_task.pk}/visits", {**body, "sends": sends, "asks": asks})
    assert response.status_code == 422
    assert response.json()["errors"] == {"asks": ["“问建议”未填写回答"]}
    assert nothing_saved(care_task)
    asks[-1]["answer"] = "希望多组织交流"
    response = api.post(f"/visit-tasks/{care_task.pk}/visits", {**body, "sends": sends, "asks": asks})
    assert response.status_code == 201
    out = response.json()
    assert [s["done"] for s in out["sends"]] == [False, False, True]
    assert out["asks"][2] == {"label": "问建议", "prompt": PROMPTS["问建议"], "answer": "希望多组织交流"}


def test_a_verify_task_offers_no_sends_in_the_api(verify_tasks, users, api_as):
    task = api_as(users["visitor"]).get(f"/visit-tasks/{verify_tasks['changed'].pk}").json()
    assert (task["sends"], task["asks"]) == ([], []) and len(task["checklist"]) == 5


# Summaries ---------------------------------------------------------------------------------------

CARE_WEEK = {
    "visits": 1,  # e4's on the 20th (e1's on the 17th was rejected)
    "sends": [{"label": "送政策", "visits": 1}, {"label": "送服务", "visits": 0}, {"label": "送温暖", "visits": 1}],
    "asks": [{"label": "问需求", "answered": 1}, {"label": "问困难", "answered": 1}, {"label": "问建议", "answered": 1}],
    "asks_answered": 3,
}


def test_the_summaries_count_sends_and_asks(summary_week, client_as, users):
    weekly = summary_generate(kind="weekly", day=dt.date(2026, 11, 19))
    assert weekly.figures["care"] == CARE_WEEK
    assert summary_generate(kind="daily", day=dt.date(2026, 11, 20)).figures["care"] == CARE_WEEK
    quiet = summary_generate(kind="daily", day=dt.date(2026, 11, 17)).figures["care"]
    assert quiet == {**CARE_WEEK, "visits": 0, "asks_answered": 0,
                     "sends": [{**r, "visits": 0} for r in CARE_WEEK["sends"]],
                     "asks": [{**r, "answered": 0} for r in CARE_WEEK["asks"]]}  # fmt: skip
    sentence = "开展三送三问回访1家次，其中送政策1家次、送服务0家次、送温暖1家次；问需求、问困难、问建议共回答3项。"
    assert sentence in paragraphs(weekly)
    html = client_as(users["town_admin"]).get(f"/campaign/summaries/{weekly.pk}/").content.decode()
    assert 'id="summary-care"' in html and '送服务（送达）</th><td class="text-end">0</td>' in html
