import type { z } from "zod";
import { LabelStudioError } from "./errors.js";
import type { RequestSpec, Transport } from "./http.js";
import { parseShape, ShapeError } from "./normalize.js";

/** What the endpoint groups share: the transport and body conversion that names the failing call. */
export interface Caller {
  readonly http: Transport;
  /** Sends `spec` and converts the body; shape errors become `invalid_response` LabelStudioErrors. */
  call<T>(spec: RequestSpec, convert: (body: unknown) => T): Promise<T>;
  /** Converter that Zod-parses a body with `schema`. */
  parsed<S extends z.ZodType>(schema: S, what: string): (body: unknown) => z.output<S>;
  /** Converter for bodiless answers (204). */
  none(): void;
}

/** Wraps a transport into a Caller. */
export function createCaller(http: Transport): Caller {
  return {
    http,
    async call(spec, convert) {
      const res = await http.send(spec);
      try {
        return convert(res.body);
      } catch (err) {
        if (!(err instanceof ShapeError)) throw err;
        throw new LabelStudioError({
          instance: http.baseUrl,
          operation: spec.operation,
          method: spec.method,
          path: spec.path,
          code: "invalid_response",
          status: res.status,
          body: res.body,
          attempts: 1,
          cause: err,
        });
      }
    },
    parsed: (schema, what) => (body) => parseShape(schema, body, what),
    none: () => undefined,
  };
}
