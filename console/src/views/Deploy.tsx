import type { EditorView } from "codemirror";
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, get, post, segment, type Definition } from "../api";
import { ProblemView } from "../components";
import type { FieldDiagnostic } from "../editor";
import { go, href, useRoute } from "../router";
import type { Can } from "../main";

const TEMPLATE = `{
  "id": "my-workflow",
  "name": "My workflow",
  "trigger": { "entityType": "expense_report", "messageName": "Submitted" },
  "steps": [
    { "name": "approve", "kind": "send-message", "messageName": "RequestApproval" }
  ]
}
`;

export function Deploy({ can }: { can: Can }) {
  const route = useRoute();
  const from = route.params.get("from");
  const holder = useRef<HTMLDivElement>(null);
  const editor = useRef<EditorView | null>(null);
  const serverErrors = useRef<FieldDiagnostic[]>([]);
  const editing = useRef<typeof import("../editor") | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [activate, setActivate] = useState(true);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let view: EditorView | null = null;
    let cancelled = false;
    if (!can.administer) return; // the editor's element is not rendered yet
    // CodeMirror and the schema's validator load with this view only: the other views need neither
    Promise.all([
      import("../editor"),
      from ? get<Definition>(`/v1/definitions/${segment(from)}`).then((d) => JSON.stringify(d.document, null, 2) + "\n") : Promise.resolve(TEMPLATE),
    ]).then(([module, doc]) => {
      if (cancelled || !holder.current) return;
      editing.current = module;
      view = module.createEditor(holder.current, doc, () => serverErrors.current);
      editor.current = view;
    }, (e) => setError(e as ApiError));
    return () => {
      cancelled = true;
      view?.destroy();
    };
  }, [from, can.administer]);

  const deploy = async () => {
    if (!editor.current) return;
    setBusy(true);
    setError(null);
    serverErrors.current = [];
    try {
      const text = editor.current.state.doc.toString();
      let document: unknown;
      try {
        document = JSON.parse(text);
      } catch (e) {
        throw new ApiError({ status: 400, title: "Not JSON", detail: String(e) });
      }
      const saved = await post<Definition>("/v1/definitions", document);
      if (activate) await post(`/v1/definitions/${segment(saved.id)}/activate`);
      go(`/definitions/${saved.id}`);
    } catch (e) {
      const problem = e as ApiError;
      const module = editing.current!;
      serverErrors.current = (problem.problem.errors ?? []).map((f) => ({ path: module.fieldPath(f.field), message: f.message }));
      module.recheck(editor.current);
      setError(problem);
    } finally {
      setBusy(false);
    }
  };

  if (!can.administer) {
    return <p role="alert">Deploying definitions needs the role administrator.</p>;
  }
  return (
    <>
      <p>
        <a href={href("/definitions")}>← Definitions</a>
      </p>
      <h1>Deploy a definition</h1>
      <p class="muted">
        Checked against the definition's JSON Schema as you type; after a deploy, the gateway's own field errors are
        marked where they are.
      </p>
      <div class="editor" ref={holder} />
      <div class="actions">
        <label class="inline">
          <input type="checkbox" checked={activate} onChange={(e) => setActivate((e.target as HTMLInputElement).checked)} />
          Activate once saved
        </label>
        <button type="button" onClick={deploy} disabled={busy}>
          Deploy
        </button>
      </div>
      <ProblemView error={error} />
    </>
  );
}
