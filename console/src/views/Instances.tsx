import { useState } from "preact/hooks";
import { ApiError, get, post, query, type Instance, type Operation, type Page } from "../api";
import { Loading, ProblemView, StatusBadge } from "../components";
import { instant, STATES, STATUS, time } from "../format";
import { useLoad } from "../hooks";
import { go, href } from "../router";
import type { Can } from "../main";

/** The filters of GET /v1/instances, with their labels. */
const FILTERS: { name: string; label: string; placeholder?: string }[] = [
  { name: "definitionId", label: "Definition" },
  { name: "definitionVersion", label: "Version" },
  { name: "entityType", label: "Entity type" },
  { name: "entityId", label: "Entity id" },
  { name: "errorCode", label: "Error code" },
  { name: "waitingFor", label: "Waiting for", placeholder: "message:Name, event:Name, timer" },
  { name: "from", label: "Created from", placeholder: "2026-12-01T00:00:00Z" },
  { name: "to", label: "Created before", placeholder: "2026-12-31T00:00:00Z" },
];
const ALL = ["definitionId", "definitionVersion", "state", "statusCode", ...FILTERS.map((f) => f.name).slice(2)];

const LIMIT = 25;
/** Pages a confirmation reads to count a bulk action's matches, at most. */
const COUNT_PAGES = 20;

