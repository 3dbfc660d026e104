// The words the UI uses for call outcomes and lost reasons, in the order they are offered.
import type { CallOutcome, LostReason } from "../../ipc/bindings";

export const OUTCOMES: { value: CallOutcome; label: string }[] = [
  { value: "connected", label: "Connected" },
  { value: "noAnswer", label: "No answer" },
  { value: "leftVoicemail", label: "Left voicemail" },
  { value: "wrongNumber", label: "Wrong number" },
];

export const LOST_REASONS: { value: LostReason; label: string }[] = [
  { value: "price", label: "Price" },
  { value: "competitor", label: "Went with a competitor" },
  { value: "no_budget", label: "No budget" },
  { value: "timing", label: "Bad timing" },
  { value: "no_response", label: "Stopped responding" },
  { value: "not_a_fit", label: "Not a fit" },
  { value: "other", label: "Other" },
];

export function outcomeLabel(outcome: CallOutcome | null | undefined): string | null {
  return OUTCOMES.find((o) => o.value === outcome)?.label ?? null;
}

export function lostReasonLabel(reason: LostReason | null | undefined): string | null {
  return LOST_REASONS.find((r) => r.value === reason)?.label ?? null;
}

/** `YYYY-MM-DD` of a moment in the user's time zone. */
export function localDate(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/**
 * When an activity logged for `date` happened: now for today, else midday of that day (the
 * hour is unknown, and midday keeps the date in every nearby time zone).
 */
export function occurredAt(date: string, now: number = Date.now()): number | null {
  if (date === localDate(now)) return null;
  const [y, m, d] = date.split("-").map(Number);
  if (!y || !m || !d) return null;
  return new Date(y, m - 1, d, 12).getTime();
}

const DAY_MS = 86_400_000;

/** "Contacted today", "Contacted 3 days ago", or null when never contacted. */
export function lastContact(ms: number | null | undefined, now: number = Date.now()): string | null {
  if (ms === null || ms === undefined) return null;
  const days = Math.floor((new Date(localDate(now)).getTime() - new Date(localDate(ms)).getTime()) / DAY_MS);
  if (days <= 0) return "Contacted today";
  if (days === 1) return "Contacted yesterday";
  return `Contacted ${days} days ago`;
}
