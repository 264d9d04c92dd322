import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { parse } from "yaml";

const DOC_URL = new URL(
  "../../../fixtures/whatsapp/meta-openapi/meta-business-messaging-api_v23.0.yaml",
  import.meta.url,
);
const MESSAGES_PATH = "/{Version}/{Phone-Number-ID}/messages";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Walks `keys` down a parsed document, failing loudly if Meta's document changed shape. */
function dig(node: unknown, ...keys: string[]): unknown {
  let at = node;
  for (const k of keys) {
    if (!isObject(at) || !(k in at)) throw new Error(`Meta's document has no ${keys.join(".")}`);
    at = at[k];
  }
  return at;
}

/**
 * Two known slips in Meta's document, repaired so that it says what its own prose and examples say:
 *
 * - Messages are composed as `allOf: [BaseMessageProperties, {additionalProperties: false, …}]`. Taken literally
 *   that rejects every real body (messaging_product is "additional" to the second part). JSON Schema 2020-12
 *   expresses the intent with `unevaluatedProperties: false` on the composition, so it moves there.
 * - A template button's `index` has the pattern `^[2-6, 11-14]$`, a character class that rejects the documented
 *   range "0-9" and the document's own example "0"; it becomes `^[0-9]$`.
 */
function repair(node: unknown): void {
  if (Array.isArray(node)) {
    for (const n of node) repair(n);
    return;
  }
  if (!isObject(node)) return;
  if (Array.isArray(node.allOf)) {
    let closed = false;
    for (const part of node.allOf) {
      if (isObject(part) && part.additionalProperties === false) {
        delete part.additionalProperties;
        closed = true;
      }
    }
    if (closed) node.unevaluatedProperties = false;
  }
  if (node.pattern === "^[2-6, 11-14]$") node.pattern = "^[0-9]$";
  for (const v of Object.values(node)) repair(v);
}

function load() {
  const doc: unknown = parse(readFileSync(DOC_URL, "utf8"));
  const components = dig(doc, "components");
  repair(components);
  // The document is OpenAPI 3.1, whose schemas are JSON Schema 2020-12. Registering the components under an $id
  // lets ajv resolve every `#/components/...` reference without a separate dereferencing step.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ $id: "meta", components }, "meta");
  return { doc, ajv };
}

let loaded: ReturnType<typeof load> | undefined;

export type Validate = (body: unknown) => string[];

function validatorFor(ref: string): Validate {
  loaded ??= load();
  const validate = loaded.ajv.getSchema(`meta${ref}`);
  if (!validate) throw new Error(`no schema ${ref} in Meta's document`);
  return (body) =>
    validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`);
}

/**
 * A validator for the request body Meta declares for `POST /{Version}/{Phone-Number-ID}/messages`; it returns
 * the violations, so a test can `expect(validate(body)).toEqual([])` and see what is wrong when it fails.
 */
export function messagesRequestValidator(): Validate {
  loaded ??= load();
  const ref = dig(
    loaded.doc,
    "paths",
    MESSAGES_PATH,
    "post",
    "requestBody",
    "content",
    "application/json",
    "schema",
    "$ref",
  );
  if (typeof ref !== "string") throw new Error("the messages request body is not a $ref");
  return validatorFor(ref);
}

/** A validator for one named component schema, e.g. `MarkMessageRequestPayload`. */
export function componentValidator(name: string): Validate {
  return validatorFor(`#/components/schemas/${name}`);
}
