import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * "Every status change goes through the FSM": no code outside modules/fsm writes one of the five
 * status columns. Inserts (creation in an initial state) are allowed; test files may corrupt states
 * on purpose.
 */
const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const FSM_DIR = path.join(SRC, "modules", "fsm");
const TABLES: Record<string, string> = {
  annotators: "status",
  assignments: "status",
  workflows: "state",
  items: "state",
  annotations: "state",
};

/** The argument of the call whose "(" is at `open`, or the rest of the text when unbalanced. */
function callArgument(source: string, open: number): string {
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    if (source[i] === "(") depth++;
    else if (source[i] === ")" && --depth === 0) return source.slice(open + 1, i);
  }
  return source.slice(open + 1);
}

const lineOf = (source: string, index: number) => source.slice(0, index).split("\n").length;

/** Writes of a status column in `source`: Drizzle `.update(table).set({ status: ... })` and raw SQL updates. */
export function findStatusWrites(source: string): { line: number; text: string }[] {
  const found: { line: number; text: string }[] = [];
  const names = Object.keys(TABLES).join("|");
  const drizzle = new RegExp(`\\.update\\(\\s*(${names})\\s*\\)`, "g");
  for (const match of source.matchAll(drizzle)) {
    const column = TABLES[match[1]!]!;
    const setAt = source.indexOf(".set(", match.index);
    // The .set() must belong to this update chain (before the next statement).
    const end = source.indexOf(";", match.index);
    if (setAt < 0 || (end >= 0 && setAt > end)) continue;
    const argument = callArgument(source, setAt + 4);
    if (
      new RegExp(`(^|[\\s{,])${column}\\s*:`).test(argument) ||
      new RegExp(`\\b${column}\\b\\s*[,}]`).test(argument)
    ) {
      found.push({ line: lineOf(source, match.index), text: match[0] });
    }
  }
  const raw = new RegExp(
    `update\\s+(?:"?(${names})"?|\\$\\{\\s*(${names})\\s*\\})(?:\\s+(?:as\\s+)?\\w+)?\\s+set\\b([\\s\\S]{0,400}?)(?:\\bwhere\\b|\`|;)`,
    "gi",
  );
  for (const match of source.matchAll(raw)) {
    const table = (match[1] ?? match[2])!.toLowerCase();
    const column = TABLES[table]!;
    if (new RegExp(`(^|[\\s,.])"?${column}"?\\s*=`, "i").test(match[3] ?? "")) {
      found.push({ line: lineOf(source, match.index), text: match[0].slice(0, 60) });
    }
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return full === FSM_DIR ? [] : sourceFiles(full);
    return name.endsWith(".ts") && !name.endsWith(".test.ts") ? [full] : [];
  });
}

describe("status columns are written only through the FSM", () => {
  it.each([
    ["db.update(assignments).set({ status: 'cancelled', updatedAt: now })", 1],
    ["await tx.update(items)\n  .set({ assignedCount: 0, state })\n  .where(x)", 1],
    ["tx.update(workflows).set({ name, syncState: {} })", 0],
    ["tx.update(annotators).set({ lastError: 'x' }); const status = 1; x.set({ status })", 0],
    ["sql`update annotators set status = 'active' where id = #{id}`", 1],
    ["sql`update #{items} set assigned_count = 0, state = 'CREATED' where id = #{id}`", 1],
    ['sql`UPDATE "annotations" a SET "state" = #{s}`', 1],
    ["sql`update items set assigned_count = assigned_count + 1 where id = #{id}`", 0],
    ["db.insert(assignments).values({ status: 'pending' })", 0],
  ])("the detector on %j finds %i write(s)", (source, count) => {
    // Fixtures write #{x} for ${x} so they stay plain strings.
    expect(findStatusWrites(source.replaceAll("#{", "${"))).toHaveLength(count);
  });

  it("no source file outside modules/fsm writes annotators.status, assignments.status, workflows.state, items.state or annotations.state", () => {
    const files = sourceFiles(SRC);
    expect(files.length).toBeGreaterThan(20);
    const offenders = files.flatMap((file) =>
      findStatusWrites(readFileSync(file, "utf8")).map(
        (w) => `${path.relative(SRC, file)}:${w.line} ${w.text}`,
      ),
    );
    expect(offenders, `status writes outside modules/fsm/transition.ts:\n${offenders.join("\n")}`).toEqual(
      [],
    );
  });
});
