import type { InstanceBackend, InstanceRef } from "../../backends/instance-backend.js";
import { createLabelStudioClient } from "../../labelstudio/client.js";

/**
 * Waits until the instance at `url` answers LS `/health` with UP and accepts the annotator's token
 * (`whoami`, contract §1.4/§9); returns the LS user id. Gives up at `deadline` or as soon as the
 * backend reports the instance gone, with the reason, so a start never hangs in `starting`.
 */
export async function waitUntilReady(input: {
  url: string;
  token: string;
  deadline: number;
  backend: InstanceBackend;
  ref: InstanceRef;
}): Promise<number> {
  let delay = 100;
  let lastProblem = "no answer yet";
  while (Date.now() < input.deadline) {
    const remaining = input.deadline - Date.now();
    const client = createLabelStudioClient({
      baseUrl: input.url,
      token: input.token,
      timeoutMs: Math.max(200, Math.min(5000, remaining)),
      retries: 0,
    });
    try {
      const health = await client.health();
      if (health.status === "UP") return (await client.currentUser()).id;
      lastProblem = `/health answered status ${health.status}`;
    } catch (error) {
      lastProblem = error instanceof Error ? error.message : String(error);
      // A 401/403 will not fix itself: the instance runs but refuses the annotator's token.
      const status = (error as { status?: unknown }).status;
      if (status === 401 || status === 403)
        throw new Error(`Instance refuses the annotator's LS token: ${lastProblem}`);
    }
    const state = await input.backend.inspect(input.ref).catch(() => null);
    if (state && (state.state === "failed" || state.state === "stopped" || state.state === "missing")) {
      throw new Error(`Instance is ${state.state}${state.detail ? `: ${state.detail}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, Math.min(delay, Math.max(0, input.deadline - Date.now()))));
    delay = Math.min(delay * 2, 1000);
  }
  throw new Error(`Instance at ${input.url} was not ready before the start timeout (${lastProblem})`);
}
