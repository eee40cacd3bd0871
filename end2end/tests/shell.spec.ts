import { expect, test } from "@playwright/test";

import { ADDON_URL, openAddon, screenshot, SIM_URL, watchConsole } from "./helpers";

const ADDONS = [
  { key: "api-studio", name: "API Studio", events: "12 events" },
  { key: "universal-webhook", name: "Universal Webhook", events: "51 events" },
];

for (const addon of ADDONS) {
  test(`${addon.name}: the admin opens it from the sidebar and sees the installation`, async ({ page }) => {
    const errors = watchConsole(page);
    const frame = await openAddon(page, addon.key);
    await expect(frame.getByTestId("addon-name")).toHaveText(addon.name);
    await expect(frame.getByTestId("workspace-name")).toHaveText("Demo Workspace");
    await expect(frame.getByTestId("installation-status")).toHaveText("ACTIVE");
    await expect(frame.getByTestId("installed-by")).toHaveText("Ada Admin");
    await expect(frame.getByTestId("workspace-plan")).toHaveText("ENTERPRISE");
    await expect(frame.getByTestId("api-region")).toContainText("127.0.0.1");
    await screenshot(page, `${addon.key}-overview`);

    // Client-side navigation through every section, as an admin would click it.
    await frame.locator('[data-nav="Webhooks"]').click();
    await frame.locator('[data-tab="Subscriptions"]').click();
    await expect(frame.getByTestId("subscription-summary")).toContainText(addon.events);
    await screenshot(page, `${addon.key}-webhooks`);
    await frame.locator('[data-nav="Settings"]').click();
    await expect(frame.locator("[data-setting]").first()).toBeVisible();
    await screenshot(page, `${addon.key}-settings`);
    await frame.locator('[data-nav="Flows"]').click();
    await expect(frame.getByTestId("new-flow")).toBeVisible();
    await frame.locator('[data-nav="Explorer"]').click();
    await expect(frame.getByTestId("explorer-search")).toBeVisible();
    await frame.locator('[data-nav="Overview"]').click();
    await expect(frame.getByTestId("workspace-name")).toHaveText("Demo Workspace");
    expect(errors).toEqual([]);
  });
}

test("the settings page lists every setting with its source", async ({ page }) => {
  const frame = await openAddon(page, "universal-webhook");
  await frame.locator('[data-nav="Settings"]').click();
  await expect(frame.locator("[data-setting]")).toHaveCount(14);
  // settings.spec.ts saves other settings (after which Clockify reports every value, so the
  // source becomes "workspace"); this one keeps its value. Precedence itself is an integration test.
  const lookBack = frame.locator('[data-setting="bootstrap_time_entry_lookback_days"]');
  await expect(lookBack.getByTestId("setting-input")).toHaveValue("30");
  await expect(lookBack.getByTestId("setting-source")).toHaveText(/^(default|workspace)$/);
});

test("the dark theme from the token renders dark", async ({ page }) => {
  await openAddon(page, "api-studio");
  await page.locator("#theme-toggle").click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "DARK");
  const darkFrame = page.frameLocator("#addon-frame");
  await expect(darkFrame.locator('[data-theme="dark"]')).toBeVisible();
  await expect(darkFrame.locator('[data-hydrated="true"]')).toBeVisible();
  const background = await darkFrame
    .locator('[data-theme="dark"] > div')
    .evaluate((element) => getComputedStyle(element).backgroundColor);
  expect(background).toBe("rgb(30, 42, 51)");
  await expect(darkFrame.getByTestId("workspace-name")).toHaveText("Demo Workspace");
  await screenshot(page, "api-studio-dark");
});

test("a tampered token shows the error page", async ({ page, request }) => {
  await openAddon(page, "api-studio");
  const { token } = await (await request.get(`${SIM_URL}/sim/token?addon=api-studio&theme=DEFAULT&role=OWNER`)).json();
  // Change one character inside the signature: still well-formed, no longer Clockify's.
  const at = token.length - 10;
  const tampered = token.slice(0, at) + (token[at] === "A" ? "B" : "A") + token.slice(at + 1);
  await page.locator("#addon-frame").evaluate((frame: HTMLIFrameElement, src) => {
    frame.src = src;
  }, `${ADDON_URL}/api-studio/ui?auth_token=${tampered}`);
  const frame = page.frameLocator("#addon-frame");
  await expect(frame.getByTestId("error-panel")).toContainText("could not be opened");
  await expect(frame.getByTestId("error-panel")).toContainText("signature");
  await expect(frame.getByTestId("workspace-name")).toHaveCount(0);
  await screenshot(page, "api-studio-tampered-token");
});
