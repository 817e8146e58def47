// The `course` command: `npx course <command>` (or `npm run course -- <command>`) from the
// repository root.
import "./node-version.ts";
import { program } from "./program.ts";

await program.parseAsync();
