/** The error codes domain code may raise; `http/error-handler.ts` is the only place that maps them to statuses. */
export type AppErrorCode =
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "TOO_MANY_REQUESTS"
  | "UNAVAILABLE"
  | "INTERNAL";

/**
 * The one error type of LabelFleet. Domain code throws it; the HTTP layer turns it into
 * `{ error: message, details? }` with the status for `code`, and extra top-level fields from `extra`
 * (used e.g. by FSM conflicts to report `current_state` and `allowed_transitions`).
 */
export class AppError extends Error {
  override readonly name = "AppError";
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly details?: unknown[],
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;

/** Throws NOT_FOUND when `value` is null/undefined; keeps `get*` functions one line. */
export function found<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new AppError("NOT_FOUND", `${what} not found`);
  return value;
}
