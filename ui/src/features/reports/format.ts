import type { MoneyTotal, Reports } from "../../ipc/bindings";
import { formatMoney } from "../../lib/money";

/** The currency the charts draw in: the open pipeline's largest, else the most won, else USD. */
export function mainCurrency(reports: Reports): string {
  const candidates = [
    ...reports.forecast.openValue,
    ...reports.forecast.stages.flatMap((s) => s.value),
    ...reports.outcomes.flatMap((o) => o.wonValue),
  ];
  return candidates[0]?.currency ?? "USD";
}

/** The amount in `currency` (minor units), 0 when there is none. */
export function amountIn(totals: MoneyTotal[], currency: string): number {
  return totals.find((t) => t.currency === currency)?.amount ?? 0;
}

/** Every currency's amount, for a table cell: "$12,500 + €3,000", or "—". */
export function moneyList(totals: MoneyTotal[]): string {
  const shown = totals.filter((t) => t.amount !== 0);
  return shown.length === 0 ? "—" : shown.map((t) => formatMoney(t.amount, t.currency)).join(" + ");
}

const DAY_MS = 86_400_000;

/** A stay's length: "3.5 days", "5 hours", "under an hour". */
export function formatDuration(ms: number | null): string {
  if (ms === null) return "—";
  if (ms >= DAY_MS) {
    const days = Math.round((ms / DAY_MS) * 10) / 10;
    return `${days} ${days === 1 ? "day" : "days"}`;
  }
  const hours = Math.round(ms / 3_600_000);
  if (hours < 1) return "under an hour";
  return `${hours} ${hours === 1 ? "hour" : "hours"}`;
}

export function formatPercent(value: number | null): string {
  return value === null ? "—" : `${value}%`;
}

/** "2026-03" -> "Mar 2026"; `null` (no expected close date) -> "No date". */
export function formatMonth(month: string | null): string {
  if (month === null) return "No date";
  const [y, m] = month.split("-").map(Number);
  return new Date(y, m - 1, 1).toLocaleDateString("en", { month: "short", year: "numeric" });
}

/** The window's offset from UTC in minutes, east positive (what `get_reports` expects). */
export function utcOffsetMinutes(now: Date = new Date()): number {
  return -now.getTimezoneOffset();
}
