import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { annotators } from "../../db/schema/index.js";
import type { Page } from "../../http/pagination.js";
import { AppError, found } from "../../lib/app-error.js";
import { randomToken, type SecretBox } from "../../lib/crypto.js";
import { isUniqueViolation } from "../../lib/db-errors.js";
import { recordCreation } from "../fsm/transition.js";
import {
  type AnnotatorFilter,
  emailsInUse,
  findAnnotator,
  findAssignmentsOf,
  listAnnotators,
  recordContainerEvent,
  roleExists,
  subdomainsLike,
  updateAnnotator,
} from "./annotators.repo.js";
import { presentAnnotator } from "./present.js";
import { firstFreeSubdomain, subdomainBase } from "./subdomain.js";

export interface AnnotatorInput {
  name: string;
  email: string;
  roleId?: number | null | undefined;
  notes?: string | null | undefined;
}

export const MAX_BULK = 100;
/** Advisory lock key serialising annotator creation (subdomains are unique fleet-wide). */
const CREATE_LOCK = 0x4c46414e; // "LFAN"
/** The LS legacy token format LS itself generates (contract §1.1): 40 hex characters. */
const newLsToken = () => randomBytes(20).toString("hex");

/** Annotators (labelers) and their records; their instances' lifecycle is in annotator-lifecycle.ts. */
export function createAnnotatorService(deps: { db: Db; secrets: SecretBox }) {
  const { db, secrets } = deps;

  async function assertRole(organizationId: number, roleId: number | null | undefined) {
    if (roleId === null || roleId === undefined) return;
    if (!(await roleExists(db, organizationId, roleId))) {
      throw new AppError("BAD_REQUEST", `Role ${roleId} does not exist`, [
        { path: ["roleId"], message: `Role ${roleId} does not exist in this organization` },
      ]);
    }
  }

  /** 409 on an e-mail used twice in the batch or by a live annotator of the organization. */
  async function assertEmailsFree(
    executor: Db,
    organizationId: number,
    inputs: AnnotatorInput[],
    exceptId?: number,
  ) {
    const seen = new Set<string>();
    for (const input of inputs) {
      const email = input.email.toLowerCase();
      if (seen.has(email)) throw new AppError("CONFLICT", `Duplicate email address in batch: ${input.email}`);
      seen.add(email);
    }
    const used = await emailsInUse(executor, organizationId, [...seen], exceptId);
    if (used.length > 0) throw new AppError("CONFLICT", `Email already exists: ${used.join(", ")}`);
  }

  /**
   * Inserts a batch in one transaction: all or nothing, each with its subdomain, secrets and history.
   * Creations are serialised fleet-wide by a transaction-scoped advisory lock, so the e-mail check and
   * the choice of free subdomains see every earlier create (creates are rare; the lock is brief).
   */
  async function insertAll(organizationId: number, inputs: AnnotatorInput[], memberId: number | null) {
    for (const roleId of new Set(inputs.map((i) => i.roleId))) await assertRole(organizationId, roleId);
    await assertEmailsFree(db, organizationId, inputs);
    const bases = inputs.map((i) => subdomainBase(i.name, i.email));
    try {
      return await db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(${CREATE_LOCK})`);
        await assertEmailsFree(tx, organizationId, inputs);
        const taken = await subdomainsLike(tx, bases);
        const ids: number[] = [];
        for (const [index, input] of inputs.entries()) {
          const subdomain = firstFreeSubdomain(bases[index] as string, taken);
          taken.add(subdomain);
          const [row] = await tx
            .insert(annotators)
            .values({
              organizationId,
              name: input.name,
              email: input.email,
              roleId: input.roleId ?? null,
              notes: input.notes ?? null,
              subdomain,
              apiTokenEnc: secrets.seal(newLsToken()),
              webhookSecretEnc: secrets.seal(randomToken(32)),
            })
            .returning({ id: annotators.id });
          const id = row!.id;
          await updateAnnotator(tx, id, { databaseName: `ls_annotator_${id}` });
          await recordCreation(tx, {
            organizationId,
            entity: "annotator",
            entityId: id,
            state: "created",
            triggeredBy: memberId,
          });
          await recordContainerEvent(tx, {
            organizationId,
            annotatorId: id,
            eventType: "created",
            message: `Annotator created with subdomain ${subdomain}`,
            details: { subdomain },
          });
          ids.push(id);
        }
        return ids;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError("CONFLICT", "Email or subdomain already exists");
      throw error;
    }
  }

  const service = {
    async list(organizationId: number, filter: AnnotatorFilter, page: Page) {
      const result = await listAnnotators(db, organizationId, filter, page);
      return {
        rows: result.rows.map((r) => presentAnnotator(secrets, r.annotator, r.role)),
        total: result.total,
      };
    },

    /** The annotator (404 for another organization's or a deleted one). */
    async get(organizationId: number, id: number) {
      const row = found(await findAnnotator(db, organizationId, id), "Annotator");
      return presentAnnotator(secrets, row.annotator, row.role);
    },

    /** The annotator with its assignments (newest first) and its role. */
    async getDetail(organizationId: number, id: number) {
      const annotator = await service.get(organizationId, id);
      return { ...annotator, assignments: await findAssignmentsOf(db, id) };
    },

    async create(organizationId: number, input: AnnotatorInput, memberId: number | null = null) {
      const [id] = await insertAll(organizationId, [input], memberId);
      return service.get(organizationId, id!);
    },

    /** Bulk create (max 100), all or nothing. */
    async createMany(organizationId: number, inputs: AnnotatorInput[], memberId: number | null = null) {
      if (inputs.length > MAX_BULK)
        throw new AppError("BAD_REQUEST", `At most ${MAX_BULK} annotators per request`);
      const ids = await insertAll(organizationId, inputs, memberId);
      const annotatorsOut = [];
      for (const id of ids) annotatorsOut.push(await service.get(organizationId, id));
      return { created: ids.length, annotators: annotatorsOut };
    },

    /** Updates name, e-mail, role or notes; the subdomain stays (it is the instance's address). */
    async update(organizationId: number, id: number, input: Partial<AnnotatorInput>) {
      const current = await service.get(organizationId, id);
      await assertRole(organizationId, input.roleId);
      if (input.email !== undefined && input.email.toLowerCase() !== current.email.toLowerCase()) {
        await assertEmailsFree(db, organizationId, [{ name: current.name, email: input.email }], id);
      }
      try {
        await updateAnnotator(db, id, {
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(input.email !== undefined ? { email: input.email } : {}),
          ...(input.roleId !== undefined ? { roleId: input.roleId } : {}),
          ...(input.notes !== undefined ? { notes: input.notes } : {}),
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw new AppError("CONFLICT", `Email already exists: ${input.email}`);
        throw error;
      }
      return service.get(organizationId, id);
    },
  };
  return service;
}
export type AnnotatorService = ReturnType<typeof createAnnotatorService>;
