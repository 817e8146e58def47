// What a rule is: a pure function from the facts read about a trainee's work to one check's
// verdict. A failed check says what it found, what it expected, and gives a hint that points at
// the cause without writing the answer for the trainee.

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

export type Rule<Facts> = (facts: Facts) => Check;

/** A check that could not be judged because the one it needs failed first. */
export const notChecked = (id: string, title: string, because: string, first: string): Check => ({
  id,
  title,
  passed: false,
  found: `not checked: ${because}`,
  expected: "",
  hint: `Fix ${first} first.`,
  notChecked: true,
});

/** A check's verdict; the hint is kept only when it failed. */
export const check = (
  id: string,
  title: string,
  passed: boolean,
  found: string,
  expected: string,
  hint: string,
): Check => ({ id, title, passed, found, expected, hint: passed ? "" : hint });
