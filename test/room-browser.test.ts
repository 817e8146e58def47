import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ROOM_ROUTES, startRoom } from "@course/room";
import { checkBody } from "../room/test/helper.ts";
import { launchChromium } from "./swagger-ui.ts";

// The trainer's page in Chromium: results posted by two trainees appear in their cells within a
// second, without a reload, and a name written as HTML is shown as the text it is.

const ATTACK = "<img src=x onerror=alert(1)>";

test("the trainer's page shows each result live, and names as text", async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const dataDir = mkdtempSync(join(tmpdir(), "room-browser-"));
  t.after(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });
  const room = await startRoom({ port: 0, host: "127.0.0.1", dataDir, logLevel: "warn" });
  t.after(() => room.close());
  const base = `http://127.0.0.1:${String(room.port)}`;

  const post = async (path: string, body: object, token?: string) => {
    const response = await fetch(`${base}${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    assert.ok(response.ok, `${path}: ${String(response.status)} ${text}`);
    return text === "" ? undefined : (JSON.parse(text) as Record<string, string>);
  };
  const joinAs = async (name: string) => {
    const joined = await post(ROOM_ROUTES.join, { code: room.code, name });
    return { token: joined?.token ?? "", id: joined?.traineeId ?? "" };
  };

  const ada = await joinAs("Ada");
  const mallory = await joinAs(ATTACK);
  const page = await browser.newPage();
  const dialogs: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await page.goto(`${base}/?key=${encodeURIComponent(room.trainerKey)}`);
  await page.locator("#status", { hasText: "Live" }).waitFor({ timeout: 5000 });
  const cell = (trainee: string, exercise: number) =>
    page.locator(`tr[data-trainee="${trainee}"] td[data-exercise="${String(exercise)}"]`);
  assert.equal(await cell(ada.id, 1).getAttribute("data-status"), "not-started");

  // Each result changes its cell within a second of being acknowledged, with no reload.
  const steps: [typeof ada, number, string | undefined, string][] = [
    [ada, 1, "Node is installed from apk", "failing"],
    [mallory, 1, undefined, "passed"],
    [ada, 1, undefined, "passed"],
    [mallory, 2, "The image is smaller than exercise 1's", "failing"],
  ];
  const navigations: string[] = [];
  page.on("framenavigated", (frame) => navigations.push(frame.url()));
  for (const [who, exercise, failing, status] of steps) {
    const started = Date.now();
    await post(ROOM_ROUTES.reports, checkBody(exercise, failing), who.token);
    await page
      .locator(
        `tr[data-trainee="${who.id}"] td[data-exercise="${String(exercise)}"][data-status="${status}"]`,
      )
      .waitFor({ timeout: 1000 });
    const elapsed = Date.now() - started;
    assert.ok(elapsed <= 1000, `${status} after ${String(elapsed)} ms`);
    if (failing !== undefined)
      assert.match(await cell(who.id, exercise).innerText(), new RegExp(failing));
  }
  assert.deepEqual(navigations, [], "no reload");

  // The name is text in its cell; nothing in the page was made from it.
  const nameCell = page.locator(`tr[data-trainee="${mallory.id}"] td.name`);
  assert.equal(await nameCell.textContent(), ATTACK);
  assert.equal(await page.locator("#grid img").count(), 0);
  assert.deepEqual(dialogs, []);
  assert.deepEqual(violations, [], "the page itself needs nothing the policy forbids");
  await page.close();
});
