import http from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { webhookFastPathFor } from "../http/webhook-fast-path.js";
import type { InstanceProxy } from "./instance-proxy.js";

/**
 * The HTTP server of the serve role: annotator subdomains go to the built-in instance proxy first,
 * everything else to the API (Hono). Upgrades that are not for an instance are refused.
 */
export function serveWithInstanceProxy(
  options: {
    fetch: (request: Request) => Response | Promise<Response>;
    port: number;
    hostname: string;
    proxy: InstanceProxy;
  },
  onListening?: (info: AddressInfo) => void,
): http.Server {
  const api = getRequestListener(options.fetch);
  // POST /api/webhook on node:http (webhook-fast-path.ts) when the app registered one.
  const webhook = webhookFastPathFor(options.fetch);
  const server = http.createServer((req, res) => {
    options.proxy
      .handle(req, res)
      .then((isHandled) => {
        if (!isHandled && !webhook?.(req, res)) return api(req, res);
      })
      .catch(() => {
        if (!res.headersSent) res.writeHead(502, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: "Instance routing failed" }));
      });
  });
  server.on("upgrade", (req, socket, head) => {
    options.proxy
      .upgrade(req, socket, head)
      .then((isHandled) => {
        if (!isHandled) socket.destroy();
      })
      .catch(() => socket.destroy());
  });
  server.listen(options.port, options.hostname, () => onListening?.(server.address() as AddressInfo));
  return server;
}
