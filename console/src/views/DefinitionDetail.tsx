import { diffLines } from "diff";
import { useState } from "preact/hooks";
import { ApiError, get, post, segment, type Definition } from "../api";
import { Loading, ProblemView, Section } from "../components";
import { time } from "../format";
import { useLoad } from "../hooks";
import { href } from "../router";
import type { Can } from "../main";

export function DefinitionDetail({ id, can }: { id: string; can: Can }) {
  const current = useLoad(() => get<Definition>(`/v1/definitions/${segment(id)}`), [id]);
  const all = useLoad(() => get<{ items: Definition[] }>("/v1/definitions"), [id]);
  const [error, setError] = useState<ApiError | null>(null);
  const versions = all.data?.items.find((d) => d.id === id)?.versions ?? [];
  const change = async (action: "activate" | "deactivate") => {
    setError(null);
    try {
      await post(`/v1/definitions/${segment(id)}/${action}`);
      current.reload();
      all.reload();
    } catch (e) {
      setError(e as ApiError);
    }
  };
  const d = current.data;
  return (
    <>
      <p>
        <a href={href("/definitions")}>← Definitions</a>
      </p>
      <h1>
        Definition <code>{id}</code>
      </h1>
      <ProblemView error={current.error ?? error} />
      <Loading when={current.loading && !d} />
      {d ? (
        <>
          <dl class="facts">
            <dt>Name</dt>
            <dd>{d.name}</dd>
            <dt>Status</dt>
            <dd>{d.status}</dd>
            <dt>Version</dt>
            <dd>{d.version}</dd>
          </dl>
          {can.administer ? (
            <div class="actions">
              <button type="button" disabled={d.status === "ACTIVE"} onClick={() => change("activate")}>
                Activate
              </button>
              <button type="button" class="secondary" disabled={d.status !== "ACTIVE"} onClick={() => change("deactivate")}>
                Deactivate
              </button>
              <a class="button secondary" href={href("/deploy", { from: id })}>
                Edit as a new version
              </a>
            </div>
          ) : null}
          <Section title="Versions" id="versions">
            <table>
              <thead>
                <tr>
                  <th scope="col" class="number">
                    Version
                  </th>
                  <th scope="col">Status</th>
                  <th scope="col">Saved</th>
                  <th scope="col">By</th>
                </tr>
              </thead>
              <tbody>
                {versions.map((v) => (
                  <tr key={v.version}>
                    <td class="number">{v.version}</td>
                    <td>{v.status}</td>
                    <td>{time(v.updatedAt)}</td>
                    <td>{v.updatedBy}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Section>
          <Diff id={id} versions={versions.map((v) => v.version)} />
          <Section title="Document" id="document">
            <pre class="document">{JSON.stringify(d.document, null, 2)}</pre>
          </Section>
        </>
      ) : null}
    </>
  );
}

/** Two saved versions' documents, line by line. */
function Diff({ id, versions }: { id: string; versions: number[] }) {
  const latest = versions.length ? Math.max(...versions) : 1;
  const [from, setFrom] = useState<number | null>(null);
  const [to, setTo] = useState<number | null>(null);
  const left = from ?? Math.max(1, latest - 1);
  const right = to ?? latest;
  const documents = useLoad(
    () =>
      Promise.all(
        [left, right].map((v) => get<Definition>(`/v1/definitions/${segment(id)}/versions/${v}`)),
      ),
    [id, left, right],
  );
  const text = (d?: Definition) => (d ? JSON.stringify(d.document, null, 2) + "\n" : "");
  const parts = documents.data ? diffLines(text(documents.data[0]), text(documents.data[1])) : [];
  const choose = (value: number, set: (v: number) => void) => (
    <select value={value} onChange={(e) => set(Number((e.target as HTMLSelectElement).value))}>
      {versions.map((v) => (
        <option key={v} value={v}>
          version {v}
        </option>
      ))}
    </select>
  );
  return (
    <Section title="Compare versions" id="diff">
      <div class="actions">
        <label>From {choose(left, setFrom)}</label>
        <label>To {choose(right, setTo)}</label>
      </div>
      <ProblemView error={documents.error} />
      <pre class="diff" aria-label={`Changes from version ${left} to version ${right}`}>
        {parts.every((p) => !p.added && !p.removed) && documents.data ? (
          <span class="muted">The two documents are the same.</span>
        ) : (
          parts.map((part, index) => (
            <span key={index} class={part.added ? "added" : part.removed ? "removed" : "same"}>
              {part.value
                .replace(/\n$/, "")
                .split("\n")
                .map((line) => `${part.added ? "+ " : part.removed ? "- " : "  "}${line}\n`)
                .join("")}
            </span>
          ))
        )}
      </pre>
    </Section>
  );
}
