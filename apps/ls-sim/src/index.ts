export type { SimConfig } from "./config.js";
export type { FaultMatch, FaultSettings, RequestLogEntry, SimQuirks } from "./faults.js";
export { type RunningSimulator, type SimulatorOptions, startSimulator } from "./simulator.js";
export type { SimState } from "./state.js";
export { WEBHOOK_ACTIONS, type WebhookAction, type WebhookLogEntry } from "./webhooks.js";
