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
  return frame;
}

/** A real NEW_TIME_ENTRY delivery's body (the fixture the engine's tests use). */
const TIME_ENTRY = JSON.parse(
  readFileSync(join(__dirname, "../../core/tests/fixtures/webhook-samples/NEW_TIME_ENTRY.json"), "utf8"),
) as Record<string, unknown>;

/** Fires a real-shaped NEW_TIME_ENTRY with this description (and a fresh id) at `addon`. */
async function fireTimeEntry(request: APIRequestContext, addon: string, description: string) {
  const body = { ...TIME_ENTRY, id: randomBytes(12).toString("hex"), description };
  const response = await request.post(`${SIM_URL}/sim/webhooks/fire`, { data: { event: "NEW_TIME_ENTRY", body } });
  expect(response.ok(), await response.text()).toBeTruthy();
  const fired = (await response.json()) as { deliveries: { addon: string; status: number | null }[] };
  const ours = fired.deliveries.filter((delivery) => delivery.addon === addon);
  expect(ours.map((delivery) => delivery.status)).toEqual([200]);
  return body;
}

/** How often the simulated Clockify answered requests to one route template. */
async function requestsTo(request: APIRequestContext, route: string): Promise<number> {
  const response = await request.get(`${SIM_URL}/sim/stats`);
  expect(response.ok()).toBeTruthy();
  const stats = (await response.json()) as { byPath: Record<string, number> };
  return stats.byPath[route] ?? 0;
}

const PROJECT_ROUTE = "/v1/workspaces/{workspaceId}/projects/{projectId}";

/**
 * A flow that tags every new time entry (succeeds) and then reads a project that does not
 * exist (the simulated Clockify answers 404): every run fails at its second step.
 */
function failingFlow(name: string, marker: string) {
  return {
    name,
    description: "End-to-end: runs, retry, draft test",
    trigger: { eventTypes: ["NEW_TIME_ENTRY"], sources: [] },
    conditions: {
      combine: "all",
      groups: [{ combine: "all", rules: [{ path: "$.body.description", operator: "contains", value: marker }] }],
    },
    actions: [
      {
        kind: "clockify",
        id: "tag",
        operationId: "createNewTag",
        params: {},
        body: { name: "run {{ body.id }}" },
      },
      {
        kind: "clockify",
        id: "project",
        operationId: "getProject",
        params: { projectId: "no-such-project-{{ body.id }}" },
      },
    ],
  };
}

/** Imports a definition from the list page, publishes it, and stays in its editor. */
async function importAndPublish(frame: FrameLocator, definition: unknown) {
  await frame.getByTestId("import-flow").click();
  await frame.getByTestId("import-text").fill(JSON.stringify(definition));
  await frame.getByTestId("import-submit").click();
  // The list's rows carry status badges too: wait for the editor and read its own.
  const editor = frame.getByTestId("flow-editor");
  await expect(editor).toBeVisible();
  await expect(editor.getByTestId("flow-status")).toHaveText("draft");
  await expect(frame.getByTestId("problem-count")).toHaveAttribute("data-count", "0");
  await frame.getByTestId("flow-publish").click();
  await expect(frame.getByTestId("flow-notice")).toContainText("Published as version 1");
  await expect(editor.getByTestId("flow-status")).toHaveText("published v1");
}

