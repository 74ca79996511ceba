import { randomBytes, randomInt } from "node:crypto";
import type { InstanceSpec } from "../../src/backends/instance-backend.js";

/** An InstanceSpec with fresh secrets; the annotator id is random so parallel runs never collide. */
export function makeInstanceSpec(overrides: Partial<InstanceSpec> = {}): InstanceSpec {
  const annotatorId = overrides.annotatorId ?? randomInt(100_000, 999_999);
  return {
    annotatorId,
    organizationId: 1,
    subdomain: `ann-${annotatorId}`,
    lsUsername: `annotator-${annotatorId}@fleet.test`,
    lsPassword: randomBytes(12).toString("hex"),
    lsToken: randomBytes(20).toString("hex"),
    webhookSecret: randomBytes(24).toString("hex"),
    databaseName: `ls_annotator_${annotatorId}`,
    callbackBaseUrl: "http://127.0.0.1:3000",
    ...overrides,
  };
}
