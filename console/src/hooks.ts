import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "./api";

export type Loaded<T> = { data?: T; error?: ApiError; loading: boolean; reload: () => void };

/** Loads with `load` whenever `keys` change; with `everyMs`, again at that interval (live views). */
export function useLoad<T>(load: () => Promise<T>, keys: unknown[], everyMs?: number): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: true });
  const generation = useRef(0);
  const reload = useCallback(() => {
    const mine = ++generation.current;
    setState((previous) => ({ ...previous, loading: true }));
    load().then(
      (data) => mine === generation.current && setState({ data, loading: false }),
      (error: unknown) =>
        mine === generation.current &&
        setState((previous) => ({
          data: previous.data,
          loading: false,
          error: error instanceof ApiError ? error : new ApiError({ status: 0, detail: String(error) }),
        })),
    );
  }, keys);
  useEffect(() => {
    reload();
    if (!everyMs) return;
    const timer = window.setInterval(reload, everyMs);
    return () => window.clearInterval(timer);
  }, [reload, everyMs]);
  return { ...state, reload };
}