test("a failing run shows each step's request and response, retries from the failed step, and re-runs", async ({
  page,
  request,
}) => {
  test.setTimeout(150_000);
  const errors = watchConsole(page);
  const marker = randomBytes(4).toString("hex");
  const name = `Runs ${marker}`;
  const frame = await openFlows(page, "universal-webhook");
  await importAndPublish(frame, failingFlow(name, marker));
  const flowId = await frame.getByTestId("flow-editor").getAttribute("data-flow-id");
  expect(flowId).toBeTruthy();

  const entry = await fireTimeEntry(request, "universal-webhook", `Standup ${marker}`);

  // The flow's Runs tab shows the run live (no reload) once the runtime has run it.
  await frame.locator('[data-tab="Runs"]').click();
  const runs = frame.getByTestId("flow-runs");
  await expect(runs).toBeVisible();
  const row = runs.getByTestId("run-row").first();
  await expect(row).toHaveAttribute("data-status", "failed", { timeout: 30_000 });
  await expect(runs.getByTestId("runs-total")).toHaveAttribute("data-total", "1");
  await expect(runs.locator('[data-testid="runs-status-chip"][data-status="failed"]')).toHaveAttribute(
    "data-count",
    "1",
  );
  await expect(runs.locator('[data-testid="runs-status-chip"][data-status="succeeded"]')).toHaveAttribute(
    "data-count",
    "0",
  );
  await expect(runs.getByTestId("runs-chart")).toHaveAttribute("data-total", "1");
  await expect(row.getByTestId("run-error")).toContainText("step project");
  await expect(row.getByTestId("run-attempts")).toHaveText("1");

  // The detail: both steps with their rendered requests and the responses, the event's body.
  await row.click();
  const detail = frame.getByTestId("run-detail");
  await expect(detail).toBeVisible();
  await expect(detail.getByTestId("run-detail-status")).toHaveText("failed");
  await expect(detail.getByTestId("run-detail-flow")).toHaveText(`${name} (version 1)`);
  const tag = detail.locator('[data-testid="run-step"][data-step-id="tag"]');
  const project = detail.locator('[data-testid="run-step"][data-step-id="project"]');
  await expect(tag).toHaveAttribute("data-status", "succeeded");
  await expect(tag.getByTestId("step-http-status")).toHaveText("HTTP 201");
  await expect(tag.getByTestId("step-request")).toContainText('"operationId": "createNewTag"');
  await expect(tag.getByTestId("step-request")).toContainText(`"name": "run ${entry.id}"`);
  await expect(tag.getByTestId("step-response")).toContainText(`"name": "run ${entry.id}"`);
  await expect(project).toHaveAttribute("data-status", "failed");
  await expect(project.getByTestId("step-http-status")).toHaveText("HTTP 404");
  await expect(project.getByTestId("step-request")).toContainText(`/projects/no-such-project-${entry.id}`);
  await expect(project.getByTestId("step-error")).not.toBeEmpty();
  await expect(detail.getByTestId("run-event-body")).toContainText(`"description": "Standup ${marker}"`);
  await expect(detail.getByTestId("rerun-run")).toBeVisible();
  await screenshot(page, "flow-runs");

  // Retry: the run is queued again and resumes at step 2 (one more project request, and it
  // fails the same way).
  const projectRequests = await requestsTo(request, PROJECT_ROUTE);
  await detail.getByTestId("retry-run").click();
  await expect(detail.getByTestId("run-action-result")).toHaveText("Queued again; it resumes at step 2.");
  await expect.poll(() => requestsTo(request, PROJECT_ROUTE), { timeout: 30_000 }).toBe(projectRequests + 1);
  await expect(detail.getByTestId("run-detail-status")).toHaveText("failed", { timeout: 15_000 });
  await expect(runs.getByTestId("runs-total")).toHaveAttribute("data-total", "1");

  // Re-run: a new run of the same version and event, from step 1 (a second tag with the same
  // name is refused by Clockify, so it fails at the first step).
  await detail.getByTestId("rerun-run").click();
  await expect(detail.getByTestId("run-action-result")).toHaveText("Queued as a new run of version 1.");
  await expect(runs.getByTestId("runs-total")).toHaveAttribute("data-total", "2", { timeout: 15_000 });
  await expect(detail.getByTestId("run-detail-status")).toHaveText("failed", { timeout: 30_000 });
  await expect(detail.locator('[data-testid="run-step"][data-step-id="tag"]')).toHaveAttribute(
    "data-status",
    "failed",
  );
  await detail.getByTestId("close-run").click();
  await expect(detail).toHaveCount(0);

  // The status chips filter the table.
  await runs.locator('[data-testid="runs-status-chip"][data-status="succeeded"]').click();
  await expect(runs.getByTestId("runs-empty")).toBeVisible();
  await runs.locator('[data-testid="runs-status-chip"][data-status="failed"]').click();
  await expect(runs.getByTestId("run-row")).toHaveCount(2);

  // Every flow's runs, filtered to this flow, on the list page.
  await frame.getByTestId("back-to-flows").click();
  await frame.locator('[data-tab="Runs"]').click();
  const all = frame.getByTestId("all-runs");
  await expect(all).toBeVisible();
  await all.getByTestId("runs-filter-flow").selectOption(flowId ?? "");
  await expect(all.getByTestId("runs-total")).toHaveAttribute("data-total", "2");
  await expect(all.getByTestId("run-flow").first()).toContainText(name);
  await screenshot(page, "flow-runs-all");

  // The webhook log's detail of that event lists both runs it started, with the flow's name.
  await frame.locator('[data-nav="Webhooks"]').click();
  await frame.getByTestId("filter-event-type").selectOption("NEW_TIME_ENTRY");
  await frame.getByTestId("filter-text").fill(String(entry.id));
  await expect(frame.getByTestId("log-total")).toHaveAttribute("data-total", "1");
  await frame.getByTestId("event-row").first().click();
  const eventRuns = frame.getByTestId("event-detail").getByTestId("event-run");
  await expect(eventRuns).toHaveCount(2);
  await expect(eventRuns.first().getByTestId("event-run-flow")).toHaveText(`${name} (version 1)`);
  await expect(eventRuns.first()).toHaveAttribute("data-status", "failed");
  await frame.getByTestId("event-runs").scrollIntoViewIfNeeded();
  await screenshot(page, "universal-webhook-event-runs");
  await frame.getByTestId("close-detail").click();

  // The dark theme.
  const dark = await openFlows(page, "universal-webhook", "DARK");
  await expect(dark.locator('[data-theme="dark"]')).toBeVisible();
  await dark.locator('[data-tab="Runs"]').click();
  await dark.getByTestId("all-runs").getByTestId("runs-filter-flow").selectOption(flowId ?? "");
  await dark.getByTestId("run-row").first().click();
  await expect(dark.getByTestId("run-detail").getByTestId("run-step").first()).toBeVisible();
  await screenshot(page, "flow-runs-dark");
  expect(errors).toEqual([]);
});

