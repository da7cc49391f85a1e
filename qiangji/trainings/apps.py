from django.apps import AppConfig


class TrainingsConfig(AppConfig):
    name = "qiangji.trainings"
    label = "trainings"
    verbose_name = "培训学时"
