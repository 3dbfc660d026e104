import { describe, expect, it } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import App from "../../App.svelte";
import type { FollowUp } from "../../ipc/bindings";
import { installFakeBackend, lead } from "../../test/fake-backend";
import { when } from "./today";

function followUp(leadId: number, fullName: string, date: string, time: string | null, step: string): FollowUp {
  const [y, m, d] = date.split("-").map(Number);
  const [hh, mm] = (time ?? "09:00").split(":").map(Number);
  return {
    leadId,
    fullName,
    companyName: "Acme",
    stageName: "New",
    nextStep: step,
    date,
    time,
    dueAt: new Date(y, m - 1, d, hh, mm).getTime(),
  };
}

const iso = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;

describe("the Today view", () => {
  it("names days relative to today in the user's own calendar", () => {
    const now = new Date(2026, 11, 2, 23, 30);
    expect(when(followUp(1, "Ada", "2026-12-02", "14:30", "Call"), now)).toBe("Today 14:30");
    expect(when(followUp(1, "Ada", "2026-12-03", null, "Call"), now)).toBe("Tomorrow");
    expect(when(followUp(1, "Ada", "2026-12-01", null, "Call"), now)).toBe("Yesterday");
  });

  it("opens with T, moves with j and k, marks done with d, snoozes with s, opens a lead with Enter", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend([
      lead({ id: 1, fullName: "Ada Lovelace" }),
      lead({ id: 2, fullName: "Grace Hopper" }),
      lead({ id: 3, fullName: "Alan Turing" }),
    ]);
    const today = new Date();
    const yesterday = new Date(today.getTime() - 86_400_000);
    backend.today.overdue = [followUp(1, "Ada Lovelace", iso(yesterday), "10:00", "Send the pilot terms")];
    backend.today.dueToday = [followUp(2, "Grace Hopper", iso(today), "23:59", "Call back")];
    backend.today.stale = [
      { leadId: 3, fullName: "Alan Turing", companyName: null, stageName: "Qualified", lastTouchedAt: 0, idleDays: 21 },
    ];
    backend.staleIds = [3];
    render(App);
    await screen.findByTestId("board");
    // The stale deal is marked on its card.
    await waitFor(() => expect(screen.getAllByTestId("card-stale")).toHaveLength(1));

    await user.keyboard("t");
    const view = await screen.findByTestId("today");
    await waitFor(() => expect(within(view).getAllByTestId("today-row")).toHaveLength(3));
    const listbox = within(view).getByRole("listbox");
    expect(document.activeElement).toBe(listbox);
    const selected = () => within(view).getByRole("option", { selected: true }).dataset.leadId;
    expect(selected()).toBe("1");
    expect(within(view).getByTestId("today-summary").textContent).toContain("2 follow-ups due");

    await user.keyboard("j");
    expect(selected()).toBe("2");
    await user.keyboard("k");
    expect(selected()).toBe("1");

    // d: Ada's follow-up is done and leaves the list.
    await user.keyboard("d");
    await waitFor(() => expect(within(view).getAllByTestId("today-row")).toHaveLength(2));
    expect(backend.calls.find((c) => c.cmd === "complete_follow_up")?.args).toEqual({ id: 1 });

    // s then 1: Grace is snoozed an hour.
    expect(selected()).toBe("2");
    await user.keyboard("s");
    expect(within(view).getByTestId("snooze-oneHour")).toBeTruthy();
    await user.keyboard("1");
    await waitFor(() => expect(backend.calls.find((c) => c.cmd === "snooze_follow_up")?.args).toEqual({ id: 2, snooze: "oneHour" }));

    // Enter opens the selected lead's drawer.
    await user.keyboard("k");
    await waitFor(() => expect(within(view).getAllByTestId("today-row")).toHaveLength(2));
    listbox.focus();
    await user.keyboard("{Enter}");
    expect(await screen.findByTestId("lead-drawer")).toBeTruthy();
  });
});
