import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import App from "../../App.svelte";
import { installFakeBackend, lead } from "../../test/fake-backend";
import { matchesFilter } from "../board/board.svelte";
import { namesIn } from "../../test/board-dom";

const LEADS = () => [
  lead({ id: 1, fullName: "Ada Lovelace", stageId: 3, fitScore: 82 }),
  lead({ id: 2, fullName: "Grace Hopper", stageId: 3, fitScore: 40 }),
  lead({ id: 3, fullName: "Alan Turing", stageId: 1, fitScore: 90 }),
];

describe("saved views", () => {
  it("saves the filter by name, pins it to the top bar and applies it again", async () => {
    const backend = installFakeBackend(LEADS());
    render(App);
    await screen.findByTestId("board");
    await userEvent.click(screen.getByTestId("open-views"));
    const panel = await screen.findByTestId("views-panel");
    await userEvent.click(within(panel).getByLabelText("Qualified"));
    const from = panel.querySelector<HTMLInputElement>("[name=fitMin]")!;
    await userEvent.type(from, "60");
    await fireEvent.change(from);
    expect(namesIn("Qualified")).toEqual(["Ada Lovelace"]);
    expect(namesIn("New")).toEqual([]);
    await userEvent.type(screen.getByLabelText("Save this filter as"), "Hot deals");
    await userEvent.click(screen.getByTestId("save-view"));
    await waitFor(() => expect(backend.views.map((v) => v.name)).toEqual(["Hot deals"]));
    expect(backend.views[0].filter).toEqual({
      text: "",
      tags: [],
      stages: [3],
      fitMin: 60,
      fitMax: null,
      due: null,
      notContactedDays: null,
      stale: false,
      custom: [],
    });
    expect(backend.views[0].pinned).toBe(true);

    await fireEvent.keyDown(panel, { key: "Escape" });
    const chip = await screen.findByTestId("pinned-view");
    expect(chip.textContent).toBe("Hot deals");
    expect(chip.getAttribute("aria-pressed")).toBe("true");
    await userEvent.click(screen.getByText("Clear"));
    expect(namesIn("New")).toEqual(["Alan Turing"]);
    expect(chip.getAttribute("aria-pressed")).toBe("false");
    await userEvent.click(chip);
    expect(namesIn("Qualified")).toEqual(["Ada Lovelace"]);
    expect(namesIn("New")).toEqual([]);
  }, 20_000);

  it("shows the views the database kept when the app starts", async () => {
    const backend = installFakeBackend(LEADS());
    backend.views = [
      { id: 1, name: "Low fit", pinned: true, filter: { text: "", tags: [], stages: [], fitMin: null, fitMax: 50, due: null } },
      { id: 2, name: "Not pinned", pinned: false, filter: { text: "", tags: [], stages: [], fitMin: null, fitMax: null, due: "overdue" } },
    ];
    render(App);
    await screen.findByTestId("board");
    const chips = await screen.findAllByTestId("pinned-view");
    expect(chips.map((c) => c.textContent)).toEqual(["Low fit"]);
    await userEvent.click(chips[0]);
    expect(namesIn("Qualified")).toEqual(["Grace Hopper"]);
  }, 20_000);

  it("keeps the gone-quiet and last-contact filters in a view", async () => {
    const day = 86_400_000;
    const backend = installFakeBackend([
      lead({ id: 1, fullName: "Ada Lovelace", stageId: 3, lastContactedAt: Date.now() - 2 * day }),
      lead({ id: 2, fullName: "Grace Hopper", stageId: 3, lastContactedAt: Date.now() - 40 * day }),
      lead({ id: 3, fullName: "Alan Turing", stageId: 3, lastContactedAt: null }),
    ]);
    backend.staleIds = [2];
    render(App);
    await screen.findByTestId("board");
    await userEvent.selectOptions(screen.getByTestId("contact-filter"), "30");
    expect(namesIn("Qualified")).toEqual(["Grace Hopper", "Alan Turing"]);
    await userEvent.click(screen.getByTestId("open-views"));
    const panel = await screen.findByTestId("views-panel");
    await userEvent.click(within(panel).getByTestId("filter-stale"));
    expect(namesIn("Qualified")).toEqual(["Grace Hopper"]);
    await userEvent.type(screen.getByLabelText("Save this filter as"), "Gone cold");
    await userEvent.click(screen.getByTestId("save-view"));
    await waitFor(() => expect(backend.views.map((v) => v.name)).toEqual(["Gone cold"]));
    expect(backend.views[0].filter).toMatchObject({ notContactedDays: 30, stale: true });

    await fireEvent.keyDown(panel, { key: "Escape" });
    await userEvent.click(screen.getByText("Clear"));
    expect(namesIn("Qualified")).toEqual(["Ada Lovelace", "Grace Hopper", "Alan Turing"]);
    await userEvent.click(await screen.findByTestId("pinned-view"));
    expect(namesIn("Qualified")).toEqual(["Grace Hopper"]);
  }, 20_000);

  it("filters on custom fields, keeps the conditions in a view and says when a field is gone", async () => {
    const backend = installFakeBackend(LEADS());
    backend.fields = [
      { id: 1, name: "Tier", kind: "choice", choices: ["Gold", "Silver"], position: 0, leadCount: 0 },
      { id: 2, name: "Budget", kind: "number", choices: [], position: 1, leadCount: 0 },
      { id: 3, name: "Notes", kind: "text", choices: [], position: 2, leadCount: 0 },
    ];
    backend.values[1] = [
      { fieldId: 1, value: "Gold" },
      { fieldId: 2, value: "900" },
      { fieldId: 3, value: "Met at the Café Sacher" },
    ];
    backend.values[2] = [
      { fieldId: 1, value: "Silver" },
      { fieldId: 2, value: "10000" },
      { fieldId: 3, value: "cafe owner" },
    ];
    backend.values[3] = [{ fieldId: 1, value: "Gold" }];
    render(App);
    await screen.findByTestId("board");
    await userEvent.click(screen.getByTestId("open-views"));
    const panel = await screen.findByTestId("views-panel");
    const add = await within(panel).findByRole("combobox", { name: /Add/ });
    // Equals on a choice field: Gold is offered first.
    await userEvent.selectOptions(add, "Tier");
    await waitFor(() => expect(namesIn("Qualified")).toEqual(["Ada Lovelace"]));
    expect(namesIn("New")).toEqual(["Alan Turing"]);
    await userEvent.selectOptions(within(panel).getByRole("combobox", { name: /Tier is/ }), "Silver");
    await waitFor(() => expect(namesIn("Qualified")).toEqual(["Grace Hopper"]));
    expect(namesIn("New")).toEqual([]);
    await userEvent.click(within(panel).getByRole("button", { name: "Remove the condition on Tier" }));
    await waitFor(() => expect(namesIn("New")).toEqual(["Alan Turing"]));

    // Contains ignores case and accents; a number range compares numbers; a lead without a
    // value fails.
    await userEvent.selectOptions(within(panel).getByRole("combobox", { name: /Add/ }), "Notes");
    const notes = within(panel).getByRole("textbox", { name: /Notes contains/ });
    await userEvent.type(notes, "CAFE");
    await fireEvent.change(notes);
    await waitFor(() => expect(namesIn("Qualified")).toEqual(["Ada Lovelace", "Grace Hopper"]));
    expect(namesIn("New")).toEqual([]);
    await userEvent.selectOptions(within(panel).getByRole("combobox", { name: /Add/ }), "Budget");
    const from = panel.querySelector<HTMLInputElement>("[name=custom-2-min]")!;
    await userEvent.type(from, "1,000");
    await fireEvent.change(from);
    await waitFor(() => expect(namesIn("Qualified")).toEqual(["Grace Hopper"]));

    await userEvent.type(screen.getByLabelText("Save this filter as"), "Big cafés");
    await userEvent.click(screen.getByTestId("save-view"));
    await waitFor(() => expect(backend.views.map((v) => v.name)).toEqual(["Big cafés"]));
    expect(backend.views[0].filter.custom).toEqual([
      { fieldId: 3, value: "CAFE", min: null, max: null },
      { fieldId: 2, value: "", min: "1,000", max: null },
    ]);
    await fireEvent.keyDown(panel, { key: "Escape" });
    await userEvent.click(screen.getByText("Clear"));
    await waitFor(() => expect(namesIn("New")).toEqual(["Alan Turing"]));
    expect(screen.queryByTestId("custom-filter-gone")).toBeNull();

    // Budget is deleted in Settings: the view still applies, without that condition, and says so.
    backend.fields = backend.fields.filter((f) => f.id !== 2);
    await userEvent.click(await screen.findByTestId("pinned-view"));
    await waitFor(() => expect(namesIn("Qualified")).toEqual(["Ada Lovelace", "Grace Hopper"]));
    expect(namesIn("New")).toEqual([]);
    expect((await screen.findByTestId("custom-filter-gone")).textContent).toContain("was deleted");
    await userEvent.click(screen.getByTestId("open-views"));
    const reopened = await screen.findByTestId("views-panel");
    await within(reopened).findByText("A deleted field: ignored");
    await userEvent.click(within(reopened).getByRole("button", { name: "Remove the condition on a deleted field" }));
    await waitFor(() => expect(screen.queryByTestId("custom-filter-gone")).toBeNull());
    expect(namesIn("Qualified")).toEqual(["Ada Lovelace", "Grace Hopper"]);
  }, 30_000);

  it("filters by due date", () => {
    const day = (offset: number) => {
      const d = new Date();
      d.setDate(d.getDate() + offset);
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
    };
    const card = (due: string | null) => lead({ id: 1, fullName: "A", nextStepDue: due });
    const base = { text: "", tags: [] };
    expect(matchesFilter(card(day(-1)), { ...base, due: "overdue" })).toBe(true);
    expect(matchesFilter(card(day(0)), { ...base, due: "overdue" })).toBe(false);
    expect(matchesFilter(card(day(3)), { ...base, due: "thisWeek" })).toBe(true);
    expect(matchesFilter(card(day(9)), { ...base, due: "thisWeek" })).toBe(false);
    expect(matchesFilter(card(null), { ...base, due: "undated" })).toBe(true);
    expect(matchesFilter(card(null), { ...base, fitMin: 10 })).toBe(false);
  });
});
