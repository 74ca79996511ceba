/** Why a Label Studio call failed. */
export type LabelStudioErrorCode =
  /** LS answered with a non-2xx status. */
  | "http"
  /** No answer within `timeoutMs` (per attempt). */
  | "timeout"
  /** Connection refused/reset, DNS failure, … */
  | "network"
  /** The caller's AbortSignal fired. */
  | "aborted"
  /** 2xx, but the body does not match what the contract allows. */
  | "invalid_response";

export interface LabelStudioErrorInit {
  instance: string;
  operation: string;
  method: string;
  path: string;
  code: LabelStudioErrorCode;
  status: number | null;
  body: unknown;
  attempts: number;
  cause?: unknown;
}

/**
 * A failed call to one LS instance. Names the instance URL and the operation so that a log line is
 * enough to know which annotator's instance misbehaved and what LabelFleet was doing.
 */
export class LabelStudioError extends Error {
  override readonly name = "LabelStudioError";
  readonly instance: string;
  readonly operation: string;
  readonly method: string;
  readonly path: string;
  readonly code: LabelStudioErrorCode;
  /** HTTP status, or null when there was no answer. */
  readonly status: number | null;
  /** Parsed JSON body when possible, else the raw text (LS's 404 for unknown paths is HTML). */
  readonly body: unknown;
  readonly attempts: number;

  constructor(init: LabelStudioErrorInit) {
    const what = init.status === null ? init.code : `HTTP ${init.status}`;
    const detail = describeBody(init.body);
    super(
      `Label Studio ${init.instance} ${init.operation} (${init.method} ${init.path}) failed: ${what}${detail ? ` — ${detail}` : ""}`,
      { cause: init.cause },
    );
    this.instance = init.instance;
    this.operation = init.operation;
    this.method = init.method;
    this.path = init.path;
    this.code = init.code;
    this.status = init.status;
    this.body = init.body;
    this.attempts = init.attempts;
  }

  /** `detail` of LS's error envelope (§10.2), when present. */
  get detail(): string | null {
    const b = this.body as { detail?: unknown } | null;
    return typeof b?.detail === "string" ? b.detail : null;
  }

  /** `validation_errors` of LS's error envelope (§10.2), when present. */
  get validationErrors(): Record<string, unknown> | null {
    const v = (this.body as { validation_errors?: unknown } | null)?.validation_errors;
    return typeof v === "object" && v !== null ? (v as Record<string, unknown>) : null;
  }
}

/** True when `err` is a LabelStudioError with the given HTTP status. */
export function isLabelStudioStatus(err: unknown, status: number): err is LabelStudioError {
  return err instanceof LabelStudioError && err.status === status;
}

function describeBody(body: unknown): string {
  if (body === null || body === undefined || body === "") return "";
  if (typeof body === "string") return body.length > 200 ? `${body.slice(0, 200)}…` : body;
  const b = body as { detail?: unknown; validation_errors?: unknown };
  const parts: string[] = [];
  if (typeof b.detail === "string") parts.push(b.detail);
  if (b.validation_errors) parts.push(JSON.stringify(b.validation_errors).slice(0, 300));
  return parts.length > 0 ? parts.join(": ") : JSON.stringify(body).slice(0, 300);
}
