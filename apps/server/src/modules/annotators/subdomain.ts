/** Labels the fleet uses itself; an annotator never gets them. */
const RESERVED = new Set([
  "www",
  "api",
  "admin",
  "app",
  "traefik",
  "fleet",
  "labelfleet",
  "mail",
  "localhost",
]);
const MAX_BASE = 40;

/**
 * A DNS-safe label from an annotator's name (or e-mail local part when the name has no usable
 * characters): lowercase ASCII letters, digits and single hyphens, no leading/trailing hyphen.
 */
export function subdomainBase(name: string, email: string): string {
  const slug = (value: string) =>
    value
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, MAX_BASE)
      .replace(/-+$/g, "");
  const base = slug(name) || slug(email.split("@")[0] ?? "") || "annotator";
  return RESERVED.has(base) ? `${base}-annotator` : base;
}

/**
 * The first of `base`, `base-2`, `base-3`, ... that is not taken. `taken` holds the labels already
 * in use that start with `base` (from the database, plus those handed out earlier in the same batch).
 */
export function firstFreeSubdomain(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}
