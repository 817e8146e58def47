import { Listr, type ListrTask } from "listr2";

// Live progress for the long steps (builds, pulls, compose), the same way in every command:
// a spinner and the last lines of output in a terminal, plain lines in CI logs, nothing with
// --json. Ctrl-C is handled by cleanup.ts, not by listr2, so that containers are removed first.

export function runTasks<Ctx extends object>(
  tasks: ListrTask<Ctx>[],
  ctx: Ctx,
  options: { quiet: boolean },
): Promise<Ctx> {
  const common = { ctx, exitOnError: false, registerSignalListeners: false };
  const listr = options.quiet
    ? new Listr<Ctx, "silent", "silent">(tasks, { ...common, renderer: "silent" })
    : new Listr<Ctx>(tasks, {
        ...common,
        fallbackRenderer: "simple",
        // A terminal that reports no width (some CI consoles) gets plain lines, not a spinner.
        fallbackRendererCondition: () => !process.stdout.isTTY || !process.stdout.columns,
        rendererOptions: { collapseErrors: false },
      });
  return listr.run();
}

export const outputLines = (lines: number) => ({ rendererOptions: { outputBar: lines } });
