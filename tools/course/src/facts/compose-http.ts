import { fetchWithin, networkError } from "../lib/http.ts";
import {
  type Answer,
  type HttpFacts,
  MISSING_DEPARTMENT,
  NEW_EMPLOYEE,
  seedCases,
} from "./compose-types.ts";

// What the employee routes answer through the published port, asked as the README's step 15
// does: list, read, create, read back, replace, delete, and create under a missing department.

const STALE_ETAG = '"course-check-stale-etag"';

export async function ask(
  origin: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const answer: Answer = { method, path, headers: {} };
  try {
    const { response, body: text } = await fetchWithin(`${origin}${path}`, 8000, {
      method,
      headers: {
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    answer.status = response.status;
    response.headers.forEach((value, name) => (answer.headers[name] = value));
    try {
      answer.body = text ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      answer.body = text;
    }
  } catch (error) {
    answer.error = networkError(error);
  }
  return answer;
}

/** The README's step 15, through the published port. */
export async function callRoutes(origin: string): Promise<HttpFacts> {
  const cases = seedCases();
  const [first] = cases;
  if (first === undefined) throw new Error("the seed data has no employees");
  const lists = [];
  for (const seed of cases)
    lists.push({ expected: seed.ids, answer: await ask(origin, "GET", collection(seed)) });
  const firstId = first.ids[0] ?? "";
  const item = {
    expectedId: firstId,
    answer: await ask(origin, "GET", `${collection(first)}/${firstId}`),
  };
  const created = await ask(origin, "POST", collection(first), NEW_EMPLOYEE);
  const create: HttpFacts["create"] = { answer: created };
  const id = (created.body as { id?: unknown } | undefined)?.id;
  const location =
    created.headers.location ?? (typeof id === "string" ? `${collection(first)}/${id}` : undefined);
  let replace: HttpFacts["replace"];
  if (created.status === 201 && location) {
    const path = new URL(location, origin).pathname;
    create.readBack = await ask(origin, "GET", path);
    const etag = create.readBack.headers.etag ?? created.headers.etag ?? "";
    const changed = { ...NEW_EMPLOYEE, role: "Course Check, replaced" };
    const stale = await ask(origin, "PUT", path, changed, { "if-match": STALE_ETAG });
    const fresh = await ask(origin, "PUT", path, changed, etag ? { "if-match": etag } : {});
    // The ETag the employee had before the PUT is stale now: a DELETE with it must be refused.
    const staleDelete = await ask(origin, "DELETE", path, undefined, {
      "if-match": etag || STALE_ETAG,
    });
    replace = { stale, fresh, staleDelete };
    create.removed = await ask(origin, "DELETE", path);
    create.listAfter = await ask(origin, "GET", collection(first));
  }
  const missingParent = await ask(
    origin,
    "POST",
    collection({ companyId: first.companyId, departmentId: MISSING_DEPARTMENT }),
    NEW_EMPLOYEE,
  );
  const docs = await ask(origin, "GET", "/docs");
  return { origin, lists, item, create, ...(replace ? { replace } : {}), missingParent, docs };
}

/** The employees collection of a seed department. */
export const collection = (c: { companyId: string; departmentId: string }) =>
  `/companies/${c.companyId}/departments/${c.departmentId}/employees`;

/** Step 15's last part: with the department service stopped, a create answers 503, quickly. */
export async function createWithParentDown(origin: string, stopParent: () => Promise<void>) {
  await stopParent();
  const [seed] = seedCases();
  if (seed === undefined) return undefined;
  const path = collection(seed);
  const started = performance.now();
  const answer = await ask(origin, "POST", path, NEW_EMPLOYEE);
  const seconds = (performance.now() - started) / 1000;
  // Created anyway: do not leave it behind in a database that may be Azure.
  const location = answer.headers.location;
  if (answer.status === 201 && location)
    await ask(origin, "DELETE", new URL(location, origin).pathname);
  return { answer, seconds };
}
