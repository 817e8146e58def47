import assert from "node:assert/strict";
import { test } from "node:test";
import { type LayerFacts, leftoversShipped, npmShipped } from "../src/facts/layers.ts";
import { apkIndexAdvice, everyLayer, rewriteAdvice } from "../src/rules/layers.ts";

// The words the layers are judged with: a found line that names the instruction and the bytes,
// a hint about why deleting later does not help, and advice that costs are not verdicts.

const layer = (createdBy: string, holds: LayerFacts["holds"] = [], deletes: string[] = []) => ({
  createdBy,
  bytes: holds.reduce((sum, [, b]) => sum + b, 0),
  holds,
  deletes,
});

const BASE_WITH_NPM = layer("COPY npm/ /usr/local/lib/node_modules/npm/", [
  ["/usr/local/lib/node_modules/npm", 12_300_000, 1944],
]);
const RM_NPM = layer(
  "RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/bin/npm",
  [],
  ["/usr/local/lib/node_modules/npm"],
);
const passed = { passed: true, found: "no npm", expected: "none", hint: "" };

test("npm deleted by a later layer fails: which layer wrote it, which hid it, the bytes", () => {
  const verdict = everyLayer(passed, npmShipped([BASE_WITH_NPM, layer("WORKDIR /app"), RM_NPM]));
  assert.equal(verdict.passed, false);
  assert.equal(
    verdict.found,
    "still in the image's layers: `COPY npm/ /usr/local/lib/node_modules/npm/` wrote /usr/local/lib/node_modules/npm (12 MB); `RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/bin/npm` deleted it later, which only hides it: 12 MB shipped for nothing",
  );
  assert.match(verdict.hint, /only hides it/);
  assert.match(verdict.hint, /COPY --from=build only what runs/);
});

test("nothing in any layer leaves the verdict alone; what is still there is named with its layer", () => {
  assert.deepEqual(everyLayer(passed, npmShipped([layer("ADD rootfs.tar /")])), passed);
  const failed = {
    passed: false,
    found: "npm at /usr/local/bin/npm",
    expected: "none",
    hint: "last stage only",
  };
  const verdict = everyLayer(failed, npmShipped([BASE_WITH_NPM]));
  assert.equal(verdict.passed, false);
  assert.equal(verdict.hint, "last stage only");
  assert.match(
    verdict.found,
    /^npm at \/usr\/local\/bin\/npm; in the layers: `COPY npm\/ \S+` wrote \/usr\/local\/lib\/node_modules\/npm \(12 MB\)$/,
  );
});

test("sources copied with COPY . . and deleted later are found by the app's folder", () => {
  const layers = [
    layer("COPY . .", [
      ["/app/src", 9_800, 6],
      ["/app/node_modules/typescript", 23_100_000, 111],
    ]),
    layer("RUN rm -rf src test tsconfig.json node_modules", [], ["/app/src", "/app/node_modules"]),
  ];
  const verdict = everyLayer(passed, leftoversShipped(layers, "/app", ["typescript"]));
  assert.equal(verdict.passed, false);
  assert.match(
    verdict.found,
    /^still in the image's layers: `COPY \. \.` wrote \/app\/node_modules\/typescript \(23 MB\), \/app\/src \(10 kB\); `RUN rm -rf src test tsconfig\.json node_modules` deleted it later, which only hides it: 23 MB shipped for nothing$/,
  );
  assert.equal(everyLayer(passed, leftoversShipped(layers, "/srv", ["typescript"])).passed, true);
});

test("chown -R: advice with the bytes written twice and COPY --chown; a useradd is not a rewrite", () => {
  const copy = layer("COPY /app/node_modules/ node_modules/");
  const chown = {
    ...layer("RUN chown -R app:app /app"),
    rewrites: { files: 2500, bytes: 17_600_000, owner: true, mode: false, under: "/app" },
  };
  const advice = rewriteAdvice([copy, chown]);
  assert.ok(advice);
  assert.equal(advice.id, "files-written-twice");
  assert.match(
    advice.found,
    /`RUN chown -R app:app \/app` writes 2500 files in \/app again \(18 MB\) to change their owner: the image carries 18 MB twice/,
  );
  assert.match(advice.hint, /COPY --chown=app:app/);
  const useradd = {
    ...layer("RUN useradd app"),
    rewrites: { files: 1, bytes: 839, owner: false, mode: true, under: "/etc" },
  };
  assert.equal(rewriteAdvice([copy, useradd]), undefined);
});

test("apk add without --no-cache: the index in a layer is advice; with it, nothing", () => {
  const cached = layer("RUN apk add nodejs npm", [["/var/cache/apk", 2_700_000, 2]]);
  const advice = apkIndexAdvice([layer("ADD alpine-minirootfs.tar.gz /"), cached]);
  assert.ok(advice);
  assert.equal(advice.id, "apk-index");
  assert.match(advice.found, /`RUN apk add nodejs npm` wrote \/var\/cache\/apk \(2\.7 MB\)/);
  assert.match(advice.hint, /--no-cache/);
  assert.equal(apkIndexAdvice([layer("RUN apk add --no-cache nodejs")]), undefined);
});
