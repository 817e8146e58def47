import type { Answer, ComposeFacts } from "../facts/compose-types.ts";
import { EMPLOYEE_SERVICE, EMPLOYEES_CONTAINER, PARENT } from "../facts/compose-types.ts";
import { list } from "../lib/format.ts";
import { lastErrors, problemDetail, said, unhealthyHint } from "./compose-hints.ts";
import { type ComposeRule, whenRunning } from "./compose-rule.ts";

// The rules of exercise 5 on the running stack: it starts healthy, and the employee routes answer
// as the README says, through the published port.

const UP_EXPECTED = "docker compose up --wait succeeds with the employee service healthy";

export const employeeHealthy: ComposeRule = {
  id: "employee-healthy",
  title: "the stack starts healthy",
  // The stack is started only when the rules judged before a start pass.
  needs: ["compose-file", "employee-service", "employee-build"],
  unchecked: "the stack was not started",
  failedMeans: "the stack did not start",
  judge: (facts) => {
    const { up, employee } = facts;
    if (up.state === "not-run")
      return {
        passed: false,
        found: `not started: ${up.reason}`,
        expected: UP_EXPECTED,
        hint:
          up.freeWith !== undefined
            ? `Another stack holds the ports this one publishes. ${up.freeWith.length ? `Stop it: ${up.freeWith.map((c) => `\`${c}\``).join(", then ")},` : "Stop the program that listens there"} and check again.`
            : "Fix the checks above first: the stack is started only when the file and its employee service are there.",
      };
    const healthy = up.state === "up" && employee?.health === "healthy";
    const log =
      employee?.logTail.find((l) => /error|invalid|missing|must/i.test(l)) ??
      employee?.logTail.at(-1);
    return {
      passed: healthy,
      found: healthy
        ? "every service healthy, employee included"
        : up.state === "failed"
          ? `${lastErrors(up.output)}${log ? `; employee log: ${log.slice(0, 200)}` : ""}`
          : `employee is ${employee?.status ?? "missing"}${employee?.health ? `, health ${employee.health}` : ", with no healthcheck"}`,
      expected: UP_EXPECTED,
      hint:
        up.state === "failed"
          ? unhealthyHint(facts, up.output)
          : "compose waits for a healthcheck only when the service has one. Where do the course's services get theirs?",
    };
  },
};

export const employeesRoute = whenRunning({
  id: "employees-route",
  title: "the employees of a department",
  judge: ({ http }) => {
    const problems = http.lists.flatMap(({ expected, answer }) => {
      if (answer.status !== 200 || !Array.isArray(answer.body)) return [said(answer)];
      const ids = (answer.body as { id?: unknown }[]).map((e) => String(e.id));
      const missing = expected.filter((id) => !ids.includes(id));
      const extra = ids.filter((id) => !expected.includes(id));
      if (missing.length === 0 && extra.length === 0) return [];
      return [
        `${answer.method} ${answer.path}: ${String(ids.length)} employees${missing.length ? `, missing ${list(missing)}` : ""}${extra.length ? `, not of this department: ${list(extra)}` : ""}`,
      ];
    });
    return {
      passed: problems.length === 0,
      found: problems.length
        ? problems.join("; ")
        : `the seed employees of ${http.lists
            .map((l) =>
              l.answer.path
                .split("/")
                .slice(2, 5)
                .filter((_, i) => i !== 1)
                .join("/"),
            )
            .join(" and ")}`,
      expected:
        "GET /companies/{companyId}/departments/{departmentId}/employees lists exactly the seed data's employees of that department",
      hint: "Compare with packages/data/src/data.ts: does the service seed the employees, and does its list query filter by both the company and the department of the URL?",
    };
  },
});

export const employeeItem = whenRunning({
  id: "employee-item",
  title: "one employee",
  judge: ({ http }) => {
    const { answer, expectedId } = http.item;
    const id = (answer.body as { id?: unknown } | undefined)?.id;
    return {
      passed: answer.status === 200 && id === expectedId,
      found:
        answer.status === 200
          ? `${answer.method} ${answer.path}: 200 with id ${String(id)}`
          : said(answer),
      expected: "GET …/employees/{employeeId} answers 200 with that employee",
      hint: "An item route sits below the collection, with one more URL parameter. Which partition does the read need?",
    };
  },
});

