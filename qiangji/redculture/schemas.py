"""API shapes of red sites, routes and a member's own check-ins."""

import datetime as dt

from django.urls import reverse
from ninja import Schema
from pydantic import ConfigDict, Field

from qiangji.redculture.models import CheckIn, RedActivity, RedSite, Route


class SiteOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    address: str
    village_name: str
    opening_hours: str
    active: bool

    @classmethod
    def of(cls, site: RedSite) -> "SiteOut":
        return cls(
            id=site.pk,
            name=site.name,
            kind=site.kind,
            kind_label=site.get_kind_display(),
            address=site.address,
            village_name=site.village.name if site.village else "",
            opening_hours=site.opening_hours,
            active=site.active,
        )


class StopOut(Schema):
    order: int
    site: int
    site_name: str


class RouteOut(Schema):
    id: int
    name: str
    description: str
    duration: str
    stops: list[StopOut]

    @classmethod
    def of(cls, route: Route) -> "RouteOut":
        stops = [StopOut(order=s.order, site=s.site_id, site_name=s.site.name) for s in route.stops.all()]
        return cls(id=route.pk, name=route.name, description=route.description, duration=route.duration, stops=stops)


class PhotoOut(Schema):
    id: int
    caption: str
    url: str


class ActivityOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    held_on: dt.date
    participants: int

    @classmethod
    def of(cls, a: RedActivity) -> "ActivityOut":
        return cls(
            id=a.pk, kind=a.kind, kind_label=a.get_kind_display(), title=a.title, held_on=a.held_on, participants=a.participants
        )


class SiteDetailOut(SiteOut):
    description: str
    photos: list[PhotoOut]
    routes: list[RouteOut]
    activities: list[ActivityOut]

    @classmethod
    def of_detail(cls, site: RedSite, routes: list[Route]) -> "SiteDetailOut":
        return cls(
            **SiteOut.of(site).model_dump(),
            description=site.description,
            photos=[
                PhotoOut(id=p.pk, caption=p.caption, url=reverse("redculture:photo", args=[p.pk])) for p in site.photos.all()
            ],
            routes=[RouteOut.of(r) for r in routes],
            activities=[ActivityOut.of(a) for a in site.activities.all()],
        )


class CheckInIn(Schema):
    model_config = ConfigDict(extra="forbid")

    note: str = Field("", max_length=300, description="感想（可不填）")


class CheckInOut(Schema):
    id: int
    site: int
    site_name: str
    on: dt.date
    at: dt.datetime
    note: str
    created: bool = Field(True, description="false：今天已在此打过卡，返回的是那一次")

    @classmethod
    def of(cls, c: CheckIn, created: bool = True) -> "CheckInOut":
        return cls(id=c.pk, site=c.site_id, site_name=c.site.name, on=c.on, at=c.at, note=c.note, created=created)
