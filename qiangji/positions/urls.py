from django.urls import path

from qiangji.positions.views import courses, sites

app_name = "positions"
urlpatterns = [
    path("", sites.tree, name="tree"),
    path("<int:pk>/", sites.position_detail, name="position"),
    path("<int:pk>/resources/", sites.resource_add, name="resource_add"),
    path("<int:pk>/resources/<int:resource_pk>/remove/", sites.resource_remove, name="resource_remove"),
    path("courses/", courses.course_list, name="courses"),
    path("courses/<int:pk>/", courses.course_edit, name="course_edit"),
    path("courses/<int:pk>/toggle/", courses.course_toggle, name="course_toggle"),
    path("batches/", courses.batch_list, name="batches"),
    path("batches/<int:pk>/", courses.batch_detail, name="batch"),
    path("batches/<int:pk>/record/<int:course_pk>/<int:position_pk>/", courses.delivery_record, name="delivery"),
]
