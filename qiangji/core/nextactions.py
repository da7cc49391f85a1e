"""The shape of a home page's next actions, shared by the apps that compute them.

Each app's selectors answer "what must this user do next here" as `TodoItem`s; the home page
composes them (qiangji/home/selectors.py). Every link leads straight to the form that does it.
"""

from dataclasses import dataclass, field

# Links shown per item; the rest are behind "查看全部".
SHOWN_PER_ITEM = 8


@dataclass
class TodoLink:
    label: str
    url: str
    note: str = ""


@dataclass
class TodoItem:
    """One kind of work waiting: how many, the first few with a link each, and where the rest are."""

    key: str
    title: str
    hint: str
    level: str  # danger / warning / info: how urgent
    count: int
    links: list[TodoLink] = field(default_factory=list)
    more_url: str = ""


def day_label(day) -> str:
    """A date as a Chinese reader expects it in a short note: 6月30日."""
    return f"{day.month}月{day.day}日"
