import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { APIRequestContext, expect, FrameLocator, Page, test } from "@playwright/test";

import { openAddon, screenshot, SIM_URL, watchConsole } from "./helpers";

/** Opens the add-on's Flows page (the list) inside the simulator's iframe. */
async function openFlows(page: Page, addon: string, theme = "DEFAULT"): Promise<FrameLocator> {
  const frame = await openAddon(page, addon, theme);
  await frame.locator('[data-nav="Flows"]').click();
  await expect(frame.getByTestId("flows-tabs")).toBeVisible();
  await expect(frame.getByTestId("new-flow")).toBeVisible();
  return frame;
}

/** Asks the simulator to deliver a Clockify event (its sample body, or `body`). */
async function fire(request: APIRequestContext, event: string, body?: unknown) {
  const response = await request.post(`${SIM_URL}/sim/webhooks/fire`, { data: body ? { event, body } : { event } });
  expect(response.ok(), await response.text()).toBeTruthy();
  return (await response.json()) as {
    body: Record<string, unknown>;
    deliveries: { addon: string; status: number | null; error: string | null }[];
  };
}

/** A real NEW_TIME_ENTRY delivery's body (the fixture the engine's tests use). */
const TIME_ENTRY = JSON.parse(
  readFileSync(join(__dirname, "../../core/tests/fixtures/webhook-samples/NEW_TIME_ENTRY.json"), "utf8"),
) as Record<string, unknown>;

/** Fires a real-shaped NEW_TIME_ENTRY with this description (and a fresh id). */
async function fireTimeEntry(request: APIRequestContext, description: string) {
  const body = { ...TIME_ENTRY, id: randomBytes(12).toString("hex"), description };
  const fired = await fire(request, "NEW_TIME_ENTRY", body);
  const ours = fired.deliveries.filter((delivery) => delivery.addon === "api-studio");
  expect(ours.map((delivery) => delivery.status)).toEqual([200]);
  return fired.body;
}

/** Scrolls the add-on's frame to the top, takes the page's screenshot, then one of the whole editor. */
async function shootEditor(page: Page, frame: FrameLocator, name: string) {
  await frame.locator("body").evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, name);
  // A tall window makes the frame tall enough to show the whole editor.
  const viewport = page.viewportSize();
  await page.setViewportSize({ width: 1280, height: 2000 });
  await frame.getByTestId("flow-editor").screenshot({ path: `test-results/screenshots/${name}-editor.png` });
  if (viewport) await page.setViewportSize(viewport);
}

async function setFlag(page: Page, addon: string, setting: string, on: boolean) {
  await page.goto(`/workspace/settings?addon=${addon}`);
  await page.locator(`#addon-settings [name="${setting}"]`).setChecked(on);
  await page.locator("#save-settings").click();
  await expect(page.locator("#settings-notice")).toContainText("Saved");
}

