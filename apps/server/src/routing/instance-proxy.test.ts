import http from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInstanceProxy, type RouteLookup, subdomainOfHost } from "./instance-proxy.js";
import { serveWithInstanceProxy } from "./serve.js";

describe("subdomainOfHost", () => {
  const domains = ["localhost", "fleet.example.com"];
  it.each([
    ["alice.localhost:3000", "alice"],
    ["ALICE.localhost", "alice"],
    ["bob-2.fleet.example.com", "bob-2"],
    ["bob.fleet.example.com.", "bob"],
    ["localhost:3000", null],
    ["a.b.localhost", null],
    ["-bad.localhost", null],
    ["alice.example.org", null],
    [undefined, null],
  ])("%s → %s", (host, expected) => {
    expect(subdomainOfHost(host, domains)).toBe(expected);
  });
});

/** An upstream that echoes requests as JSON and echoes raw bytes after an upgrade (a websocket stand-in). */
function startUpstream() {
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      res.writeHead(201, { "content-type": "application/json", "x-upstream": "yes" });
      res.end(
        JSON.stringify({
          method: req.method,
          url: req.url,
          host: req.headers.host,
          forwardedHost: req.headers["x-forwarded-host"],
          body,
        }),
      );
    });
  });
  server.on("upgrade", (req, socket) => {
    upgraded.add(socket);
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${req.headers.upgrade}\r\nConnection: Upgrade\r\n\r\n`,
    );
    socket.on("data", (chunk) => socket.write(Buffer.concat([Buffer.from("echo:"), chunk])));
  });
  return new Promise<http.Server>((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

const upgraded = new Set<import("node:stream").Duplex>();
let upstream: http.Server;
let front: http.Server;
let frontPort: number;
const routes = new Map<string, RouteLookup>();
let lookups = 0;

beforeAll(async () => {
  upstream = await startUpstream();
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  routes.set("alice", { status: "active", instanceUrl: upstreamUrl });
  routes.set("sleepy", { status: "stopped", instanceUrl: upstreamUrl });
  routes.set("dead", { status: "active", instanceUrl: "http://127.0.0.1:1" });
  const proxy = createInstanceProxy({
    domains: ["localhost"],
    cacheMs: 60_000,
    lookup: async (subdomain) => {
      lookups++;
      return routes.get(subdomain) ?? null;
    },
  });
  front = await new Promise<http.Server>((resolve) => {
    const server = serveWithInstanceProxy(
      {
        fetch: () => new Response(JSON.stringify({ api: true }), { status: 200 }),
        port: 0,
        hostname: "127.0.0.1",
        proxy,
      },
      () => resolve(server),
    );
  });
  frontPort = (front.address() as AddressInfo).port;
});
afterAll(async () => {
  front.closeAllConnections();
  upstream.closeAllConnections();
  for (const socket of upgraded) socket.destroy();
  await new Promise((r) => front.close(r));
  await new Promise((r) => upstream.close(r));
});

function request(host: string, method = "GET", path = "/", body?: string) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>(
    (resolve, reject) => {
      const req = http.request(
        { host: "127.0.0.1", port: frontPort, method, path, headers: { host } },
        (res) => {
          let text = "";
          res.on("data", (chunk) => {
            text += chunk;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        },
      );
      req.on("error", reject);
      req.end(body);
    },
  );
}

describe("the built-in instance proxy", () => {
  it("forwards an annotator's subdomain to its instance: method, path, body, host, status and headers", async () => {
    const response = await request(
      `alice.localhost:${frontPort}`,
      "POST",
      "/api/projects/?page=2",
      '{"title":"x"}',
    );
    expect(response.status).toBe(201);
    expect(response.headers["x-upstream"]).toBe("yes");
    expect(JSON.parse(response.body)).toEqual({
      method: "POST",
      url: "/api/projects/?page=2",
      host: `alice.localhost:${frontPort}`,
      forwardedHost: `alice.localhost:${frontPort}`,
      body: '{"title":"x"}',
    });
  });

  it("leaves other hosts and unknown subdomains to the API, answers 503/502 for stopped or dead instances", async () => {
    expect(JSON.parse((await request(`localhost:${frontPort}`)).body)).toEqual({ api: true });
    expect(JSON.parse((await request(`nobody.localhost:${frontPort}`)).body)).toEqual({ api: true });
    const sleepy = await request(`sleepy.localhost:${frontPort}`);
    expect(sleepy.status).toBe(503);
    expect(JSON.parse(sleepy.body).error).toMatch(/not running \(status stopped\)/);
    expect((await request(`dead.localhost:${frontPort}`)).status).toBe(502);
  });

  it("caches lookups", async () => {
    const before = lookups;
    await request(`alice.localhost:${frontPort}`);
    await request(`alice.localhost:${frontPort}`);
    expect(lookups).toBe(before);
  });

  it("pipes a websocket upgrade both ways", async () => {
    const socket = net.connect(frontPort, "127.0.0.1");
    let received = "";
    socket.on("data", (chunk) => {
      received += chunk;
    });
    await new Promise((r) => socket.once("connect", r));
    socket.write(
      "GET /ws HTTP/1.1\r\nHost: alice.localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
    );
    const until = async (text: string) => {
      const end = Date.now() + 5000;
      while (!received.includes(text) && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
      return received.includes(text);
    };
    expect(await until("101 Switching Protocols")).toBe(true);
    socket.write("ping-1");
    expect(await until("echo:ping-1")).toBe(true);
    socket.write("ping-2");
    expect(await until("echo:ping-2")).toBe(true);
    socket.destroy();
  });

  it("refuses upgrades that are not for an instance", async () => {
    const socket = net.connect(frontPort, "127.0.0.1");
    await new Promise((r) => socket.once("connect", r));
    const closed = new Promise((r) => socket.once("close", r));
    socket.write("GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
    await closed;
    expect(socket.destroyed).toBe(true);
  });
});
