import type { SecretBox } from "../../lib/crypto.js";
import { maskSecret } from "../../lib/crypto.js";
import type { AnnotatorRow } from "./annotators.repo.js";

export interface RoleSummary {
  id: number;
  name: string;
  color: string | null;
}

/** The spec's annotator object: secrets masked, never the sealed values; plus the lifecycle extras. */
export function presentAnnotator(secrets: SecretBox, row: AnnotatorRow, role: RoleSummary | null) {
  let apiToken: string | null = null;
  if (row.apiTokenEnc) {
    try {
      apiToken = maskSecret(secrets.open(row.apiTokenEnc));
    } catch {
      // Sealed with another server key (AUTH_SECRET changed): show that there is one, not what it is.
      apiToken = "********";
    }
  }
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    roleId: row.roleId,
    status: row.status,
    containerId: row.containerId,
    containerIp: row.containerIp,
    containerPort: row.containerPort,
    subdomain: row.subdomain,
    databaseName: row.databaseName,
    apiToken,
    lsUserId: row.lsUserId,
    notes: row.notes,
    lastActiveAt: row.lastActiveAt,
    rejectionCount: row.rejectionCount,
    reviewedCount: row.reviewedCount,
    backend: row.backend,
    instanceUrl: row.instanceUrl,
    startedAt: row.startedAt,
    restartCount: row.restartCount,
    lastError: row.lastError,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    role: role && role.id !== null ? role : null,
  };
}
export type AnnotatorView = ReturnType<typeof presentAnnotator>;
