import { useState } from "preact/hooks";
import { ApiError, get, post, query, segment, type DeadLetter } from "../api";
import { Loading, ProblemView } from "../components";
import { time } from "../format";
import { useLoad } from "../hooks";
import type { Can } from "../main";

export function DeadLetters({ can }: { can: Can }) {
  const [cursors, setCursors] = useState<string[]>([]);
  const after = cursors[cursors.length - 1];
  const page = useLoad(
    () => get<{ items: DeadLetter[]; next: string | null; size?: number }>(query("/v1/dead-letters", { limit: 25, after })),
    [after],
  );
  const [replayed, setReplayed] = useState<Record<string, string>>({});
  const [error, setError] = useState<ApiError | null>(null);
  const replay = async (id: string) => {
    setError(null);
    try {
      const answer = await post<{ topic: string; partition: number; offset: number }>(`/v1/dead-letters/${segment(id)}/replay`);
      setReplayed((done) => ({ ...done, [id]: `replayed to ${answer.topic}-${answer.partition}@${answer.offset}` }));
    } catch (e) {
      setError(e as ApiError);
    }
  };
  if (!can.operate) return <p role="alert">Dead letters are for the role operator.</p>;
  return (
    <>
      <h1>Dead letters</h1>
      <p>{page.data?.size !== undefined ? `${page.data.size} records held in the dead-letter topic.` : ""}</p>
      <ProblemView error={page.error ?? error} />
      <Loading when={page.loading && !page.data} />
      <table aria-label="Dead letters">
        <thead>
          <tr>
            <th scope="col">Id</th>
            <th scope="col">Time</th>
            <th scope="col">Source</th>
            <th scope="col">Reason</th>
            <th scope="col">Replay</th>
          </tr>
        </thead>
        <tbody>
          {page.data?.items.map((d) => (
            <tr key={d.id}>
              <td>
                <code>{d.id}</code>
              </td>
              <td>{time(d.time)}</td>
              <td>
                {d.sourceTopic}-{d.sourcePartition}@{d.sourceOffset}
              </td>
              <td>{d.reason}</td>
              <td>
                {replayed[d.id] ?? (
                  <button type="button" class="secondary" onClick={() => replay(d.id)}>
                    Replay as it was
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <nav class="pager" aria-label="Pages">
        <button type="button" class="secondary" disabled={cursors.length === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Newer
        </button>
        <button
          type="button"
          class="secondary"
          disabled={!page.data?.next}
          onClick={() => page.data?.next && setCursors((c) => [...c, page.data!.next!])}
        >
          Older
        </button>
      </nav>
    </>
  );
}
