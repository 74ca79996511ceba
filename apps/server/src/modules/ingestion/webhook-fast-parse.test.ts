import { describe, expect, it } from "vitest";
import { parseWebhookPayload } from "../../labelstudio/webhook-payload.js";
import { toAnnotationChanges } from "./annotation-changes.js";
import { fastParseWebhook } from "./webhook-fast-parse.js";

const annotation = (extra: Record<string, unknown> = {}) => ({
  id: 7,
  task: 70,
  project: 5,
  completed_by: 1,
  result: [{ from_name: "label", to_name: "image", type: "choices", value: { choices: ["cat"] } }],
  was_cancelled: false,
  lead_time: 4.5,
  created_at: "2026-04-06T12:00:00Z",
  updated_at: "2026-04-06T12:00:00Z",
  ...extra,
});

describe("fastParseWebhook", () => {
  it("gives the changes the full parse gives for the annotation webhooks it knows", () => {
    const bodies = [
      {
        action: "ANNOTATION_CREATED",
        annotation: annotation(),
        task: { id: 70, data: {} },
        project: { id: 5 },
      },
      { action: "ANNOTATION_UPDATED", annotation: annotation({ result: null, was_cancelled: null }) },
      { action: "ANNOTATIONS_CREATED", annotation: [annotation(), annotation({ id: 8, lead_time: null })] },
      { action: "ANNOTATION_CREATED", annotation: annotation({ project: undefined }), project: { id: 9 } },
    ];
    for (const body of bodies) {
      const fast = fastParseWebhook(body);
      expect(fast).not.toBeNull();
      const full = parseWebhookPayload(body);
      expect(fast!.annotations).toEqual(full.annotations);
      expect(toAnnotationChanges(fast!)).toEqual(toAnnotationChanges(full));
    }
  });

  it("leaves everything else (and everything the full parse rejects) to the full parse", () => {
    const bodies: unknown[] = [
      null,
      [],
      { nothing: true },
      { action: "ANNOTATIONS_DELETED", annotations: [{ id: 1 }] },
      { action: "ANNOTATION_CREATED", annotation: { id: "seventeen" } },
      { action: "ANNOTATION_CREATED", annotation: annotation({ result: [{ value: {} }] }) },
      { action: "ANNOTATION_CREATED", annotation: annotation({ completed_by: { id: 1 } }) },
      { action: "ANNOTATION_CREATED", annotation: annotation(), task: { id: 70 } },
      { action: "ANNOTATION_CREATED", annotation: annotation(), project: { id: "5" } },
      { action: "ANNOTATION_CREATED", annotation: annotation(), tasks: [] },
    ];
    for (const body of bodies) expect(fastParseWebhook(body)).toBeNull();
  });
});
