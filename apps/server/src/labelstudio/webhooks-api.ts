import { z } from "zod";
import type { Caller } from "./call.js";
import { LsWebhook, type LsWebhookInput } from "./types.js";

/** Webhook CRUD (contract §6.1). */
export function webhooksApi({ call, parsed, none }: Caller) {
  const webhook = parsed(LsWebhook, "webhook");
  const getWebhook = (id: number) =>
    call({ operation: "webhooks.get", method: "GET", path: `/api/webhooks/${id}/` }, webhook);

  return {
    /** `GET /api/webhooks/` (plain array), for one project or only organization-level hooks. */
    listWebhooks: (o: { project?: number | "organization" } = {}) =>
      call(
        {
          operation: "webhooks.list",
          method: "GET",
          path: "/api/webhooks/",
          query: { project: o.project === "organization" ? "isnull" : o.project },
        },
        parsed(z.array(LsWebhook), "webhook list"),
      ),
    /** `POST /api/webhooks/` → 201. The URL needs a dotted host, `localhost` or an IP (§6.1). */
    createWebhook: (input: LsWebhookInput) =>
      call({ operation: "webhooks.create", method: "POST", path: "/api/webhooks/", body: input }, webhook),
    getWebhook,
    /**
     * `PATCH /api/webhooks/{id}/`. LS replaces the action set with whatever is sent and treats a missing
     * `actions` as `[]` (§6.1), so when the patch has none the current actions are read and re-sent.
     */
    async updateWebhook(id: number, patch: Partial<Omit<LsWebhookInput, "project">>) {
      const actions = patch.actions ?? (await getWebhook(id)).actions ?? [];
      return call(
        {
          operation: "webhooks.update",
          method: "PATCH",
          path: `/api/webhooks/${id}/`,
          body: { ...patch, actions },
        },
        webhook,
      );
    },
    /** `DELETE /api/webhooks/{id}/` → 204. */
    deleteWebhook: (id: number) =>
      call({ operation: "webhooks.delete", method: "DELETE", path: `/api/webhooks/${id}/` }, none),
  };
}
