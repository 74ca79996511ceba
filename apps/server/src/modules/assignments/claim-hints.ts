/**
 * Where a source-order claim of a workflow level starts scanning: the first id the previous claim of
 * this process took there. Below it every item was taken (or locked by another claimer) at the time,
 * and the index still holds the entries of those items' old versions until vacuum, which every scan
 * from the first id would walk again (the cost grew with each claim). A hint is only a start: a scan
 * that does not fill the batch wraps around to the ids below it, so items given back (a cancelled
 * batch, a rolled-back claim) are still handed out, after the ones above the hint at the latest; and
 * hints expire after `ttlMs`, after which scans start from the first id again.
 */
export function createClaimHints(ttlMs = 60_000, now: () => number = Date.now) {
  const hints = new Map<string, { id: number; until: number }>();
  const key = (workflowId: number, level: number) => `${workflowId}:${level}`;
  return {
    get(workflowId: number, level: number): number {
      const hint = hints.get(key(workflowId, level));
      return hint && hint.until > now() ? hint.id : 0;
    },
    set(workflowId: number, level: number, id: number) {
      hints.set(key(workflowId, level), { id, until: now() + ttlMs });
    },
  };
}
export type ClaimHints = ReturnType<typeof createClaimHints>;