/** Why a create failed, in the words of its cause. */
function createHint(facts: ComposeFacts, answer: Answer) {
  const url = facts.config.services[EMPLOYEE_SERVICE]?.environment?.[PARENT.variable] ?? "";
  if (answer.status === 503)
    return `The employee service could not reach the department service at ${PARENT.variable} (${url || "not set"}). Inside a container, 127.0.0.1 is the container itself: compose gives each service a name on the stack's network, and the department service is ${PARENT.url}.`;
  if (answer.status === 404 && !url.startsWith(PARENT.url))
    return `The department exists, but the employee service asked ${url || "no service"} about it: see department-url.`;
  if (answer.status === 404)
    return "The department service said the department does not exist although it does: does the employee service ask for the department of the URL, under its company, at the department service's item route?";
  if (answer.status === 400)
    return "The service refused a valid employee (the fields of `Employee` in packages/data/src/data.ts, without the ids). Does the body schema in src/schemas.ts have exactly those fields?";
  return "A create answers 201 with a Location header naming the new employee and an ETag; its GET answers the same employee and its DELETE 204. Compare your routes with the department service's.";
}

export const employeeCreate = whenRunning({
  id: "employee-create",
  title: "create, read back and delete an employee",
  judge: (facts) => {
    const { create } = facts.http;
    const { answer, readBack, removed, listAfter } = create;
    const problems: string[] = [];
    if (answer.status !== 201) problems.push(said(answer));
    else {
      if (!answer.headers.location) problems.push("201 without a Location header");
      if (!answer.headers.etag) problems.push("201 without an ETag header");
      if (readBack && readBack.status !== 200) problems.push(`reading it back: ${said(readBack)}`);
      // A DELETE that ignored a stale If-Match removed it already: employee-replace says so.
      const gone = facts.http.replace?.staleDelete.status === 204;
      if (removed && removed.status !== 204 && !(gone && removed.status === 404))
        problems.push(`deleting it: ${said(removed)}`);
      if (listAfter && listAfter.status === 200 && Array.isArray(listAfter.body)) {
        const created = (answer.body as { id?: unknown } | undefined)?.id;
        if ((listAfter.body as { id?: unknown }[]).some((e) => e.id === created))
          problems.push("still listed after its DELETE");
      }
    }
    return {
      passed: problems.length === 0,
      found: problems.length
        ? problems.join("; ")
        : `POST 201 (Location ${answer.headers.location ?? ""}, ETag), GET 200, DELETE 204; the department's list as before`,
      expected:
        "POST …/employees answers 201 with Location and ETag; GET of the Location answers 200; DELETE answers 204",
      hint: createHint(facts, answer),
    };
  },
});

export const employeeReplace = whenRunning({
  id: "employee-replace",
  title: "replace an employee, honouring If-Match",
  judge: (facts) => {
    const { replace } = facts.http;
    if (replace === undefined)
      return { unjudged: "there was no employee created to replace", first: "employee-create" };
    const { stale, fresh, staleDelete } = replace;
    const problems: string[] = [];
    if (stale.status !== 412) problems.push(`PUT with a stale If-Match: ${said(stale)}`);
    if (fresh.status !== 200) problems.push(`PUT with its ETag: ${said(fresh)}`);
    else if (!fresh.headers.etag) problems.push("PUT 200 without an ETag header");
    if (staleDelete.status !== 412)
      problems.push(`DELETE with the ETag from before the PUT: ${said(staleDelete)}`);
    let hint =
      "PUT replaces an employee and DELETE removes one only when the request's If-Match names the version it has (412 otherwise): the department service's routes pass `request.headers[\"if-match\"]` on to the repository. Does your copy still do that?";
    if (fresh.status === 404 || fresh.status === 405)
      hint =
        "There is no PUT route for an employee: the item route (…/employees/{employeeId}) answers GET, PUT and DELETE, as the department service's does.";
    return {
      passed: problems.length === 0,
      found: problems.length
        ? problems.join("; ")
        : "PUT with a stale If-Match 412, with its ETag 200 and a new ETag; DELETE with the old ETag 412",
      expected:
        "PUT …/employees/{employeeId} answers 412 to a stale If-Match and 200 with its ETag; DELETE with a stale If-Match answers 412",
      hint: hint,
    };
  },
});