export function Instances({ params, can }: { params: URLSearchParams; can: Can }) {
  const filter: Record<string, string> = {};
  for (const name of ALL) {
    const value = params.get(name);
    if (value) filter[name] = value;
  }
  const after = params.get("after") ?? undefined;
  const back = params.getAll("back");
  const [live, setLive] = useState(false);
  const page = useLoad(
    () => get<Page<Instance>>(query("/v1/instances", { ...filter, limit: LIMIT, after })),
    [params.toString()],
    live ? 3000 : undefined,
  );

  const search = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const next: Record<string, string> = {};
    for (const [name, value] of form.entries()) if (String(value).trim()) next[name] = String(value).trim();
    go("/instances", next);
  };
  const stay = { ...filter };
  return (
    <>
      <h1>Instances</h1>
      <form class="filters" onSubmit={search} aria-label="Filters">
        <label>
          State
          <select name="state" value={filter.state ?? ""}>
            <option value="">any</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select name="statusCode" value={filter.statusCode ?? ""}>
            <option value="">any</option>
            {Object.entries(STATUS).map(([code, name]) => (
              <option key={code} value={code}>
                {code} {name}
              </option>
            ))}
          </select>
        </label>
        {FILTERS.map((f) => (
          <label key={f.name}>
            {f.label}
            <input name={f.name} value={filter[f.name] ?? ""} placeholder={f.placeholder} />
          </label>
        ))}
        <div class="actions">
          <button type="submit">Search</button>
          <a class="button secondary" href={href("/instances")}>
            Clear
          </a>
          <label class="inline">
            <input type="checkbox" checked={live} onChange={(e) => setLive((e.target as HTMLInputElement).checked)} />
            Live updates
          </label>
        </div>
      </form>
      <ProblemView error={page.error} />
      <Loading when={page.loading && !page.data} />
      <table aria-label="Instances">
        <thead>
          <tr>
            <th scope="col">Instance</th>
            <th scope="col">Definition</th>
            <th scope="col">Status</th>
            <th scope="col">Waiting for</th>
            <th scope="col">Entity</th>
            <th scope="col">Error</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {page.data?.items.map((i) => (
            <tr key={i.instanceId}>
              <td>
                <a href={href(`/instances/${i.instanceId}`)}>{i.instanceId.slice(0, 8)}</a>
              </td>
              <td>
                {i.definitionId} v{i.definitionVersion}
              </td>
              <td>
                <StatusBadge state={i.state} code={i.statusCode} />
              </td>
              <td>{i.waitingFor.join(", ")}</td>
              <td>
                {i.entityType} {i.entityId}
              </td>
              <td>
                <code>{i.errorCode}</code>
              </td>
              <td>{time(i.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {page.data && page.data.items.length === 0 ? <p class="muted">No instance matches.</p> : null}
      <nav class="pager" aria-label="Pages">
        <a
          class="button secondary"
          aria-disabled={back.length === 0}
          href={back.length === 0 ? undefined : pageHref(stay, back.slice(0, -1), back[back.length - 1] || undefined)}
        >
          Newer
        </a>
        <a
          class="button secondary"
          aria-disabled={!page.data?.next}
          href={page.data?.next ? pageHref(stay, [...back, after ?? ""], page.data.next) : undefined}
        >
          Older
        </a>
      </nav>
      {can.operate ? <BulkAction filter={filter} /> : null}
    </>
  );
}

function pageHref(filter: Record<string, string>, back: string[], after?: string): string {
  const search = new URLSearchParams(filter);
  back.forEach((cursor) => search.append("back", cursor));
  if (after) search.set("after", after);
  return `#/instances?${search.toString()}`;
}

/** An action on every instance the filter matches, after a confirmation that says how many. */
function BulkAction({ filter }: { filter: Record<string, string> }) {
  const [action, setAction] = useState("cancel");
  const [until, setUntil] = useState("");
  const [matches, setMatches] = useState<{ count: number; more: boolean } | null>(null);
  const [operation, setOperation] = useState<Operation | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const count = async () => {
    setError(null);
    setOperation(null);
    setBusy(true);
    try {
      let total = 0;
      let after: string | undefined;
      for (let pages = 0; pages < COUNT_PAGES; pages++) {
        const page = await get<Page<Instance>>(query("/v1/instances", { ...filter, limit: 500, after }));
        total += page.items.length;
        if (!page.next) {
          setMatches({ count: total, more: false });
          return;
        }
        after = page.next;
      }
      setMatches({ count: total, more: true });
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };

  const run = async () => {
    setError(null);
    setBusy(true);
    try {
      const body: Record<string, unknown> = { filter };
      if (Object.keys(filter).length === 0) body.confirmAll = true;
      if (action === "postpone") body.until = instant(until);
      let started = await post<Operation>(`/v1/instances/actions/${action}`, body);
      setMatches(null);
      setOperation(started);
      while (started.state !== "SUCCEEDED" && started.state !== "FAILED") {
        await new Promise((resolve) => setTimeout(resolve, 500));
        started = await get<Operation>(`/v1/operations/${encodeURIComponent(started.operationId)}`);
        setOperation(started);
      }
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };

  const described = Object.entries(filter)
    .map(([name, value]) => `${name}=${value}`)
    .join(", ");
  return (
    <section class="bulk" aria-labelledby="bulk-heading">
      <h2 id="bulk-heading">Act on every match</h2>
      <p class="muted">Filter: {described || "none (every instance)"}</p>
      <div class="actions">
        <label>
          Action
          <select value={action} onChange={(e) => setAction((e.target as HTMLSelectElement).value)}>
            <option value="cancel">Cancel</option>
            <option value="pause">Pause</option>
            <option value="resume">Resume</option>
            <option value="postpone">Postpone</option>
            <option value="delete">Delete</option>
          </select>
        </label>
        {action === "postpone" ? (
          <label>
            Until
            <input type="datetime-local" value={until} onInput={(e) => setUntil((e.target as HTMLInputElement).value)} />
          </label>
        ) : null}
        <button type="button" onClick={count} disabled={busy || (action === "postpone" && !until)}>
          {action[0].toUpperCase() + action.slice(1)} matching…
        </button>
      </div>
      {matches ? (
        <div class="confirm" role="alertdialog" aria-labelledby="confirm-text">
          <p id="confirm-text">
            {action[0].toUpperCase() + action.slice(1)} {matches.more ? "more than " : ""}
            <strong>{matches.count}</strong> matching instance{matches.count === 1 ? "" : "s"}?
          </p>
          <button type="button" class="danger" onClick={run} disabled={busy}>
            Confirm {action}
          </button>{" "}
          <button type="button" class="secondary" onClick={() => setMatches(null)}>
            Keep them
          </button>
        </div>
      ) : null}
      {operation ? (
        <p class="operation" aria-live="polite">
          Operation {operation.operationId}: <strong>{operation.state}</strong>, {operation.matched} matched,{" "}
          {operation.accepted} done, {operation.refused} refused, {operation.unanswered} unanswered
          {operation.refusals.length ? (
            <ul>
              {operation.refusals.map((r) => (
                <li key={r.instanceId}>
                  {r.instanceId.slice(0, 8)}: {r.reason}
                </li>
              ))}
            </ul>
          ) : null}
        </p>
      ) : null}
      <ProblemView error={error} />
    </section>
  );
}
