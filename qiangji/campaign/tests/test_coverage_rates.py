"""Coverage rates ("5+2+7") on the hand-counted register of `coverage_register` (conftest):

carrier   active  org  work  covered  uncovered  org%   work%  covered%
第一网格       4     2     1       2          2    50.0   25.0   50.0
第二网格       2     0     1       1          1     0.0   50.0   50.0
蔬菜链         2     2     1       2          0   100.0   50.0  100.0   (e5 closed: not counted)
民宿链         2     1     0       1          1    50.0    0.0   50.0
竖河商业街区   1     1     1       1          0   100.0  100.0  100.0
全镇           6     2     2       3          3    33.3   33.3   50.0
"""

import pytest

from qiangji.campaign.models import Entity
from qiangji.campaign.selectors import coverage_by_carrier, coverage_town
from qiangji.campaign.services.register import entity_assign_instructor, entity_cover


def figures(row):
    return (row.total, row.org, row.work, row.covered, row.uncovered, row.org_rate, row.work_rate, row.covered_rate)


def by_name(kind):
    return {row.name: figures(row) for row in coverage_by_carrier(kind)}


def test_grids(coverage_register):
    assert by_name("grid") == {
        "第一网格": (4, 2, 1, 2, 2, 50.0, 25.0, 50.0),
        "第二网格": (2, 0, 1, 1, 1, 0.0, 50.0, 50.0),
    }


def test_chains_count_an_entity_on_each_of_its_chains(coverage_register):
    assert by_name("chain") == {
        "蔬菜链": (2, 2, 1, 2, 0, 100.0, 50.0, 100.0),
        "民宿链": (2, 1, 0, 1, 1, 50.0, 0.0, 50.0),
    }


def test_streets(coverage_register):
    assert by_name("street") == {"竖河商业街区": (1, 1, 1, 1, 0, 100.0, 100.0, 100.0)}


def test_town(coverage_register):
    assert figures(coverage_town()) == (6, 2, 2, 3, 3, 33.3, 33.3, 50.0)


def test_a_carrier_without_entities_has_no_rate(places, town):
    assert by_name("grid") == {"第一网格": (0, 0, 0, 0, 0, None, None, None), "第二网格": (0, 0, 0, 0, 0, None, None, None)}


@pytest.mark.parametrize("kind", ["chain", "street", "grid"])
def test_one_query_per_carrier_kind(coverage_register, django_assert_num_queries, kind):
    with django_assert_num_queries(1):
        coverage_by_carrier(kind)


def test_covering_and_uncovering_moves_the_rates(coverage_register, users, town):
    admin = users["town_admin"]
    entity_cover(entity=coverage_register["e3"], by=admin, organization=town["branch_a2"], how=Entity.OrgCoverage.OWN)
    entity_assign_instructor(entity=coverage_register["e6"], by=admin, instructor=None)
    assert by_name("grid") == {
        "第一网格": (4, 3, 1, 3, 1, 75.0, 25.0, 75.0),
        "第二网格": (2, 0, 0, 0, 2, 0.0, 0.0, 0.0),
    }
    assert figures(coverage_town()) == (6, 3, 1, 3, 3, 50.0, 16.7, 50.0)
