import { describe, expect, it } from "vitest";
import { parseLabelConfig } from "../../labelstudio/label-config.js";
import { validateExpectedLabels } from "./expected-labels.js";

const parsed = parseLabelConfig(
  '<View><Image name="image" value="$image"/><Choices name="label" toName="image"><Choice value="cat"/><Choice value="dog"/></Choices><RectangleLabels name="box" toName="image"><Label value="car"/></RectangleLabels></View>',
);
if (!parsed.ok) throw new Error("fixture config is invalid");
const config = parsed.config;
const cat = { from_name: "label", to_name: "image", type: "choices", value: { choices: ["cat"] } };

describe("validateExpectedLabels", () => {
  it("accepts results of the config's controls, relations included", () => {
    const box = {
      id: "r1",
      from_name: "box",
      to_name: "image",
      type: "rectanglelabels",
      value: { x: 1, y: 2, width: 3, height: 4, rectanglelabels: ["car"] },
    };
    expect(
      validateExpectedLabels(config, [cat, box, { type: "relation", from_id: "r1", to_id: "r1" }]),
    ).toEqual([]);
  });

  it.each([
    ["empty list", [], [["expectedLabels"]]],
    ["unknown control", [{ ...cat, from_name: "nope" }], [["expectedLabels", 0, "from_name"]]],
    ["wrong type", [{ ...cat, type: "rectanglelabels" }], [["expectedLabels", 0, "type"]]],
    ["wrong target", [{ ...cat, to_name: "video" }], [["expectedLabels", 0, "to_name"]]],
    ["missing value", [{ ...cat, value: "cat" }], [["expectedLabels", 0, "value"]]],
    ["not an object", [cat, 42], [["expectedLabels", 1]]],
    [
      "missing names",
      [{ value: {} }],
      [
        ["expectedLabels", 0, "from_name"],
        ["expectedLabels", 0, "to_name"],
        ["expectedLabels", 0, "type"],
      ],
    ],
    ["relation without ids", [{ type: "relation" }], [["expectedLabels", 0]]],
  ])("refuses %s", (_name, labels, paths) => {
    const issues = validateExpectedLabels(config, labels as unknown[]);
    expect(issues.map((i) => i.path)).toEqual(paths);
    for (const issue of issues) expect(issue.message.length).toBeGreaterThan(0);
  });
});
