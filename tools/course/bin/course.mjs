#!/usr/bin/env node
// `npx course …` inside the repository: the TypeScript sources run through tsx, as with
// `npm run course -- …`. The version check comes first, before tsx loads (src/node-version.ts).
if (Number(process.versions.node.split(".")[0]) < 22) {
  console.error(
    `course needs Node.js 22 or newer (24 recommended: .nvmrc); this is ${process.version}.`,
  );
  process.exit(2);
}
const { register } = await import("tsx/esm/api");
register();
await import("../src/main.ts");
