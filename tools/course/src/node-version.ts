// Imported first by main.ts, so that an old Node.js gets one line instead of a stack trace from
// whichever module first uses something newer. Keep in step with bin/course.mjs and `engines`.
const major = Number(process.versions.node.split(".")[0]);
if (major < 22) {
  console.error(
    `course needs Node.js 22 or newer (24 recommended: .nvmrc); this is ${process.version}.`,
  );
  process.exit(2);
}
