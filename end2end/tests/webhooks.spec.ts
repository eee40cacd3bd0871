import { createHmac, randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";

import { APIRequestContext, expect, FrameLocator, Page, test } from "@playwright/test";

import { openAddon, screenshot, SIM_URL, watchConsole } from "./helpers";

/** Opens the add-on's Webhooks page (the Log tab) inside the simulator's iframe. */
async function openWebhooks(page: Page, addon: string, theme = "DEFAULT"): Promise<FrameLocator> {
  const frame = await openAddon(page, addon, theme);
  await frame.locator('[data-nav="Webhooks"]').click();
  await expect(frame.getByTestId("webhook-tabs")).toBeVisible();
  await expect(frame.getByTestId("log-total")).toBeVisible();
  return frame;
}

/** Asks the simulator to deliver a Clockify event to every add-on that subscribes to it. */
async function fire(request: APIRequestContext, event: string, body?: unknown) {
  const response = await request.post(`${SIM_URL}/sim/webhooks/fire`, { data: body ? { event, body } : { event } });
  expect(response.ok(), await response.text()).toBeTruthy();
  return (await response.json()) as {
    body: Record<string, unknown>;
    deliveries: { addon: string; status: number | null; error: string | null }[];
  };
}

/** Headers of a Standard Webhooks request signed with `secret` (whsec_…). */
function standardWebhooksHeaders(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)) {
  const id = `msg_${randomUUID()}`;
  const key = Buffer.from(secret.replace("whsec_", ""), "base64");
  const signature = createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64");
  return {
    "content-type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": `v1,${signature}`,
  };
}

/** Posts `body` to a source's ingest URL, signed with `secret`; returns the status. */
async function postSigned(request: APIRequestContext, url: string, secret: string, body: string) {
  const response = await request.post(url, { headers: standardWebhooksHeaders(secret, body), data: body });
  return response.status();
}

async function totalOf(frame: FrameLocator): Promise<number> {
  return Number(await frame.getByTestId("log-total").getAttribute("data-total"));
}

