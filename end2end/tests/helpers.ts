import { expect, FrameLocator, Page } from "@playwright/test";

export const SIM_URL = process.env.SIM_URL ?? "http://127.0.0.1:4000";
export const ADDON_URL = process.env.ADDON_URL ?? "http://127.0.0.1:3000";

/** Collects console errors and failed page errors, to assert a clean page at the end. */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  return errors;
}

/** Opens the simulated workspace and clicks the add-on's sidebar entry; returns its iframe. */
export async function openAddon(page: Page, addon: string, theme = "DEFAULT"): Promise<FrameLocator> {
  await page.goto(`/workspace?theme=${theme}`);
  await page.locator(`[data-addon-link="${addon}"]`).click();
  const frame = page.frameLocator("#addon-frame");
  await expect(frame.locator('[data-hydrated="true"]')).toBeVisible();
  return frame;
}

/** Saves a screenshot of the whole simulated Clockify page under test-results/screenshots. */
export async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
}
