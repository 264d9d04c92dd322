import { z } from "zod";
import { buttonsSchema, liquidSchema, stepBase, templateRefSchema } from "../stepBase.ts";

const media = z.strictObject({ link: liquidSchema, caption: liquidSchema.optional() });

export const sendMessageStepSchema = z.strictObject({
  ...stepBase,
  type: z.literal("send_message"),
  text: liquidSchema.optional(),
  buttons: buttonsSchema.optional().describe("Reply buttons under the text"),
  list: z
    .strictObject({
      button: z.string().min(1).max(20),
      sections: z
        .array(
          z.strictObject({
            title: z.string().max(24).optional(),
            rows: z
              .array(
                z.strictObject({
                  id: z.string().min(1).max(200),
                  title: z.string().min(1).max(24),
                  description: z.string().max(72).optional(),
                }),
              )
              .min(1)
              .max(10),
          }),
        )
        .min(1)
        .max(10)
        // Row ids are unique across the whole list, not just within a section.
        .superRefine((sections, ctx) => {
          const seen = new Set<string>();
          sections.forEach((sec, i) => {
            sec.rows.forEach((row, j) => {
              if (seen.has(row.id))
                ctx.addIssue({
                  code: "custom",
                  path: [i, "rows", j, "id"],
                  message: `duplicate id "${row.id}"`,
                });
              seen.add(row.id);
            });
          });
        }),
    })
    .optional(),
  template: templateRefSchema.optional(),
  image: media.optional(),
  document: media.extend({ filename: z.string().max(240).optional() }).optional(),
});

export const sendMessageStepDocs =
  "Sends a message on the run's conversation: text (optionally with reply buttons or a list), a template, an " +
  "image or a document. Free-form messages need the 24-hour window; templates are always allowed.";
