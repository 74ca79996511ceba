import type { InstanceRef, InstanceSpec } from "../../backends/instance-backend.js";
import type { AppConfig } from "../../config/config.js";
import { hmacBase64url, type SecretBox } from "../../lib/crypto.js";
import type { AnnotatorRow } from "./annotators.repo.js";

/** What the backend needs to find an annotator's existing instance. */
export const refOf = (row: AnnotatorRow): InstanceRef => ({
  annotatorId: row.id,
  subdomain: row.subdomain ?? `annotator-${row.id}`,
  containerId: row.containerId,
  backendData: row.backendData ?? null,
});

/**
 * Everything an adapter needs to create an annotator's instance. The LS password is derived from the
 * server secret (stable across restarts, never stored); the LS token and webhook secret are unsealed.
 */
export function specOf(
  row: AnnotatorRow,
  deps: { secrets: SecretBox; serverSecret: string; config: AppConfig },
): InstanceSpec {
  if (!row.apiTokenEnc || !row.webhookSecretEnc) {
    throw new Error(`Annotator ${row.id} has no LS token or webhook secret`);
  }
  return {
    annotatorId: row.id,
    organizationId: row.organizationId,
    subdomain: row.subdomain ?? `annotator-${row.id}`,
    lsUsername: row.email.toLowerCase(),
    lsPassword: hmacBase64url(deps.serverSecret, `labelfleet:ls-password:${row.id}`).slice(0, 24),
    lsToken: deps.secrets.open(row.apiTokenEnc),
    webhookSecret: deps.secrets.open(row.webhookSecretEnc),
    databaseName: row.databaseName ?? `ls_annotator_${row.id}`,
    callbackBaseUrl: deps.config.publicUrl ?? `http://localhost:${deps.config.port}`,
  };
}

/**
 * The URL people use for an annotator's LS: `<scheme>://<subdomain>.<FLEET_DOMAIN>` when the fleet
 * is routed (Traefik or the built-in proxy), else the instance's direct address (embedded mode).
 */
export function publicUrlOf(row: AnnotatorRow, config: AppConfig): string | null {
  const { fleetDomain, urlScheme } = config.instances;
  if (fleetDomain && row.subdomain) return `${urlScheme}://${row.subdomain}.${fleetDomain}`;
  return row.instanceUrl;
}
