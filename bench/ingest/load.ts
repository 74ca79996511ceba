/**
 * Load generator of bench/ingest (run as a second process by webhook.ts): `mode` is `webhook`
 * (POST /api/webhook through HTTP keep-alive) or `insert` (a bare INSERT ... ON CONFLICT DO NOTHING
 * of the same event row through `pg`). Runs `connections` loops for `durationMs`, then prints one
 * JSON line: counts, rate and latency percentiles, and the acknowledged LS annotation ids.
 */
import { Agent, request } from "node:http";
import pg from "pg";

interface LoadSpec {
  mode: "webhook" | "insert";
  /** Base URL of LabelFleet (webhook) or a PostgreSQL connection string (insert). */
  target: string;
  connections: number;
  durationMs: number;
  /** Added to every LS annotation id (and bare event key): rounds of one run never collide. */
  idBase: number;
  organizationId: number;
  /** One per connection (round robin): each has its own in-progress assignment of `tasks` LS tasks. */
  annotators: {
    id: number;
    secret: string;
    assignmentId: number;
    lsProjectId: number;
    taskBase: number;
    tasks: number;
  }[];
}
const spec = JSON.parse(process.argv[2]!) as LoadSpec;
const { mode, target, connections, durationMs } = spec;
const annotatorOf = (worker: number) => spec.annotators[worker % spec.annotators.length]!;

const latencies: number[] = [];
const acked: number[] = [];
let errors = 0;
let duplicatesSent = 0;

function body(worker: number, n: number, id: number) {
  const a = annotatorOf(worker);
  const task = a.taskBase + (n % a.tasks);
  return JSON.stringify({
    action: "ANNOTATION_CREATED",
    annotation: {
      id,
      task,
      project: a.lsProjectId,
      completed_by: 1,
      result: [{ from_name: "label", to_name: "image", type: "choices", value: { choices: ["cat"] } }],
      was_cancelled: false,
      lead_time: 3.2,
      created_at: "2026-04-06T12:00:00Z",
      updated_at: "2026-04-06T12:00:00Z",
    },
    task: { id: task, project: a.lsProjectId, data: { image: "https://x/a.png" } },
    project: { id: a.lsProjectId, title: "LF-1 bench", task_number: a.tasks },
  });
}

function post(url: URL, headers: Record<string, string>, payload: string, agent: Agent) {
  return new Promise<number>((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: "/api/webhook", method: "POST", headers, agent },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

async function webhookLoop(worker: number, deadline: number, agent: Agent) {
  const url = new URL(target!);
  const a = annotatorOf(worker);
  const headers = {
    "content-type": "application/json",
    "x-annotator-id": String(a.id),
    "x-webhook-secret": a.secret,
  };
  for (let n = 0; performance.now() < deadline; n++) {
    const id = worker * 1_000_000 + spec.idBase + n + 1;
    const payload = body(worker, n, id);
    // Every 10th webhook is sent twice, as LS-side retries or a flaky proxy would.
    for (let copy = 0; copy < (n % 10 === 9 ? 2 : 1); copy++) {
      const started = performance.now();
      try {
        const status = await post(url, headers, payload, agent);
        latencies.push(performance.now() - started);
        if (status === 200) {
          if (copy === 0) acked.push(id);
          else duplicatesSent++;
        } else errors++;
      } catch {
        errors++;
      }
    }
  }
}

async function insertLoop(worker: number, deadline: number, pool: pg.Pool) {
  const a = annotatorOf(worker);
  for (let n = 0; performance.now() < deadline; n++) {
    const id = worker * 1_000_000 + spec.idBase + n + 1;
    const started = performance.now();
    try {
      const result = await pool.query(
        `insert into annotation_events (organization_id, annotator_id, assignment_id, event_key, event_type,
           ls_project_id, ls_task_id, ls_annotation_id, time_spent_ms)
         values ($1, $2, $3, $4, 'annotation_created', $5, $6, $7, $8) on conflict do nothing`,
        [
          spec.organizationId,
          a.id,
          a.assignmentId,
          `bare:${id}`,
          a.lsProjectId,
          a.taskBase + (n % a.tasks),
          id,
          3200,
        ],
      );
      latencies.push(performance.now() - started);
      if (result.rowCount === 1) acked.push(id);
    } catch {
      errors++;
    }
  }
}

const percentile = (p: number) => {
  const sorted = [...latencies].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0;
};

const started = performance.now();
const deadline = started + durationMs;
if (mode === "webhook") {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  await Promise.all(Array.from({ length: connections }, (_, w) => webhookLoop(w, deadline, agent)));
  agent.destroy();
} else {
  const pool = new pg.Pool({ connectionString: target, max: connections });
  await Promise.all(Array.from({ length: connections }, (_, w) => insertLoop(w, deadline, pool)));
  await pool.end();
}
const elapsed = (performance.now() - started) / 1000;
process.stdout.write(
  `${JSON.stringify({
    mode,
    requests: latencies.length,
    acknowledged: acked.length,
    duplicatesSent,
    errors,
    seconds: elapsed,
    rate: acked.length / elapsed,
    p50: percentile(50),
    p99: percentile(99),
    ackedIds: acked,
    latencies: latencies.map((ms) => Math.round(ms * 100) / 100),
  })}\n`,
);
