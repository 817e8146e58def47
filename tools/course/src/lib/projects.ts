import { docker } from "./docker.ts";
import { CouldNotCheck } from "./errors.ts";
import { swarmState } from "./swarm.ts";

// A check takes down, when it ends, the compose project or stack it ran under. A name given with
// --tag must not be one already in use here: that would take someone's work down with it.

/** What already goes by `name` on this engine, said for a person; undefined when nothing does. */
export async function projectOrStackNamed(name: string): Promise<string | undefined> {
  const stack = `com.docker.stack.namespace=${name}`;
  const [ofCompose, ofStack] = await Promise.all(
    [`com.docker.compose.project=${name}`, stack].map((label) =>
      docker.listContainers({ all: true, filters: { label: [label] } }),
    ),
  );
  if (ofCompose?.length) return `the compose project ${name}`;
  if (ofStack?.length) return `the stack ${name}`;
  if ((await swarmState()) !== "active") return undefined;
  const services = await docker.listServices({ filters: { label: [stack] } });
  return services.length ? `the stack ${name}` : undefined;
}

/** Stops a check whose --tag names a compose project or stack that is already here. */
export async function refuseTakenName(tag: string) {
  const taken = await projectOrStackNamed(tag);
  if (taken)
    throw new CouldNotCheck(
      `--tag ${tag} names ${taken}, already on this engine, which the check would take down when it ends: choose another --tag, or leave it out.`,
    );
}
