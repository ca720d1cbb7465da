import { render } from "preact";
import { get, type Me } from "./api";
import { useLoad } from "./hooks";
import { href, useRoute } from "./router";
import { ProblemView } from "./components";
import { Dashboard } from "./views/Dashboard";
import { Instances } from "./views/Instances";
import { InstanceDetail } from "./views/InstanceDetail";
import { Definitions } from "./views/Definitions";
import { DefinitionDetail } from "./views/DefinitionDetail";
import { Deploy } from "./views/Deploy";
import { DeadLetters } from "./views/DeadLetters";
import "./style.css";

/** What the caller may do: the console offers only the actions the gateway would allow. */
export type Can = { read: boolean; operate: boolean; administer: boolean };

function App() {
  const route = useRoute();
  const me = useLoad(() => get<Me>("/v1/me"), []);
  const roles = me.data?.roles ?? [];
  const can: Can = {
    read: roles.includes("reader"),
    operate: roles.includes("operator"),
    administer: roles.includes("administrator"),
  };
  const [section, id] = route.path;
  const nav = [
    { path: "/", label: "Dashboard", current: !section },
    { path: "/instances", label: "Instances", current: section === "instances" },
    { path: "/definitions", label: "Definitions", current: section === "definitions" || section === "deploy" },
    { path: "/dead-letters", label: "Dead letters", current: section === "dead-letters" },
  ];
  let view;
  if (section === "instances" && id) view = <InstanceDetail id={id} can={can} />;
  else if (section === "instances") view = <Instances params={route.params} can={can} />;
  else if (section === "definitions" && id) view = <DefinitionDetail id={id} can={can} />;
  else if (section === "definitions") view = <Definitions can={can} />;
  else if (section === "deploy") view = <Deploy can={can} />;
  else if (section === "dead-letters") view = <DeadLetters can={can} />;
  else view = <Dashboard can={can} />;
  return (
    <>
      <header>
        <a class="brand" href="#/">
          Loopline
        </a>
        <nav aria-label="Main">
          <ul>
            {nav.map((item) => (
              <li key={item.path}>
                <a href={href(item.path)} aria-current={item.current ? "page" : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="who">{me.data ? `${me.data.principal} (${roles.join(", ")})` : ""}</span>
      </header>
      <main>
        <ProblemView error={me.error} />
        {view}
      </main>
    </>
  );
}

render(<App />, document.getElementById("app")!);
