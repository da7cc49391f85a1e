"""What the service positions (党群服务阵地, "一核十村百点") offer and teach.

The hierarchy itself is `orgs.Position`; here are its resource list ("1+4"), the course
catalogue, the quarterly batch the town sends down (每季度下沉一批教学课程) and each delivery of a
course at a position. Attendance at a delivery is recorded once, in the trainings module (one
training per batch, one session per delivery), so members' hours are never counted twice.
"""

from django.conf import settings
from django.db import models


class PositionResource(models.Model):
    """One item of a position's resource list: what it offers under which of the "1+4" headings."""

    class Category(models.TextChoices):
        PARTY = "party", "党建引领"
        STUDY = "study", "学习教育"
        SERVICE = "service", "便民服务"
        CULTURE = "culture", "文化活动"
        GOVERNANCE = "governance", "议事协商"

    position = models.ForeignKey("orgs.Position", related_name="resources", on_delete=models.CASCADE)
    category = models.CharField("类别", max_length=20, choices=Category.choices)
    name = models.CharField("资源名称", max_length=100)
    description = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "阵地资源清单"
        ordering = ["position", "category", "id"]

    def __str__(self) -> str:
        return self.name


class Course(models.Model):
    """A course of the town's catalogue, with the hours it counts for."""

    title = models.CharField("课程名称", max_length=200, unique=True)
    teacher = models.CharField("授课人", max_length=100, blank=True)
    hours = models.DecimalField("学时", max_digits=4, decimal_places=1)
    summary = models.TextField("课程简介", blank=True)
    active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "课程"
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class CourseBatch(models.Model):
    """The courses the town sends down to positions in one quarter."""

    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度", choices=[(q, f"第{'一二三四'[q - 1]}季度") for q in (1, 2, 3, 4)])
    courses = models.ManyToManyField(Course, verbose_name="课程", related_name="batches")
    positions = models.ManyToManyField("orgs.Position", verbose_name="下沉阵地", related_name="course_batches")
    training = models.OneToOneField(
        "trainings.Training", verbose_name="对应培训", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "下沉课程批次"
        ordering = ["-year", "-quarter"]
        constraints = [models.UniqueConstraint(fields=["year", "quarter"], name="one_course_batch_per_quarter")]

    def __str__(self) -> str:
        return f"{self.year}年{self.get_quarter_display()}下沉课程"


class CourseDelivery(models.Model):
    """A course of a batch held at a position: when, and the trainings session holding attendance."""

    batch = models.ForeignKey(CourseBatch, related_name="deliveries", on_delete=models.CASCADE)
    course = models.ForeignKey(Course, related_name="deliveries", on_delete=models.PROTECT)
    position = models.ForeignKey("orgs.Position", related_name="course_deliveries", on_delete=models.PROTECT)
    held_on = models.DateField("开课日期")
    session = models.OneToOneField("trainings.Session", related_name="delivery", on_delete=models.PROTECT)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "课程开课记录"
        ordering = ["-held_on", "id"]
        constraints = [models.UniqueConstraint(fields=["batch", "course", "position"], name="one_delivery_per_position")]

    def __str__(self) -> str:
        return f"{self.position} {self.course}"
