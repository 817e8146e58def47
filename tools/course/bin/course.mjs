#!/usr/bin/env node
// `npx course …` inside the repository: the TypeScript sources run through tsx, as with
// `npm run course -- …`.
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
