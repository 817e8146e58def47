import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { chromium, type Browser } from "playwright-core";
import * as company from "../services/company/src/app.ts";
import * as department from "../services/department/src/app.ts";
import * as employee from "../solutions/05-compose-employees/services/employee/src/app.ts";
import { serve, startCosmos, testEnv } from "./helper.ts";

// A real browser on each service's /docs: every route is listed, and "Try it out" on the first
// GET answers 200 in the page. Screenshots land in test-results/ for a person to look at.

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const results = join(import.meta.dirname, "../test-results");

test("Swagger UI in Chromium", async (t) => {
  if (!existsSync(CHROMIUM)) {
    if (process.env.COURSE_REQUIRE_DOCKER === "1") assert.fail(`no Chromium at ${CHROMIUM}`);
    t.skip(`no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
    return;
  }
  const cosmos = await startCosmos(t);
  const env = testEnv(cosmos.endpoint);
  const companyUrl = await serve(t, company.buildApp, company.configSpec, env);
  const departmentUrl = await serve(t, department.buildApp, department.configSpec, {
    ...env,
    COMPANY_SERVICE_URL: companyUrl,
  });
  const employeeUrl = await serve(t, employee.buildApp, employee.configSpec, {
    ...env,
    DEPARTMENT_SERVICE_URL: departmentUrl,
  });

  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
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

  const routes: {
    name: string;
    url: string;
    path: string;
    params: Record<string, string>;
    expect: string;
  }[] = [
    {
      name: "company",
      url: companyUrl,
      path: "/companies",
      params: {},
      expect: "Northwind Traders",
    },
    {
      name: "department",
      url: departmentUrl,
      path: "/companies/{companyId}/departments",
      params: { companyId: "northwind" },
      expect: "Logistics",
    },
    {
      name: "employee",
      url: employeeUrl,
      path: "/companies/{companyId}/departments/{departmentId}/employees",
      params: { companyId: "northwind", departmentId: "northwind-it" },
      expect: "Site Reliability Engineer",
    },
  ];
  for (const route of routes) {
    const { name, url } = route;
    await t.test(name, async () => {
      const spec = (await (await fetch(`${url}/docs/json`)).json()) as {
        paths: Record<string, Record<string, unknown>>;
      };
      const page = await browser.newPage();
      await page.goto(`${url}/docs`);
      await page.locator(".opblock").first().waitFor();

      const listed: string[] = [];
      for (const block of await page.locator(".opblock").all()) {
        const method = await block.locator(".opblock-summary-method").textContent();
        const path = await block.locator(".opblock-summary-path").getAttribute("data-path");
        listed.push(`${(method ?? "").toLowerCase()} ${path ?? ""}`);
      }
      for (const [path, methods] of Object.entries(spec.paths)) {
        for (const method of Object.keys(methods))
          assert.ok(listed.includes(`${method} ${path}`), `${method} ${path} listed`);
      }

      // "Try it out" on the service's list route, with seed ids typed into the form.
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
      await page.screenshot({ path: join(results, `docs-${name}.png`), fullPage: true });
      await page.close();
    });
  }
});
