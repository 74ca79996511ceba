import { describe, expect, it } from "vitest";
import { buildTraefikConfig } from "./traefik-config.js";

describe("buildTraefikConfig", () => {
  const instances = [
    { annotatorId: 12, subdomain: "bob", url: "http://172.18.0.6:8080" },
    { annotatorId: 3, subdomain: "alice", url: "http://172.18.0.5:8080" },
  ];

  it("writes one router and one service per instance, sorted by annotator", () => {
    const config = buildTraefikConfig(instances, {
      domain: "fleet.example.com",
      entryPoints: ["web", "websecure"],
    });
    expect(Object.keys(config.http.routers)).toEqual(["labelfleet-annotator-3", "labelfleet-annotator-12"]);
    expect(config.http.routers["labelfleet-annotator-3"]).toEqual({
      rule: "Host(`alice.fleet.example.com`)",
      service: "labelfleet-annotator-3",
      entryPoints: ["web", "websecure"],
    });
    expect(config.http.services["labelfleet-annotator-12"]).toEqual({
      loadBalancer: { servers: [{ url: "http://172.18.0.6:8080" }], passHostHeader: true },
    });
  });

  it("adds TLS with the certificate resolver when one is configured", () => {
    const config = buildTraefikConfig(instances, {
      domain: "d.io",
      entryPoints: ["websecure"],
      certResolver: "le",
    });
    expect(config.http.routers["labelfleet-annotator-12"]?.tls).toEqual({ certResolver: "le" });
  });

  it("is empty, not missing, without instances (Traefik then removes every router)", () => {
    expect(buildTraefikConfig([], { domain: "d.io", entryPoints: ["web"] })).toEqual({
      http: { routers: {}, services: {} },
    });
  });
});
