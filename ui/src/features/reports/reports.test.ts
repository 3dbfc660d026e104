import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import App from "../../App.svelte";
import type { Reports } from "../../ipc/bindings";
import { installFakeBackend, lead } from "../../test/fake-backend";
import { formatDuration, formatMonth, mainCurrency, moneyList, utcOffsetMinutes } from "./format";

const usd = (amount: number) => ({ currency: "USD", amount });

/** What the Rust side computes for a small pipeline (its arithmetic is tested in Rust). */
const REPORTS: Reports = {
  forecast: {
    stages: [
      { stageId: 1, name: "New", kind: "open", probability: 10, deals: 2, value: [usd(100_000)], weighted: [usd(10_000)] },
      { stageId: 5, name: "Won", kind: "won", probability: 100, deals: 1, value: [usd(250_000)], weighted: [usd(250_000)] },
    ],
    openValue: [usd(100_000)],
    openWeighted: [usd(10_000)],
    months: [{ month: "2027-03", deals: 1, value: [usd(100_000)], weighted: [usd(10_000)] }],
  },
  outcomes: [{ month: "2026-11", won: 1, lost: 2, wonValue: [usd(250_000)], lostValue: [] }],
  conversion: [{ fromStage: 1, fromName: "New", toStage: 5, toName: "Won", reachedFrom: 4, reachedTo: 1, rate: 25 }],
  durations: [
    { stageId: 1, name: "New", stays: 3, averageMs: 2.5 * 86_400_000 },
    { stageId: 5, name: "Won", stays: 0, averageMs: null },
  ],
  bySource: [{ label: null, won: 1, lost: 2, rate: 33.3 }],
  byTag: [{ label: "enterprise", won: 1, lost: 0, rate: 100 }],
  fit: {
    wonScored: 1,
    lostScored: 1,
    wonUnscored: 0,
    lostUnscored: 1,
    wonAverage: 82,
    lostAverage: 31,
    buckets: [
      { from: 0, to: 19, won: 0, lost: 0 },
      { from: 20, to: 39, won: 0, lost: 1 },
      { from: 40, to: 59, won: 0, lost: 0 },
      { from: 60, to: 79, won: 0, lost: 0 },
      { from: 80, to: 100, won: 1, lost: 0 },
    ],
  },
};

function rows(testid: string): string[][] {
  const table = screen.getByTestId(testid);
  return [...table.querySelectorAll("tbody tr")].map((tr) => [...tr.children].map((c) => c.textContent?.trim() ?? ""));
}

describe("the reports page", () => {
  it("opens with R, asks for the user's months, and lists every chart's numbers as a table", async () => {
    const backend = installFakeBackend([lead({ id: 1, fullName: "Ada Lovelace" })]);
    backend.reports = REPORTS;
    render(App);
    await screen.findByTestId("board");
    await fireEvent.keyDown(document.body, { key: "r" });
    const page = await screen.findByTestId("reports");
    await within(page).findByTestId("forecast-tiles");
    const call = backend.calls.find((c) => c.cmd === "get_reports");
    expect(call?.args).toEqual({ offsetMinutes: utcOffsetMinutes(), pipelineId: 1 });
    expect(screen.getByTestId("open-value").textContent).toBe("$1,000");
    expect(screen.getByTestId("open-weighted").textContent).toBe("$100");
    expect(rows("table-stages")).toEqual([
      ["New", "10%", "2", "$1,000", "$100"],
      ["Won", "100%", "1", "$2,500", "$2,500"],
    ]);
    expect(rows("table-months")).toEqual([[formatMonth("2027-03"), "1", "$1,000", "$100"]]);
    expect(rows("table-outcomes")).toEqual([[formatMonth("2026-11"), "1", "$2,500", "2", "—"]]);
    expect(rows("table-conversion")).toEqual([["New → Won", "4", "1", "25%"]]);
    expect(rows("table-durations")).toEqual([
      ["New", "3", "2.5 days"],
      ["Won", "0", "—"],
    ]);
    expect(rows("table-sources")).toEqual([["No source", "1", "2", "33.3%"]]);
    expect(rows("table-tags")).toEqual([["enterprise", "1", "0", "100%"]]);
    expect(rows("table-fit")[4]).toEqual(["80–100", "1", "0"]);
    // Each chart names what it shows for a screen reader.
    expect(page.querySelectorAll("[role=img][aria-label]").length).toBe(8);

    await fireEvent.keyDown(page, { key: "Escape" });
    await waitFor(() => expect(screen.queryByTestId("reports")).toBeNull());
  }, 20_000);

  it("says plainly when the reports cannot be computed", async () => {
    installFakeBackend([lead({ id: 1, fullName: "Ada Lovelace" })]);
    render(App);
    await screen.findByTestId("board");
    await userEvent.click(screen.getByTestId("open-reports"));
    const alert = await within(screen.getByTestId("reports")).findByRole("alert");
    expect(alert.textContent).toContain("The database could not be read.");
  }, 20_000);

  it("saves a stage's win probability from the stage menu", async () => {
    const backend = installFakeBackend([lead({ id: 1, fullName: "Ada Lovelace" })]);
    render(App);
    await screen.findByTestId("board");
    const button = screen.getAllByTestId("stage-menu-button")[0];
    await userEvent.click(button);
    const input = (await screen.findByTestId("stage-probability")) as HTMLInputElement;
    expect(input.value).toBe("10");
    await userEvent.clear(input);
    await userEvent.type(input, "35");
    await fireEvent.change(input);
    await waitFor(() => expect(backend.stages[0].probability).toBe(35));
    const update = backend.calls.find((c) => c.cmd === "update_stage");
    expect(update?.args).toMatchObject({ id: 1, edit: { probability: 35 } });
  }, 20_000);
});

describe("report formatting", () => {
  it("picks the main currency and writes durations and money lists for people", () => {
    expect(mainCurrency(REPORTS)).toBe("USD");
    expect(mainCurrency({ ...REPORTS, forecast: { ...REPORTS.forecast, openValue: [], stages: [] }, outcomes: [] })).toBe("USD");
    expect(mainCurrency({ ...REPORTS, forecast: { ...REPORTS.forecast, openValue: [{ currency: "EUR", amount: 5 }] } })).toBe("EUR");
    expect(formatDuration(86_400_000)).toBe("1 day");
    expect(formatDuration(5 * 3_600_000)).toBe("5 hours");
    expect(formatDuration(60_000)).toBe("under an hour");
    expect(moneyList([usd(150_000), { currency: "EUR", amount: 30_000 }])).toBe("$1,500 + €300");
    expect(moneyList([usd(0)])).toBe("—");
    expect(formatMonth(null)).toBe("No date");
  }, 20_000);
});
