import { useState } from "preact/hooks";
import { ApiError, del, get, post, segment, type Instance } from "../api";
import { Loading, ProblemView, Section, StatusBadge } from "../components";
import { instant, status, time } from "../format";
import { useLoad } from "../hooks";
import { go, href } from "../router";
import type { Can } from "../main";

export function InstanceDetail({ id, can }: { id: string; can: Can }) {
  // live: polled while it runs, so that a watcher sees it reach Completed
  const [done, setDone] = useState(false);
  const instance = useLoad(
    () =>
      get<Instance>(`/v1/instances/${segment(id)}`).then((i) => {
        setDone(i.state === "COMPLETED");
        return i;
      }),
    [id],
    done ? undefined : 2000,
  );
  const i = instance.data;
  return (
    <>
      <p>
        <a href={href("/instances")}>← Instances</a>
      </p>
      <h1>
        Instance <code>{id}</code>
      </h1>
      <ProblemView error={instance.error} />
      <Loading when={instance.loading && !i} />
      {i ? (
        <>
          <dl class="facts">
            <dt>Status</dt>
            <dd>
              <StatusBadge state={i.state} code={i.statusCode} />
            </dd>
            <dt>Definition</dt>
            <dd>
              <a href={href(`/definitions/${i.definitionId}`)}>{i.definitionId}</a> version {i.definitionVersion}
            </dd>
            <dt>Record</dt>
            <dd>
              {i.entityType} {i.entityId}
            </dd>
            <dt>Current step</dt>
            <dd>{i.stepName ?? (i.state === "COMPLETED" ? "none: completed" : "none yet")}</dd>
            <dt>Waiting for</dt>
            <dd>
              {i.waitingFor.length ? i.waitingFor.join(", ") : "nothing"}
              {i.waitingUntil ? ` (until ${time(i.waitingUntil)})` : ""}
            </dd>
            <dt>Retries</dt>
            <dd>{i.retryCount}</dd>
            <dt>Error</dt>
            <dd>
              {i.errorCode ? (
                <>
                  <code>{i.errorCode}</code> {i.errorMessage}
                </>
              ) : (
                "none"
              )}
            </dd>
            <dt>Reason</dt>
            <dd>{i.reason}</dd>
            <dt>Created</dt>
            <dd>{time(i.createdAt)}</dd>
          </dl>
          {can.operate ? <Actions instance={i} onDone={instance.reload} /> : null}
          <Section title="Variables" id="variables">
            {i.variables && Object.keys(i.variables).length ? (
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Value</th>
                  </tr>
                </thead>
                <tbody>
                  {Object.entries(i.variables).map(([name, value]) => (
                    <tr key={name}>
                      <th scope="row">
                        <code>{name}</code>
                      </th>
                      <td>
                        <code>{JSON.stringify(value)}</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p class="muted">No variables or step outputs.</p>
            )}
          </Section>
          <Section title="Timeline" id="timeline">
            <ol class="timeline">
              {i.transitions?.map((t) => (
                <li key={t.sequence}>
                  <time dateTime={t.timestamp}>{time(t.timestamp)}</time>{" "}
                  <strong>
                    {t.state} · {status(t.statusCode)}
                  </strong>{" "}
                  {t.reason}
                  {t.errorCode ? (
                    <>
                      {" "}
                      — <code>{t.errorCode}</code>
                    </>
                  ) : null}
                  {t.retryCount ? ` (retry ${t.retryCount})` : ""}
                </li>
              ))}
            </ol>
          </Section>
        </>
      ) : null}
    </>
  );
}

/** Cancel, pause, resume, postpone and delete; a refusal shows the runtime's reason. */
function Actions({ instance, onDone }: { instance: Instance; onDone: () => void }) {
  const [until, setUntil] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const path = `/v1/instances/${segment(instance.instanceId)}`;
  const act = async (action: string, body: Record<string, unknown> = {}) => {
    setBusy(true);
    setError(null);
    try {
      if (action === "delete") {
        await del(path);
        go("/instances");
        return;
      }
      await post(`${path}/${action}`, body);
      onDone();
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="actions-heading" class="bulk">
      <h2 id="actions-heading">Actions</h2>
      <div class="actions">
        <button type="button" class="danger" disabled={busy} onClick={() => act("cancel")}>
          Cancel
        </button>
        <button type="button" disabled={busy} onClick={() => act("pause")}>
          Pause
        </button>
        <button type="button" disabled={busy} onClick={() => act("resume")}>
          Resume
        </button>
        <label>
          Postpone until
          <input type="datetime-local" value={until} onInput={(e) => setUntil((e.target as HTMLInputElement).value)} />
        </label>
        <button type="button" disabled={busy || !until} onClick={() => act("postpone", { until: instant(until) })}>
          Postpone
        </button>
        <button type="button" class="danger" disabled={busy} onClick={() => act("delete")}>
          Delete
        </button>
      </div>
      <ProblemView error={error} />
    </section>
  );
}
