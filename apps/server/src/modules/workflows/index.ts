export type { WorkflowRow, WorkflowView } from "./workflows.repo.js";
export {
  type BulkWorkflowInput,
  createWorkflowService,
  type LabelingConfigChange,
  type LabelingConfigListener,
  type WorkflowInput,
  type WorkflowService,
  type WorkflowUpdate,
} from "./workflows.service.js";
