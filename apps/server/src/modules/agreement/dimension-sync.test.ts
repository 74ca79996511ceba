import { describe, expect, it } from "vitest";
import { dimensionControls, type ExistingDimension, planDimensionSync } from "./dimension-sync.js";

const xml = (controls: string) => `<View><Image name="image" value="$image"/>${controls}</View>`;
const CHOICES = '<Choices name="q" toName="image"><Choice value="a"/></Choices>';
const BOXES = '<RectangleLabels name="box" toName="image"><Label value="car"/></RectangleLabels>';
const PLAIN_RECT = '<Rectangle name="rect" toName="image"/>';
const RELATIONS = '<Relations name="rel" toName="image"><Relation value="near"/></Relations>';

const existing = (d: Partial<ExistingDimension> & { id: number; name: string }): ExistingDimension => ({
  controlName: d.name,
  controlType: "choices",
  metric: "exact_matching_choices",
  isUserDefined: false,
  isActive: true,
  order: 0,
  ...d,
});

describe("planDimensionSync", () => {
  it("creates one dimension per control with its default metric; no-metric kinds start inactive; relations get none", () => {
    const plan = planDimensionSync(dimensionControls(xml(CHOICES + BOXES + PLAIN_RECT + RELATIONS)), []);
    expect(plan.insert).toEqual([
      {
        name: "q",
        controlName: "q",
        controlType: "choices",
        metric: "exact_matching_choices",
        isActive: true,
        order: 0,
      },
      {
        name: "box",
        controlName: "box",
        controlType: "rectanglelabels",
        metric: "iou_bboxes",
        isActive: true,
        order: 1,
      },
      {
        name: "rect",
        controlName: "rect",
        controlType: "rectangle",
        metric: "naive",
        isActive: false,
        order: 2,
      },
    ]);
    expect(plan.update).toEqual([]);
    expect(plan.remove).toEqual([]);
  });

  it("is a no-op when dimensions match, removes system dimensions of removed controls, deactivates user ones", () => {
    const current = [existing({ id: 1, name: "q" })];
    expect(planDimensionSync(dimensionControls(xml(CHOICES)), current)).toEqual({
      insert: [],
      update: [],
      remove: [],
    });
    const gone = planDimensionSync(dimensionControls(xml(BOXES)), [
      existing({ id: 1, name: "q" }),
      existing({ id: 2, name: "q_custom", controlName: "q", isUserDefined: true }),
    ]);
    expect(gone.remove).toEqual([1]);
    expect(gone.update).toEqual([{ id: 2, patch: { isActive: false } }]);
    expect(gone.insert.map((d) => d.name)).toEqual(["box"]);
  });

  it("follows a control whose type changed, resetting a metric that no longer applies", () => {
    const plan = planDimensionSync(
      dimensionControls(xml('<RectangleLabels name="q" toName="image"><Label value="x"/></RectangleLabels>')),
      [existing({ id: 1, name: "q" })],
    );
    expect(plan.update).toEqual([
      { id: 1, patch: { controlType: "rectanglelabels", metric: "iou_bboxes", isActive: true, params: {} } },
    ]);
  });

  it("gives a system dimension a free name when a user-defined one holds the control's name", () => {
    const plan = planDimensionSync(dimensionControls(xml(CHOICES)), [
      existing({ id: 5, name: "q", controlName: "q", isUserDefined: true, metric: "naive" }),
    ]);
    expect(plan.insert.map((d) => [d.name, d.controlName])).toEqual([["q_2", "q"]]);
  });

  it("has no controls for a missing or invalid config", () => {
    expect(dimensionControls(null)).toEqual([]);
    expect(dimensionControls("<nope")).toEqual([]);
  });
});