test("a Clockify event shows up live in the log, with its body, and replays into flows", async ({ page, request }) => {
  const errors = watchConsole(page);
  const frame = await openWebhooks(page, "universal-webhook");
  await frame.getByTestId("filter-event-type").selectOption("NEW_TIME_ENTRY");
  await frame.getByTestId("filter-range").selectOption("1h");
  await expect(frame.getByTestId("filter-event-type")).toHaveValue("NEW_TIME_ENTRY");
  await expect(frame.getByTestId("log-page")).toBeVisible();
  const before = await totalOf(frame);

  const fired = await fire(request, "NEW_TIME_ENTRY");
  const ours = fired.deliveries.filter((delivery) => delivery.addon === "universal-webhook");
  expect(ours.map((delivery) => delivery.status)).toEqual([200]);
  const entryId = String(fired.body.id);

  // No click: the open log polls and shows the new event within a few seconds.
  await expect(frame.getByTestId("log-total")).toHaveAttribute("data-total", String(before + 1), { timeout: 5_000 });
  const newest = frame.getByTestId("event-row").first();
  await expect(newest).toHaveAttribute("data-event-type", "NEW_TIME_ENTRY");
  await expect(newest).toHaveAttribute("data-source", "clockify");
  await expect(newest).toHaveAttribute("data-status", "accepted");

  // The detail: pretty JSON of the body, the headers with the signature redacted, the dedupe key.
  await newest.click();
  const detail = frame.getByTestId("event-detail");
  await expect(detail).toBeVisible();
  await expect(detail.getByTestId("detail-body")).toContainText(`"id": "${entryId}"`);
  await expect(detail.getByTestId("detail-event-type")).toHaveText("NEW_TIME_ENTRY");
  await expect(detail.getByTestId("detail-source")).toHaveText("Clockify");
  await expect(detail.locator('[data-testid="event-header"][data-name="clockify-webhook-event-type"]')).toContainText(
    "NEW_TIME_ENTRY",
  );
  await expect(detail.locator('[data-testid="event-header"][data-name="clockify-signature"]')).toContainText(
    "[redacted]",
  );
  await expect(detail.getByTestId("detail-dedupe-key")).toHaveText(/^[0-9a-f]{64}$/);
  await screenshot(page, "universal-webhook-webhooks-detail");
  await detail.getByTestId("replay-event").click();
  await expect(detail.getByTestId("replay-result")).toHaveText("1 queued");
  await detail.getByTestId("close-detail").click();
  await expect(detail).toHaveCount(0);

  // The same delivery again is recorded as a duplicate (visible, not processed).
  await fire(request, "NEW_TIME_ENTRY", fired.body);
  await frame.getByTestId("filter-text").fill(entryId);
  await expect(frame.getByTestId("log-total")).toHaveAttribute("data-total", "2");
  await frame.getByTestId("filter-status").selectOption("duplicate");
  await expect(frame.getByTestId("log-total")).toHaveAttribute("data-total", "1");
  await expect(frame.getByTestId("event-row").first()).toHaveAttribute("data-status", "duplicate");
  await frame.getByTestId("filter-status").selectOption({ index: 0 });

  // Replay everything matching the filters (the two deliveries of this time entry).
  await frame.getByTestId("replay-all").click();
  await expect(frame.getByTestId("replay-all-confirm-text")).toContainText("Queue 2 matching event(s)");
  await frame.getByTestId("replay-all-confirm").click();
  await expect(frame.getByTestId("replay-all-result")).toHaveText("Replayed into flows: 2 queued");

  // Export the same two deliveries: a JSON Lines file, oldest first, bodies as JSON.
  const downloading = page.waitForEvent("download");
  await frame.getByTestId("export-log").click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^universal-webhook-events-\d{8}-\d{4}\.jsonl$/);
  const exported = (await readFile(await download.path(), "utf8"))
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
  expect(exported.map((line) => line.status)).toEqual(["accepted", "duplicate"]);
  for (const line of exported) {
    expect(line.body.id).toBe(entryId);
    expect(line.event_type).toBe("NEW_TIME_ENTRY");
    expect(line.headers["clockify-signature"]).toContain("[redacted]");
  }
  await expect(frame.getByTestId("export-result")).toContainText("Exported 2 events");

  // A text nobody sent matches nothing.
  await frame.getByTestId("filter-text").fill("no delivery contains this");
  await expect(frame.getByTestId("log-total")).toHaveAttribute("data-total", "0");
  await expect(frame.getByTestId("log-empty")).toBeVisible();
  await frame.getByTestId("filter-text").fill("");

  // Counts per source and the chart of the last 24 hours.
  const clockify = frame.locator('[data-testid="source-count"][data-source="clockify"]');
  expect(Number(await clockify.getAttribute("data-accepted"))).toBeGreaterThanOrEqual(1);
  expect(Number(await clockify.getAttribute("data-duplicate"))).toBeGreaterThanOrEqual(1);
  await expect(frame.locator('[data-testid="chart-legend-item"][data-type="NEW_TIME_ENTRY"]')).toBeVisible({
    timeout: 12_000,
  });
  await expect(frame.locator('[data-testid="chart-column"] rect[data-type="NEW_TIME_ENTRY"]').first()).toBeAttached();
  await screenshot(page, "universal-webhook-webhooks-log");
  // Zoomed to the last hour, the same minute is a wide bar with its hover title.
  await frame.locator('[data-zoom="60"]').click();
  await expect(frame.locator('[data-testid="event-chart"] svg')).toHaveAttribute("data-span", "60");
  const column = frame.locator('[data-testid="chart-column"]').filter({
    has: frame.locator('rect[data-type="NEW_TIME_ENTRY"]'),
  });
  await expect(column.last().locator("title")).toContainText("NEW_TIME_ENTRY: ");
  await frame.getByTestId("event-chart").scrollIntoViewIfNeeded();
  await screenshot(page, "universal-webhook-webhooks-chart-hour");
  await frame.locator('[data-zoom="1440"]').click();
  await expect(frame.locator('[data-testid="event-chart"] svg')).toHaveAttribute("data-span", "1440");
  expect(errors).toEqual([]);
});

