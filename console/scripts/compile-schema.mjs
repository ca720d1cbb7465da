// Compiles the definition's JSON Schema (definitions module, the document the gateway checks
// definitions against) into a validator module at build time, with Ajv's standalone code: the
// console's Content-Security-Policy allows no eval, which Ajv's compilation at run time needs.
import Ajv2020 from "ajv/dist/2020.js";
import standaloneCode from "ajv/dist/standalone/index.js";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";

const schema = JSON.parse(
  readFileSync(new URL("../../definitions/src/main/resources/dev/loopline/definition/definition.schema.json", import.meta.url)),
);
// unicode: false counts a string's length in UTF-16 units, as the gateway (Java) does, and needs no
// run-time helper
const ajv = new Ajv2020({ allErrors: true, strict: false, unicode: false, code: { source: true, esm: true } });
const validate = ajv.compile(schema);
const out = new URL("../src/generated/", import.meta.url);
mkdirSync(out, { recursive: true });
const code = standaloneCode(ajv, validate);
// a run-time helper would come CommonJS-style (require), which a browser module cannot load
if (/require\(/.test(code)) throw new Error("the schema's validator requires a run-time helper of Ajv's");
writeFileSync(new URL("definition-schema.js", out), code);
writeFileSync(
  new URL("definition-schema.d.ts", out),
  `import type { ErrorObject } from "ajv";
/** The definition's JSON Schema as a validator, compiled at build time (scripts/compile-schema.mjs). */
declare const validate: ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
export default validate;
`,
);
