/** A deal value in minor units as money: 1250000, "EUR" -> "€12,500". Whole amounts drop cents. */
export function formatMoney(minor: number, currency: string, compact = false): string {
  const amount = minor / 100;
  const short = compact && Math.abs(amount) >= 10_000;
  const digits = short ? 1 : Number.isInteger(amount) ? 0 : 2;
  try {
    return new Intl.NumberFormat("en", {
      style: "currency",
      currency,
      notation: short ? "compact" : "standard",
      maximumFractionDigits: digits,
      minimumFractionDigits: short ? 0 : digits,
    }).format(amount);
  } catch {
    return `${amount.toLocaleString("en")} ${currency}`;
  }
}

/** The editable text for a deal value: 1250050 -> "12500.50". */
export function moneyInput(minor: number | null): string {
  if (minor === null) return "";
  const amount = minor / 100;
  return Number.isInteger(amount) ? String(amount) : amount.toFixed(2);
}

/** "2026-12-03" -> "Dec 3" (with the year when it is not this year). */
export function formatDue(date: string, today: Date = new Date()): string {
  const [y, m, d] = date.split("-").map(Number);
  const when = new Date(y, m - 1, d);
  return when.toLocaleDateString("en", {
    month: "short",
    day: "numeric",
    ...(y !== today.getFullYear() ? { year: "numeric" } : {}),
  });
}

/** Whether a YYYY-MM-DD date is before today (local time). */
export function isOverdue(date: string, today: Date = new Date()): boolean {
  const iso = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, "0")}-${String(today.getDate()).padStart(2, "0")}`;
  return date < iso;
}
