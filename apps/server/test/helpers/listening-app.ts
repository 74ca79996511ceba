import http from "node:http";
import { createServer } from "node:net";
import { getRequestListener, type ServerType } from "@hono/node-server";
import { webhookFastPathFor } from "../../src/http/webhook-fast-path.js";
import { createTestApp, type TestApp } from "./test-app.js";

/** A free TCP port on 127.0.0.1 (asked from the OS, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export type ListeningTestApp = TestApp & { url: string; stop(): Promise<void> };

/**
 * The test app listening on a real 127.0.0.1 port, for LS instances (the simulator) to call back:
 * PORT and PUBLIC_URL are set before the app is composed, so the webhook URL that delivery registers
 * in LS points here. `stop()` closes the server, stops the instance backend and the app.
 */
export async function createListeningTestApp(env: Record<string, string> = {}): Promise<ListeningTestApp> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const t = await createTestApp({ PORT: String(port), PUBLIC_URL: url, ...env });
  const server: ServerType = await new Promise((resolve) => {
    // Like production (routing/serve.ts): the webhook fast path in front of Hono.
    const api = getRequestListener(t.app.fetch);
    const webhook = webhookFastPathFor(t.app.fetch);
    const s = http.createServer((req, res) => {
      if (!webhook?.(req, res)) void api(req, res);
    });
    s.listen(port, "127.0.0.1", () => resolve(s));
  });
  return {
    ...t,
    url,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await t.services.fleet.backend.close();
      await t.close();
    },
  };
}
