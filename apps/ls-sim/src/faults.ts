/** Which requests latency/error faults apply to; omitted fields match everything. */
export interface FaultMatch {
  method?: string;
  /** Path prefix, e.g. `/api/projects/1/import`. */
  path?: string;
}

/** Behaviour switches that are not faults but version differences the contract says a client must survive. */
export interface SimQuirks {
  /** Answer imports like Enterprise: 201 `{"import": id}` to be polled (§4.1). */
  asyncImport: boolean;
  /** Spelling of the prediction counter in the import response (§4.1, §10.4). */
  importCountKey: "prediction_count" | "predictions_count";
}

/** Fault switches of `POST /__sim/faults` (see README). */
export interface FaultSettings {
  latencyMs: number;
  errorRate: number;
  /** Fail exactly the next N matching requests (deterministic alternative to `errorRate`). */
  failNext: number;
  errorStatus: number;
  /** `before`: the request is not processed; `after`: processed, but the client gets an error. */
  errorPhase: "before" | "after";
  dropWebhookRate: number;
  duplicateWebhookRate: number;
  /** Probability that a plural delete webhook arrives as bare `{"action": ...}` (§6.3). */
  omitDeletedIdsRate: number;
  match: FaultMatch | null;
  seed: number | null;
  quirks: SimQuirks;
}

/** One request seen by the simulator (for retry assertions in tests). */
export interface RequestLogEntry {
  at: string;
  method: string;
  path: string;
  status: number;
  injected: boolean;
}

export function defaultFaults(): FaultSettings {
  return {
    latencyMs: 0,
    errorRate: 0,
    failNext: 0,
    errorStatus: 500,
    errorPhase: "before",
    dropWebhookRate: 0,
    duplicateWebhookRate: 0,
    omitDeletedIdsRate: 0,
    match: null,
    seed: null,
    quirks: { asyncImport: false, importCountKey: "prediction_count" },
  };
}

/** mulberry32: tiny seeded PRNG so that fault sequences are reproducible. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Holds fault settings, the random source and the request log. */
export interface FaultController {
  readonly settings: FaultSettings;
  /** Merges a partial update; a `seed` restarts the random sequence. */
  update(patch: Partial<FaultSettings>): void;
  reset(): void;
  matches(method: string, path: string): boolean;
  /** Consumes one decision: should this matching request fail? */
  shouldFail(): boolean;
  /** One random draw against a probability (webhook faults). */
  chance(rate: number): boolean;
  readonly requestLog: RequestLogEntry[];
  logRequest(entry: RequestLogEntry): void;
}

const MAX_LOG = 2000;

/** Creates the fault controller of one simulator instance. */
export function createFaultController(): FaultController {
  let settings = defaultFaults();
  let random: () => number = Math.random;
  const requestLog: RequestLogEntry[] = [];
  return {
    get settings() {
      return settings;
    },
    update(patch) {
      settings = {
        ...settings,
        ...patch,
        quirks: { ...settings.quirks, ...(patch.quirks ?? {}) },
      };
      if (patch.seed !== undefined) random = patch.seed === null ? Math.random : seededRandom(patch.seed);
    },
    reset() {
      settings = defaultFaults();
      random = Math.random;
    },
    matches(method, path) {
      const m = settings.match;
      if (!m) return true;
      if (m.method && m.method.toUpperCase() !== method.toUpperCase()) return false;
      if (m.path && !path.startsWith(m.path)) return false;
      return true;
    },
    shouldFail() {
      if (settings.failNext > 0) {
        settings.failNext -= 1;
        return true;
      }
      return settings.errorRate > 0 && random() < settings.errorRate;
    },
    chance(rate) {
      return rate > 0 && random() < rate;
    },
    requestLog,
    logRequest(entry) {
      requestLog.push(entry);
      if (requestLog.length > MAX_LOG) requestLog.splice(0, requestLog.length - MAX_LOG);
    },
  };
}
