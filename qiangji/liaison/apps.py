from django.apps import AppConfig


class LiaisonAttendanceConfig(AppConfig):
    name = "qiangji.liaison"
    label = "liaison_attendance"
    verbose_name = "指导联络组列席"
