// Called first by main.ts, before the rest of the command is loaded, so that an old Node.js gets
// one line instead of a stack trace from whichever module first uses something newer. Keep in
// step with bin/course.mjs and `engines`.
export function requireNode(minimum = 22) {
  const major = Number(process.versions.node.split(".")[0]);
  if (major < minimum) {
    console.error(
      `course needs Node.js ${String(minimum)} or newer (24 recommended: .nvmrc); this is ${process.version}.`,
    );
    process.exit(2);
  }
}
