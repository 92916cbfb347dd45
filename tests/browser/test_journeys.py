"""Three journeys in real Chromium, in Chinese: an officer's full payment, a public search, a debtor's
objection and the appeal against its dismissal. Each ends with a screenshot of its last page in
test-artifacts/screenshots/."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from keepword.accounts.users import create_user
from keepword.services import listings as listing_services
from portal_demo import AS_OF, PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def people(served_portal):
    """Published persons with a phone, one per journey (journeys change what they touch)."""
    _, portal = served_portal
    found = [row for row in portal.published_people() if row.phones]
    assert len(found) >= 3
    return {"officer": found[0], "public": found[1], "debtor": found[2]}


def test_an_officer_records_a_full_payment_and_sees_the_deletion_scheduled(page: Page, served_portal, people,
                                                                            screenshots):
    url, portal = served_portal
    row = people["officer"]
    create_user(portal.accounts, "browser-officer", PASSWORD, ["clerk", "officer"], row.court_id, actor="test",
                display_name="王法官")
    page.goto(f"{url}/login")
    page.get_by_label("用户名").fill("browser-officer")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="待办事项")).to_be_visible()

    page.get_by_role("link", name="案件", exact=True).click()
    page.get_by_label("被执行人身份证号码或统一社会信用代码").fill(row.id_number)
    page.get_by_role("button", name="筛选").click()
    page.get_by_role("link", name=row.case_number).click()
    expect(page.get_by_role("heading", name=f"案件 {row.case_number}")).to_be_visible()

    page.get_by_role("link", name="登记履行款").click()
    amount = page.get_by_label("已付金额")
    expect(amount).not_to_have_value("")  # the outstanding amount, proposed
    page.get_by_label("付款日期").fill(AS_OF.isoformat())
    page.keyboard.press("Tab")
    page.get_by_role("button", name="下一步：确认").click()
    will = page.locator("#will-happen")
    expect(will).to_contain_text("义务即全部履行")
    expect(will).to_contain_text("2026-06-15")
    page.get_by_role("button", name="确认并登记").click()

    expect(page.get_by_role("heading", name="已完成：登记履行款")).to_be_visible()
    events = page.locator("#events")
    expect(events).to_contain_text("已登记删除")
    expect(events).to_contain_text("期限: 2026-06-15")
    expect(events).to_contain_text("已从名单删除")
    page.screenshot(path=str(screenshots / "officer-payment-deletion.png"), full_page=True)


def test_the_public_finds_a_listed_debtor_and_sees_only_masked_identifiers(page: Page, served_portal, people,
                                                                           screenshots):
    url, _ = served_portal
    row = people["public"]
    page.goto(url)
    page.get_by_role("link", name="查询失信名单").first.click()
    page.get_by_label("自然人姓名或单位全称").fill(row.name)
    page.get_by_label("身份证号码或统一社会信用代码").fill(row.id_number)
    page.get_by_role("button", name="查询", exact=True).click()

    result = page.locator("article").filter(has_text=row.case_number)
    expect(result).to_be_visible()
    masked = f"{row.id_number[:10]}****{row.id_number[14:17]}*"
    expect(result).to_contain_text(masked)
    html = page.content()
    assert row.id_number not in html and row.id_number[10:14] + row.id_number[14:] not in html
    assert page.get_by_label("身份证号码或统一社会信用代码").input_value() == "", "the number typed is not echoed"
    page.screenshot(path=str(screenshots / "public-search-masked.png"), full_page=True)


def test_a_debtor_signs_in_files_an_objection_then_appeals_its_dismissal(page: Page, served_portal, people,
                                                                         screenshots):
    url, portal = served_portal
    row = people["debtor"]
    page.goto(f"{url}/debtor/sign-in")
    page.get_by_label("案号").fill(row.case_number)
    page.get_by_label("身份证号码或统一社会信用代码").fill(row.id_number)
    sent_before = len(portal.sms.messages)
    page.get_by_role("button", name="发送验证码").click()
    expect(page.locator("#code-status")).to_contain_text("验证码已发送")
    assert len(portal.sms.messages) == sent_before + 1
    expect(page.get_by_label("身份证号码或统一社会信用代码")).to_have_value(row.id_number)  # htmx left the form alone
    page.get_by_label("短信验证码").fill(portal.sms.last_code())
    page.get_by_role("button", name="登录", exact=True).click()

    expect(page.get_by_role("heading", name=f"{row.name} 的记录")).to_be_visible()
    expect(page.locator("#outstanding")).to_contain_text("CNY")
    expect(page.locator("#what-ends")).to_contain_text("付清未履行的")

    page.get_by_role("link", name="对此记录申请纠正").click()
    page.get_by_label("我的信息有误").check()
    page.get_by_label("具体理由").fill("我已于上月付清全部款项，请核实。")
    page.get_by_role("button", name="提交纠正申请").click()
    expect(page.get_by_role("status")).to_contain_text("您的纠正申请已提交")
    expect(page.get_by_text("法院应于")).to_be_visible()
    page.screenshot(path=str(screenshots / "debtor-objection.png"), full_page=True)

    # The court dismisses the objection; the debtor appeals to the higher court within the time limit.
    ctx = portal.app.state.keepword.ctx
    objection = next(o for o in ctx_case(ctx, row.case_id).listing(row.id).objections if o.open)
    listing_services.decide_objection(ctx, row.id, objection.id, upheld=False, note="未见付款凭证", by="user:judge")
    page.reload()
    page.get_by_role("link", name="向上一级人民法院申请复议").click()
    expect(page.locator(".deadline").filter(has_text="请最迟于")).to_be_visible()
    page.get_by_role("button", name="提交复议申请").click()
    expect(page.get_by_role("status")).to_contain_text("您的复议申请已提交")
    expect(page.get_by_text("您已于")).to_be_visible()
    page.screenshot(path=str(screenshots / "debtor-appeal.png"), full_page=True)


def ctx_case(ctx, case_id: str):
    with ctx.uow() as uow:
        return uow.cases.get(case_id)


def test_forms_are_usable_with_the_keyboard(page: Page, served_portal):
    """Every field of the public search is reached with Tab, in order, and shows a visible focus ring."""
    url, _ = served_portal
    page.goto(f"{url}/search")
    page.get_by_label("自然人姓名或单位全称").focus()
    order = []
    for _ in range(3):
        order.append(page.evaluate("document.activeElement.id"))
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none", f"{order[-1]} shows no focus ring"
        page.keyboard.press("Tab")
    assert order == ["f-name", "f-identifier", "f-province"]


def test_the_bars_of_a_proposal_show_while_the_grounds_are_ticked(page: Page, served_portal):
    """htmx asks the server for the bars on every change of the form, before anything is submitted."""
    url, portal = served_portal
    row = [r for r in portal.published_people()][-1]
    create_user(portal.accounts, "browser-proposer", PASSWORD, ["officer"], row.court_id, actor="test")
    page.goto(f"{url}/login")
    page.get_by_label("用户名").fill("browser-proposer")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"{url}/officer/cases/{row.case_id}/act/propose")
    expect(page.locator("#bars")).to_contain_text("选择被执行人和情形后")
    page.get_by_label("被执行人", exact=True).select_option(label=row.name)
    page.get_by_role("checkbox").first.check()
    expect(page.locator("#bars")).to_contain_text("被执行人已在本案中被纳入失信名单")
