import { get, query, type Definition, type Instance, type Page } from "../api";
import { Loading, ProblemView, Section, StatusBadge } from "../components";
import { time } from "../format";
import { useLoad } from "../hooks";
import { href } from "../router";
import type { Can } from "../main";

const COLUMNS: { label: string; state: string; codes: string[] }[] = [
  { label: "Ready", state: "READY", codes: ["0"] },
  { label: "Locked", state: "LOCKED", codes: ["20", "21", "22"] },
  { label: "Waiting", state: "SUSPENDED", codes: ["10"] },
  { label: "Succeeded", state: "COMPLETED", codes: ["30"] },
  { label: "Failed", state: "COMPLETED", codes: ["31"] },
  { label: "Canceled", state: "COMPLETED", codes: ["32"] },
];

const count = (d: Definition, state: string, codes: string[]) =>
  codes.reduce((sum, code) => sum + (d.instances?.[state]?.[code] ?? 0), 0);

export function Dashboard({ can }: { can: Can }) {
  const definitions = useLoad(() => get<{ items: Definition[] }>("/v1/definitions"), [], 5000);
  const failures = useLoad(
    () => get<Page<Instance>>(query("/v1/instances", { statusCode: 31, limit: 10 })),
    [],
    5000,
  );
  const deadLetters = useLoad(
    () => (can.operate ? get<{ size?: number }>(query("/v1/dead-letters", { limit: 1 })) : Promise.resolve(null)),
    [can.operate],
    10000,
  );
  const items = definitions.data?.items ?? [];
  const failing = items.filter((d) => count(d, "COMPLETED", ["31"]) > 0);
  const held = items.filter((d) => count(d, "READY", ["0"]) > 0);
  return (
    <>
      <h1>Dashboard</h1>
      <ProblemView error={definitions.error} />
      <Section title="Instances by definition" id="by-definition">
        <Loading when={definitions.loading && !definitions.data} />
        <table>
          <thead>
            <tr>
              <th scope="col">Definition</th>
              <th scope="col">Status</th>
              {COLUMNS.map((c) => (
                <th scope="col" class="number" key={c.label}>
                  {c.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {items.map((d) => (
              <tr key={d.id}>
                <th scope="row">
                  <a href={href(`/definitions/${d.id}`)}>{d.id}</a>
                </th>
                <td>{d.status}</td>
                {COLUMNS.map((c) => (
                  <td class="number" key={c.label}>
                    <a href={href("/instances", { definitionId: d.id, statusCode: c.codes.length === 1 ? c.codes[0] : undefined, state: c.state })}>
                      {count(d, c.state, c.codes)}
                    </a>
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <div class="columns">
        <Section title="Failing definitions" id="failing">
          {failing.length === 0 ? (
            <p class="muted">None: no definition has failed instances.</p>
          ) : (
            <ul>
              {failing.map((d) => (
                <li key={d.id}>
                  <a href={href("/instances", { definitionId: d.id, statusCode: 31 })}>{d.id}</a>:{" "}
                  {count(d, "COMPLETED", ["31"])} failed
                </li>
              ))}
            </ul>
          )}
        </Section>
        <Section title="Waiting for resources" id="postponed">
          {held.length === 0 ? (
            <p class="muted">None: no job is queued or postponed.</p>
          ) : (
            <ul>
              {held.map((d) => (
                <li key={d.id}>
                  <a href={href("/instances", { definitionId: d.id, statusCode: 0 })}>{d.id}</a>:{" "}
                  {count(d, "READY", ["0"])} queued or postponed
                </li>
              ))}
            </ul>
          )}
        </Section>
        <Section title="Dead-letter topic" id="dead-letters">
          {can.operate ? (
            <p>
              <a href={href("/dead-letters")}>
                <span class="big">{deadLetters.data?.size ?? "…"}</span> records held
              </a>
            </p>
          ) : (
            <p class="muted">Operators see the dead letters.</p>
          )}
          <ProblemView error={deadLetters.error} />
        </Section>
      </div>
      <Section title="Recent failures" id="recent-failures">
        <ProblemView error={failures.error} />
        {(failures.data?.items.length ?? 0) === 0 ? (
          <p class="muted">No failed instances.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Instance</th>
                <th scope="col">Definition</th>
                <th scope="col">Status</th>
                <th scope="col">Error</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {failures.data?.items.map((i) => (
                <tr key={i.instanceId}>
                  <td>
                    <a href={href(`/instances/${i.instanceId}`)}>{i.instanceId.slice(0, 8)}</a>
                  </td>
                  <td>{i.definitionId}</td>
                  <td>
                    <StatusBadge state={i.state} code={i.statusCode} />
                  </td>
                  <td>
                    <code>{i.errorCode}</code> {i.errorMessage}
                  </td>
                  <td>{time(i.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </>
  );
}
