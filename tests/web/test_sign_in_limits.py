"""Signing in through the web under the API's limits: a 429 in words, never a 401."""

from __future__ import annotations

import httpx

from tests.support.api import PASSWORD
from tests.web.conftest import ApiAppFactory, WebFactory
from tests.web.pages import post_form, sign_up


async def test_a_locked_account_is_told_to_wait_not_that_the_password_is_wrong(
    make_api_app: ApiAppFactory, make_web: WebFactory
) -> None:
    async with (
        make_api_app(sign_in_max_failures=2, sign_in_lock_s=60) as api,
        make_web(api_transport=httpx.ASGITransport(app=api)) as web,
    ):
        await sign_up(web, "ada@example.org")
        await post_form(web, "/account/sign-out")
        for _ in range(2):
            wrong = {"email": "ada@example.org", "password": "wrong password!"}
            assert (await post_form(web, "/account/sign-in", wrong)).status_code == 401
        right = {"email": "ada@example.org", "password": PASSWORD}
        locked = await post_form(web, "/account/sign-in", right)
    assert locked.status_code == 429
    assert locked.headers["Retry-After"] == "60"
    assert "Too many sign-in attempts" in locked.text and "wait 60 seconds" in locked.text
    assert "match" not in locked.text


async def test_spoofed_addresses_through_the_web_still_meet_the_per_ip_limit(
    make_api_app: ApiAppFactory, make_web: WebFactory
) -> None:
    # The API trusts the web's forwarded address; the web trusts no one's X-Forwarded-For.
    async with (
        make_api_app(rate_limit_auth="10/minute", forwarded_allow_ips="127.0.0.1") as api,
        make_web(api_transport=httpx.ASGITransport(app=api)) as web,
    ):
        statuses = []
        for i in range(14):
            form = {"email": f"spoof{i}@example.org", "password": "wrong password!"}
            spoofed = {"X-Forwarded-For": f"203.0.113.{i}"}
            statuses.append(
                (await post_form(web, "/account/sign-in", form, headers=spoofed)).status_code
            )
    assert statuses[:10] == [401] * 10 and set(statuses[10:]) == {429}
