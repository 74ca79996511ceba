/**
 * Taxonomy (reference §2.2). A selection is a list of paths root → node (`value.taxonomy`); all items
 * of the control are pooled into one selection.
 */
import type { ResultItem, TaxonomyNode } from "./types.js";

type Path = readonly string[];

/** The paths of one item (`value.taxonomy`, a list of lists of strings). */
export function pathsOf(item: ResultItem): string[][] {
  const raw = item.value.taxonomy;
  if (!Array.isArray(raw)) return [];
  return raw.filter(Array.isArray).map((path) => path.filter((x): x is string => typeof x === "string"));
}

const keyOf = (path: Path): string => JSON.stringify(path);

/** All root→leaf paths below `path` in `tree` (a leaf, or a path the tree does not know, stays itself). */
export function expandToLeaves(path: Path, tree: readonly TaxonomyNode[] | undefined): Path[] {
  let level = tree;
  let node: TaxonomyNode | undefined;
  for (const step of path) {
    node = level?.find((n) => n.value === step);
    if (!node) return [path];
    level = node.children;
  }
  if (!node?.children || node.children.length === 0) return [path];
  const out: Path[] = [];
  const visit = (prefix: Path, n: TaxonomyNode): void => {
    const here = [...prefix, n.value];
    if (!n.children || n.children.length === 0) out.push(here);
    else for (const child of n.children) visit(here, child);
  };
  for (const child of node.children) visit(path, child);
  return out;
}

function expandedKeys(items: readonly ResultItem[], tree: readonly TaxonomyNode[] | undefined): Set<string> {
  const keys = new Set<string>();
  for (const item of items) {
    for (const path of pathsOf(item)) for (const leaf of expandToLeaves(path, tree)) keys.add(keyOf(leaf));
  }
  return keys;
}

function selectionKeys(items: readonly ResultItem[]): Set<string> {
  return new Set(items.flatMap((item) => pathsOf(item).map(keyOf)));
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((k) => b.has(k));
}

function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let inter = 0;
  for (const k of a) if (b.has(k)) inter++;
  return inter / (a.size + b.size - inter);
}

/**
 * evalme `intersection_taxonomy` ("Common subtree matches"), `f(G, P) = |E(P) ∩ E(G)| / |E(G)|` with
 * `E` the selection expanded downwards to leaves of `tree`; identical selections score 1.
 */
export function intersectionTaxonomy(
  gt: readonly ResultItem[],
  pred: readonly ResultItem[],
  tree: readonly TaxonomyNode[] | undefined,
): number {
  if (sameSet(selectionKeys(gt), selectionKeys(pred))) return 1;
  const eg = expandedKeys(gt, tree);
  if (eg.size === 0) return 0;
  let common = 0;
  for (const k of expandedKeys(pred, tree)) if (eg.has(k)) common++;
  return common / eg.size;
}

/** LS docs "Common Subtree Matches": Jaccard after expanding every path into all its ancestor prefixes. */
export function ancestorPrefixJaccard(a: readonly ResultItem[], b: readonly ResultItem[]): number {
  const prefixes = (items: readonly ResultItem[]): Set<string> => {
    const keys = new Set<string>();
    for (const item of items) {
      for (const path of pathsOf(item))
        for (let n = 1; n <= path.length; n++) keys.add(keyOf(path.slice(0, n)));
    }
    return keys;
  };
  return jaccard(prefixes(a), prefixes(b));
}

function commonPrefixLength(a: Path, b: Path): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

/**
 * evalme `path_match_taxonomy` ("Common labels matches"), `f(G, P)`: per reference item, the best
 * `common_prefix_length(g, p) / len(g)` over its paths g and all candidate paths p; mean over items.
 */
export function pathMatchTaxonomy(gt: readonly ResultItem[], pred: readonly ResultItem[]): number {
  if (gt.length === 0) return pred.length === 0 ? 1 : 0;
  const candidates = pred.flatMap(pathsOf);
  let total = 0;
  for (const item of gt) {
    let best = 0;
    for (const g of pathsOf(item)) {
      if (g.length === 0) continue;
      for (const p of candidates) best = Math.max(best, commonPrefixLength(g, p) / g.length);
    }
    total += best;
  }
  return total / gt.length;
}

/** LS docs "Common Labels Matches": Jaccard over full paths. */
export function fullPathJaccard(a: readonly ResultItem[], b: readonly ResultItem[]): number {
  return jaccard(selectionKeys(a), selectionKeys(b));
}