export const employeeParentDown = whenRunning({
  id: "employee-parent-down",
  title: "503 while the department service is down",
  judge: (facts) => {
    const down = facts.parentDown;
    if (down === undefined)
      return { unjudged: "the department service could not be stopped", first: "employee-healthy" };
    const { answer, seconds } = down;
    const type = answer.headers["content-type"] ?? "";
    const passed =
      answer.status === 503 && type.startsWith("application/problem+json") && seconds < 5;
    let hint =
      "When the department service does not answer, nobody knows whether the department exists: the service answers 503 (and the client may retry), quickly. The service kit's createParentService does it for the department service's own parent.";
    if (answer.status === 500)
      hint =
        "A failed request to the department service became a 500. Ask it through the service kit's createParentService (as the department service asks the company service): it turns a parent that is down or slow into a 503 within 2 s.";
    else if (answer.status === 201)
      hint =
        "The employee was created without the department service being asked: before creating, the routes ask it whether the department exists.";
    else if (answer.error !== undefined || seconds >= 5)
      hint =
        "The create hung while the department service was down. A call to a parent needs a deadline: createParentService has one.";
    return {
      passed: passed,
      found: `${said(answer)} after ${seconds.toFixed(1)} s, with the department service stopped`,
      expected:
        "POST …/employees answers 503 application/problem+json within a few seconds while the department service is stopped",
      hint: hint,
    };
  },
});

export const employeePartition = whenRunning({
  id: "employee-partition",
  title: "employees partitioned by company",
  judge: (facts) => {
    const { partition } = facts;
    const expected = `a container ${EMPLOYEES_CONTAINER.id} in database ${partition?.database ?? "course"}, partitioned by ${EMPLOYEES_CONTAINER.partitionKey}`;
    if (partition === undefined || partition.paths === undefined)
      return {
        passed: false,
        found: `could not read the ${EMPLOYEES_CONTAINER.id} container: ${partition?.error ?? "not asked"}`,
        expected: expected,
        hint: /does not use the local/.test(partition?.error ?? "")
          ? "This check reads the container from the stack's local Cosmos DB server: run check 5 with the course's local database (no Azure .env)."
          : `Step 8 stores employees in a container named ${EMPLOYEES_CONTAINER.id}: which name does src/repository.ts give it?`,
      };
    const paths = partition.paths;
    return {
      passed: paths.length === 1 && paths[0] === EMPLOYEES_CONTAINER.partitionKey,
      found: `${EMPLOYEES_CONTAINER.id} partitioned by ${paths.join(", ") || "nothing"}`,
      expected: expected,
      hint: "The common reads are the employees of one department and one employee, and both know the company from the URL: partitioned by company, each is a single-partition read (step 8).",
    };
  },
});

export const missingDepartment = whenRunning({
  id: "employee-missing-department",
  title: "no employee in a department that does not exist",
  judge: ({ http }) => {
    const answer = http.missingParent;
    const type = answer.headers["content-type"] ?? "";
    return {
      passed: answer.status === 404 && type.startsWith("application/problem+json"),
      found:
        answer.status === 404
          ? `404 (${type || "no content type"})${problemDetail(answer)}`
          : said(answer),
      expected: "POST into a department that does not exist answers 404 application/problem+json",
      hint:
        answer.status === 201
          ? "The employee was created without asking whether its department exists. Before creating, the routes ask the department service (as the department service asks the company service)."
          : answer.status === 503
            ? "The service could not ask the department service at all (503): see employee-create and department-url."
            : "When the parent does not exist, the service answers 404 with problem+json, as the department service does for a missing company. Which error does your route throw?",
    };
  },
});

export const docsAnswers = whenRunning({
  id: "docs-answers",
  title: "the API answers /docs",
  judge: ({ http }) => ({
    passed: http.docs.status === 200,
    found: said(http.docs),
    expected: `GET ${http.origin}/docs answers 200`,
    hint: "Every service of the course serves its OpenAPI documentation at /docs: did the copy keep the service kit's app factory?",
  }),
});
