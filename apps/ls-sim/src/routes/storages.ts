import type { Context, Hono } from "hono";
import { authenticate } from "../auth.js";
import type { SimContext, SimEnv } from "../context.js";
import { LsError, notFound, validationError } from "../errors.js";
import { noContent, readObject } from "../http.js";
import { nextId, type StorageRow } from "../state.js";
import { now, parseId } from "../util.js";
import { getProject } from "./projects.js";
import { getTask } from "./tasks.js";

const SECRET_FIELDS = ["aws_access_key_id", "aws_secret_access_key", "aws_session_token"];
const WRITABLE = [
  "title",
  "description",
  "bucket",
  "prefix",
  "regex_filter",
  "use_blob_urls",
  "recursive_scan",
  "presign",
  "presign_ttl",
  "region_name",
  "s3_endpoint",
  "synchronizable",
  "aws_sse_kms_key_id",
  ...SECRET_FIELDS,
];

/** Storage representation; credentials are write-only as in LS. */
function storageApi(s: StorageRow): Record<string, unknown> {
  const visible = Object.fromEntries(Object.entries(s.fields).filter(([k]) => !SECRET_FIELDS.includes(k)));
  return {
    id: s.id,
    type: "s3",
    presign: true,
    presign_ttl: 1,
    use_blob_urls: false,
    ...visible,
    project: s.project,
    created_at: s.created_at,
    last_sync: s.last_sync,
    last_sync_count: s.last_sync_count,
    last_sync_job: null,
    status: s.last_sync ? "completed" : "initialized",
    traceback: null,
    meta: {},
  };
}

function pick(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([k]) => WRITABLE.includes(k)));
}

/** The object URL a presigned redirect would point to (unsigned: the simulator holds no AWS keys). */
function objectUrl(s: StorageRow, bucket: string, key: string): string {
  const endpoint =
    typeof s.fields.s3_endpoint === "string" && s.fields.s3_endpoint !== "" ? s.fields.s3_endpoint : null;
  if (endpoint) return `${endpoint.replace(/\/$/, "")}/${bucket}/${key}`;
  const region =
    typeof s.fields.region_name === "string" && s.fields.region_name ? s.fields.region_name : "us-east-1";
  return `https://${bucket}.s3.${region}.amazonaws.com/${key}`;
}

/** S3 import storages and the `/tasks/{id}/resolve/` proxy (§8). */
export function registerStorageRoutes(app: Hono<SimEnv>, ctx: SimContext): void {
  const getStorage = (c: Context<SimEnv>): StorageRow => {
    const row = ctx.state.storages.find((s) => s.id === parseId(c.req.param("id")));
    if (!row) throw notFound();
    return row;
  };

  app.get("/api/storages/types", (c) => c.json([{ name: "s3", title: "AWS S3" }]));
  app.get("/api/storages/s3/", (c) => {
    const project = getProject(ctx, c.req.query("project"));
    return c.json(ctx.state.storages.filter((s) => s.project === project.id).map(storageApi));
  });
  app.post("/api/storages/s3/", async (c) => {
    const body = await readObject(c);
    if (body.project === undefined) throw validationError({ project: ["This field is required."] });
    const project = getProject(ctx, String(body.project));
    const row: StorageRow = {
      id: nextId(ctx.state, "storage"),
      project: project.id,
      fields: pick(body),
      created_at: now(),
      last_sync: null,
      last_sync_count: null,
    };
    ctx.state.storages.push(row);
    ctx.save();
    return c.json(storageApi(row), 201);
  });
  app.post("/api/storages/s3/validate", async (c) => {
    const body = await readObject(c);
    if (typeof body.bucket !== "string" || body.bucket === "")
      throw validationError({ bucket: ["This field is required."] });
    return c.json({});
  });
  app.get("/api/storages/s3/:id", (c) => c.json(storageApi(getStorage(c))));
  app.patch("/api/storages/s3/:id", async (c) => {
    const row = getStorage(c);
    row.fields = { ...row.fields, ...pick(await readObject(c)) };
    ctx.save();
    return c.json(storageApi(row));
  });
  app.delete("/api/storages/s3/:id", (c) => {
    const row = getStorage(c);
    ctx.state.storages = ctx.state.storages.filter((s) => s.id !== row.id);
    ctx.save();
    return noContent();
  });
  // The simulator cannot list buckets: a sync records the attempt and creates no tasks.
  app.post("/api/storages/s3/:id/sync", (c) => {
    const row = getStorage(c);
    row.last_sync = now();
    row.last_sync_count = 0;
    ctx.save();
    return c.json(storageApi(row));
  });

  app.get("/tasks/:id/resolve/", async (c) => {
    const auth = authenticate(ctx, c.req.raw.headers);
    if ("error" in auth) return auth.error;
    const task = getTask(ctx, c.req.param("id"));
    const uri = Buffer.from(c.req.query("fileuri") ?? "", "base64").toString("utf8");
    const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
    const storage =
      m && ctx.state.storages.find((s) => s.project === task.project && s.fields.bucket === m[1]);
    if (!m?.[1] || !m[2] || !storage) throw new LsError(404, "Storage for this URI is not found");
    const target = objectUrl(storage, m[1], m[2]);
    if (storage.fields.presign !== false) return c.redirect(target, 302);
    const upstream = await fetch(target);
    return new Response(upstream.body, {
      status: upstream.status,
      headers: { "content-type": upstream.headers.get("content-type") ?? "application/octet-stream" },
    });
  });
}
