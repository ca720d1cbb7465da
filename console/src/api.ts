// The gateway's HTTP API, as the console calls it: same origin, the browser's credentials, JSON,
// and every refusal an RFC 9457 problem whose words the console shows as they are.

export type FieldError = { field: string; message: string };
export type Problem = { type?: string; title?: string; status: number; detail?: string; errors?: FieldError[] };

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail || problem.title || `HTTP ${problem.status}`);
  }
  get status(): number {
    return this.problem.status;
  }
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {
    Accept: "application/json",
    // The gateway takes the browser's Basic credentials only with this header: a page of another
    // site cannot send it without a CORS preflight, which the gateway refuses.
    "X-Requested-With": "loopline-console",
  };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method,
    credentials: "same-origin",
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = { status: response.status, detail: text };
  }
  if (!response.ok) {
    const problem = (json && typeof json === "object" ? json : {}) as Problem;
    throw new ApiError({ ...problem, status: response.status, title: problem.title ?? response.statusText });
  }
  return json as T;
}

export const get = <T>(path: string) => api<T>("GET", path);
export const post = <T>(path: string, body: unknown = {}) => api<T>("POST", path, body);
export const del = <T>(path: string) => api<T>("DELETE", path);

/** `path?name=value&…`, empty values left out. */
export function query(path: string, parameters: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) {
    if (value !== undefined && value !== null && value !== "") search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}

export const segment = (value: string) => encodeURIComponent(value);

export type Me = { principal: string; roles: string[] };

export type Instance = {
  instanceId: string;
  definitionId: string;
  definitionVersion: number;
  entityType?: string;
  entityId?: string;
  state: string;
  statusCode: number;
  reason?: string;
  retryCount: number;
  errorCode?: string;
  errorMessage?: string;
  waitingFor: string[];
  stepName?: string | null;
  waitingUntil?: string | null;
  variables?: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  transitions?: Transition[];
};

export type Transition = {
  sequence: number;
  state: string;
  statusCode: number;
  timestamp: string;
  reason?: string;
  retryCount: number;
  errorCode?: string;
};

export type Page<T> = { items: T[]; next: string | null };

export type Definition = {
  id: string;
  name: string;
  status: string;
  version: number;
  activeVersion?: number | null;
  versions?: { version: number; status: string; updatedAt: string; updatedBy?: string | null }[];
  instances?: Record<string, Record<string, number>>;
  document?: unknown;
};

export type Operation = {
  operationId: string;
  action: string;
  state: string;
  matched: number;
  accepted: number;
  refused: number;
  unanswered: number;
  refusals: { instanceId: string; reason: string }[];
  error?: string | null;
};

export type DeadLetter = {
  id: string;
  sourceTopic: string;
  sourcePartition: number;
  sourceOffset: number;
  exception?: string;
  reason?: string;
  time: string;
};