test("a flow built in the UI previews live, publishes, and runs on the next event", async ({ page, request }) => {
  test.setTimeout(120_000);
  const errors = watchConsole(page);
  const marker = randomBytes(4).toString("hex");
  const name = `Tag planning ${marker}`;
  // A stored event for the preview.
  await fireTimeEntry(request, `Weekly planning ${marker}`);

  const frame = await openFlows(page, "api-studio");
  await frame.getByTestId("new-flow").click();
  const editor = frame.getByTestId("flow-editor");
  await expect(editor).toBeVisible();
  await expect(editor).toHaveAttribute("data-read-only", "false");
  await expect(frame.getByTestId("flow-status")).toHaveText("new");
  // A new flow is not covered in red before the admin typed anything.
  await expect(frame.getByTestId("flow-name-problems")).toHaveCount(0);
  await expect(frame.getByTestId("trigger-problems")).toHaveCount(0);
  await expect(frame.getByTestId("problem-count")).toHaveAttribute("data-count", "2");

  // Name and trigger; once something is typed, what is missing shows at its field.
  await frame.getByTestId("flow-name").fill(name);
  await expect(frame.getByTestId("trigger-problems")).toContainText("Choose at least one event");
  await frame.getByTestId("trigger-filter").fill("time entry");
  await frame.locator('[data-event-type="NEW_TAG"]').waitFor({ state: "hidden" });
  await frame.locator('[data-event-type="NEW_TIME_ENTRY"] input').check();
  await expect(frame.getByTestId("trigger-summary")).toHaveText("Starts on NEW_TIME_ENTRY.");
  await expect(frame.getByTestId("trigger-problems")).toHaveCount(0);

  // The preview picks the newest stored NEW_TIME_ENTRY: ours.
  await expect(frame.getByTestId("preview-triggered")).toHaveAttribute("data-value", "true");

  // A condition on the description, watched true and false as the value changes.
  await frame.getByTestId("add-group").click();
  await frame.getByTestId("rule-path-0-0").fill("$.body.description");
  await frame.getByTestId("rule-operator-0-0").selectOption("contains");
  await frame.getByTestId("rule-value-0-0").fill("planning");
  await expect(frame.getByTestId("rule-result-0-0")).toHaveText("true");
  await expect(frame.getByTestId("rule-actual-0-0")).toContainText(`Weekly planning ${marker}`);
  await frame.getByTestId("rule-value-0-0").fill("retrospective");
  await expect(frame.getByTestId("rule-result-0-0")).toHaveText("false");
  await expect(frame.getByTestId("preview-verdict")).toHaveText("This event would not run the flow.");
  await frame.getByTestId("rule-value-0-0").fill(marker);
  await expect(frame.getByTestId("rule-result-0-0")).toHaveText("true");

  // An invalid JSONPath is named at its field, and blocks publishing.
  await frame.getByTestId("rule-path-0-0").fill("$.body[");
  await expect(frame.getByTestId("rule-path-problems-0-0")).toBeVisible();
  await expect(frame.getByTestId("rule-path-problems-0-0")).toContainText(/path/i);
  await expect(frame.getByTestId("rule-path-0-0")).toHaveAttribute("aria-invalid", "true");
  await expect(frame.getByTestId("flow-publish")).toBeDisabled();
  await frame.getByTestId("rule-path-0-0").fill("$.body.description");
  await expect(frame.getByTestId("rule-path-problems-0-0")).toHaveCount(0);
  await expect(frame.getByTestId("rule-result-0-0")).toHaveText("true");

  // A Clockify action: search, pick createNewTag, a name template.
  await frame.getByTestId("add-clockify-action").click();
  await frame.getByTestId("operation-search").fill("create tag");
  await frame.locator('[data-testid="operation-hit"][data-operation-id="createNewTag"]').click();
  await expect(frame.getByTestId("operation-chosen")).toHaveAttribute("data-operation-id", "createNewTag");
  await frame.getByTestId("action-id").fill("tag");
  await frame.getByTestId("action-body").fill('{ "name": "{{ body.description }} (flow)" }');
  await expect(frame.getByTestId("preview-step-0").getByTestId("preview-step-path")).toContainText("/tags");
  await expect(frame.getByTestId("preview-step-0").getByTestId("preview-step-body")).toContainText(
    `Weekly planning ${marker} (flow)`,
  );
  await expect(frame.getByTestId("preview-verdict")).toHaveText("This event would run the flow.");
  await expect(frame.getByTestId("problem-count")).toHaveAttribute("data-count", "0");
  await shootEditor(page, frame, "flows-builder");

  // Save (the flow gets its address), then publish.
  await frame.getByTestId("flow-save").click();
  await expect(editor).not.toHaveAttribute("data-flow-id", "");
  await expect(frame.getByTestId("flow-status")).toHaveText("draft");
  await expect(frame.getByTestId("rule-path-0-0")).toHaveValue("$.body.description");
  await frame.getByTestId("flow-publish").click();
  await expect(frame.getByTestId("flow-notice")).toContainText("Published as version 1");
  await expect(frame.getByTestId("flow-status")).toHaveText("published v1");
  // A saved draft does not change what runs; restoring version 1 brings it back.
  await frame.getByTestId("flow-name").fill(`${name} (edited)`);
  await frame.getByTestId("flow-save").click();
  await expect(frame.getByTestId("flow-notice")).toContainText("Draft saved");
  await frame.locator('[data-tab="Versions"]').click();
  await frame.locator('[data-testid="version"][data-version="1"]').getByTestId("version-restore").click();
  await expect(frame.getByTestId("flow-notice")).toContainText("Version 1 is the draft again");
  await expect(frame.getByTestId("flow-name")).toHaveValue(name);

  // The next matching event runs it; the list shows the run.
  await fireTimeEntry(request, `Sprint planning ${marker}`);
  await frame.getByTestId("back-to-flows").click();
  const row = frame.locator(`[data-testid="flow-row"][data-name="${name}"]`);
  await expect(row.getByTestId("flow-status")).toHaveText("published v1");
  // 100%: the simulated Clockify answered the createNewTag request with a success.
  await expect(row.getByTestId("flow-success")).toHaveAttribute("data-percent", "100", { timeout: 30_000 });
  await expect(row.getByTestId("flow-last-run")).not.toHaveText("never");
  await screenshot(page, "flows-list");

  // The same editor in the dark theme.
  const dark = await openFlows(page, "api-studio", "DARK");
  await expect(dark.locator('[data-theme="dark"]')).toBeVisible();
  await dark.locator(`[data-testid="flow-row"][data-name="${name}"]`).getByTestId("flow-link").click();
  await expect(dark.getByTestId("flow-name")).toHaveValue(name);
  await expect(dark.getByTestId("rule-result-0-0")).toHaveText(/true|false/);
  await shootEditor(page, dark, "flows-builder-dark");
  expect(errors).toEqual([]);
});

