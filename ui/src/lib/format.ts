/** The host of a normalised website URL without `www.`, for a compact card line. */
export function displayDomain(website: string | null): string | null {
  if (!website) return null;
  try {
    const host = new URL(website).hostname;
    return host.startsWith("www.") ? host.slice(4) : host;
  } catch {
    return website;
  }
}

/** Up to two initials for an avatar: "Ada Lovelace" -> "AL", "cher" -> "C". */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/u).filter(Boolean);
  if (words.length === 0) return "?";
  const first = Array.from(words[0])[0] ?? "";
  const last = words.length > 1 ? (Array.from(words[words.length - 1])[0] ?? "") : "";
  return (first + last).toLocaleUpperCase();
}

const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

/** "just now", "5 minutes ago", "yesterday", "3 weeks ago" relative to `now`. */
export function relativeTime(ms: number, now: number = Date.now()): string {
  const seconds = Math.round((ms - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return "just now";
  const steps: [Intl.RelativeTimeFormatUnit, number][] = [
    ["minute", 60],
    ["hour", 3600],
    ["day", 86400],
    ["week", 604800],
    ["month", 2629800],
    ["year", 31557600],
  ];
  let unit: [Intl.RelativeTimeFormatUnit, number] = steps[0];
  for (const step of steps) {
    if (abs >= step[1]) unit = step;
  }
  return rtf.format(Math.round(seconds / unit[1]), unit[0]);
}

export function pluralize(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}
