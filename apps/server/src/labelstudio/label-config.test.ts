import { describe, expect, it } from "vitest";
import { parseLabelConfig } from "./label-config.js";

const classification = `<View>
  <Image name="image" value="$image"/>
  <Choices name="label" toName="image"><Choice value="cat"/><Choice value="dog"/></Choices>
</View>`;

describe("parseLabelConfig", () => {
  it("extracts objects and controls with their labels", () => {
    const result = parseLabelConfig(classification);
    expect(result).toEqual({
      ok: true,
      config: {
        objects: [{ tag: "image", name: "image", value: "$image" }],
        controls: [
          {
            tag: "choices",
            name: "label",
            toName: ["image"],
            labels: ["cat", "dog"],
            perRegion: false,
            attributes: { name: "label", toName: "image" },
          },
        ],
      },
    });
  });

  it("collects nested taxonomy choices and per-region controls", () => {
    const xml = `<View><Image name="img" value="$image"/>
      <RectangleLabels name="box" toName="img"><Label value="car"/></RectangleLabels>
      <Taxonomy name="tax" toName="img"><Choice value="A"><Choice value="A1"/></Choice></Taxonomy>
      <TextArea name="note" toName="img" perRegion="true"/></View>`;
    const result = parseLabelConfig(xml);
    if (!result.ok) throw new Error(result.issues.join());
    expect(result.config.controls.map((c) => [c.tag, c.labels, c.perRegion])).toEqual([
      ["rectanglelabels", ["car"], false],
      ["taxonomy", ["A", "A1"], false],
      ["textarea", [], true],
    ]);
    expect(result.config.controls[1]?.tree).toEqual([{ value: "A", children: [{ value: "A1" }] }]);
  });

  it.each([
    ["malformed XML", "<View><Image name='i' value='$i'></View>", /Malformed XML/],
    ["a root other than View", '<Root><Image name="i" value="$i"/></Root>', /root element must be <View>/],
    ["no object tag", '<View><Choices name="c" toName="i"/></View>', /no object tag/],
    [
      "an entity bomb",
      '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><View><Text name="t" value="&lol2;"/></View>',
      /DOCTYPE and ENTITY/,
    ],
    [
      "a toName that is no object",
      '<View><Image name="i" value="$i"/><Choices name="c" toName="x"/></View>',
      /toName "x"/,
    ],
    [
      "duplicate control names",
      '<View><Text name="t" value="$t"/><Labels name="l" toName="t"/><Labels name="l" toName="t"/></View>',
      /Duplicate control/,
    ],
    [
      "over 50,000 characters",
      `<View><Text name="t" value="$t"/>${" ".repeat(50_001)}</View>`,
      /longer than 50000/,
    ],
  ])("refuses %s", (_, xml, message) => {
    const result = parseLabelConfig(xml);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.join("\n")).toMatch(message);
  });
});