test("a custom Standard Webhooks source: created in the UI, signed posts accepted, tampered ones rejected, secret rotated", async ({
  page,
  request,
}) => {
  const errors = watchConsole(page);
  const frame = await openWebhooks(page, "universal-webhook");
  await frame.locator('[data-tab="Sources"]').click();
  await frame.getByTestId("new-source").click();
  const name = `Billing ${Date.now()}`;
  await frame.getByTestId("form-name").fill(name);
  await expect(frame.getByTestId("form-scheme")).toHaveValue("standard_webhooks");
  await expect(frame.getByTestId("form-event_type_value")).toHaveValue("$.type");
  await frame.getByTestId("form-create").click();

  // The secret is shown once, with the URL and a signed example request.
  const revealed = frame.getByTestId("revealed");
  await expect(revealed).toHaveAttribute("data-action", "created");
  const secret = await revealed.getByTestId("revealed-secret").inputValue();
  const url = await revealed.getByTestId("revealed-url").inputValue();
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
  expect(url).toMatch(/\/ingest\/[A-Za-z0-9_-]{43}$/);
  await expect(revealed.getByTestId("revealed-curl")).toHaveValue(/webhook-signature: v1,/);
  await revealed.getByTestId("revealed-secret-copy").click();
  await expect(revealed.getByRole("status").filter({ hasText: /Copied|Ctrl\+C/ }).first()).toBeVisible();
  await screenshot(page, "universal-webhook-source-created");
  await revealed.getByTestId("revealed-done").click();
  await expect(revealed).toHaveCount(0);

  // Afterwards the list shows only a hint of the secret.
  const item = frame.locator(`[data-testid="source"][data-name="${name}"]`);
  await expect(item.getByTestId("source-secret-hint")).toHaveText(`${secret.slice(0, 10)}…`);
  await expect(item.getByTestId("source-scheme")).toHaveAttribute("data-kind", "standard_webhooks");
  await expect(item.getByTestId("source-url")).toHaveValue(url);
  await expect(frame.locator("body")).not.toContainText(secret);
  const inputs = await frame.locator("input, textarea").evaluateAll((elements) =>
    elements.map((element) => (element as HTMLInputElement).value),
  );
  expect(inputs.some((value) => value.includes(secret))).toBe(false);

  // A signed request is accepted; a tampered body, a wrong secret and no signature are not.
  const body = JSON.stringify({ type: "invoice.paid", id: `inv_${randomUUID()}`, amount: 4200 });
  expect(await postSigned(request, url, secret, body)).toBe(200);
  const tampered = await request.post(url, {
    headers: standardWebhooksHeaders(secret, body),
    data: body.replace("4200", "9999"),
  });
  expect(tampered.status()).toBe(401);
  expect(await postSigned(request, url, "whsec_" + Buffer.alloc(24, 7).toString("base64"), body)).toBe(401);
  expect((await request.post(url, { data: body, headers: { "content-type": "application/json" } })).status()).toBe(401);

  // The log shows it under the source's name; the rejections are counted.
  await frame.locator('[data-tab="Log"]').click();
  await frame.getByTestId("filter-source").selectOption({ label: name });
  const row = frame.getByTestId("event-row").first();
  await expect(row).toHaveAttribute("data-event-type", "invoice.paid");
  await expect(row).toContainText(name);
  await expect(frame.getByTestId("rejected-count")).toHaveAttribute("data-rejected", "3");
  await expect(frame.getByTestId("rejected-count")).toHaveText("rejected: 3");
  // Why: counted by reason, each explained; bodies are never stored.
  await frame.getByTestId("rejections-toggle").click();
  const rejections = frame.getByTestId("rejections");
  const badSignature = rejections.locator('[data-testid="rejection-row"][data-reason="bad_signature"]');
  await expect(badSignature).toHaveAttribute("data-count", "2");
  await expect(badSignature.getByTestId("rejection-explanation")).toContainText("another secret");
  await expect(rejections.locator('[data-testid="rejection-row"][data-reason="missing_signature"]')).toHaveAttribute(
    "data-count",
    "1",
  );
  await rejections.scrollIntoViewIfNeeded();
  await screenshot(page, "universal-webhook-log-rejections");
  await row.click();
  const detail = frame.getByTestId("event-detail");
  await expect(detail.getByTestId("detail-source")).toHaveText(name);
  await expect(detail.getByTestId("detail-body")).toContainText('"type": "invoice.paid"');
  await expect(detail.locator('[data-testid="event-header"][data-name="webhook-signature"]')).toContainText(
    "[redacted]",
  );
  await expect(detail.getByTestId("detail-dedupe-key")).toHaveText(/^msg_/);
  const messageId = (await detail.getByTestId("detail-dedupe-key").textContent()) ?? "";
  await detail.getByTestId("close-detail").click();
  // The message id the sender reports finds the delivery (any case).
  await frame.getByTestId("filter-text").fill(messageId.toUpperCase());
  await expect(frame.getByTestId("log-total")).toHaveAttribute("data-total", "1");
  await frame.getByTestId("filter-text").fill("");
  // Its event type joins the filter's options once seen.
  await expect(frame.locator('[data-testid="filter-event-type"] option[value="invoice.paid"]')).toBeAttached({
    timeout: 12_000,
  });

  // One more rejection; the Sources tab counts it too.
  expect((await request.post(url, { headers: standardWebhooksHeaders(secret, body), data: "{}" })).status()).toBe(401);
  await expect(frame.getByTestId("rejected-count")).toHaveText("rejected: 4", { timeout: 5_000 });
  // The list stayed open through the log's polls and counts it.
  await expect(badSignature).toHaveAttribute("data-count", "3");
  await frame.getByTestId("rejections-toggle").click();
  await expect(rejections).toHaveCount(0);
  await frame.locator('[data-tab="Sources"]').click();
  await expect(item.getByTestId("source-counts-line")).toHaveAttribute("data-accepted", "1");
  await expect(item.getByTestId("source-counts-line")).toHaveAttribute("data-rejected", "4");
  await item.scrollIntoViewIfNeeded();
  await screenshot(page, "universal-webhook-sources-list");

  // Rotate with the default grace period: both secrets work for now.
  await item.getByTestId("rotate-secret").click();
  await expect(item.getByTestId("rotate-grace")).toHaveValue("24");
  await item.getByTestId("rotate-confirm").click();
  await expect(revealed).toHaveAttribute("data-action", "rotated");
  const rotated = await revealed.getByTestId("revealed-secret").inputValue();
  expect(rotated).toMatch(/^whsec_/);
  expect(rotated).not.toEqual(secret);
  await expect(revealed.getByTestId("revealed-previous-until")).toContainText("keeps working until");
  await expect(item.getByTestId("source-previous-until")).toBeVisible();
  await screenshot(page, "universal-webhook-source-rotated");
  const next = () => JSON.stringify({ type: "invoice.paid", id: `inv_${randomUUID()}` });
  expect(await postSigned(request, url, rotated, next())).toBe(200);
  expect(await postSigned(request, url, secret, next())).toBe(200);

  // Rotate with no grace: the secret before stops at once.
  await revealed.getByTestId("revealed-done").click();
  await item.getByTestId("rotate-secret").click();
  await item.getByTestId("rotate-grace").fill("-5");
  await item.getByTestId("rotate-confirm").click();
  await expect(item.getByTestId("rotate-error")).toContainText("Grace period");
  await item.getByTestId("rotate-grace").fill("0");
  await item.getByTestId("rotate-confirm").click();
  await expect(revealed).toHaveAttribute("data-action", "rotated");
  const latest = await revealed.getByTestId("revealed-secret").inputValue();
  await expect(revealed.getByTestId("revealed-previous-until")).toHaveCount(0);
  expect(await postSigned(request, url, rotated, next())).toBe(401);
  expect(await postSigned(request, url, latest, next())).toBe(200);
  await revealed.getByTestId("revealed-done").click();

  // Disabled, the URL answers 410; enabled again, it takes events.
  await item.getByTestId("toggle-source").click();
  await expect(item).toHaveAttribute("data-enabled", "false");
  await expect(item.getByTestId("source-status")).toHaveText("disabled");
  expect(await postSigned(request, url, latest, next())).toBe(410);
  // "Send test event" makes the server post a signed example to the URL, as the sender would.
  await item.getByTestId("send-test-event").click();
  await expect(item.getByTestId("test-event-result")).toContainText("Refused (410");
  await expect(item.getByTestId("test-event-result")).toHaveAttribute("data-taken", "false");
  await item.getByTestId("toggle-source").click();
  await expect(item).toHaveAttribute("data-enabled", "true");
  expect(await postSigned(request, url, latest, next())).toBe(200);
  await item.getByTestId("send-test-event").click();
  await expect(item.getByTestId("test-event-result")).toHaveText("Accepted (200): the example event is in the log.");
  await expect(item.getByTestId("test-event-result")).toHaveAttribute("data-taken", "true");
  await item.scrollIntoViewIfNeeded();
  await screenshot(page, "universal-webhook-source-test-event");
  await frame.locator('[data-tab="Log"]').click();
  await frame.getByTestId("filter-source").selectOption({ label: name });
  await expect(frame.getByTestId("event-row").first()).toHaveAttribute("data-event-type", "example.created");
  expect(errors).toEqual([]);
});

