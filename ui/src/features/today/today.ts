// The Today view's rows as one keyboard list: follow-ups (overdue, today, the week), stale
// deals and newly researched leads, each with what it can do.
import type { FollowUp, LeadId, ResearchedLead, StaleLead, TodayView } from "../../ipc/bindings";

export type TodayRow =
  | { kind: "followUp"; section: "overdue" | "dueToday" | "upcoming"; item: FollowUp }
  | { kind: "stale"; item: StaleLead }
  | { kind: "researched"; item: ResearchedLead };

export const SECTIONS = [
  { id: "overdue", title: "Overdue" },
  { id: "dueToday", title: "Due today" },
  { id: "upcoming", title: "Next 7 days" },
  { id: "stale", title: "Gone quiet" },
  { id: "researched", title: "Research finished" },
] as const;

export type SectionId = (typeof SECTIONS)[number]["id"];

/** Every row in display order, grouped by section. */
export function rows(view: TodayView): { section: SectionId; rows: TodayRow[] }[] {
  return [
    { section: "overdue", rows: view.overdue.map((item) => ({ kind: "followUp", section: "overdue", item }) as TodayRow) },
    { section: "dueToday", rows: view.dueToday.map((item) => ({ kind: "followUp", section: "dueToday", item }) as TodayRow) },
    { section: "upcoming", rows: view.upcoming.map((item) => ({ kind: "followUp", section: "upcoming", item }) as TodayRow) },
    { section: "stale", rows: view.stale.map((item) => ({ kind: "stale", item }) as TodayRow) },
    { section: "researched", rows: view.researched.map((item) => ({ kind: "researched", item }) as TodayRow) },
  ];
}

export function leadOf(row: TodayRow): LeadId {
  return row.item.leadId;
}

/** "Today 14:30", "Tue 2 Dec", "Tue 2 Dec 09:00" for a follow-up's date and time. */
export function when(item: FollowUp, now: Date = new Date()): string {
  const [y, m, d] = item.date.split("-").map(Number);
  const day = new Date(y, m - 1, d);
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  const diff = Math.round((day.getTime() - today.getTime()) / 86_400_000);
  const name =
    diff === 0
      ? "Today"
      : diff === 1
        ? "Tomorrow"
        : diff === -1
          ? "Yesterday"
          : day.toLocaleDateString("en-GB", { weekday: "short", day: "numeric", month: "short" });
  return item.time ? `${name} ${item.time}` : name;
}

/** Whether a follow-up was snoozed past its own date and time. */
export function snoozedUntil(item: FollowUp): string | null {
  const [y, m, d] = item.date.split("-").map(Number);
  const [hh, mm] = (item.time ?? "09:00").split(":").map(Number);
  const scheduled = new Date(y, m - 1, d, hh, mm).getTime();
  if (item.dueAt <= scheduled) return null;
  return new Date(item.dueAt).toLocaleString("en-GB", { weekday: "short", hour: "2-digit", minute: "2-digit" });
}
