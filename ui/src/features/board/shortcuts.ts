// The window's keyboard shortcuts, once: App's key handler looks the key up here, and the
// shortcut help and the command palette show what is written here, so neither can disagree with
// the handler. (Keys that belong to one place, a card, the Today list, a field, are handled and
// listed there.)

export type Command = "newLead" | "search" | "filter" | "today" | "reports" | "toggleView" | "help" | "settings" | "closeLead";

export interface Shortcut {
  command: Command;
  /** The `KeyboardEvent.key` values that trigger it (lower case when `ctrl`). */
  keys: readonly string[];
  /** With Ctrl (Cmd on macOS). These work while typing in a field too. */
  ctrl?: boolean;
  /** The keys as the help and the palette show them. */
  display: string;
  /** What it does, as the help says it. */
  what: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { command: "newLead", keys: ["n", "N"], display: "N", what: "New lead" },
  { command: "search", keys: ["/"], display: "/", what: "Search leads, companies and notes" },
  { command: "search", keys: ["k"], ctrl: true, display: "Ctrl K", what: "Search leads, companies and notes" },
  { command: "filter", keys: ["f"], display: "F", what: "Filter the board" },
  { command: "today", keys: ["t", "T"], display: "T", what: "Today: follow-ups, quiet deals, new research" },
  { command: "reports", keys: ["r", "R"], display: "R", what: "Reports and forecast" },
  { command: "toggleView", keys: ["v", "V"], display: "V", what: "The leads as a table, or the board again" },
  { command: "settings", keys: [","], ctrl: true, display: "Ctrl ,", what: "Settings" },
  { command: "help", keys: ["?"], display: "?", what: "This list" },
  { command: "closeLead", keys: ["Escape"], display: "Esc", what: "Close what is open" },
];

/** The shortcut a key press means, if any. Alt never makes one; Shift may (`?`). */
export function shortcutFor(event: KeyboardEvent): Shortcut | undefined {
  if (event.altKey) return undefined;
  const ctrl = event.ctrlKey || event.metaKey;
  const key = ctrl ? event.key.toLowerCase() : event.key;
  return SHORTCUTS.find((s) => !!s.ctrl === ctrl && s.keys.includes(key));
}

/** How to type a command, every way: "/  or  Ctrl K". */
export function keysFor(command: Command): string {
  return SHORTCUTS.filter((s) => s.command === command)
    .map((s) => s.display)
    .join("  or  ");
}

/** The first way to type a command, for a key hint on a button: "/". */
export function primaryKey(command: Command): string {
  return SHORTCUTS.find((s) => s.command === command)?.display ?? "";
}

/** One row per command, in the table's order, for the help. */
export function helpRows(): { keys: string; what: string }[] {
  const seen = new Set<Command>();
  const rows: { keys: string; what: string }[] = [];
  for (const s of SHORTCUTS) {
    if (seen.has(s.command)) continue;
    seen.add(s.command);
    rows.push({ keys: keysFor(s.command), what: s.what });
  }
  return rows;
}