test("the new source form names the wrong field and insists on confirming an unverified source", async ({
  page,
  request,
}) => {
  const errors = watchConsole(page);
  const frame = await openWebhooks(page, "universal-webhook", "DARK");
  await frame.locator('[data-tab="Sources"]').click();
  await frame.getByTestId("new-source").click();
  const error = frame.getByTestId("form-error");

  // An HMAC source with a header name that is not one.
  await frame.getByTestId("form-name").fill(`GitHub ${Date.now()}`);
  await frame.getByTestId("form-scheme").selectOption("hmac");
  await frame.getByTestId("form-hmac_header").fill("x hub signature");
  await frame.getByTestId("form-create").click();
  await expect(error).toHaveAttribute("data-field", "hmac_header");
  await expect(error).toContainText("Signature header");
  await expect(frame.getByTestId("form-hmac_header")).toHaveAttribute("aria-invalid", "true");
  await frame.getByTestId("form-hmac_header").fill("x-hub-signature-256");
  await frame.getByTestId("form-event_type_from").selectOption("header");
  await frame.getByTestId("form-event_type_value").fill("");
  await frame.getByTestId("form-create").click();
  await expect(error).toHaveAttribute("data-field", "event_type_value");
  await expect(error).toContainText("Event type header");

  // Scheme "none" needs the explicit confirmation, here and on the server.
  const name = `Open form ${Date.now()}`;
  await frame.getByTestId("form-name").fill(name);
  await frame.getByTestId("form-scheme").selectOption("none");
  await frame.getByTestId("form-event_type_from").selectOption("fixed");
  await frame.getByTestId("form-event_type_value").fill("form.submitted");
  await frame.getByTestId("form-create").click();
  await expect(error).toHaveAttribute("data-field", "confirm_unverified");
  await expect(error).toContainText("anyone with the URL");
  await screenshot(page, "universal-webhook-source-form-dark");
  await frame.getByTestId("form-confirm_unverified").check();
  await frame.getByTestId("form-create").click();
  const revealed = frame.getByTestId("revealed");
  await expect(revealed.getByTestId("revealed-no-secret")).toBeVisible();
  const url = await revealed.getByTestId("revealed-url").inputValue();
  await screenshot(page, "universal-webhook-sources-dark");
  const posted = await request.post(url, { data: "name=Ada", headers: { "content-type": "text/plain" } });
  expect(posted.status()).toBe(200);
  const item = frame.locator(`[data-testid="source"][data-name="${name}"]`);
  await expect(item.getByTestId("source-scheme")).toHaveAttribute("data-kind", "none");
  await expect(item.getByTestId("rotate-secret")).toHaveCount(0);

  // In the log: a text body is shown as text.
  await frame.locator('[data-tab="Log"]').click();
  await frame.getByTestId("filter-source").selectOption({ label: name });
  const row = frame.getByTestId("event-row").first();
  await expect(row).toHaveAttribute("data-event-type", "form.submitted");
  await row.click();
  await expect(frame.getByTestId("detail-body")).toHaveText("name=Ada");
  await expect(frame.getByTestId("event-detail")).toContainText("Body (text)");
  await screenshot(page, "universal-webhook-webhooks-detail-dark");
  // Escape closes the drawer.
  await page.keyboard.press("Escape");
  await expect(frame.getByTestId("event-detail")).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("API Studio's webhook log shows Clockify events only and has no Sources tab", async ({ page, request }) => {
  const errors = watchConsole(page);
  const frame = await openWebhooks(page, "api-studio");
  await expect(frame.locator('[data-tab="Log"]')).toBeVisible();
  await expect(frame.locator('[data-tab="Subscriptions"]')).toBeVisible();
  await expect(frame.locator('[data-tab="Sources"]')).toHaveCount(0);
  await expect(frame.getByTestId("filter-source")).toHaveCount(0);
  // Its event filter offers its 12 events only.
  await expect(frame.locator('[data-testid="filter-event-type"] option')).toHaveCount(13);

  const fired = await fire(request, "NEW_TAG");
  expect(fired.deliveries.filter((delivery) => delivery.addon === "api-studio").map((d) => d.status)).toEqual([200]);
  await frame.getByTestId("filter-text").fill(String(fired.body.id));
  const row = frame.getByTestId("event-row").first();
  await expect(row).toHaveAttribute("data-event-type", "NEW_TAG");
  await expect(row).toHaveAttribute("data-source", "clockify");
  await expect(frame.getByTestId("source-count")).toHaveCount(1);
  await screenshot(page, "api-studio-webhooks-log");

  await frame.locator('[data-tab="Subscriptions"]').click();
  await expect(frame.getByTestId("subscription-summary")).toContainText("12 events");
  expect(errors).toEqual([]);
});

test("the log in the dark theme", async ({ page, request }) => {
  const errors = watchConsole(page);
  await fire(request, "NEW_PROJECT");
  await fire(request, "NEW_TIMER_STARTED");
  const frame = await openWebhooks(page, "universal-webhook", "DARK");
  await expect(frame.locator('[data-theme="dark"]')).toBeVisible();
  await expect(frame.locator('[data-testid="chart-legend-item"]').first()).toBeVisible();
  await expect(frame.getByTestId("event-row").first()).toBeVisible();
  await screenshot(page, "universal-webhook-webhooks-log-dark");

  // Paused, the log keeps its rows while deliveries come in; resumed, it catches up at once.
  const before = await totalOf(frame);
  await frame.getByTestId("live-toggle").click();
  await expect(frame.getByTestId("live-toggle")).toHaveAttribute("data-live", "false");
  await expect(frame.getByTestId("live-toggle")).toHaveText("Paused: resume");
  await fire(request, "NEW_PROJECT");
  await page.waitForTimeout(4_500);
  expect(await totalOf(frame)).toBe(before);
  await frame.getByTestId("live-toggle").click();
  await expect(frame.getByTestId("live-toggle")).toHaveAttribute("data-live", "true");
  await expect(frame.getByTestId("log-total")).toHaveAttribute("data-total", String(before + 1), { timeout: 2_000 });
  expect(errors).toEqual([]);
});

/** Sets Universal Webhook's "Custom webhook sources" setting on Clockify's settings screen. */
async function setCustomSources(page: Page, on: boolean) {
  await page.goto("/workspace/settings?addon=universal-webhook");
  await page.locator('#addon-settings [name="custom_sources_enabled"]').setChecked(on);
  await page.locator("#save-settings").click();
  await expect(page.locator("#settings-notice")).toContainText("Saved");
}

test("the Overview's activity card counts a new delivery and names the newest event", async ({ page, request }) => {
  const errors = watchConsole(page);
  let frame = await openAddon(page, "universal-webhook");
  await expect(frame.getByTestId("activity")).toBeVisible();
  const before = Number(await frame.getByTestId("activity-events").getAttribute("data-total"));
  await fire(request, "NEW_CLIENT");
  frame = await openAddon(page, "universal-webhook");
  await expect(frame.getByTestId("activity-events")).toHaveAttribute("data-total", String(before + 1));
  await expect(frame.getByTestId("activity-last-event")).toContainText("NEW_CLIENT at ");
  const hours = frame.getByTestId("activity-hour");
  await expect(hours).toHaveCount(24);
  expect(Number(await hours.last().getAttribute("data-count"))).toBeGreaterThanOrEqual(1);
  await expect(frame.getByTestId("activity-runs")).toContainText("succeeded");
  await frame.getByTestId("activity").scrollIntoViewIfNeeded();
  await screenshot(page, "universal-webhook-overview-activity");
  const dark = await openAddon(page, "universal-webhook", "DARK");
  await expect(dark.getByTestId("activity-events")).toHaveAttribute("data-total", String(before + 1));
  await dark.getByTestId("activity").scrollIntoViewIfNeeded();
  await screenshot(page, "universal-webhook-overview-activity-dark");
  // From the card to the log, which shows that event on top.
  await dark.getByTestId("activity-open-log").click();
  await expect(dark.getByTestId("webhook-tabs")).toBeVisible();
  await expect(dark.getByTestId("event-row").first()).toHaveAttribute("data-event-type", "NEW_CLIENT");
  expect(errors).toEqual([]);
});

test("with custom sources turned off in the settings, the tab says so and their URLs answer 410", async ({
  page,
  request,
}) => {
  const errors = watchConsole(page);
  let frame = await openWebhooks(page, "universal-webhook");
  await frame.locator('[data-tab="Sources"]').click();
  await frame.getByTestId("new-source").click();
  const name = `Switch ${Date.now()}`;
  await frame.getByTestId("form-name").fill(name);
  await frame.getByTestId("form-create").click();
  const secret = await frame.getByTestId("revealed-secret").inputValue();
  const url = await frame.getByTestId("revealed-url").inputValue();
  const body = () => JSON.stringify({ type: "switch.flipped", id: randomUUID() });
  expect(await postSigned(request, url, secret, body())).toBe(200);

  try {
    await setCustomSources(page, false);
    frame = await openWebhooks(page, "universal-webhook");
    await expect(frame.getByTestId("sources-off-badge")).toBeVisible();
    await frame.locator('[data-tab="Sources"]').click();
    await expect(frame.getByTestId("sources-disabled")).toContainText("turned off");
    await expect(frame.getByTestId("new-source")).toHaveCount(0);
    const item = frame.locator(`[data-testid="source"][data-name="${name}"]`);
    await expect(item.getByTestId("rotate-secret")).toHaveCount(0);
    await screenshot(page, "universal-webhook-sources-off");
    expect(await postSigned(request, url, secret, body())).toBe(410);
  } finally {
    await setCustomSources(page, true);
  }
  frame = await openWebhooks(page, "universal-webhook");
  await expect(frame.getByTestId("sources-off-badge")).toHaveCount(0);
  await frame.locator('[data-tab="Sources"]').click();
  await expect(frame.getByTestId("new-source")).toBeVisible();
  expect(await postSigned(request, url, secret, body())).toBe(200);
  expect(errors).toEqual([]);
});

test("Universal Webhook repairs a workspace webhook deleted in Clockify", async ({ page, request }) => {
  const errors = watchConsole(page);
  const frame = await openWebhooks(page, "universal-webhook");
  await frame.locator('[data-tab="Subscriptions"]').click();
  await expect(frame.getByTestId("subscription-summary")).toContainText("(31 exist now)");

  // An admin deletes one of the 31 API-created webhooks in Clockify.
  const listed = await request.get(`${SIM_URL}/sim/webhooks`);
  const subscriptions = (await listed.json()) as { addon: string; kind: string; webhookId: string | null; event: string }[];
  const victim = subscriptions.find((s) => s.addon === "universal-webhook" && s.kind === "api" && s.webhookId);
  expect(victim, JSON.stringify(subscriptions.slice(0, 3))).toBeTruthy();
  const deleted = await request.delete(`${SIM_URL}/sim/webhooks/${victim!.webhookId}`);
  expect(deleted.ok(), await deleted.text()).toBeTruthy();

  await frame.getByTestId("repair-webhooks").click();
  await expect(frame.getByTestId("repair-outcome")).toContainText(
    "1 created, 1 missing, disabled or duplicate forgotten, 30 already in place",
  );
  await expect(frame.getByTestId("subscription-summary")).toContainText("(31 exist now)");
  // The repaired subscription receives events again.
  const after = (await (await request.get(`${SIM_URL}/sim/webhooks`)).json()) as typeof subscriptions;
  expect(after.filter((s) => s.addon === "universal-webhook" && s.event === victim!.event)).toHaveLength(1);
  await screenshot(page, "universal-webhook-subscriptions-repaired");
  expect(errors).toEqual([]);
});
