"""Care visits (三送三问回访): the three sends and three asks a visit answers, and what the
summaries count of them.

A care visit to an entity found operating answers every active item as the town defines it now
(`CareItem`): each send ticked (delivered) or not, a ticked one with a note saying what was
delivered, at least one send delivered; each ask answered. The visit keeps the items with the
labels and prompts it was asked (`Visit.sends`, `Visit.asks`), so renaming an item later does
not rewrite what a visit recorded. A visit that finds the entity gone answers nothing.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from qiangji.campaign.models import CareItem
from qiangji.core.errors import DomainError
from qiangji.core.text import clean_text

NOTE_MAX = 500
ANSWER_MAX = 1000


def care_items() -> tuple[list[CareItem], list[CareItem]]:
    """The active sends and asks, in the town's order."""
    items = list(CareItem.objects.filter(active=True).order_by("order", "id"))
    return [i for i in items if i.kind == CareItem.Kind.SEND], [i for i in items if i.kind == CareItem.Kind.ASK]


def _by_item(given: Any, field: str) -> dict[str, Mapping[str, Any]]:
    """The answers keyed by item id (an id or a label is accepted, as for the five musts)."""
    if not isinstance(given, list | tuple) or not all(isinstance(g, Mapping) for g in given):
        raise DomainError("填写格式不正确，请刷新页面后重新填写", field=field)
    return {str(g.get("item", "")): g for g in given}


def _answer_of(answers: dict[str, Mapping[str, Any]], item: CareItem) -> Mapping[str, Any]:
    return answers.get(str(item.pk)) or answers.get(item.label) or {}


def care_answers(data: Mapping[str, Any], *, found_exists: bool) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(sends, asks) as the visit keeps them, from `data["sends"]` = [{item, done, note}] and
    `data["asks"]` = [{item, answer}]; DomainError (field "sends" / "asks") naming the item."""
    if not found_exists:
        return [], []
    sends_given = _by_item(data.get("sends") or [], "sends")
    asks_given = _by_item(data.get("asks") or [], "asks")
    send_items, ask_items = care_items()
    known = {str(i.pk) for i in (*send_items, *ask_items)} | {i.label for i in (*send_items, *ask_items)}
    if any(key not in known for key in (*sends_given, *asks_given)):
        raise DomainError("三送三问事项已调整，请刷新页面后重新填写", field="sends")
    sends = []
    for item in send_items:
        answer = _answer_of(sends_given, item)
        done = answer.get("done") in (True, "true", "1", "on", 1)
        note = clean_text(answer.get("note") or "")
        if done and not note:
            raise DomainError(f"已勾选“{item.label}”，请填写送达的内容", field="sends")
        if len(note) > NOTE_MAX:
            raise DomainError(f"“{item.label}”的内容不能超过{NOTE_MAX}字", field="sends")
        sends.append({"label": item.label, "prompt": item.prompt, "done": done, "note": note if done else ""})
    if send_items and not any(s["done"] for s in sends):
        raise DomainError("三送三问回访须至少送达一项，请勾选并填写送达的内容", field="sends")
    asks = []
    for item in ask_items:
        answer = clean_text(_answer_of(asks_given, item).get("answer") or "")
        if not answer:
            raise DomainError(f"“{item.label}”未填写回答", field="asks")
        if len(answer) > ANSWER_MAX:
            raise DomainError(f"“{item.label}”的回答不能超过{ANSWER_MAX}字", field="asks")
        asks.append({"label": item.label, "prompt": item.prompt, "answer": answer})
    return sends, asks


def care_figures(rows: Iterable[tuple[list[dict[str, Any]], list[dict[str, Any]]]]) -> dict[str, Any]:
    """What the summaries count of care visits, from their (sends, asks): ``visits`` (care
    visits that answered), ``sends`` [{label, visits}] (visits that delivered each send),
    ``asks`` [{label, answered}] (visits that answered each ask), ``asks_answered`` (answers in
    all). Items in the town's order, then any a visit kept that the town has since dropped."""
    items = list(CareItem.objects.order_by("order", "id"))
    order = [i.label for i in items]
    # Every active item is counted, if only as 0: a send nobody delivered is the point to see.
    delivered = {i.label: 0 for i in items if i.active and i.kind == CareItem.Kind.SEND}
    answered = {i.label: 0 for i in items if i.active and i.kind == CareItem.Kind.ASK}
    visits = 0
    for sends, asks in rows:
        if not sends and not asks:
            continue
        visits += 1
        for send in sends:
            delivered.setdefault(send["label"], 0)
            delivered[send["label"]] += 1 if send.get("done") else 0
        for ask in asks:
            answered.setdefault(ask["label"], 0)
            answered[ask["label"]] += 1 if ask.get("answer") else 0

    def ordered(counts: dict[str, int], key: str) -> list[dict[str, Any]]:
        rank = {label: i for i, label in enumerate(order)}
        return [{"label": label, key: counts[label]} for label in sorted(counts, key=lambda x: (rank.get(x, len(rank)), x))]

    return {
        "visits": visits,
        "sends": ordered(delivered, "visits"),
        "asks": ordered(answered, "answered"),
        "asks_answered": sum(answered.values()),
    }
