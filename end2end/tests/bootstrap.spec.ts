import { readFile } from "node:fs/promises";

import { expect, test } from "@playwright/test";

import { openAddon, screenshot, SIM_URL, watchConsole } from "./helpers";

/** The simulator's workspace: its entities and their counts. */
async function simWorkspace(request: import("@playwright/test").APIRequestContext) {
  const response = await request.get(`${SIM_URL}/sim/workspace`);
  expect(response.ok()).toBeTruthy();
  return response.json();
}

// Our kind → the simulator's count key, for the resources both add-ons pull by default.
const BASIC_KINDS: Record<string, string> = {
  users: "users",
  projects: "projects",
  clients: "clients",
  tags: "tags",
  custom_fields: "customFields",
};

for (const addon of ["api-studio", "universal-webhook"]) {
  test(`${addon}: the Overview shows the data pull reach 100% with the simulator's counts`, async ({ page, request }) => {
    const errors = watchConsole(page);
    const workspace = await simWorkspace(request);
    const frame = await openAddon(page, addon);
    const overall = frame.getByTestId("bootstrap-overall");
    await expect(overall).toHaveAttribute("data-percent", "100", { timeout: 30_000 });
    await expect(frame.getByTestId("bootstrap-status")).toHaveAttribute("data-status", "done");
    for (const [kind, key] of Object.entries(BASIC_KINDS)) {
      const row = frame.locator(`[data-resource="${kind}"]`);
      await expect(row).toHaveAttribute("data-stored", String(workspace.counts[key]));
      await expect(row.locator('[role="progressbar"]')).toHaveAttribute("aria-valuenow", "100");
    }
    await expect(frame.getByTestId("bootstrap-429")).toHaveText("0");
    await expect(frame.getByTestId("bootstrap-errors")).toHaveText("0");
    await screenshot(page, `${addon}-overview-bootstrap`);

    // Run it again: it starts over and finishes with the same counts.
    await frame.getByTestId("bootstrap-restart").click();
    await expect(overall).toHaveAttribute("data-percent", "100", { timeout: 30_000 });
    await expect(frame.getByTestId("bootstrap-status")).toHaveAttribute("data-status", "done");
    await expect(frame.locator('[data-resource="projects"]')).toHaveAttribute(
      "data-stored",
      String(workspace.counts.projects),
    );
    expect(errors).toEqual([]);
  });
}

test("the Data page finds a project by name and shows its JSON", async ({ page, request }) => {
  const errors = watchConsole(page);
  const workspace = await simWorkspace(request);
  const project = workspace.projects[3];
  const frame = await openAddon(page, "universal-webhook");
  await expect(frame.getByTestId("bootstrap-overall")).toHaveAttribute("data-percent", "100", { timeout: 30_000 });
  await frame.locator('[data-nav="Data"]').click();
  await frame.locator('[data-kind="projects"]').click();
  await expect(frame.locator('[data-kind="projects"]')).toHaveAttribute("aria-pressed", "true");
  await expect(frame.getByTestId("data-total")).toHaveText(`${workspace.counts.projects} match(es)`);
  await frame.getByTestId("data-search").fill(project.name);
  await expect(frame.getByTestId("data-total")).toHaveText(/^[1-9]\d* match\(es\)$/);
  const row = frame.getByTestId("entity-row").filter({ hasText: project.id });
  await expect(row).toHaveCount(1);
  await row.locator("summary").click();
  await expect(row.locator("pre")).toContainText(`"id": "${project.id}"`);
  await screenshot(page, "universal-webhook-data");

  // A search that matches nothing says so; clearing it pages through everything again.
  await frame.getByTestId("data-search").fill("no project is called this");
  await expect(frame.getByTestId("data-total")).toHaveText("0 match(es)");
  await frame.getByTestId("data-search").fill("");
  await frame.locator('[data-kind="users"]').click();
  await expect(frame.getByTestId("data-total")).toHaveText(`${workspace.counts.users} match(es)`);
  // One page of users: both pager buttons are there and disabled.
  await expect(frame.getByTestId("data-page")).toHaveText("Page 1 of 1");
  await expect(frame.getByTestId("data-previous")).toBeDisabled();
  await expect(frame.getByTestId("data-next")).toHaveText("Next");
  await expect(frame.getByTestId("data-next")).toBeDisabled();

  // The kind shown exports as CSV: a header, then one row an entity.
  const csvDownload = page.waitForEvent("download");
  await frame.getByTestId("data-export-csv").click();
  const csvFile = await csvDownload;
  expect(csvFile.suggestedFilename()).toMatch(/^users-\d{8}-\d{4}\.csv$/);
  const csvLines = (await readFile(await csvFile.path(), "utf8")).replace(/^\uFEFF/, "").trimEnd().split("\r\n");
  expect(csvLines.length).toBe(workspace.counts.users + 1);
  expect(csvLines[0].split(",")).toEqual(expect.arrayContaining(["id", "name", "email"]));
  await expect(frame.getByTestId("data-export-result")).toHaveText(
    `Exported ${workspace.counts.users} to ${csvFile.suggestedFilename()}`,
  );

  // And as JSON, with the search applied: the objects as Clockify sent them.
  await frame.locator('[data-kind="projects"]').click();
  await frame.getByTestId("data-search").fill(project.name);
  await expect(frame.getByTestId("entity-row").filter({ hasText: project.id })).toHaveCount(1);
  const jsonDownload = page.waitForEvent("download");
  await frame.getByTestId("data-export-json").click();
  const jsonFile = await jsonDownload;
  expect(jsonFile.suggestedFilename()).toMatch(/^projects-\d{8}-\d{4}\.json$/);
  const projects = JSON.parse(await readFile(await jsonFile.path(), "utf8")) as { id: string; name: string }[];
  expect(projects.map((found) => found.id)).toContain(project.id);
  for (const found of projects) {
    expect(found.name.toLowerCase()).toContain(project.name.toLowerCase());
  }
  await screenshot(page, "universal-webhook-data-exported");
  expect(errors).toEqual([]);
});
