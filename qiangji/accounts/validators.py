"""Password complexity for classified protection level 3."""

import re

from django.core.exceptions import ValidationError


class ComplexityValidator:
    """At least three of: lower-case, upper-case, digits, symbols."""

    def validate(self, password: str, user: object = None) -> None:
        classes = [r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"]
        if sum(bool(re.search(c, password)) for c in classes) < 3:
            raise ValidationError("密码须包含大写字母、小写字母、数字、符号中的至少三类", code="password_complexity")

    def get_help_text(self) -> str:
        return "密码须包含大写字母、小写字母、数字、符号中的至少三类。"
