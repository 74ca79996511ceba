import { z } from "zod";
import { configSections } from "./sections.js";

interface JsonSchemaProperty {
  description?: string;
  default?: unknown;
  enum?: unknown[];
  type?: string;
  minimum?: number;
  maximum?: number;
}

/** Renders docs/configuration.md from the config schema (the single source of truth). */
export function renderConfigurationDoc(): string {
  const lines = [
    "# Configuration",
    "",
    "<!-- Generated from apps/server/src/config/sections.ts by `npm run docs:config`; do not edit by hand. -->",
    "",
    "LabelFleet reads its configuration from environment variables once, at start. An invalid value stops",
    "the server with one message that names every bad variable. Every variable is optional: the defaults",
    "run a complete embedded fleet (PGlite, local storage, local LS processes) on one machine.",
    "",
  ];
  for (const [section, schema] of Object.entries(configSections)) {
    const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as {
      properties?: Record<string, JsonSchemaProperty>;
    };
    lines.push(`## ${section}`, "", "| Variable | Default | Allowed | Description |", "|---|---|---|---|");
    for (const [name, prop] of Object.entries(json.properties ?? {})) {
      const fallback = prop.default === undefined ? "—" : `\`${String(prop.default)}\``;
      const allowed = prop.enum
        ? prop.enum
            .filter((v) => v !== "")
            .map((v) => `\`${String(v)}\``)
            .join(", ")
        : prop.minimum !== undefined
          ? `${prop.minimum}–${prop.maximum}`
          : (prop.type ?? "string");
      lines.push(`| \`${name}\` | ${fallback} | ${allowed} | ${prop.description ?? ""} |`);
    }
    lines.push("");
  }
  return lines.join("\n");
}
