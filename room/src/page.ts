import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// The trainer's page is three static files (room/public), read once at start. The page builds its
// DOM with textContent only, and the Content-Security-Policy below forbids inline script and any
// other origin, so a name like <img src=x onerror=…> can only ever be text.

export const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-resource-policy": "same-origin",
} as const;

export interface PageAssets {
  html: string;
  script: string;
  style: string;
}

/** room/public beside src/ when run from the sources, public/ beside the bundle in the image. */
function publicDir() {
  const here = fileURLToPath(new URL(".", import.meta.url));
  const candidates = [join(here, "..", "public"), join(here, "public")];
  const found = candidates.find((dir) => existsSync(join(dir, "index.html")));
  if (found === undefined)
    throw new Error(`The trainer's page is missing: looked in ${candidates.join(", ")}.`);
  return found;
}

export function loadPage(dir = publicDir()): PageAssets {
  const read = (name: string) => readFileSync(join(dir, name), "utf8");
  return { html: read("index.html"), script: read("room.js"), style: read("room.css") };
}
