import {
  apkIndexShipped,
  isNpmCache,
  type LayerFacts,
  type Rewrites,
  rewriteLayers,
  type Shipment,
} from "../facts/layers.ts";
import type { ImageFacts } from "../facts/image-types.ts";
import type { Advice, Adviser, Verdict } from "../lib/contract.ts";
import { formatSize, list, MB } from "../lib/format.ts";

// What the layers say, in words: which instruction put something in the image that the running
// API never uses, and what a later instruction only hid. The checks of exercises 3 and 4 quote
// it in their found lines; the advice of exercises 1, 2 and 4 is made of it.

const MAX_INSTRUCTION = 70;
/** Paths named per layer: the build-only ones of an app fit (src, tests, config, dev dependencies). */
const MAX_PATHS = 6;

/** Sizes as elsewhere in the course, with small files in kilobytes rather than "0.0 MB". */
const size = (bytes: number) =>
  bytes < MB / 10 ? `${String(Math.ceil(bytes / 1000))} kB` : formatSize(bytes);

/** An instruction short enough for a found line. */
export const quote = (createdBy: string) =>
  `\`${createdBy.length > MAX_INSTRUCTION ? `${createdBy.slice(0, MAX_INSTRUCTION - 1)}…` : createdBy}\``;

const what = (path: string) => (isNpmCache(path) ? `npm's cache ${path}` : path);

/** "`instruction` wrote path (size), path (size)", each layer once, its largest first. */
export function describeShipments(shipped: Shipment[], max = 3): string {
  const byLayer = new Map<number, Shipment[]>();
  for (const s of shipped) byLayer.set(s.layer, [...(byLayer.get(s.layer) ?? []), s]);
  const parts = [...byLayer.values()].map((items) => {
    const sorted = [...items].sort((a, b) => b.bytes - a.bytes);
    const paths = sorted.map((s) => `${what(s.path)} (${size(s.bytes)})`);
    return `${quote(sorted[0]?.createdBy ?? "")} wrote ${list(paths, MAX_PATHS)}`;
  });
  return parts.length <= max
    ? parts.join("; ")
    : `${parts.slice(0, max).join("; ")}; and ${String(parts.length - max)} more layers`;
}

/** Shipments that the final filesystem no longer shows: what only the layers can tell. */
export const hidden = (shipped: Shipment[]) =>
  shipped.filter((s) => s.deletedBy !== undefined && s.bytes > 0);

/** A found line for what the layers ship although a later layer deleted it. */
export function shippedForNothing(shipped: Shipment[]): string {
  const gone = hidden(shipped);
  const deleters = [...new Set(gone.map((s) => s.deletedBy ?? ""))].map(quote);
  const bytes = gone.reduce((sum, s) => sum + s.bytes, 0);
  return `still in the image's layers: ${describeShipments(gone)}; ${list(deleters)} deleted it later, which only hides it: ${size(bytes)} shipped for nothing`;
}

/** Why deleting later does not help, and what the final stage should be made of instead. */
export const DELETED_LATER_HINT =
  "Each instruction adds a layer on top of the ones below, and the image is all of its layers: deleting a file in a later instruction only hides it, every `docker pull` still downloads it and the image is as big as before. Only what the final stage's FROM image holds and what its own instructions add ships. Start the final stage from an image that has Node.js and nothing else (not the build stage, not an image with npm), and COPY --from=build only what runs: dist/, the production node_modules/ and package.json.";

/** A rewrite worth a word: more than a few system files touched by useradd. */
const sizeable = (r: Rewrites) => r.files >= 10 || r.bytes >= MB;

const changed = (r: Rewrites) =>
  r.owner && r.mode ? "owner and mode" : r.owner ? "owner" : "mode";

/** Exercise 4: a `chown -R` or `chmod -R` layer writes every file it touches a second time. */
export function rewriteAdvice(layers: LayerFacts[]): Advice | undefined {
  const rewrites = rewriteLayers(layers).filter(sizeable);
  if (rewrites.length === 0) return undefined;
  const bytes = rewrites.reduce((sum, r) => sum + r.bytes, 0);
  return {
    id: "files-written-twice",
    found: `${list(
      rewrites.map(
        (r) =>
          `${quote(r.createdBy)} writes ${String(r.files)} files in ${r.under} again (${size(r.bytes)}) to change their ${changed(r)}`,
      ),
    )}: the image carries ${size(bytes)} twice`,
    hint: "A layer that changes a file's owner or mode stores the whole file again, and the copy below it still ships. `COPY --chown=app:app` (and `--chmod`) gives the files their owner and mode as they are copied, in one layer.",
  };
}

/** Exercises 1 and 2: `apk add` without --no-cache leaves Alpine's package index in a layer. */
export function apkIndexAdvice(layers: LayerFacts[]): Advice | undefined {
  const shipped = apkIndexShipped(layers);
  if (shipped.length === 0) return undefined;
  return {
    id: "apk-index",
    found: `Alpine's package index in the image: ${describeShipments(shipped)}`,
    hint: "apk downloads its package index before it installs, and keeps it in /var/cache/apk unless told not to: the running API never reads it. `apk add --no-cache …` installs without leaving the index behind (a later `rm` would only hide it).",
  };
}

/**
 * A check of the final filesystem, judged again on every layer: what a later layer deletes is
 * hidden, not gone, so it fails the check too, and the found line says which instruction wrote
 * it, which deleted it and what it costs. What is still visible is named with its layer as well.
 */
export function everyLayer(verdict: Verdict, shipped: Shipment[]): Verdict {
  const gone = hidden(shipped);
  const visible = shipped.filter((s) => s.deletedBy === undefined && s.bytes > 0);
  // What the final filesystem shows the check has found already; the layer that wrote it is news.
  if (gone.length === 0)
    return verdict.passed || visible.length === 0
      ? verdict
      : { ...verdict, found: `${verdict.found}; in the layers: ${describeShipments(visible)}` };
  return {
    ...verdict,
    passed: false,
    found: verdict.passed
      ? shippedForNothing(gone)
      : `${verdict.found}; ${shippedForNothing(gone)}`,
    hint: verdict.passed ? DELETED_LATER_HINT : `${verdict.hint} ${DELETED_LATER_HINT}`,
  };
}

export type ImageAdviser = Adviser<ImageFacts>;

/** Advice read from the layers, once the image could be read. */
const onLayers =
  (advise: (layers: LayerFacts[]) => Advice | undefined): ImageAdviser =>
  ({ image }) =>
    image === undefined ? undefined : advise(image.layers);

export const apkIndex = onLayers(apkIndexAdvice);
export const filesWrittenTwice = onLayers(rewriteAdvice);
