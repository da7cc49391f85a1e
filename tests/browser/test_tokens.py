"""The API token page in Chromium: a new token is shown once, then only its prefix; revoking it."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qiangji.accounts.models import ApiToken
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_tokens_page(page) -> None:
    """Through the user menu in the top bar."""
    page.get_by_role("button", name="东村书记").click()
    page.get_by_role("link", name="接口令牌").click()
    expect(page.get_by_role("heading", name="接口令牌")).to_be_visible()


def test_create_a_token_see_it_once_and_revoke_it(page, users):
    login(page, "sec_a")
    open_tokens_page(page)
    expect(page.get_by_role("cell", name="还没有令牌")).to_be_visible()

    page.get_by_label("用途").fill("数据同步脚本")
    page.get_by_role("button", name="生成").click()

    shown = page.get_by_role("alert").filter(has_text="新令牌已生成")
    expect(shown).to_contain_text("新令牌已生成，请立即复制保存，离开本页后将无法再次查看：")
    key = shown.get_by_role("code").inner_text().strip()
    assert re.fullmatch(r"qj_[A-Za-z0-9_-]{43}", key)
    token = ApiToken.objects.get(user=users["secretary_a"])
    assert (token.name, token.key_hash, token.revoked_at) == ("数据同步脚本", ApiToken.hash_key(key), None)
    row = page.get_by_role("row").filter(has=page.get_by_role("cell", name="数据同步脚本"))
    expect(row.get_by_role("cell")).to_have_text(
        [
            "数据同步脚本",
            f"{token.prefix}…",
            re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d"),
            timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M"),
            "—",
            "有效",
            "吊销",
        ]
    )
    expect(page.get_by_label("用途")).to_have_value("")

    # Seen once: coming back to the page shows only the prefix.
    open_tokens_page(page)
    expect(page.get_by_text("新令牌已生成")).to_have_count(0)
    assert key not in page.content()
    assert ApiToken.objects.count() == 1
    expect(row.get_by_role("cell", name="有效")).to_be_visible()

    messages: list[str] = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.accept()))
    row.get_by_role("button", name="吊销").click()

    expect(page.get_by_role("alert")).to_contain_text("令牌“数据同步脚本”已吊销。")
    assert messages == ["吊销后使用该令牌的脚本将无法访问，确定吊销吗？"]
    expect(row.get_by_role("cell", name="已吊销")).to_be_visible()
    expect(row.get_by_role("button", name="吊销")).to_have_count(0)
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_an_empty_purpose_is_refused_in_chinese(page, users):
    login(page, "sec_a")
    page.goto(page.base_url + "/accounts/tokens/")

    page.get_by_role("button", name="生成").click()

    expect(page.get_by_label("用途")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("用途未填写")).to_be_visible()
    assert not ApiToken.objects.exists()
