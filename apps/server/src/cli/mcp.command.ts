import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { Command } from "commander";
import { pino } from "pino";
import { boot } from "../boot.js";
import type { AppConfig } from "../config/config.js";
import { createApp } from "../http/app.js";
import { connectTokenMcp } from "../http/mcp/mcp-stdio.js";

/**
 * `labelfleet mcp`: the MCP tools over stdio for local agents, in-process (no server needed), acting
 * as the member of an API token. Job workers run here too unless `--no-worker`, since with the
 * embedded database no other process can run them.
 */
export function registerMcpCommand(program: Command, loadConfig: () => AppConfig) {
  program
    .command("mcp")
    .description("Serve the API's MCP tools over stdio, acting as the member of an API token")
    .option("--token <key>", "API token to act with (default: LABELFLEET_TOKEN)")
    .option("--no-worker", "do not run job workers in this process (another process runs them)")
    .action(async (options: { token?: string; worker: boolean }) => {
      const config = loadConfig();
      const key = options.token ?? config.mcp.token;
      if (!key) {
        console.error("labelfleet mcp needs an API token: --token <key> or LABELFLEET_TOKEN");
        process.exit(2);
      }
      // stdout carries the protocol: every log line goes to stderr.
      const log = pino({ level: config.logLevel, base: { service: "labelfleet" } }, pino.destination(2));
      const services = await boot(config, log);
      const app = createApp(services);
      const transport = new StdioServerTransport();
      let closing = false;
      const shutdown = async () => {
        if (closing) return;
        closing = true;
        await services.jobs.worker.stop();
        await services.database.close();
        process.exit(0);
      };
      const mcp = await connectTokenMcp({ app, services, key, transport }).catch(async (error: unknown) => {
        await services.database.close();
        throw error;
      });
      if (options.worker) services.jobs.worker.start();
      log.info(
        {
          member: mcp.principal.email,
          organizationId: mcp.principal.organizationId,
          role: mcp.principal.role,
        },
        "MCP server on stdio",
      );
      // The client ends the session by closing our stdin.
      process.stdin.once("end", () => void mcp.close().then(shutdown));
      process.once("SIGINT", () => void shutdown());
      process.once("SIGTERM", () => void shutdown());
    });
}
