# Each views module lists its own paths, so the areas of the campaign grow side by side.
from qiangji.campaign.views import batches, carriers, coverage, entities, overview, reports, review, tasks, teams, voice

app_name = "campaign"
urlpatterns = [
    *overview.urlpatterns,
    *entities.urlpatterns,
    *batches.urlpatterns,
    *tasks.urlpatterns,
    *review.urlpatterns,
    *teams.urlpatterns,
    *coverage.urlpatterns,
    *carriers.urlpatterns,
    *voice.urlpatterns,
    *reports.urlpatterns,
]
