import { test } from "node:test";
import { startCosmos, testEnv } from "@course/testing";
import { serveAll } from "./services.ts";
import { checkDocsPage, launchChromium, listRoutes } from "./swagger-ui.ts";

// Swagger UI in Chromium against the services run from source; test/containers/compose.test.ts
// does the same against the containers, where the UI's files come from the bundle.

test("Swagger UI in Chromium, services from source", async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const cosmos = await startCosmos(t);
  const urls = await serveAll(t, testEnv(cosmos.endpoint));
  for (const route of listRoutes(urls)) {
    await t.test(route.name, () => checkDocsPage(browser, route, `docs-${route.name}-source.png`));
  }
});
