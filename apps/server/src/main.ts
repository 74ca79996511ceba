import { Command } from "commander";
import { boot, seedAdmin, VERSION } from "./boot.js";
import { registerAdminCommands } from "./cli/admin.commands.js";
import { registerAgreementCommands } from "./cli/agreement.command.js";
import { registerMcpCommand } from "./cli/mcp.command.js";
import { openConfiguredStorage, registerStorageCommands } from "./cli/storage.command.js";
import { type AppConfig, ConfigError, loadConfig } from "./config/config.js";
import { createApp } from "./http/app.js";
import { createLogger } from "./lib/logger.js";
import { serveWithInstanceProxy } from "./routing/serve.js";

function configOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
}

const program = new Command("labelfleet").version(VERSION).description("LabelFleet control plane");

program
  .command("serve", { isDefault: true })
  .description("Run the API, UI and workers in one process (the default)")
  .action(async () => {
    const config = configOrExit();
    const log = createLogger(config.logLevel);
    const services = await boot(config, log);
    await seedAdmin(services);
    const app = createApp(services);
    services.jobs.worker.start();
    services.schedules.start();
    // Annotator subdomains (`<subdomain>.localhost`, `<subdomain>.<FLEET_DOMAIN>`) go to their instances.
    const proxy = services.routing.createProxy((err, target) =>
      log.warn({ err, target }, "instance proxy error"),
    );
    const server = serveWithInstanceProxy(
      { fetch: app.fetch, port: config.port, hostname: config.host, proxy },
      (info) => {
        log.info(
          {
            url: `http://localhost:${info.port}`,
            database: services.database.kind,
            backend: services.fleet.backend.kind,
          },
          "LabelFleet is listening",
        );
      },
    );
    const shutdown = async (signal: string) => {
      log.info({ signal }, "shutting down");
      server.close();
      services.schedules.stop();
      await services.jobs.worker.stop();
      // The process backend's children must not outlive the server.
      await services.fleet.backend.close();
      await services.database.close();
      process.exit(0);
    };
    process.once("SIGINT", () => void shutdown("SIGINT"));
    process.once("SIGTERM", () => void shutdown("SIGTERM"));
  });

program
  .command("worker")
  .description("Run job workers only (scale-out: start N of these beside the API replicas)")
  .action(async () => {
    const config = configOrExit();
    const log = createLogger(config.logLevel);
    const services = await boot(config, log);
    services.jobs.worker.start();
    services.schedules.start();
    log.info(
      { workerId: services.jobs.worker.workerId, jobs: services.jobs.catalog.names() },
      "worker started",
    );
    const shutdown = async () => {
      services.schedules.stop();
      await services.jobs.worker.stop();
      await services.fleet.backend.close();
      await services.database.close();
      process.exit(0);
    };
    process.once("SIGINT", () => void shutdown());
    process.once("SIGTERM", () => void shutdown());
  });

program
  .command("migrate")
  .description("Apply database migrations and exit")
  .action(async () => {
    const config = configOrExit();
    const services = await boot(config, createLogger(config.logLevel));
    await services.database.close();
    console.log("migrations applied");
  });

registerAdminCommands(program, async () => {
  const config = configOrExit();
  return boot(config, createLogger(config.logLevel === "info" ? "warn" : config.logLevel));
});

registerMcpCommand(program, configOrExit);

registerAgreementCommands(program);

registerStorageCommands(program, () => openConfiguredStorage(configOrExit()));

program.parseAsync().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
