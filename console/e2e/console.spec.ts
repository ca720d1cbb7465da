import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// The console end to end, in a real browser, against a real gateway and runtime (ConsoleIT):
// what an administrator and an operator do, each refusal in the runtime's words, and no critical
// accessibility violation at 1280×800 and 1920×1080.

const shots = process.env.SCREENSHOTS ?? fileURLToPath(new URL("../target/e2e/screenshots", import.meta.url));
mkdirSync(shots, { recursive: true });
const run = Date.now().toString(36);
const key = process.env.LOOPLINE_API_KEY ?? "";

test.describe.configure({ mode: "serial" });

// the page's own errors, in the test's output
test.beforeEach(({ page }) => {
  page.on("pageerror", (error) => console.log(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") console.log(`browser console: ${message.text()}`);
  });
});

const orders = {
  id: `orders-${run}`,
  name: "Orders",
  trigger: { entityType: "order", messageName: "Created" },
  steps: [{ name: "confirm", kind: "send-message", messageName: "Confirm" }],
};
const parcels = {
  id: `parcels-${run}`,
  name: "Parcels",
  trigger: { entityType: "parcel", messageName: "Created" },
  steps: [
    {
      name: "delivered",
      kind: "wait-for-event",
      event: { entityType: "parcel", messageName: "Delivered", key: "trigger.entityId" },
    },
  ],
};

