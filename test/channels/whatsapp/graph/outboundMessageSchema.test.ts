import { describe, expect, test } from "vitest";
import { z } from "zod";
import { outboundMessageSchema } from "../../../../src/channels/whatsapp/graph/outboundMessageSchema.ts";

/** The paths of the issues, written the way people read them: `interactive.buttons[3]`. */
function issuePaths(input: unknown): string[] {
  const r = outboundMessageSchema.safeParse(input);
  if (r.success) throw new Error(`expected ${JSON.stringify(input).slice(0, 80)} to be rejected`);
  return r.error.issues.map((i) => z.core.toDotPath(i.path));
}

const rows = (n: number, prefix = "r") =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, title: `Row ${i}` }));
const buttons = (...ids: string[]) => ids.map((id) => ({ id, title: id.toUpperCase() }));
const interactiveButtons = (b: unknown) => ({ interactive: { type: "button", body: "Pick", buttons: b } });
const list = (sections: unknown, extra: object = {}) => ({
  interactive: { type: "list", body: "Pick", button: "Choose", sections, ...extra },
});

describe("outboundMessageSchema accepts", () => {
  test.each([
    ["text at the limit", { text: "x".repeat(4096) }],
    ["three buttons", interactiveButtons(buttons("a", "b", "c"))],
    ["a 20-character title", interactiveButtons([{ id: "a", title: "x".repeat(20) }])],
    [
      "ten rows over two sections",
      list([
        { title: "A", rows: rows(5) },
        { title: "B", rows: rows(5, "s") },
      ]),
    ],
    ["a reply", { text: "ok", reply_to: "wamid.abc" }],
  ])("%s", (_name, input) => {
    expect(outboundMessageSchema.safeParse(input).error?.issues).toBeUndefined();
  });
});

describe("outboundMessageSchema names the field that breaks Meta's limits", () => {
  test.each<[string, unknown, string]>([
    ["text of 4,097 characters", { text: "x".repeat(4097) }, "text"],
    ["empty text", { text: "  " }, "text"],
    ["four reply buttons", interactiveButtons(buttons("a", "b", "c", "d")), "interactive.buttons"],
    ["no reply buttons", interactiveButtons([]), "interactive.buttons"],
    [
      "a 21-character button title",
      interactiveButtons([{ id: "a", title: "x".repeat(21) }]),
      "interactive.buttons[0].title",
    ],
    [
      "a 257-character button id",
      interactiveButtons([{ id: "x".repeat(257), title: "A" }]),
      "interactive.buttons[0].id",
    ],
    [
      "duplicate button ids",
      interactiveButtons([
        { id: "a", title: "A" },
        { id: "a", title: "B" },
      ]),
      "interactive.buttons[1]",
    ],
    [
      "duplicate button titles",
      interactiveButtons([
        { id: "a", title: "Same" },
        { id: "b", title: "Same" },
      ]),
      "interactive.buttons[1]",
    ],
    [
      "interactive body over 1,024",
      { interactive: { type: "button", body: "x".repeat(1025), buttons: buttons("a") } },
      "interactive.body",
    ],
    [
      "header over 60",
      { interactive: { type: "button", header: "x".repeat(61), body: "b", buttons: buttons("a") } },
      "interactive.header",
    ],
    [
      "footer over 60",
      { interactive: { type: "button", footer: "x".repeat(61), body: "b", buttons: buttons("a") } },
      "interactive.footer",
    ],
    [
      "list button label over 20",
      list([{ rows: rows(1) }], { button: "x".repeat(21) }),
      "interactive.button",
    ],
    [
      "eleven sections",
      list(Array.from({ length: 11 }, (_, i) => ({ title: `S${i}`, rows: rows(1, `s${i}-`) }))),
      "interactive.sections",
    ],
    ["eleven rows in a section", list([{ rows: rows(11) }]), "interactive.sections[0].rows"],
    [
      "eleven rows across sections",
      list([
        { title: "A", rows: rows(6) },
        { title: "B", rows: rows(5, "s") },
      ]),
      "interactive.sections[1].rows[4]",
    ],
    [
      "a 25-character row title",
      list([{ rows: [{ id: "a", title: "x".repeat(25) }] }]),
      "interactive.sections[0].rows[0].title",
    ],
    [
      "a 73-character row description",
      list([{ rows: [{ id: "a", title: "A", description: "x".repeat(73) }] }]),
      "interactive.sections[0].rows[0].description",
    ],
    [
      "a 201-character row id",
      list([{ rows: [{ id: "x".repeat(201), title: "A" }] }]),
      "interactive.sections[0].rows[0].id",
    ],
    [
      "duplicate row ids across sections",
      list([
        { title: "A", rows: [{ id: "r", title: "1" }] },
        { title: "B", rows: [{ id: "r", title: "2" }] },
      ]),
      "interactive.sections[1].rows[0].id",
    ],
    [
      "an untitled section among several",
      list([{ title: "A", rows: rows(1) }, { rows: rows(1, "s") }]),
      "interactive.sections[1].title",
    ],
    [
      "caption over 1,024",
      { image: { link: "https://x.example/a.png", caption: "x".repeat(1025) } },
      "image.caption",
    ],
    ["a non-URL link", { image: { link: "not a url" } }, "image.link"],
    ["a plain-http link", { document: { link: "http://x.example/a.pdf" } }, "document.link"],
    ["an unknown field", { text: "hi", colour: "red" }, ""],
    [
      "an unknown interactive field",
      { interactive: { type: "button", body: "b", buttons: buttons("a"), x: 1 } },
      "interactive",
    ],
    ["two kinds at once", { text: "hi", image: { link: "https://x.example/a.png" } }, "image"],
    ["no kind at all", { reply_to: "wamid.x" }, ""],
    [
      "a named parameter with a bad name",
      { template: { name: "t", language: "en", body: [{ name: "First Name", value: "Riya" }] } },
      "template.body[0].name",
    ],
    [
      "a template button index out of range",
      { template: { name: "t", language: "en", buttons: [{ index: 10, sub_type: "url", parameter: "x" }] } },
      "template.buttons[0].index",
    ],
    [
      "a media header without a link",
      { template: { name: "t", language: "en", header: { type: "image" } } },
      "template.header",
    ],
  ])("%s", (_name, input, path) => {
    expect(issuePaths(input)).toContain(path);
  });
});
