import { basicSetup, EditorView } from "codemirror";
import { json, jsonParseLinter } from "@codemirror/lang-json";
import { syntaxTree } from "@codemirror/language";
import { forceLinting, linter, lintGutter, type Diagnostic } from "@codemirror/lint";
import type { EditorState } from "@codemirror/state";
import type { SyntaxNode } from "@lezer/common";
import type { ErrorObject } from "ajv";
import validate from "./generated/definition-schema.js";

// The definition editor: JSON, checked as you type against the definition's JSON Schema (compiled
// at build time from the definitions module's), and the gateway's own field errors after a
// deploy, each underlined where it is.

export type FieldDiagnostic = { path: string[]; message: string };

export function createEditor(parent: HTMLElement, doc: string, serverErrors: () => FieldDiagnostic[]): EditorView {
  const syntax = jsonParseLinter();
  const check = linter(
    (view) => {
      const parsed = syntax(view);
      if (parsed.length) return parsed;
      const diagnostics: Diagnostic[] = [];
      if (!validate(JSON.parse(view.state.doc.toString()))) {
        for (const error of validate.errors ?? []) diagnostics.push(diagnostic(view.state, schemaPath(error), message(error)));
      }
      for (const error of serverErrors()) diagnostics.push(diagnostic(view.state, error.path, error.message));
      return diagnostics;
    },
    { delay: 300 },
  );
  return new EditorView({
    doc,
    parent,
    extensions: [
      basicSetup,
      json(),
      lintGutter(),
      check,
      EditorView.contentAttributes.of({ "aria-label": "Definition document (JSON)" }),
    ],
  });
}

/** Checks again now, e.g. once the gateway's errors are in. */
export function recheck(view: EditorView): void {
  forceLinting(view);
}

/** `steps[0].kind` (the gateway's field paths) as `["steps", "0", "kind"]`. */
export function fieldPath(field: string): string[] {
  return field
    .replace(/\[(\d+)\]/g, ".$1")
    .split(".")
    .filter(Boolean);
}

function schemaPath(error: ErrorObject): string[] {
  const path = error.instancePath.split("/").slice(1).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (error.keyword === "additionalProperties") path.push(String(error.params.additionalProperty));
  return path;
}

function message(error: ErrorObject): string {
  if (error.keyword === "additionalProperties") return `unknown field ${error.params.additionalProperty}`;
  if (error.keyword === "enum") return `${error.message}: ${(error.params.allowedValues as unknown[]).join(", ")}`;
  return error.message ?? error.keyword;
}

function diagnostic(state: EditorState, path: string[], text: string): Diagnostic {
  const node = find(state, path);
  return {
    from: node?.from ?? 0,
    to: node?.to ?? Math.min(1, state.doc.length),
    severity: "error",
    message: path.length ? `${path.join(".")}: ${text}` : text,
  };
}

/** The node a path leads to, as deep as it goes: a property's name when the property is missing. */
function find(state: EditorState, path: string[]): SyntaxNode | null {
  let node: SyntaxNode | null = syntaxTree(state).topNode.firstChild;
  for (const segment of path) {
    if (!node) return null;
    if (node.name === "Object") {
      let found: SyntaxNode | null = null;
      for (let child = node.firstChild; child; child = child.nextSibling) {
        if (child.name !== "Property") continue;
        const name = child.getChild("PropertyName");
        if (name && unquote(state.sliceDoc(name.from, name.to)) === segment) {
          found = child.lastChild;
          if (found && found.name === "PropertyName") found = name;
          break;
        }
      }
      if (!found) return node;
      node = found;
    } else if (node.name === "Array") {
      const index = Number(segment);
      let seen = 0;
      let found: SyntaxNode | null = null;
      for (let child = node.firstChild; child; child = child.nextSibling) {
        if (["[", "]", ","].includes(child.name)) continue;
        if (seen++ === index) {
          found = child;
          break;
        }
      }
      if (!found) return node;
      node = found;
    } else {
      return node;
    }
  }
  return node;
}

function unquote(text: string): string {
  try {
    return JSON.parse(text) as string;
  } catch {
    return text;
  }
}
