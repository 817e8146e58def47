import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { chromium, type Browser } from "playwright-core";

// A real browser (Debian's Chromium) on a service's /docs: every route of /docs/json is listed,
// and "Try it out" on the service's list route answers 200 with seed data in the page.
// Screenshots land in test-results/ for a person to look at.

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const results = join(import.meta.dirname, "../test-results");

export interface DocsRoute {
  name: string;
  url: string;
  path: string;
  params: Record<string, string>;
  expect: string;
}

/** The list route of each service, its seed parameters and a value its answer must show. */
export function listRoutes(urls: {
  company: string;
  department: string;
  employee: string;
}): DocsRoute[] {
  return [
    {
      name: "company",
      url: urls.company,
      path: "/companies",
      params: {},
      expect: "Northwind Traders",
    },
    {
      name: "department",
      url: urls.department,
      path: "/companies/{companyId}/departments",
      params: { companyId: "northwind" },
      expect: "Logistics",
    },
    {
      name: "employee",
      url: urls.employee,
      path: "/companies/{companyId}/departments/{departmentId}/employees",
      params: { companyId: "northwind", departmentId: "northwind-it" },
      expect: "Site Reliability Engineer",
    },
  ];
}

/** Launches Chromium, or skips (fails in CI, COURSE_REQUIRE_DOCKER=1) when it is not installed. */
export async function launchChromium(t: TestContext): Promise<Browser | undefined> {
  if (!existsSync(CHROMIUM)) {
    if (process.env.COURSE_REQUIRE_DOCKER === "1") assert.fail(`no Chromium at ${CHROMIUM}`);
    t.skip(`no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
    return undefined;
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    // Without the background-networking flags Chromium keeps calling hosts this network refuses.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  t.after(() => browser.close());
  mkdirSync(results, { recursive: true });
  return browser;
}

export async function checkDocsPage(browser: Browser, route: DocsRoute, screenshot: string) {
  const spec = (await (await fetch(`${route.url}/docs/json`)).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  const page = await browser.newPage();
  try {
    await page.goto(`${route.url}/docs`);
    await page.locator(".opblock").first().waitFor();

    const listed: string[] = [];
    for (const block of await page.locator(".opblock").all()) {
      const method = await block.locator(".opblock-summary-method").textContent();
      const path = await block.locator(".opblock-summary-path").getAttribute("data-path");
      listed.push(`${(method ?? "").toLowerCase()} ${path ?? ""}`);
    }
    for (const [path, methods] of Object.entries(spec.paths)) {
      for (const method of Object.keys(methods)) {
        assert.ok(listed.includes(`${method} ${path}`), `${method} ${path} listed`);
      }
    }

    const block = page.locator(
      `.opblock-get:has(.opblock-summary-path[data-path="${route.path}"])`,
    );
    await block.locator(".opblock-summary").click();
    await block.getByRole("button", { name: "Try it out" }).click();
    for (const [param, value] of Object.entries(route.params)) {
      await block.locator(`input[placeholder="${param}"]`).fill(value);
    }
    await block.getByRole("button", { name: "Execute" }).click();
    const status = block.locator(".live-responses-table .response .response-col_status").first();
    await status.waitFor();
    assert.equal((await status.textContent())?.trim(), "200");
    const shown = await block
      .locator(".live-responses-table .response .microlight")
      .first()
      .textContent();
    assert.match(shown ?? "", new RegExp(route.expect), "the response body shows seed data");
    await page.screenshot({ path: join(results, screenshot), fullPage: true });
  } finally {
    await page.close();
  }
}
