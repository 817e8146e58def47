// The one contract every exercise's check follows: facts are gathered (facts/<kind>.ts), rules
// judge them (rules/), and this runner applies the rules once, for every kind. A rule is data:
// its id, its title, the checks it needs, and a pure judge of the facts. The runner, not the rule,
// decides that a check is "not checked" because one it needs failed, and names the one to fix.

/** What a rule's judge says: named fields, so that a swap cannot go unnoticed. */
export interface Verdict {
  passed: boolean;
  found: string;
  expected: string;
  /** What to look at; shown only when the check failed. */
  hint: string;
}

/**
 * A judge may also say that the facts it reads were never gathered, because an earlier step
 * (one the check `first` judges) did not happen. The runner turns it into "not checked".
 */
export interface Unjudged<Id extends string> {
  unjudged: string;
  first: Id;
}

export interface Rule<Facts, Id extends string = string> {
  id: Id;
  title: string;
  /** Checks that must pass first: when one failed, this one is not checked, and names it. */
  needs?: readonly Id[];
  /** What the checks that need this one say when it failed ("there is no employee service"). */
  failedMeans?: string;
  /** Why this check is not checked when a check it needs failed; else the need's `failedMeans`. */
  unchecked?: string;
  /** Judged on the file alone: what is started (a stack) is started only when these pass. */
  beforeStart?: boolean;
  judge: (facts: Facts) => Verdict | Unjudged<Id>;
}

/** One check in a report. */
export interface Check {
  id: string;
  title: string;
  passed: boolean;
  found: string;
  expected: string;
  /** Empty when the check passed. */
  hint: string;
  /** Not judged, because an earlier check it needs failed (it counts as failed). */
  notChecked?: boolean;
}

/**
 * Something worth knowing that is not part of the exercise's lesson: shown under the checks,
 * listed as `advice` in `--json`, and never a cause of failure.
 */
export interface Advice {
  id: string;
  found: string;
  hint: string;
}

/** Advice as data: a pure look at the facts, saying something or nothing. */
export type Adviser<Facts> = (facts: Facts) => Advice | undefined;

/** The advice that the facts call for, in the advisers' order. */
export const adviseOn = <Facts>(advisers: readonly Adviser<Facts>[], facts: Facts): Advice[] =>
  advisers.flatMap((advise) => advise(facts) ?? []);

const notChecked = (rule: { id: string; title: string }, because: string, first: string) => ({
  id: rule.id,
  title: rule.title,
  passed: false,
  found: `not checked: ${because}`,
  expected: "",
  hint: `Fix ${first} first.`,
  notChecked: true,
});

/** Judges the facts with each rule in order; a rule whose needs failed is not judged. */
export function applyRules<Facts, Id extends string>(
  rules: readonly Rule<Facts, Id>[],
  facts: Facts,
): Check[] {
  const checks = new Map<string, Check>();
  const byId = new Map<string, Rule<Facts, Id>>(rules.map((rule) => [rule.id, rule]));
  for (const rule of rules) {
    const failed = (rule.needs ?? []).find((id) => checks.get(id)?.passed === false);
    if (failed !== undefined) {
      const because = rule.unchecked ?? byId.get(failed)?.failedMeans ?? `${failed} failed`;
      checks.set(rule.id, notChecked(rule, because, failed));
      continue;
    }
    const verdict = rule.judge(facts);
    checks.set(
      rule.id,
      "unjudged" in verdict
        ? notChecked(rule, verdict.unjudged, verdict.first)
        : {
            id: rule.id,
            title: rule.title,
            ...verdict,
            hint: verdict.passed ? "" : verdict.hint,
          },
    );
  }
  return [...checks.values()];
}

/** The first of the rules judged before a start that failed, if any: what keeps it from starting. */
export function blockerOf<Facts, Id extends string>(
  rules: readonly Rule<Facts, Id>[],
  facts: Facts,
): Id | undefined {
  const before = rules.filter((rule) => rule.beforeStart);
  const failed = applyRules(before, facts).find((check) => !check.passed);
  return before.find((rule) => rule.id === failed?.id)?.id;
}

/** What a report says about the image checked (image exercises) or the employee's (compose). */
export interface ReportImage {
  tag?: string;
  id?: string;
  size?: number;
  /** "linux/arm64": sizes differ from one platform to another. */
  platform?: string;
  user?: string;
}

/** The last lines of the build or of the container, when something about running it failed. */
export interface LogExcerpt {
  /** "Build output", "Container log" */
  title: string;
  lines: string[];
}

/** What a kind's `gather(exercise, options)` returns: the facts its rules judge, and more to report. */
export interface Gathered<Facts> {
  facts: Facts;
  image: ReportImage;
  log?: LogExcerpt;
  /** Runs once the checks are judged: keeps what the next checks compare with. */
  settle?: (passed: boolean) => Promise<ReportImage>;
}
