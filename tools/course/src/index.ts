// The course tool's API for the rest of the repository (the container tests, the benchmark):
// what they share with the `course` command instead of reaching into its folders.

export { ALPINE_RELEASE, CLASS_IMAGES, classImages } from "./class-images.ts";
export { EXERCISES, findExercise, readmeOf, solutionOf } from "./catalogue.ts";
export { baseImages, BASE_IMAGE_VARIABLES, buildArgs, docker, imageExists } from "./lib/docker.ts";
export { fetchWithin, networkError } from "./lib/http.ts";
export { formatSize } from "./lib/format.ts";
export { runCommand, type CommandResult } from "./lib/process.ts";
export {
  buildStackImages,
  deployStack,
  joinSwarm,
  leaveSwarm,
  removeImages,
  removeStack,
  runningTasks,
  stackImage,
  stackLeftovers,
  stackService,
  swarmState,
  waitFor,
} from "./lib/swarm.ts";
