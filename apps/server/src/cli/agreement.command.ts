import type { Command } from "commander";
import { ZodError } from "zod";
import { isAppError } from "../lib/app-error.js";
import { EvaluateAgreementRequest, evaluateFromRequest } from "../modules/agreement/evaluate.js";

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * `labelfleet agreement evaluate`: the body of POST /api/agreement/evaluate on stdin, the same
 * response on stdout. Needs no database or server. Exit 2 with `{error, details}` on bad input.
 */
export function registerAgreementCommands(program: Command) {
  program
    .command("agreement")
    .description("Agreement tools")
    .command("evaluate")
    .description("Read {labelConfig, participants, dimensions?} JSON on stdin; print the agreement matrices")
    .action(async () => {
      try {
        const request = EvaluateAgreementRequest.parse(JSON.parse(await readStdin()));
        console.log(JSON.stringify(evaluateFromRequest(request), null, 2));
      } catch (error) {
        const body =
          error instanceof ZodError
            ? { error: "Validation failed", details: error.issues }
            : isAppError(error)
              ? { error: error.message, details: error.details }
              : { error: error instanceof Error ? error.message : String(error) };
        console.error(JSON.stringify(body));
        process.exitCode = 2;
      }
    });
}
