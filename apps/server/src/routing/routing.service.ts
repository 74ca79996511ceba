import { and, asc, eq, inArray, isNotNull } from "drizzle-orm";
import type { AppConfig } from "../config/config.js";
import type { Db } from "../db/client.js";
import { annotators } from "../db/schema/index.js";
import { AppError } from "../lib/app-error.js";
import { safeEqual } from "../lib/crypto.js";
import { createInstanceProxy } from "./instance-proxy.js";
import { buildTraefikConfig, type RoutedInstance } from "./traefik-config.js";

/** Instances that serve annotators: running (active) or running without new work (paused). */
const ROUTED_STATUSES = ["active", "paused"] as const;

/** Routing of `<subdomain>.<fleet domain>` to instances: Traefik's configuration and the proxy's lookups. */
export function createRoutingService(deps: { db: Db; config: AppConfig }) {
  const { db, config } = deps;

  async function routedInstances(): Promise<RoutedInstance[]> {
    const rows = await db
      .select({ id: annotators.id, subdomain: annotators.subdomain, url: annotators.instanceUrl })
      .from(annotators)
      .where(
        and(
          inArray(annotators.status, [...ROUTED_STATUSES]),
          isNotNull(annotators.subdomain),
          isNotNull(annotators.instanceUrl),
        ),
      )
      .orderBy(asc(annotators.id));
    return rows.map((r) => ({ annotatorId: r.id, subdomain: r.subdomain as string, url: r.url as string }));
  }

  /** The routing target of a subdomain (any status), null when no annotator has it. */
  async function lookup(subdomain: string) {
    const [row] = await db
      .select({ status: annotators.status, instanceUrl: annotators.instanceUrl })
      .from(annotators)
      .where(eq(annotators.subdomain, subdomain));
    return row ?? null;
  }

  return {
    routedInstances,
    lookup,

    /** The built-in proxy for `<subdomain>.localhost` and `<subdomain>.<FLEET_DOMAIN>` (embedded mode). */
    createProxy(onError?: (error: unknown, target: string) => void) {
      const domains = ["localhost", ...(config.instances.fleetDomain ? [config.instances.fleetDomain] : [])];
      return createInstanceProxy({ domains, lookup, ...(onError ? { onError } : {}) });
    },

    /**
     * Traefik's dynamic configuration for the whole fleet (subdomains are fleet-wide), for a caller
     * that presents TRAEFIK_PROVIDER_TOKEN (compared in constant time; unset → always 401).
     */
    async traefikConfig(presentedToken: string | undefined) {
      const expected = config.routing.traefikToken;
      if (!expected || !presentedToken || !safeEqual(presentedToken, expected)) {
        throw new AppError("UNAUTHORIZED", "Invalid or missing Traefik provider token");
      }
      return buildTraefikConfig(await routedInstances(), {
        domain: config.instances.fleetDomain ?? "localhost",
        entryPoints: config.routing.traefikEntryPoints,
        certResolver: config.routing.traefikCertResolver,
      });
    },
  };
}
export type RoutingService = ReturnType<typeof createRoutingService>;
