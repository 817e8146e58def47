// One answer of `course doctor`: ok, fail (with what to do) or skip (with why).

export interface Finding {
  id: string;
  status: "ok" | "fail" | "skip";
  title: string;
  detail: string;
  advice?: string;
}

export const ok = (id: string, title: string, detail: string): Finding => ({
  id,
  status: "ok",
  title,
  detail,
});
export const bad = (id: string, title: string, detail: string, advice: string): Finding => ({
  id,
  status: "fail",
  title,
  detail,
  advice,
});
