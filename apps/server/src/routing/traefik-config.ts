/** One routed instance: `<subdomain>.<domain>` → its LS. */
export interface RoutedInstance {
  annotatorId: number;
  subdomain: string;
  url: string;
}

export interface TraefikOptions {
  domain: string;
  entryPoints: string[];
  certResolver?: string | undefined;
}

/** Traefik's dynamic configuration (HTTP provider, JSON), the parts LabelFleet writes. */
export interface TraefikDynamicConfig {
  http: {
    routers: Record<
      string,
      { rule: string; service: string; entryPoints: string[]; tls?: { certResolver: string } }
    >;
    services: Record<string, { loadBalancer: { servers: { url: string }[]; passHostHeader: boolean } }>;
  };
}

/**
 * The dynamic configuration Traefik polls from `GET /api/traefik/config`: one router
 * (`Host(\`<subdomain>.<domain>\`)`) and one service (the instance URL) per running instance.
 * Pure and deterministic (sorted by annotator id), so Traefik sees no change when nothing changed.
 */
export function buildTraefikConfig(
  instances: RoutedInstance[],
  options: TraefikOptions,
): TraefikDynamicConfig {
  const config: TraefikDynamicConfig = { http: { routers: {}, services: {} } };
  for (const instance of [...instances].sort((a, b) => a.annotatorId - b.annotatorId)) {
    const name = `labelfleet-annotator-${instance.annotatorId}`;
    config.http.routers[name] = {
      rule: `Host(\`${instance.subdomain}.${options.domain}\`)`,
      service: name,
      entryPoints: options.entryPoints,
      ...(options.certResolver ? { tls: { certResolver: options.certResolver } } : {}),
    };
    config.http.services[name] = {
      loadBalancer: { servers: [{ url: instance.url }], passHostHeader: true },
    };
  }
  return config;
}
