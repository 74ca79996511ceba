/** The control whose Choices record a reviewer's decision (DESIGN §4 step 5). */
export const REVIEW_CONTROL = "review_decision";
/** TextArea controls read as the reason, in this order of preference (else the first TextArea). */
const REASON_CONTROLS = ["review_reason", "rejection_reason", "reason"];

export interface ReviewDecision {
  decision: "accept" | "reject";
  reason: string | null;
}

type ResultItem = { from_name?: unknown; type?: unknown; value?: Record<string, unknown> };

const ACCEPT = new Set(["accept", "accepted", "approve", "approved"]);
const REJECT = new Set(["reject", "rejected"]);

function textOf(item: ResultItem): string | null {
  const text = item.value?.text;
  const lines = Array.isArray(text) ? text.map(String) : typeof text === "string" ? [text] : [];
  const joined = lines.join("\n").trim();
  return joined ? joined.slice(0, 2000) : null;
}

/**
 * Reads a review decision from an annotation's result: the first choice of the `review_decision`
 * control (accept/reject, case-insensitive) and an optional reason from a TextArea. Null when the
 * result holds no decision. Pure.
 */
export function reviewDecisionOf(result: unknown[]): ReviewDecision | null {
  const entries = result.filter((r): r is ResultItem => typeof r === "object" && r !== null);
  const control = entries.find((r) => r.from_name === REVIEW_CONTROL);
  const choices = control?.value?.choices;
  const first = Array.isArray(choices) ? String(choices[0] ?? "").toLowerCase() : "";
  const decision = ACCEPT.has(first) ? "accept" : REJECT.has(first) ? "reject" : null;
  if (!decision) return null;
  const areas = entries.filter((r) => String(r.type).toLowerCase() === "textarea");
  const preferred = REASON_CONTROLS.map((name) => areas.find((r) => r.from_name === name)).find(Boolean);
  const reasonItem = preferred ?? areas[0];
  return { decision, reason: reasonItem ? textOf(reasonItem) : null };
}