test("a failed run shows as a toast in Clockify while the add-on is open", async ({ page, request }) => {
  test.setTimeout(90_000);
  const errors = watchConsole(page);
  const marker = randomBytes(4).toString("hex");
  const name = `Toast ${marker}`;
  const frame = await openFlows(page, "universal-webhook");
  await importAndPublish(frame, failingFlow(name, marker));
  await fireTimeEntry(request, "universal-webhook", `Alert ${marker}`);

  // The page asks Clockify (the simulator's page around the iframe) to show the failure.
  const toast = page.locator('[data-toast="error"]', { hasText: name });
  await expect(toast).toBeVisible({ timeout: 30_000 });
  await expect(toast).toContainText(`Flow \u201c${name}\u201d failed: step project`);
  await screenshot(page, "failure-toast");
  // Each failure is shown once: it is gone after a while and does not come back.
  await expect(toast).toHaveCount(0, { timeout: 15_000 });
  await page.waitForTimeout(5_000);
  await expect(toast).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("a draft is tested on recent events beside the published version, differences highlighted", async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  const errors = watchConsole(page);
  const marker = randomBytes(4).toString("hex");
  const name = `Draft test ${marker}`;
  // Two events that the flow's condition matches (the test never sends anything).
  await fireTimeEntry(request, "universal-webhook", `Review ${marker}`);
  await fireTimeEntry(request, "universal-webhook", `Planning ${marker}`);

  const frame = await openFlows(page, "universal-webhook");
  const definition = failingFlow(name, marker);
  await importAndPublish(frame, definition);

  // Unchanged, the draft behaves as the published version.
  const panel = frame.getByTestId("draft-test");
  await panel.getByTestId("draft-test-count").selectOption("5");
  await panel.getByTestId("draft-test-run").click();
  await expect(panel.getByTestId("draft-test-summary")).toContainText("the draft behaves differently on 0");
  expect(await panel.getByTestId("draft-test-event").count()).toBeGreaterThanOrEqual(2);

  // A draft whose condition now asks for "Planning" and whose tag name changed.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const changed = structuredClone(definition) as any;
  changed.conditions.groups[0].rules.push({ path: "$.body.description", operator: "starts_with", value: "Planning" });
  changed.actions[0].body = { name: "planned {{ body.id }}" };
  await frame.getByTestId("flow-import").click();
  await frame.getByTestId("import-draft-text").fill(JSON.stringify(changed));
  await frame.getByTestId("import-draft-apply").click();
  await expect(frame.getByTestId("unsaved")).toBeVisible();
  await panel.getByTestId("draft-test-run").click();
  const review = panel.locator('[data-testid="draft-test-event"]:has([data-row="outcome"][data-differs="true"])');
  await expect(panel.getByTestId("draft-test-result")).not.toHaveAttribute("data-differing", "0");
  // The "Review" event: the published version would run, the draft would not.
  await expect(review.first().getByTestId("draft-test-draft-outcome")).toHaveText("would not run");
  await expect(review.first().getByTestId("draft-test-published-outcome")).toHaveText("would run");
  // Every event: the tag step renders differently, highlighted.
  const tagRow = panel.locator('[data-testid="draft-test-row"][data-row="step"][data-step-id="tag"]').first();
  await expect(tagRow).toHaveAttribute("data-differs", "true");
  await expect(tagRow.locator('[data-side="draft"]')).toContainText('"name": "planned ');
  await expect(tagRow.locator('[data-side="published"]')).toContainText('"name": "run ');
  await panel.scrollIntoViewIfNeeded();
  await screenshot(page, "flow-draft-test");

  // Saved, the changed draft is tested the same way in the dark theme.
  await frame.getByTestId("flow-save").click();
  await expect(frame.getByTestId("unsaved")).toHaveCount(0);
  const dark = await openFlows(page, "universal-webhook", "DARK");
  await dark.locator(`[data-testid="flow-row"][data-name="${name}"]`).getByTestId("flow-link").click();
  const darkPanel = dark.getByTestId("draft-test");
  await darkPanel.getByTestId("draft-test-run").click();
  await expect(darkPanel.getByTestId("draft-test-result")).not.toHaveAttribute("data-differing", "0");
  await darkPanel.scrollIntoViewIfNeeded();
  await screenshot(page, "flow-draft-test-dark");
  expect(errors).toEqual([]);
});

test("secrets in Universal Webhook: added with a value that is never shown again; API Studio has none", async ({
  page,
}) => {
  const errors = watchConsole(page);
  const frame = await openFlows(page, "universal-webhook");
  await frame.locator('[data-tab="Secrets"]').click();
  const secrets = frame.getByTestId("flow-secrets");
  await expect(secrets).toBeVisible();
  await expect(secrets.getByTestId("secret-hint")).toContainText("{{ secrets.API_TOKEN }}");

  // A bad name is refused on the page.
  await secrets.getByTestId("secret-name").fill("api-token");
  await secrets.getByTestId("secret-value").fill("whatever");
  await secrets.getByTestId("secret-save").click();
  await expect(secrets.getByTestId("secret-form-error")).toContainText("letters, digits and _");

  const name = `E2E_${randomBytes(3).toString("hex").toUpperCase()}`;
  const value = `s3cr3t-${randomBytes(8).toString("hex")}`;
  await secrets.getByTestId("secret-name").fill(name);
  await secrets.getByTestId("secret-value").fill(value);
  await expect(secrets.getByTestId("secret-value")).toHaveAttribute("type", "password");
  await secrets.getByTestId("secret-save").click();
  const row = secrets.locator(`[data-testid="secret-row"][data-name="${name}"]`);
  await expect(row).toBeVisible();
  await expect(row.getByTestId("secret-row-value")).toHaveText("••••");
  await expect(secrets.getByTestId("secret-value")).toHaveValue("");
  // The value is nowhere on the page, not even after a reload.
  expect(await frame.locator("body").innerHTML()).not.toContain(value);
  const again = await openFlows(page, "universal-webhook");
  await again.locator('[data-tab="Secrets"]').click();
  await expect(again.locator(`[data-testid="secret-row"][data-name="${name}"]`)).toBeVisible();
  expect(await again.locator("body").innerHTML()).not.toContain(value);
  // Typing an existing name offers to replace it.
  await again.getByTestId("secret-name").fill(name);
  await expect(again.getByTestId("secret-save")).toHaveText("Replace secret");
  await again.getByTestId("secret-name").fill("");
  await screenshot(page, "flow-secrets");

  // Delete asks first.
  const stored = again.locator(`[data-testid="secret-row"][data-name="${name}"]`);
  await stored.getByTestId("secret-delete").click();
  await stored.getByTestId("secret-delete-confirm").click();
  await expect(stored).toHaveCount(0);

  // The dark theme.
  const dark = await openFlows(page, "universal-webhook", "DARK");
  await dark.locator('[data-tab="Secrets"]').click();
  await expect(dark.getByTestId("flow-secrets")).toBeVisible();
  await screenshot(page, "flow-secrets-dark");

  // API Studio has no HTTP actions, so no secrets.
  const studio = await openFlows(page, "api-studio");
  await expect(studio.locator('[data-tab="Runs"]')).toBeVisible();
  await expect(studio.locator('[data-tab="Secrets"]')).toHaveCount(0);
  expect(errors).toEqual([]);
});
