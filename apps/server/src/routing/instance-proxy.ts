import http, { type IncomingMessage, type ServerResponse } from "node:http";
import net from "node:net";
import type { Duplex } from "node:stream";

/** What the proxy needs to know about a subdomain; null when no annotator has it. */
export interface RouteLookup {
  status: string;
  instanceUrl: string | null;
}

export interface InstanceProxyOptions {
  /** Domains whose single-label subdomains are annotators, e.g. `localhost` and FLEET_DOMAIN. */
  domains: string[];
  lookup: (subdomain: string) => Promise<RouteLookup | null>;
  /** How long a lookup is reused (the LS UI loads dozens of assets per page). Default 2 s. */
  cacheMs?: number;
  onError?: (error: unknown, subdomain: string) => void;
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const ROUTABLE = new Set(["active", "paused"]);

/** The annotator subdomain a Host header names (`alice.localhost:3000` → `alice`), or null. */
export function subdomainOfHost(host: string | undefined, domains: string[]): string | null {
  if (!host) return null;
  const name = host.toLowerCase().replace(/:\d+$/, "").replace(/\.$/, "");
  for (const domain of domains) {
    const suffix = `.${domain.toLowerCase()}`;
    if (!name.endsWith(suffix)) continue;
    const label = name.slice(0, -suffix.length);
    if (LABEL.test(label)) return label;
  }
  return null;
}

function forwardedHeaders(req: IncomingMessage) {
  const headers: http.OutgoingHttpHeaders = { ...req.headers };
  const client = req.socket.remoteAddress ?? "";
  const prior = req.headers["x-forwarded-for"];
  headers["x-forwarded-for"] = prior ? `${String(prior)}, ${client}` : client;
  headers["x-forwarded-host"] = req.headers.host ?? "";
  headers["x-forwarded-proto"] = "http";
  return headers;
}

function answer(res: ServerResponse, status: number, error: string) {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ error }));
}

/**
 * The built-in router of the embedded mode: requests for `<subdomain>.<domain>` go to that annotator's
 * running instance (HTTP and websocket upgrades, piped both ways); everything else is left to the API.
 * A known subdomain whose instance is not running answers 503.
 */
export function createInstanceProxy(options: InstanceProxyOptions) {
  const cacheMs = options.cacheMs ?? 2000;
  const cache = new Map<string, { value: RouteLookup | null; expires: number }>();

  async function resolve(subdomain: string) {
    const hit = cache.get(subdomain);
    if (hit && hit.expires > Date.now()) return hit.value;
    const value = await options.lookup(subdomain);
    cache.set(subdomain, { value, expires: Date.now() + cacheMs });
    return value;
  }

  /** The target URL, `null` to leave the request to the API, or an error status to answer. */
  async function target(req: IncomingMessage): Promise<URL | null | { status: number; error: string }> {
    const subdomain = subdomainOfHost(req.headers.host, options.domains);
    if (!subdomain) return null;
    const route = await resolve(subdomain);
    if (!route) return null;
    if (!ROUTABLE.has(route.status) || !route.instanceUrl) {
      return {
        status: 503,
        error: `The Label Studio instance of ${subdomain} is not running (status ${route.status})`,
      };
    }
    return new URL(route.instanceUrl);
  }

  return {
    /** Proxies the request when its Host is an annotator's; false when it is for the API. */
    async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
      if (!subdomainOfHost(req.headers.host, options.domains)) return false;
      const to = await target(req);
      if (to === null) return false;
      if (!(to instanceof URL)) {
        answer(res, to.status, to.error);
        return true;
      }
      const upstream = http.request(
        {
          host: to.hostname,
          port: to.port,
          method: req.method,
          path: req.url,
          headers: forwardedHeaders(req),
        },
        (response) => {
          res.writeHead(response.statusCode ?? 502, response.headers);
          response.pipe(res);
        },
      );
      upstream.on("error", (error) => {
        options.onError?.(error, to.host);
        answer(res, 502, `The Label Studio instance did not answer: ${error.message}`);
      });
      req.pipe(upstream);
      return true;
    },

    /** Pipes a websocket (any upgrade) to the instance; false when the Host is not an annotator's. */
    async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<boolean> {
      if (!subdomainOfHost(req.headers.host, options.domains)) return false;
      const to = await target(req);
      if (to === null) return false;
      if (!(to instanceof URL)) {
        socket.end(`HTTP/1.1 ${to.status} Service Unavailable\r\nConnection: close\r\n\r\n`);
        return true;
      }
      const upstream = net.connect(Number(to.port || 80), to.hostname, () => {
        const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
        for (let i = 0; i < req.rawHeaders.length; i += 2)
          lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
        upstream.write(`${lines.join("\r\n")}\r\n\r\n`);
        if (head.length > 0) upstream.write(head);
        socket.pipe(upstream).pipe(socket);
      });
      const close = () => {
        upstream.destroy();
        socket.destroy();
      };
      upstream.on("error", (error) => {
        options.onError?.(error, to.host);
        close();
      });
      socket.on("error", close);
      // Either side hanging up ends the tunnel (an upgraded socket is no longer tracked by the server).
      socket.on("close", close);
      upstream.on("close", close);
      return true;
    },
  };
}
export type InstanceProxy = ReturnType<typeof createInstanceProxy>;
