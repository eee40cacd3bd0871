import { expect, FrameLocator, Page, test } from "@playwright/test";

import { openAddon, screenshot, SIM_URL, watchConsole } from "./helpers";

/** The simulator's workspace: its id, entities and counts. */
async function simWorkspace(request: import("@playwright/test").APIRequestContext) {
  const response = await request.get(`${SIM_URL}/sim/workspace`);
  expect(response.ok()).toBeTruthy();
  return response.json();
}

/** Opens the add-on from the sidebar and goes to its Explorer, as an admin would. */
async function openExplorer(page: Page, addon: string, theme = "DEFAULT"): Promise<FrameLocator> {
  const frame = await openAddon(page, addon, theme);
  await frame.locator('[data-nav="Explorer"]').click();
  await expect(frame.getByTestId("explorer")).toHaveAttribute("data-explorer-ready", "true");
  return frame;
}

/** Searches and opens an operation from the hits. */
async function openOperation(frame: FrameLocator, query: string, operationId: string) {
  const search = frame.getByTestId("explorer-search");
  await search.fill("");
  await search.pressSequentially(query);
  const hit = frame.getByTestId("explorer-hits").locator(`[data-operation="${operationId}"]`);
  await hit.click();
  await expect(frame.getByTestId("operation-view")).toHaveAttribute("data-operation", operationId);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

test('search "tags", open the list-tags operation, execute and see the response', async ({ page, request }) => {
  const errors = watchConsole(page);
  const workspace = await simWorkspace(request);
  const frame = await openExplorer(page, "api-studio");
  await expect(frame.getByTestId("explorer-search-summary")).toContainText("166 operations");
  await screenshot(page, "api-studio-explorer");

  const search = frame.getByTestId("explorer-search");
  await search.pressSequentially("tags");
  const hits = frame.getByTestId("explorer-hits").locator("[data-operation]");
  await expect(hits.first()).toHaveAttribute("data-operation", "getTags");
  await screenshot(page, "api-studio-explorer-search");

  await hits.first().click();
  await expect(frame.getByTestId("operation-view")).toHaveAttribute("data-operation", "getTags");
  await expect(frame.getByTestId("operation-summary")).toHaveText("Find tags on a workspace");
  // workspaceId comes from the token and cannot be changed.
  const workspaceId = frame.locator('[data-param="workspaceId"]');
  await expect(workspaceId).toHaveValue(workspace.id);
  await expect(workspaceId).toHaveAttribute("readonly", "");
  // Enums are selects; a bad number is caught before anything is sent, with the field named.
  await expect(frame.locator('select[data-param="sort-order"] option')).toHaveCount(3);
  await frame.locator('[data-param="page-size"]').fill("ten");
  await expect(frame.locator('[data-problem="page-size"]')).toHaveText("page-size must be a whole number");
  await frame.getByTestId("explorer-execute").click();
  await expect(frame.getByTestId("explorer-error")).toHaveAttribute("data-code", "invalid_parameters");
  await expect(frame.getByTestId("explorer-error")).toContainText("page-size");

  await frame.locator('[data-param="page-size"]').fill("100");
  await frame.getByTestId("explorer-execute").click();
  const response = frame.getByTestId("explorer-response");
  await expect(response).toHaveAttribute("data-status", "200");
  await expect(frame.getByTestId("response-status")).toHaveText("200");
  await expect(frame.getByTestId("response-duration")).toHaveText(/^\d[\d,]* ms$/);
  await expect(frame.getByTestId("response-last-page")).toHaveText("Last-Page: true");
  const body = frame.getByTestId("response-body");
  await expect(body).toContainText(/\[…\] \d+ items/);
  // A small answer shows its items' fields; each object's summary previews it.
  await expect(body).toContainText(`"id": "${workspace.tags[0].id}"`);
  await expect(body).toContainText(`name: "${workspace.tags[0].name}"`);
  await response.scrollIntoViewIfNeeded();
  await screenshot(page, "api-studio-explorer-response");
  // Items fold away; the raw view is pretty JSON.
  await body.locator("summary").nth(1).click();
  await expect(body.locator("details").nth(1)).not.toHaveAttribute("open", "");
  await frame.getByTestId("response-view-raw").click();
  await expect(body.locator("pre")).toContainText(`"name": "${workspace.tags[0].name}"`);
  // The response schema is shown as a tree.
  await frame.getByTestId("response-schema").locator("summary").first().click();
  await expect(frame.getByTestId("response-schema")).toContainText("array of object TagDtoV1");
  expect(errors).toEqual([]);
});

test("fetch all pages shows progress, then the total, and exports CSV", async ({ page, request }) => {
  const errors = watchConsole(page);
  const workspace = await simWorkspace(request);
  const before = (await (await request.get(`${SIM_URL}/sim/stats`)).json()).tooManyRequests;
  // Slow answers, so the progress can be seen page by page.
  await request.put(`${SIM_URL}/sim/faults`, { data: { latencyMs: 300 } });
  try {
    const frame = await openExplorer(page, "universal-webhook", "DARK");
    await openOperation(frame, "users workspace", "getUsersOfWorkspace");
    // The required include-roles starts at its default.
    await expect(frame.locator('[data-param="include-roles"]')).toHaveValue("false");
    await frame.locator('[data-param="page-size"]').fill("1");
    await frame.getByTestId("explorer-fetch-all").click();
    const panel = frame.getByTestId("fetch-all");
    await expect(panel).toHaveAttribute("data-state", "running");
    const progress = frame.getByTestId("fetch-all-progress");
    await expect(progress.getByTestId("progress-detail")).toContainText(/^[2-9] page\(s\) · [2-9] item\(s\) · 1 per page$/);
    await expect(frame.getByTestId("fetch-all-cancel")).toBeVisible();
    await panel.scrollIntoViewIfNeeded();
    await screenshot(page, "universal-webhook-explorer-fetch-all-progress-dark");
    await expect(panel).toHaveAttribute("data-state", "done", { timeout: 30_000 });
    const total = frame.getByTestId("fetch-all-total");
    await expect(total).toHaveAttribute("data-total", String(workspace.counts.users));
    await expect(total).toHaveAttribute("data-pages", String(workspace.counts.users));
    await expect(progress).toHaveAttribute("data-percent", "100");
    await panel.scrollIntoViewIfNeeded();
    await screenshot(page, "universal-webhook-explorer-fetch-all-done-dark");

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      frame.getByTestId("fetch-all-export-csv").click(),
    ]);
    expect(download.suggestedFilename()).toBe("getUsersOfWorkspace-all.csv");
    const csv = await (await download.createReadStream()).toArray();
    const lines = Buffer.concat(csv).toString("utf8").trimEnd().split("\r\n");
    expect(lines.length).toBe(workspace.counts.users + 1);
    expect(lines[0]).toContain("email");
  } finally {
    await request.put(`${SIM_URL}/sim/faults`, { data: {} });
  }
  const after = (await (await request.get(`${SIM_URL}/sim/stats`)).json()).tooManyRequests;
  expect(after).toBe(before);
  expect(errors).toEqual([]);
});

