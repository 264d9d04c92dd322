import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { parse } from "yaml";

const DOC = new URL(
  "../../fixtures/whatsapp/meta-openapi/meta-business-messaging-api_v23.0.yaml",
  import.meta.url,
);

/**
 * Meta's document composes messages as `allOf: [BaseMessageProperties, {additionalProperties: false, …}]`, which
 * taken literally rejects every real body (the base fields count as "additional" to the second part). JSON Schema
 * 2020-12 says what the authors meant with `unevaluatedProperties: false` on the composition, so we move it there.
 */
function fixAllOf(node: unknown): void {
  if (Array.isArray(node)) {
    for (const n of node) fixAllOf(n);
    return;
  }
  if (!node || typeof node !== "object") return;
  const o = node as Record<string, unknown>;
  if (Array.isArray(o.allOf)) {
    let closed = false;
    for (const part of o.allOf) {
      if (
        part &&
        typeof part === "object" &&
        (part as Record<string, unknown>).additionalProperties === false
      ) {
        delete (part as Record<string, unknown>).additionalProperties;
        closed = true;
      }
    }
    if (closed) o.unevaluatedProperties = false;
  }
  for (const v of Object.values(o)) fixAllOf(v);
}

/** A validator for request bodies against a component schema of Meta's official OpenAPI document. */
export function metaSchemaValidator(component: string) {
  const doc = parse(readFileSync(DOC, "utf8"));
  fixAllOf(doc.components);
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  addFormats.default(ajv);
  ajv.addSchema({ $id: "meta", components: doc.components }, "meta");
  const validate = ajv.getSchema(`meta#/components/schemas/${component}`);
  if (!validate) throw new Error(`no schema ${component} in Meta's document`);
  return (body: unknown): string[] =>
    validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/** The request body schema Meta declares for POST /{Version}/{Phone-Number-ID}/messages. */
export function messagesRequestSchemaName(): string {
  const doc = parse(readFileSync(DOC, "utf8"));
  const ref: string =
    doc.paths["/{Version}/{Phone-Number-ID}/messages"].post.requestBody.content["application/json"].schema
      .$ref;
  return ref.split("/").pop()!;
}
