"""The JSON API: one NinjaAPI, each app mounts its router here."""

from ninja import NinjaAPI

api = NinjaAPI(title="强基 API", version="1.0.0", urls_namespace="api")
