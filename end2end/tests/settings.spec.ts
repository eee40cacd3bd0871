import { expect, test } from "@playwright/test";

import { openAddon, screenshot } from "./helpers";

// These tests change the workspace's settings; other files only read settings they leave alone.

test("a setting changed in our page is saved in Clockify and shown on Clockify's settings screen", async ({ page }) => {
  const frame = await openAddon(page, "universal-webhook");
  await frame.locator('[data-nav="Settings"]').click();
  const retention = frame.locator('[data-setting="webhook_log_retention_days"]');
  await retention.getByTestId("setting-input").fill("30");
  await frame.locator("#save-settings").click();
  await expect(frame.getByTestId("save-outcome")).toHaveText("Saved 1 setting(s) in Clockify.");
  await expect(retention.getByTestId("setting-source")).toHaveText("workspace");
  await expect(retention.getByTestId("setting-input")).toHaveValue("30");
  await screenshot(page, "universal-webhook-settings-saved");

  // In effect without a restart: the webhook log now keeps events for 30 days.
  await frame.locator('[data-nav="Webhooks"]').click();
  await expect(frame.getByTestId("retention-notice")).toHaveAttribute("data-days", "30");
  await expect(frame.getByTestId("retention-notice")).toContainText("kept for 30 days");

  await page.goto("/workspace/settings?addon=universal-webhook");
  await expect(page.locator('#addon-settings [name="webhook_log_retention_days"]')).toHaveValue("30");
});

test("a setting changed on Clockify's settings screen shows in our page", async ({ page }) => {
  await page.goto("/workspace/settings?addon=universal-webhook");
  await page.locator('#addon-settings [name="dedupe_window_hours"]').fill("48");
  await page.locator("#save-settings").click();
  await expect(page.locator("#settings-notice")).toContainText("Saved");
  const frame = await openAddon(page, "universal-webhook");
  await frame.locator('[data-nav="Settings"]').click();
  const window = frame.locator('[data-setting="dedupe_window_hours"]');
  await expect(window.getByTestId("setting-input")).toHaveValue("48");
  await expect(window.getByTestId("setting-source")).toHaveText("workspace");
});

test("an invalid value is caught in the browser before anything is sent", async ({ page }) => {
  const frame = await openAddon(page, "api-studio");
  await frame.locator('[data-nav="Settings"]').click();
  const rate = frame.locator('[data-setting="bootstrap_max_rps"]');
  await rate.getByTestId("setting-input").fill("500");
  await expect(rate.getByTestId("setting-error")).toHaveText("Bootstrap requests per second must be between 1 and 50");
  await expect(frame.locator("#save-settings")).toBeDisabled();
  await rate.getByTestId("setting-input").fill("20");
  await expect(rate.getByTestId("setting-error")).toHaveText("");
  await expect(frame.locator("#save-settings")).toBeEnabled();
  await screenshot(page, "api-studio-settings-validation");
});

test("the failure alert and HTTP allowlist are checked in the browser with the server's rules", async ({ page }) => {
  const frame = await openAddon(page, "universal-webhook");
  await frame.locator('[data-nav="Settings"]').click();
  const alert = frame.locator('[data-setting="failure_alert"]');
  await expect(alert.getByTestId("setting-input")).toHaveValue("toast");
  await alert.getByTestId("setting-input").fill("pager");
  await expect(alert.getByTestId("setting-error")).toHaveText(
    'Failure alert: "pager" is neither toast, off nor an http(s) URL',
  );
  await expect(frame.locator("#save-settings")).toBeDisabled();
  await alert.getByTestId("setting-input").fill("toast, https://hooks.example.com/failures");
  await expect(alert.getByTestId("setting-error")).toHaveText("");

  const allowlist = frame.locator('[data-setting="http_allowlist"]');
  await allowlist.getByTestId("setting-input").fill("https://api.example.com/v1");
  await expect(allowlist.getByTestId("setting-error")).toHaveText(
    'HTTP allowlist: "https://api.example.com/v1" is not a host name (write api.example.com)',
  );
  await expect(frame.locator("#save-settings")).toBeDisabled();
  await screenshot(page, "universal-webhook-settings-operations");
});
