from django.urls import path

from qiangji.positions.views import courses, sites

app_name = "positions"
urlpatterns = [
    path("", sites.tree, name="tree"),
    path("<id:pk>/", sites.position_detail, name="position"),
    path("<id:pk>/resources/", sites.resource_add, name="resource_add"),
    path("<id:pk>/resources/<id:resource_pk>/remove/", sites.resource_remove, name="resource_remove"),
    path("courses/", courses.course_list, name="courses"),
    path("courses/<id:pk>/", courses.course_edit, name="course_edit"),
    path("courses/<id:pk>/toggle/", courses.course_toggle, name="course_toggle"),
    path("batches/", courses.batch_list, name="batches"),
    path("batches/<id:pk>/", courses.batch_detail, name="batch"),
    path("batches/<id:pk>/record/<id:course_pk>/<id:position_pk>/", courses.delivery_record, name="delivery"),
]
