// Names of states and status codes, as Dynamics' system jobs show them.

export const STATUS: Record<number, string> = {
  0: "Waiting for resources",
  10: "Waiting",
  20: "In progress",
  21: "Pausing",
  22: "Canceling",
  30: "Succeeded",
  31: "Failed",
  32: "Canceled",
};

export const STATES = ["READY", "SUSPENDED", "LOCKED", "COMPLETED"];

export const status = (code: number) => `${code} ${STATUS[code] ?? ""}`.trim();

export function time(iso?: string | null): string {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** A datetime-local input's value as an ISO instant (the browser's time zone). */
export function instant(local: string): string {
  return new Date(local).toISOString();
}
