/**
 * The `selection` of the task agreement matrix (reference §2.2): which annotators and models take part,
 * and whether everyone is compared with the ground truth. Accepted as a JSON string
 * (`selection={"annotators":{...}}`) or as the bracket keys a generated SDK sends
 * (`selection[annotators][all]=true&selection[annotators][ids]=4`). Pure.
 */
import { z } from "zod";
import { AppError } from "../../lib/app-error.js";

const Id = z.union([z.string().min(1).max(200), z.number().int()]).transform(String);
const Group = z.strictObject({
  all: z.boolean().optional(),
  ids: z.array(Id).max(1000).optional(),
});
const SelectionObject = z.strictObject({
  annotators: Group.optional(),
  models: Group.optional(),
  ground_truth: z.boolean().optional(),
});

/** A normalised selection: `all` true → `ids` are exclusions; false → inclusions. */
export interface Selection {
  annotators: { all: boolean; ids: number[] };
  models: { all: boolean; ids: string[] };
  groundTruth: boolean;
}

const fail = (message: string, path: (string | number)[] = ["selection"]): never => {
  throw new AppError("BAD_REQUEST", `Invalid selection: ${message}`, [{ path, message }]);
};

const BOOLEAN = new Map([
  ["true", true],
  ["1", true],
  ["false", false],
  ["0", false],
]);

/** Rebuilds the object from `selection[a][b]...` keys; lists from repeated keys or `[0]`, `[1]` indexes. */
function fromBracketKeys(queries: Record<string, string[]>): Record<string, unknown> | undefined {
  const out: Record<string, Record<string, unknown> | unknown> = {};
  let found = false;
  for (const [key, values] of Object.entries(queries)) {
    const match = /^selection((?:\[[^\]]*\])+)$/.exec(key);
    if (!match) continue;
    found = true;
    const parts = [...match[1]!.matchAll(/\[([^\]]*)\]/g)].map((m) => m[1]!);
    const [group, field, index] = parts;
    if (group === "ground_truth" && parts.length === 1) {
      const value = BOOLEAN.get((values[0] ?? "").toLowerCase());
      if (value === undefined) fail("ground_truth must be true or false", ["selection", "ground_truth"]);
      out.ground_truth = value;
      continue;
    }
    if ((group !== "annotators" && group !== "models") || !field) fail(`unknown key ${key}`, [key]);
    const target = (out[group!] as Record<string, unknown> | undefined) ?? {};
    out[group!] = target;
    if (field === "all" && parts.length === 2) {
      const value = BOOLEAN.get((values[0] ?? "").toLowerCase());
      if (value === undefined) fail(`${group}.all must be true or false`, ["selection", group!, "all"]);
      target.all = value;
    } else if (field === "ids" && (parts.length === 2 || (parts.length === 3 && /^\d*$/.test(index!)))) {
      const ids = (target.ids as string[] | undefined) ?? [];
      ids.push(...values.filter((v) => v !== ""));
      target.ids = ids;
    } else {
      fail(`unknown key ${key}`, [key]);
    }
  }
  return found ? out : undefined;
}

/** Strips an optional `prefix:`; annotator ids must then be positive integers. */
function annotatorId(raw: string, i: number): number {
  const text = raw.startsWith("annotator:") ? raw.slice("annotator:".length) : raw;
  if (!/^[1-9]\d{0,9}$/.test(text))
    fail(`annotator id "${raw}" is not an id`, ["selection", "annotators", "ids", i]);
  return Number(text);
}

/**
 * Parses the selection from the query's values (`c.req.queries()`). A missing selection, malformed
 * JSON, unknown keys or wrong types are a 400 with details.
 */
export function parseSelection(queries: Record<string, string[]>): Selection {
  const json = queries.selection?.[0];
  let raw: unknown;
  if (json !== undefined) {
    try {
      raw = JSON.parse(json);
    } catch {
      fail("not valid JSON");
    }
  } else {
    raw = fromBracketKeys(queries);
    if (raw === undefined) fail("required (a JSON object, or selection[...] keys)");
  }
  const parsed = SelectionObject.safeParse(raw);
  if (!parsed.success) {
    throw new AppError(
      "BAD_REQUEST",
      "Invalid selection",
      parsed.error.issues.map((issue) => ({
        path: ["selection", ...issue.path.map(String)],
        message: issue.message,
      })),
    );
  }
  const { annotators, models, ground_truth } = parsed.data;
  return {
    // Defaults of LS's DEFAULT_V2_SELECTION: every annotator, no model.
    annotators: { all: annotators?.all ?? true, ids: (annotators?.ids ?? []).map(annotatorId) },
    models: {
      all: models?.all ?? false,
      ids: (models?.ids ?? []).map((id) => (id.startsWith("model:") ? id.slice("model:".length) : id)),
    },
    groundTruth: ground_truth ?? false,
  };
}

/** Whether a participant (`annotator:<id>` or `model:<version>`) is selected. */
export function isSelected(selection: Selection, participant: string): boolean {
  if (participant.startsWith("annotator:")) {
    const id = Number(participant.slice("annotator:".length));
    const listed = selection.annotators.ids.includes(id);
    return selection.annotators.all ? !listed : listed;
  }
  if (participant.startsWith("model:")) {
    const listed = selection.models.ids.includes(participant.slice("model:".length));
    return selection.models.all ? !listed : listed;
  }
  return false;
}
