import { CLASS_IMAGES } from "../../class-images.ts";

export { loadArchive, loadImages } from "./load.ts";
export { saveImages } from "./save.ts";

// `course images save|load`: every image the class needs, pulled once by the trainer for every
// platform in the room and written into one archive, then loaded on each laptop for its own
// platform, so that a room behind one address does not hit Docker Hub's pull limit. The archive is
// what `docker save` writes (gzip when the name ends .gz). `course images list` prints that list:
// the class image catalogue.

/** The catalogue, one image a line: its name, where the day uses it, and its local stand-in. */
export function listImages(options: { json: boolean }): number {
  const rows = CLASS_IMAGES.map((image) => {
    const standIn = image.variable ? process.env[image.variable] : undefined;
    return {
      name: image.name,
      use: image.use,
      ...(image.variable ? { variable: image.variable } : {}),
      ...(standIn && standIn !== image.name ? { standIn } : {}),
    };
  });
  if (options.json) {
    console.log(JSON.stringify(rows, null, 2));
    return 0;
  }
  const width = Math.max(...rows.map((row) => row.name.length));
  for (const row of rows) {
    const here = row.standIn ? ` (here ${row.variable ?? ""}=${row.standIn})` : "";
    console.log(`${row.name.padEnd(width)}  ${row.use}${here}`);
  }
  return 0;
}
