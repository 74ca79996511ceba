import type { Logger } from "../lib/logger.js";
import type { SendOptions } from "./queue.js";

type Send = (name: string, payload: unknown, options?: SendOptions) => Promise<number | null>;

interface Schedule {
  name: string;
  intervalMs: number;
  payload: unknown;
}

/**
 * Periodic jobs. Each tick enqueues the job with a singleton key, so N replicas ticking at once still
 * queue one run at a time, and whichever worker is free runs it. Started by the serve and worker roles.
 */
export function createScheduler(deps: { send: Send; log: Logger }) {
  const schedules: Schedule[] = [];
  const timers: NodeJS.Timeout[] = [];

  const tick = (schedule: Schedule) =>
    deps
      .send(schedule.name, schedule.payload, { singletonKey: `schedule:${schedule.name}` })
      .catch((error: unknown) =>
        deps.log.error({ job: schedule.name, err: error }, "could not enqueue a scheduled job"),
      );

  return {
    /** Runs `name` every `intervalMs` (0 or less: never). */
    every(name: string, intervalMs: number, payload: unknown = {}) {
      if (intervalMs > 0) schedules.push({ name, intervalMs, payload });
    },
    list: () => schedules.map(({ name, intervalMs }) => ({ name, intervalMs })),
    start() {
      if (timers.length > 0) return;
      for (const schedule of schedules) {
        const timer = setInterval(() => void tick(schedule), schedule.intervalMs);
        timer.unref();
        timers.push(timer);
      }
    },
    stop() {
      for (const timer of timers.splice(0)) clearInterval(timer);
    },
  };
}
export type Scheduler = ReturnType<typeof createScheduler>;