test("importing bad JSON says what is wrong; a good export imports as a new flow", async ({ page }) => {
  const errors = watchConsole(page);
  const frame = await openFlows(page, "api-studio");
  await frame.getByTestId("import-flow").click();
  await frame.getByTestId("import-text").fill('{"name": "Broken", ');
  await frame.getByTestId("import-submit").click();
  await expect(frame.getByTestId("import-error")).toContainText("not valid JSON");

  // The server checks an import like any save: an operation outside API Studio's permissions
  // is refused even though no form was involved.
  const outside = {
    name: "Expenses",
    trigger: { eventTypes: ["NEW_TAG"], sources: [] },
    actions: [{ kind: "clockify", id: "list", operationId: "getExpenses" }],
  };
  await frame.getByTestId("import-text").fill(JSON.stringify(outside));
  await frame.getByTestId("import-submit").click();
  await expect(frame.getByTestId("import-error")).toContainText("EXPENSE_READ");
  await expect(frame.getByTestId("import-error")).toContainText("API Studio does not have");

  const name = `Imported ${randomBytes(3).toString("hex")}`;
  const definition = {
    name,
    trigger: { eventTypes: ["NEW_TAG"], sources: [] },
    conditions: { combine: "all", groups: [] },
    actions: [{ kind: "clockify", id: "list", operationId: "getTags", params: { "page-size": "1" } }],
  };
  await frame.getByTestId("import-text").fill(JSON.stringify(definition));
  await frame.getByTestId("import-submit").click();
  await expect(frame.getByTestId("flow-name")).toHaveValue(name);
  await expect(frame.getByTestId("flow-status")).toHaveText("draft");

  // Export downloads the definition, which imports again as it was.
  const [download] = await Promise.all([page.waitForEvent("download"), frame.getByTestId("flow-export").click()]);
  expect(download.suggestedFilename()).toMatch(/^imported-[0-9a-f]+\.flow\.json$/);
  const exported = JSON.parse(readFileSync(await download.path(), "utf8"));
  expect(exported).toMatchObject({ name, trigger: { eventTypes: ["NEW_TAG"] } });
  expect(exported.actions[0]).toMatchObject({ kind: "clockify", operationId: "getTags", params: { "page-size": "1" } });

  // In the editor, a bad paste leaves the draft alone.
  await frame.getByTestId("flow-import").click();
  await frame.getByTestId("import-draft-text").fill("[1, 2");
  await frame.getByTestId("import-draft-apply").click();
  await expect(frame.getByTestId("import-draft-error")).toContainText("not valid JSON");
  await expect(frame.getByTestId("flow-name")).toHaveValue(name);

  // Delete asks first, then the list no longer has it.
  await frame.getByTestId("flow-delete").click();
  await frame.getByTestId("flow-delete-confirm").click();
  await expect(frame.getByTestId("new-flow")).toBeVisible();
  await expect(frame.locator(`[data-testid="flow-row"][data-name="${name}"]`)).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("with flows turned off in the settings, the editor is read-only and says why", async ({ page }) => {
  try {
    await setFlag(page, "api-studio", "flows_enabled", false);
    const frame = await openFlows(page, "api-studio");
    await expect(frame.getByTestId("flows-read-only").first()).toContainText("turned off");
    await frame.getByTestId("new-flow").click();
    await expect(frame.getByTestId("flow-editor")).toHaveAttribute("data-read-only", "true");
    await expect(frame.getByTestId("flows-read-only")).toContainText("Settings → Flows");
    await expect(frame.getByTestId("flow-name")).toBeDisabled();
    await expect(frame.getByTestId("flow-save")).toBeDisabled();
    await expect(frame.getByTestId("flow-publish")).toBeDisabled();
    await expect(frame.getByTestId("add-clockify-action")).toBeDisabled();
    await screenshot(page, "flows-read-only");
  } finally {
    await setFlag(page, "api-studio", "flows_enabled", true);
  }
  const frame = await openFlows(page, "api-studio");
  await expect(frame.getByTestId("flows-read-only")).toHaveCount(0);
});

test("Universal Webhook offers its 51 events, and HTTP requests once the setting is on", async ({ page }) => {
  const errors = watchConsole(page);
  let frame = await openFlows(page, "universal-webhook");
  await expect(frame.locator('[data-tab="Secrets"]')).toBeVisible();
  await frame.getByTestId("new-flow").click();
  await expect(frame.getByTestId("trigger-event")).toHaveCount(51);
  await expect(frame.getByTestId("trigger-sources").or(frame.getByTestId("trigger-no-sources"))).toBeVisible();
  await expect(frame.getByTestId("add-http-action")).toHaveCount(0);
  await expect(frame.getByTestId("http-actions-note")).toContainText("Generic HTTP actions");

  try {
    await setFlag(page, "universal-webhook", "generic_http_enabled", true);
    frame = await openFlows(page, "universal-webhook");
    await frame.getByTestId("new-flow").click();
    await frame.getByTestId("flow-name").fill("Forward tags");
    await frame.locator('[data-event-type="NEW_TAG"] input').check();
    await frame.getByTestId("add-http-action").click();
    await frame.getByTestId("http-url").fill("not a url");
    await expect(frame.getByTestId("http-url-problems")).toContainText("is not a web address");
    await frame.getByTestId("http-url").fill("https://example.com/hooks/{{ event.type }}");
    await expect(frame.getByTestId("http-url-problems")).toHaveCount(0);
    await frame.getByTestId("http-headers").fill("X-Tag {{ body.name }}");
    await expect(frame.getByTestId("http-headers-problems")).toContainText("Line 1 has no `:`");
    await frame.getByTestId("http-headers").fill("X-Tag: {{ body.name }}");
    // A pasted body stands in for an event.
    await frame.getByTestId("preview-sample").selectOption("paste");
    await frame.getByTestId("preview-paste").fill('{"name": "billable"}');
    const step = frame.getByTestId("preview-step-0");
    await expect(step.getByTestId("preview-step-path")).toHaveText("https://example.com/hooks/NEW_TAG");
    await expect(step).toContainText("X-Tag: billable");
    await expect(frame.getByTestId("problem-count")).toHaveAttribute("data-count", "0");
    await shootEditor(page, frame, "flows-http-action");
  } finally {
    await setFlag(page, "universal-webhook", "generic_http_enabled", false);
  }
  expect(errors).toEqual([]);
});
