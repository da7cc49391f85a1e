"""The demo town's issued annual brief: the town admin drafts the year's brief (to the demo day)
from the records the other builders wrote, through the same services as the pages, and issues it."""

import datetime as dt

from django.contrib.auth import get_user_model

from qiangji.briefs.models import WorkBrief
from qiangji.briefs.services import brief_create, brief_issue
from qiangji.orgs.models import Organization

# Who drafts and issues it (a demo login of the town admin).
ISSUER = "zhen_admin"


def seed_brief(*, root: Organization, today: dt.date) -> WorkBrief:
    """The year's brief, issued; its text is the generated one with the town's own opening line."""
    by = get_user_model().objects.get(username=ISSUER)
    brief = brief_create(
        by=by,
        start=dt.date(today.year, 1, 1),
        end=today,
        organization=root,
        title=f"{root.name}{today.year}年“基层组织建设年”活动工作简报",
    )
    return brief_issue(by=by, brief=brief)


def reset_briefs(root: Organization, group_names: list[str]) -> list[int]:
    """Remove the town's briefs (before its organizations and groups go); the ids, to purge their history."""
    briefs = WorkBrief.objects.filter(organization__path__startswith=root.path) | WorkBrief.objects.filter(
        group__name__in=group_names
    )
    ids = list(briefs.values_list("pk", flat=True))
    WorkBrief.objects.filter(pk__in=ids).delete()
    return ids