test("fetch all pages can be cancelled", async ({ page, request }) => {
  await request.put(`${SIM_URL}/sim/faults`, { data: { latencyMs: 400 } });
  try {
    const frame = await openExplorer(page, "api-studio");
    await openOperation(frame, "users workspace", "getUsersOfWorkspace");
    await frame.locator('[data-param="page-size"]').fill("1");
    await frame.getByTestId("explorer-fetch-all").click();
    await expect(frame.getByTestId("fetch-all-progress").getByTestId("progress-detail")).toContainText(/^[1-9] page/);
    await frame.getByTestId("fetch-all-cancel").click();
    await expect(frame.getByTestId("fetch-all")).toHaveAttribute("data-state", "cancelled");
    const pages = Number(await frame.getByTestId("fetch-all-total").getAttribute("data-pages"));
    expect(pages).toBeGreaterThan(0);
    expect(pages).toBeLessThan(8);
  } finally {
    await request.put(`${SIM_URL}/sim/faults`, { data: {} });
  }
});

test("history re-runs a call, copies it as curl and makes a flow action", async ({ page }) => {
  const errors = watchConsole(page);
  const frame = await openExplorer(page, "api-studio");
  await openOperation(frame, "tags", "getTags");
  await frame.locator('[data-param="page-size"]').fill("3");
  await frame.locator('select[data-param="sort-order"]').selectOption("DESCENDING");
  await frame.getByTestId("explorer-execute").click();
  await expect(frame.getByTestId("explorer-response")).toHaveAttribute("data-status", "200");
  const entries = frame.getByTestId("history-entry");
  await expect(entries.first()).toHaveAttribute("data-operation", "getTags");
  await expect(entries.first()).toContainText("page-size=3");
  await expect(entries.first().getByTestId("history-status")).toHaveText("200");
  const count = await entries.count();

  // Somewhere else, then back through the history.
  await openOperation(frame, "clients", "getClients");
  await entries.first().getByTestId("history-rerun").click();
  await expect(frame.getByTestId("operation-view")).toHaveAttribute("data-operation", "getTags");
  await expect(frame.locator('[data-param="page-size"]')).toHaveValue("3");
  await expect(frame.locator('select[data-param="sort-order"]')).toHaveValue("DESCENDING");
  await expect(frame.getByTestId("explorer-response")).toHaveAttribute("data-status", "200");
  await expect(entries).toHaveCount(Math.min(count + 1, 50));
  await expect(entries.first()).toContainText("sort-order=DESCENDING");

  await entries.first().getByTestId("history-curl").click();
  const curl = frame.getByTestId("curl-text");
  await expect(curl).toContainText("X-Addon-Token: <YOUR_ADDON_TOKEN>");
  await expect(curl).toContainText("/tags?sort-order=DESCENDING&page-size=3");
  await frame.getByTestId("curl-box").scrollIntoViewIfNeeded();
  await screenshot(page, "api-studio-explorer-history");

  await frame.getByTestId("explorer-flow-action").click();
  await expect(frame.getByTestId("flow-action-received")).toBeVisible();
  await expect(frame.getByTestId("flow-action-draft")).toContainText('"operationId": "getTags"');
  await expect(frame.getByTestId("flow-action-draft")).toContainText('"page-size": "3"');
  expect(errors).toEqual([]);
});

