import type { ComponentChildren } from "preact";
import { ApiError } from "./api";
import { status } from "./format";

/** A refusal or failure, in the gateway's (or the runtime's) own words, announced to screen readers. */
export function ProblemView({ error }: { error?: ApiError | null }) {
  if (!error) return null;
  const problem = error.problem;
  return (
    <div class="problem" role="alert">
      <strong>
        {problem.status ? `${problem.status} ` : ""}
        {problem.title ?? "Failed"}
      </strong>
      {problem.detail ? <p class="reason">{problem.detail}</p> : null}
      {problem.errors?.length ? (
        <ul>
          {problem.errors.map((e) => (
            <li key={e.field}>
              <code>{e.field}</code>: {e.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function StatusBadge({ state, code }: { state: string; code: number }) {
  const tone = code === 31 ? "bad" : code === 30 ? "good" : code === 32 ? "muted" : "busy";
  return (
    <span class={`badge ${tone}`}>
      {state} · {status(code)}
    </span>
  );
}

export function Section({ title, children, id }: { title: string; children: ComponentChildren; id?: string }) {
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

export function Loading({ when }: { when: boolean }) {
  return when ? (
    <p class="muted" aria-live="polite">
      Loading…
    </p>
  ) : null;
}
