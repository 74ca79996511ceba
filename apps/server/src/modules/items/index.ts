export {
  createItemSyncService,
  ITEM_SYNC_JOB,
  ItemSyncPayload,
  type ItemSyncService,
  type SyncState,
} from "./item-sync.service.js";
export { countItems, countWorkflowItems, type ItemCounts, insertSourceItems } from "./items.repo.js";
