// The `course` command: `npx course <command>` (or `npm run course -- <command>`) from the
// repository root.
import { requireNode } from "./node-version.ts";

requireNode();
// Loaded only once Node.js is known to be recent enough for it.
const { program } = await import("./program.ts");
await program.parseAsync();