test("API Studio shows writes disabled; Universal Webhook shows the exact request before sending", async ({ page }) => {
  const errors = watchConsole(page);
  const studio = await openExplorer(page, "api-studio");
  await studio.getByTestId("explorer-search").pressSequentially("tag");
  const post = studio.getByTestId("explorer-hits").locator('[data-operation="createNewTag"]');
  await expect(post).toHaveAttribute("data-disabled", "true");
  await expect(post.getByTestId("operation-disabled")).toHaveText("GET only");
  await expect(studio.getByTestId("explorer-hits").locator('[data-operation="getTags"]')).toHaveAttribute(
    "data-disabled",
    "false",
  );
  await post.click();
  await expect(studio.getByTestId("explorer-execute")).toBeDisabled();
  await expect(studio.getByTestId("explorer-refusal")).toContainText("API Studio runs GET operations only");
  // Operations needing a scope API Studio lacks are marked.
  await studio.getByTestId("explorer-search").fill("");
  await studio.getByTestId("explorer-search").pressSequentially("invoices");
  await expect(
    studio.getByTestId("explorer-hits").locator('[data-operation="getInvoices"]').getByTestId("operation-missing-scope"),
  ).toHaveText("needs INVOICE_READ");
  await screenshot(page, "api-studio-explorer-writes-disabled");

  const universal = await openExplorer(page, "universal-webhook", "DARK");
  await openOperation(universal, "create tag", "createNewTag");
  const editor = universal.getByTestId("explorer-body");
  await editor.fill('{"name": ');
  await expect(universal.getByTestId("body-problems")).toContainText("body: is not valid JSON");
  await editor.fill('{"name": 7}');
  await expect(universal.getByTestId("body-problems")).toContainText("body.name: must be a string, not integer");
  await editor.fill('{"name": "Planned in the explorer"}');
  await expect(universal.getByTestId("body-problems")).toBeEmpty();
  await universal.getByTestId("explorer-execute").click();
  const dialog = universal.getByTestId("explorer-confirm");
  await expect(dialog).toBeVisible();
  await expect(universal.getByTestId("confirm-request")).toContainText(
    /^POST http:\/\/127\.0\.0\.1:\d+\/api\/v1\/workspaces\/[0-9a-f]{24}\/tags/,
  );
  await expect(universal.getByTestId("confirm-request")).toContainText('"name": "Planned in the explorer"');
  await screenshot(page, "universal-webhook-explorer-confirm-dark");
  // Cancelled: nothing is sent (other tests compare tag counts with the simulator's).
  await universal.getByTestId("confirm-cancel").click();
  await expect(dialog).toHaveCount(0);
  await expect(universal.getByTestId("explorer-response")).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("performance: search per keystroke and time to interactive", async ({ page }) => {
  const frame = await openExplorer(page, "api-studio");

  // Time to interactive: the explorer URL loaded straight into the frame.
  const iframe = page.locator("#addon-frame");
  const src = (await iframe.getAttribute("src")) ?? "";
  const explorerUrl = src.replace("/ui?", "/ui/explorer?");
  const readyTimes: number[] = [];
  for (let run = 0; run < 5; run++) {
    // The old document says "ready" until the new one replaces it: unmark it first, so the
    // wait below (and the time read after it) can only be the new document's.
    await frame.getByTestId("explorer").evaluate((element) => element.removeAttribute("data-explorer-ready"));
    await iframe.evaluate((element: HTMLIFrameElement, url: string) => {
      element.src = `${url}&run=${Date.now()}`;
    }, explorerUrl);
    await expect(frame.getByTestId("explorer")).toHaveAttribute("data-explorer-ready", "true");
    readyTimes.push(Number(await frame.getByTestId("explorer").getAttribute("data-ready-ms")));
  }

  // Search: real keystrokes, each search timed inside the page with performance.now().
  const search = frame.getByTestId("explorer-search");
  await search.evaluate(() => {
    (window as unknown as { __explorerSearchTimes: number[] }).__explorerSearchTimes = [];
  });
  const queries = [
    "tags",
    "time entries of a user",
    "project task estimate",
    "webhook logs",
    "invoice payment",
    "approval request status",
    "getUsersOfWorkspace",
    "custom field value",
    "holiday period",
    "expense category",
  ];
  let keystrokes = 0;
  for (const query of queries) {
    await search.fill("");
    await search.pressSequentially(query);
    keystrokes += query.length;
  }
  const searchTimes: number[] = await search.evaluate(
    () => (window as unknown as { __explorerSearchTimes: number[] }).__explorerSearchTimes,
  );
  expect(searchTimes.length).toBeGreaterThanOrEqual(keystrokes);

  // Input to rendered list: dispatch the input event, then wait for the next task (the
  // reactive update has run by then).
  const renderTimes: number[] = await search.evaluate(async (element: HTMLInputElement, queries: string[]) => {
    const nextTask = () =>
      new Promise<void>((resolve) => {
        const channel = new MessageChannel();
        channel.port1.onmessage = () => resolve();
        channel.port2.postMessage(0);
      });
    const times: number[] = [];
    for (const query of queries) {
      for (let length = 1; length <= query.length; length++) {
        element.value = query.slice(0, length);
        const started = performance.now();
        element.dispatchEvent(new Event("input", { bubbles: true }));
        await nextTask();
        times.push(performance.now() - started);
      }
    }
    return times;
  }, queries);
  await expect(frame.getByTestId("explorer-hits").locator("[data-operation]").first()).toBeVisible();

  const figures = {
    keystrokes: searchTimes.length,
    searchMedianMs: median(searchTimes),
    searchMaxMs: Math.max(...searchTimes),
    inputToRenderMedianMs: median(renderTimes),
    inputToRenderMaxMs: Math.max(...renderTimes),
    timeToInteractiveMedianMs: median(readyTimes),
    timeToInteractiveMaxMs: Math.max(...readyTimes),
  };
  console.log(
    `Explorer search over 166 operations, ${figures.keystrokes} keystrokes: ` +
      `median ${figures.searchMedianMs.toFixed(3)} ms, max ${figures.searchMaxMs.toFixed(3)} ms per search; ` +
      `input to rendered list: median ${figures.inputToRenderMedianMs.toFixed(1)} ms, ` +
      `max ${figures.inputToRenderMaxMs.toFixed(1)} ms`,
  );
  console.log(
    `Explorer time to interactive (navigation start to hydrated with the search index built), 5 loads: ` +
      `median ${figures.timeToInteractiveMedianMs.toFixed(0)} ms, max ${figures.timeToInteractiveMaxMs.toFixed(0)} ms`,
  );
  console.log(`EXPLORER_FIGURES ${JSON.stringify(figures)}`);
});
