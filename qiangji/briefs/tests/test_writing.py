"""The article's way of writing numbers in a publicity draft, and the paragraphs' shape."""

import pytest

from qiangji.briefs.writing import NOTHING, brief_text, paragraphs, rounded


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (8, "", "8"), (10, "", "10"), (34, "", "30余"), (58, "", "近60"), (70, "", "70"), (73, "", "70余"),
        (101, "", "百余"), (116, "", "110余"), (365, "", "360余"), (287, "", "280余"), (405, "", "400余"), (412, "", "410余"),
        (806, "", "800余"), (1234, "", "1200余"), (33.3, "%", "超33"), (100.0, "%", "100"),
    ],
)  # fmt: skip
def test_rounding_as_the_article_does(value, unit, text):
    assert rounded(value, unit=unit) == text


def test_zero_figures_leave_their_clauses_out():
    figures = {"problems": {"value": 365, "unit": "个"}, "problems_immediate": {"value": 287, "unit": "个"},
               "mechanisms": {"value": 73, "unit": "个"}}  # fmt: skip
    paras = {p.section: p.text for p in paragraphs(figures, style="publicity")}
    assert paras["reform"] == "共计自查自纠问题360余个，其中即知即改280余个，建立或落实长效机制防止问题再次发生70余个。"
    assert paras["theory"] == NOTHING
    exact = brief_text(figures)
    assert "共计自查自纠问题365个，其中即知即改287个" in exact and "约数" not in exact
