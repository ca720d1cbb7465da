import { useEffect, useState } from "preact/hooks";

// Hash routes (#/instances/…): the gateway serves one page, and the console's state stays in the
// address, so that a view can be bookmarked and the browser's back button works.

export type Route = { path: string[]; params: URLSearchParams };

function current(): Route {
  const hash = window.location.hash.replace(/^#/, "") || "/";
  const [path, search] = hash.split("?", 2);
  return {
    path: path.split("/").filter(Boolean).map(decodeURIComponent),
    params: new URLSearchParams(search ?? ""),
  };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const changed = () => setRoute(current());
    window.addEventListener("hashchange", changed);
    return () => window.removeEventListener("hashchange", changed);
  }, []);
  return route;
}

export function href(path: string, params?: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params ?? {})) {
    if (value !== undefined && value !== "") search.set(name, String(value));
  }
  const text = search.toString();
  return `#${path}${text ? `?${text}` : ""}`;
}

export function go(path: string, params?: Record<string, string | number | undefined>): void {
  window.location.hash = href(path, params).slice(1);
}
