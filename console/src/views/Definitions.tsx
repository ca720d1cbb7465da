import { get, type Definition } from "../api";
import { Loading, ProblemView } from "../components";
import { useLoad } from "../hooks";
import { href } from "../router";
import type { Can } from "../main";

export function Definitions({ can }: { can: Can }) {
  const definitions = useLoad(() => get<{ items: Definition[] }>("/v1/definitions"), [], 5000);
  return (
    <>
      <h1>Definitions</h1>
      {can.administer ? (
        <p>
          <a class="button" href={href("/deploy")}>
            Deploy a definition
          </a>
        </p>
      ) : null}
      <ProblemView error={definitions.error} />
      <Loading when={definitions.loading && !definitions.data} />
      <table aria-label="Definitions">
        <thead>
          <tr>
            <th scope="col">Definition</th>
            <th scope="col">Name</th>
            <th scope="col">Status</th>
            <th scope="col" class="number">
              Version
            </th>
            <th scope="col" class="number">
              Active version
            </th>
            <th scope="col" class="number">
              Versions
            </th>
          </tr>
        </thead>
        <tbody>
          {definitions.data?.items.map((d) => (
            <tr key={d.id}>
              <th scope="row">
                <a href={href(`/definitions/${d.id}`)}>{d.id}</a>
              </th>
              <td>{d.name}</td>
              <td>{d.status}</td>
              <td class="number">{d.version}</td>
              <td class="number">{d.activeVersion ?? "—"}</td>
              <td class="number">{d.versions?.length ?? 0}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