async function api(page: Page, method: string, path: string, body?: unknown) {
  const response = await page.request.fetch(path, {
    method,
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
    data: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(response.status(), `${method} ${path}: ${await response.text()}`).toBeLessThan(300);
  return response.json();
}

async function publish(page: Page, eventId: string, entityType: string) {
  await api(page, "POST", "/v1/events", {
    eventId,
    source: "e2e",
    entityType,
    entityId: eventId,
    messageName: "Created",
  });
}

async function noCriticalViolations(page: Page, view: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const critical = results.violations.filter((v) => v.impact === "critical");
  expect(critical.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`), `axe-core on ${view}`).toEqual([]);
}

/** Puts a document into the CodeMirror editor, as pasted (no auto-closed brackets). */
async function type(page: Page, text: string) {
  const content = page.locator(".cm-content");
  await content.click();
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText(text);
}

test("deploy and activate a definition, with schema errors shown where they are", async ({ page }) => {
  await page.goto("/console/#/deploy");
  await expect(page.locator(".cm-content")).toBeVisible();

  // a step kind the schema does not know: marked in the editor before anything is sent
  await type(page, JSON.stringify({ ...orders, steps: [{ name: "confirm", kind: "sned-message" }] }, null, 2));
  await expect(page.locator(".cm-lintRange-error").first()).toBeVisible();
  await expect(page.locator(".cm-lint-marker-error").first()).toBeVisible();

  // the language's newer elements too: a parallel step's join, an approval's policy
  const branches = [
    { name: "a", steps: [{ name: "a1", kind: "log", entry: "'a'" }] },
    { name: "b", steps: [{ name: "b1", kind: "log", entry: "'b'" }] },
  ];
  await type(page, JSON.stringify({ ...orders, steps: [{ name: "fan", kind: "parallel", join: "most", branches }] }, null, 2));
  await expect(page.locator(".cm-lintRange-error").first()).toBeVisible();
  await type(
    page,
    JSON.stringify(
      { ...orders, steps: [{ name: "fan", kind: "parallel", join: "any", branches }, { name: "ok", kind: "approval", queue: "finance" }] },
      null,
      2,
    ),
  );
  await expect(page.locator(".cm-lintRange-error")).toHaveCount(0);

  await type(page, JSON.stringify(orders, null, 2));
  await expect(page.locator(".cm-lintRange-error")).toHaveCount(0);
  await page.getByRole("button", { name: "Deploy" }).click();

  await expect(page).toHaveURL(new RegExp(`#/definitions/${orders.id}$`));
  await expect(page.locator("dl.facts")).toContainText("ACTIVE");
  await page.screenshot({ path: join(shots, "definition.png"), fullPage: true });
  await noCriticalViolations(page, "definition");
  await page.goto("/console/#/deploy");
  await expect(page.locator(".cm-content")).toBeVisible();
  await noCriticalViolations(page, "deploy");
});

test("publish an event through the CLI and watch its instance complete", async ({ page }) => {
  const cli = process.env.LOOPLINE_CLI;
  expect(cli, "LOOPLINE_CLI: the loopline launcher").toBeTruthy();
  const eventId = `order-${run}`;
  const published = execFileSync(cli!, ["events", "publish"], {
    input: JSON.stringify({ eventId, source: "cli", entityType: "order", entityId: eventId, messageName: "Created" }),
    env: { ...process.env, LOOPLINE_GATEWAY: process.env.GATEWAY_URL, LOOPLINE_API_KEY: key },
  }).toString();
  expect(published).toContain("accepted");

  await page.goto(`/console/#/instances?entityId=${eventId}`);
  await page.getByLabel("Live updates").check();
  const row = page.getByRole("table", { name: "Instances" }).getByRole("link").first();
  await expect(row).toBeVisible();
  await row.click();
  await expect(page.locator("dl.facts")).toContainText("COMPLETED · 30 Succeeded");
  await expect(page.locator("ol.timeline")).toContainText("all steps completed");
  await page.screenshot({ path: join(shots, "instance.png"), fullPage: true });
  await noCriticalViolations(page, "instance");
});

test("cancel a waiting instance, and see a refused action's reason", async ({ page }) => {
  await api(page, "POST", "/v1/definitions", parcels);
  await api(page, "POST", `/v1/definitions/${parcels.id}/activate`);
  const eventId = `parcel-${run}`;
  await page.goto(`/console/#/instances?entityId=${eventId}&statusCode=10`);
  await page.getByLabel("Live updates").check();
  // published again (the same event id starts one instance) until the runtime has the activation
  await expect(async () => {
    await publish(page, eventId, "parcel");
    await expect(page.getByRole("table", { name: "Instances" }).getByRole("link")).toHaveCount(1, { timeout: 5000 });
  }).toPass({ timeout: 60_000 });
  await page.getByRole("table", { name: "Instances" }).getByRole("link").first().click();
  await expect(page.locator("dl.facts")).toContainText("SUSPENDED · 10 Waiting");
  await expect(page.locator("dl.facts")).toContainText("event:Delivered");

  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page.locator("dl.facts")).toContainText("COMPLETED · 32 Canceled");

  // the rules forbid resuming a completed instance: the runtime says why
  await page.getByRole("button", { name: "Resume" }).click();
  const alert = page.getByRole("alert");
  await expect(alert).toContainText("409");
  await expect(alert).toContainText("resume");
  await page.screenshot({ path: join(shots, "refused.png"), fullPage: true });
});

test("bulk-cancel by filter, after a confirmation that says how many match", async ({ page }) => {
  for (let i = 0; i < 3; i++) await publish(page, `bulk-${run}-${i}`, "parcel");
  await page.goto(`/console/#/instances?definitionId=${parcels.id}&statusCode=10`);
  // the list follows the query side as the instances start
  await page.getByLabel("Live updates").check();
  await expect(page.getByRole("table", { name: "Instances" }).getByRole("link")).toHaveCount(3);
  await page.getByRole("button", { name: "Cancel matching…" }).click();
  const confirm = page.getByRole("alertdialog");
  await expect(confirm).toContainText("Cancel 3 matching instances?");
  await page.screenshot({ path: join(shots, "bulk-confirm.png"), fullPage: true });
  await confirm.getByRole("button", { name: "Confirm cancel" }).click();
  await expect(page.locator(".operation")).toContainText("SUCCEEDED");
  await expect(page.locator(".operation")).toContainText("3 done");
});

for (const viewport of [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
]) {
  test(`every view at ${viewport.width}×${viewport.height}, without critical accessibility violations`, async ({ page }) => {
    await page.setViewportSize(viewport);
    for (const [view, path, ready] of [
      ["dashboard", "/console/#/", "Instances by definition"],
      ["instances", `/console/#/instances?definitionId=${parcels.id}`, "Act on every match"],
      ["definitions", "/console/#/definitions", orders.id],
      ["dead-letters", "/console/#/dead-letters", "Dead letters"],
    ] as const) {
      await page.goto(path);
      await expect(page.locator("main")).toContainText(ready);
      await noCriticalViolations(page, view);
      await page.screenshot({ path: join(shots, `${view}-${viewport.width}.png`), fullPage: true });
    }
  });
}
