"""``GET /metrics`` through the running app: a filed ticket is counted by entry point and
outcome, helpdesk calls are timed by route and status, the outbox is read at scrape time,
webhook deliveries are counted by outcome; the endpoint is guarded."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.ops.metrics import route_of
from bot.testing.servers import wait_until
from tests.conftest import WEBHOOK_SECRET, RunningBot, StartBot


def scrape(url: str, **headers: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = httpx.get(url + "/metrics", headers=headers)
    assert response.status_code == 200, response.text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.mark.parametrize(
    ("path", "route"),
    [
        ("/v1/requests", "/v1/requests"),
        ("/v1/services/wa_5f2c9d1e", "/v1/services/{id}"),
        ("/v1/services/wa_printers", "/v1/services/{id}"),
        ("/api/v2/public/ticket/12/status", "/api/v2/public/ticket/{id}/status"),
        ("/v1/requests/abc-123-def/messages", "/v1/requests/{id}/messages"),
    ],
)
def test_routes_are_labelled_without_ids(path: str, route: str) -> None:
    assert route_of(path) == route


def test_a_filed_ticket_is_counted_and_its_helpdesk_call_timed(bot: RunningBot) -> None:
    before = scrape(bot.url)
    assert value(before, "tickets_total", entry_point="command", backend="siit", outcome="filed") == 0
    view = bot.open_modal("printer jams")
    bot.sender.submit(view, {"field:ci_floor": "3"})
    wait_until(lambda: len(bot.siit.requests) == 1, what="the ticket filed")
    wait_until(
        lambda: value(scrape(bot.url), "tickets_total", entry_point="command", backend="siit", outcome="filed") == 1,
        what="the ticket counted",
    )
    after = scrape(bot.url)
    assert value(after, "helpdesk_request_seconds_count", route="POST /v1/requests", status="201") == 1
    assert value(after, "helpdesk_request_seconds_count", route="GET /v1/services/{id}", status="200") >= 2
    assert value(after, "slack_ack_seconds_count") >= 2  # the command and the submission
    assert value(after, "outbox_items", status="done") == 1
    assert value(after, "outbox_items", status="pending") == 0
    assert value(after, "outbox_oldest_waiting_seconds") == 0


def test_a_refusal_and_a_waiting_ticket_show(start_bot: StartBot) -> None:
    bot = start_bot(delivery_first_delay_seconds=60)
    bot.siit.failures.extend([("/v1/requests", 400), ("/v1/requests", 503)])
    for calls, title in enumerate(("refused", "delayed"), start=1):
        view = bot.open_modal(title)
        bot.sender.submit(view, {"field:ci_floor": "1"})
        wait_until(lambda n=calls: len(bot.siit.calls_to("POST", "/v1/requests")) >= n, what=title)
    wait_until(
        lambda: value(scrape(bot.url), "tickets_total", entry_point="command", backend="siit", outcome="refused") == 1,
        what="the refusal counted",
    )
    samples = scrape(bot.url)
    assert value(samples, "outbox_items", status="failed") == 1
    assert value(samples, "outbox_items", status="pending") == 1
    assert value(samples, "outbox_oldest_waiting_seconds") >= 0
    assert value(samples, "helpdesk_request_seconds_count", route="POST /v1/requests", status="400") == 1
    assert value(samples, "helpdesk_request_seconds_count", route="POST /v1/requests", status="503") >= 1


def test_metrics_need_the_token_when_one_is_set(start_bot: StartBot) -> None:
    bot = start_bot(metrics_token="metrics-token-0123456789")
    assert httpx.get(bot.url + "/metrics").status_code == 403
    assert httpx.get(bot.url + "/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert scrape(bot.url, Authorization="Bearer metrics-token-0123456789")


@pytest.mark.parametrize(
    "header",
    [
        {"X-Forwarded-For": "203.0.113.9"},
        {"Forwarded": "for=203.0.113.9;proto=https"},
        {"X-Real-IP": "203.0.113.9"},
        {"X-Forwarded-Host": "metrics.example.com"},
    ],
)
def test_without_a_token_a_proxied_request_is_refused(start_bot: StartBot, header: dict[str, str]) -> None:
    bot = start_bot()
    assert httpx.get(bot.url + "/metrics", headers=header).status_code == 403
    assert scrape(bot.url)  # loopback, direct


def test_webhook_deliveries_are_counted_by_outcome(start_suptask_bot: StartBot) -> None:
    bot = start_suptask_bot(suptask_webhook_secret=WEBHOOK_SECRET)
    hook = bot.url + "/webhooks/suptask"
    assert httpx.post(hook, json={"ticket": {"id": "x"}}, headers={"X-Webhook-Secret": "wrong" * 4}).status_code == 401
    assert httpx.post(hook, content=b"{", headers={"X-Webhook-Secret": WEBHOOK_SECRET}).status_code == 400
    unknown = {"ticket": {"id": "nope", "status": "Open"}}
    assert httpx.post(hook, json=unknown, headers={"X-Webhook-Secret": WEBHOOK_SECRET}).status_code == 404
    samples = scrape(bot.url)
    assert value(samples, "webhook_deliveries_total", outcome="unauthorized") == 1
    assert value(samples, "webhook_deliveries_total", outcome="malformed") == 1
    assert value(samples, "webhook_deliveries_total", outcome="unknown_ticket") == 1
