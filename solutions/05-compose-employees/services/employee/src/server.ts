import { listen, loadConfigOrExit } from "@course/service-kit";
import { buildApp, configSpec } from "./app.ts";

const config = loadConfigOrExit(configSpec);
listen(buildApp(config), config).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
