import pytest

from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_shows_the_home_page_of_the_role(page, users):
    login(page, "admin")
    assert page.get_by_role("heading", name="工作台").is_visible()
    assert page.get_by_role("link", name="组织体系").is_visible()


def test_wrong_password_is_refused_in_chinese(page, users):
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("账号").fill("admin")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_text("账号或密码不正确").is_visible()
    assert page.url.endswith("/accounts/login/")


def test_login_works_at_phone_width(phone_page, users):
    login(phone_page, "sec_a")
    assert phone_page.get_by_role("heading", name="工作台").is_visible()
    # At phone width the module navigation hides behind the menu button.
    phone_page.get_by_role("button", name="打开菜单").click()
    assert phone_page.get_by_role("link", name="党员管理").is_visible()
