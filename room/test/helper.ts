import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import type { TestContext } from "node:test";
import { buildRoomApp, openRoomStore, type RoomAppOptions } from "../src/index.ts";
import type { CheckReport, ReportBody } from "../src/contract.ts";

// One room per test, on a fresh data folder, closed and removed when the test ends.

export const CODE = "ROOM42";
export const KEY = "trainer-key-for-tests";

export function tempDir(t: TestContext) {
  const dir = mkdtempSync(joinPath(tmpdir(), "room-test-"));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

export async function build(
  t: TestContext,
  options: Partial<RoomAppOptions> & { dataDir?: string } = {},
) {
  const dataDir = options.dataDir ?? tempDir(t);
  const { app, hub } = buildRoomApp({
    store: openRoomStore(dataDir),
    code: CODE,
    trainerKey: KEY,
    logStream: { write: () => true },
    ...options,
  });
  t.after(() => app.close());
  await app.ready();
  return { app, hub, dataDir };
}

type App = Awaited<ReturnType<typeof build>>["app"];

export async function join(app: App, name: string) {
  const response = await app.inject({
    method: "POST",
    url: "/api/join",
    payload: { code: CODE, name },
  });
  if (response.statusCode !== 201)
    throw new Error(`join answered ${String(response.statusCode)}: ${response.body}`);
  return response.json<{ token: string; traineeId: string }>();
}

export function checkReport(exercise: number, failing?: string): CheckReport {
  return {
    exercise,
    title: `Exercise ${String(exercise)}`,
    passed: failing === undefined,
    checks: [
      { id: "build", title: "The image builds", passed: true, found: "built", expected: "builds" },
      ...(failing === undefined
        ? []
        : [
            {
              id: failing,
              title: `Check ${failing}`,
              passed: false,
              found: "no",
              expected: "yes",
              hint: `Fix ${failing}`,
            },
          ]),
    ],
  };
}

export const checkBody = (
  exercise: number,
  failing?: string,
  at = new Date().toISOString(),
): ReportBody => ({
  kind: "check",
  id: randomUUID(),
  at,
  report: checkReport(exercise, failing),
});

export const report = (app: App, token: string, body: unknown) =>
  app.inject({
    method: "POST",
    url: "/api/reports",
    headers: { authorization: `Bearer ${token}` },
    payload: body as object,
  });

export const asTrainer = { authorization: `Bearer ${KEY}` };
