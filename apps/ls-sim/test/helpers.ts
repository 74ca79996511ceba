import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { type RunningSimulator, type SimulatorOptions, startSimulator } from "../src/index.js";

export const TOKEN = "test-token-0123456789";
export const IMAGE_CONFIG =
  '<View><Image name="image" value="$image"/><Choices name="label" toName="image"><Choice value="cat"/><Choice value="dog"/></Choices></View>';

/** Starts a simulator bootstrapped like LabelFleet does it (§1.3): user, token, legacy tokens on. */
export function startBootstrapped(extra: SimulatorOptions = {}): Promise<RunningSimulator> {
  return startSimulator({
    username: "admin@example.com",
    password: "secret",
    userToken: TOKEN,
    enableLegacyApiToken: true,
    ...extra,
  });
}

export interface ApiResponse {
  status: number;
  body: any;
  text: string;
  headers: Headers;
}

/** Raw HTTP call with `Authorization: Token` (pass `auth: null` for none, or any header value). */
export async function api(
  sim: { url: string },
  method: string,
  path: string,
  body?: unknown,
  auth: string | null = `Token ${TOKEN}`,
): Promise<ApiResponse> {
  const headers: Record<string, string> = {};
  if (auth) headers.Authorization = auth;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(sim.url + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    redirect: "manual",
  });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  return { status: res.status, body: parsed, text, headers: res.headers };
}

/** Creates a project with the image config and imports `n` tasks; returns ids. */
export async function seedProject(sim: { url: string }, n = 3, extra: Record<string, unknown> = {}) {
  const project = await api(sim, "POST", "/api/projects/", {
    title: "Seed project",
    label_config: IMAGE_CONFIG,
    ...extra,
  });
  if (project.status !== 201) throw new Error(`seed failed: ${project.text}`);
  const tasks = Array.from({ length: n }, (_, i) => ({ image: `https://img.example.com/${i}.jpg` }));
  const imported = await api(
    sim,
    "POST",
    `/api/projects/${project.body.id}/import?return_task_ids=true`,
    tasks,
  );
  if (imported.status !== 201) throw new Error(`import failed: ${imported.text}`);
  return { projectId: project.body.id as number, taskIds: imported.body.task_ids as number[] };
}

/** A choices result item for the image config. */
export function choice(value: string) {
  return [{ id: "r1", from_name: "label", to_name: "image", type: "choices", value: { choices: [value] } }];
}

export interface ReceivedHook {
  headers: IncomingHttpHeaders;
  body: any;
}

/** A webhook receiver on 127.0.0.1; `delayMs`/`status` shape its answers. */
export async function startReceiver(opts: { delayMs?: number; status?: number } = {}) {
  const received: ReceivedHook[] = [];
  const server = createServer((req, res) => {
    let data = "";
    req.on("data", (chunk) => {
      data += chunk;
    });
    req.on("end", () => {
      received.push({ headers: req.headers, body: JSON.parse(data) });
      setTimeout(() => {
        res.statusCode = opts.status ?? 200;
        res.end("ok");
      }, opts.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
