import type { ComposeFacts, ComposeService } from "../facts/compose-types.ts";
import { EMPLOYEE_SERVICE } from "../facts/compose-types.ts";
import type { Rule, Unjudged, Verdict } from "../lib/contract.ts";
import type { ComposeId } from "./compose.ts";
import { unreachableHint } from "./compose-hints.ts";

// What a rule of exercise 5 is, and the two kinds of rule that need something first
// (the employee service's entry in the file; the stack up and answering).

export type ComposeRule = Rule<ComposeFacts, ComposeId>;

/** A rule about the employee service's entry: judged once the file is valid and has one. */
export const onEmployee = (rule: {
  id: ComposeId;
  title: string;
  judge: (service: ComposeService, facts: ComposeFacts) => Verdict;
}): ComposeRule => ({
  id: rule.id,
  title: rule.title,
  needs: ["compose-file", "employee-service"],
  judge: (facts) => {
    const service = facts.config.services[EMPLOYEE_SERVICE];
    return service === undefined
      ? { unjudged: "there is no employee service", first: "employee-service" }
      : rule.judge(service, facts);
  },
});

type Running = ComposeFacts & Required<Pick<ComposeFacts, "http">>;

/** A rule about the running stack: judged once it started healthy and its routes were called. */
export const whenRunning = (rule: {
  id: ComposeId;
  title: string;
  judge: (facts: Running) => Verdict | Unjudged<ComposeId>;
}): ComposeRule => ({
  id: rule.id,
  title: rule.title,
  needs: ["employee-healthy"],
  judge: (facts) => {
    if (facts.http === undefined)
      return { unjudged: "the stack did not start", first: "employee-healthy" };
    const result = rule.judge({ ...facts, http: facts.http });
    const silent = [...facts.http.lists.map((l) => l.answer), facts.http.docs].every(
      (a) => a.error !== undefined,
    );
    return "passed" in result && !result.passed && silent
      ? { ...result, hint: unreachableHint(facts) }
      : result;
  },
});
