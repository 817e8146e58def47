// What one `npm run bench` run measured, as data: the measuring steps (steps.ts) return these
// records and the renderer (render.ts) turns them, with the machine's facts, into Markdown.

/** One bounded load: requests per second and p50/p99 latency in milliseconds. */
export interface LoadFigures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

/** What compose gives one service, as `docker compose config` resolves it; absent: no limit. */
export interface ServiceLimits {
  cpus?: number;
  memoryBytes?: number;
}

export interface Limits {
  /** The compose file the bench runs, as typed from the repository root. */
  composeFile: string;
  services: Record<string, ServiceLimits>;
}

export interface ThroughputRow {
  operation: string;
  service: LoadFigures;
  /** The same operation through the `@azure/cosmos` SDK from the host, when there is one. */
  direct?: LoadFigures;
  /** Service req/s over a direct SDK's req/s for the same operation. */
  ratio?: number;
}

export interface Throughput {
  load: { connections: number; seconds: number };
  rows: ThroughputRow[];
  /** Service req/s over the direct SDK's for point reads. */
  pointReadRatio: number;
  /** Service req/s over the floor's (floor.ts, same limits) for point reads: the figure with a goal. */
  floorRatio: number;
  /** The same for each round: the service and the floor take turns (measure.ts, alternating). */
  floorRatios: number[];
  /** The same with the service at LOG_LEVEL=warn (same image, limits and network). */
  warnFloorRatio: number;
}

/** One start-up cut into phases, in seconds, from the engine's and the service's own timestamps. */
export interface StartupPhases {
  /** `docker start` called, to the process running (the container's State.StartedAt). */
  engine: number;
  /** Process running, to the service's log line saying it listens (module load, app, listen). */
  listen: number;
  /** Listening, to `/readyz` 200 (the database's first answers: provisioning). */
  ready: number;
}

export interface Startup {
  service: string;
  /** Container start to `/readyz` 200, each try in seconds. */
  seconds: number[];
  /** Each try's phases, in the same order. */
  phases: StartupPhases[];
}

export interface ServiceMemory {
  service: string;
  idleBytes: number;
  loadBytes: number;
}

export interface ImageSizes {
  /** The runtime base every image is built on. */
  base: string;
  baseBytes: number;
  images: { service: string; image: string; bytes: number }[];
}

export interface Rebuild {
  service: string;
  cleanSeconds: number;
  /** After a one-line source change, with the build cache. */
  changedSeconds: number;
}

export interface Watch {
  service: string;
  /** `docker compose watch`: a route change saved, to the new answer served. */
  savedToServedSeconds: number;
}

export interface BenchFigures {
  limits: Limits;
  composeUpSeconds: number;
  startup: Startup;
  throughput: Throughput;
  memory: ServiceMemory[];
  images: ImageSizes;
  rebuild: Rebuild;
  watch: Watch;
}

/** The machine the figures were taken on. */
export interface Machine {
  /** YYYY-MM-DD */
  date: string;
  cpuCount: number;
  cpuModel: string;
  memoryBytes: number;
  node: string;
}
