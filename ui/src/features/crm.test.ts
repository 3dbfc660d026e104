import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import App from "../App.svelte";
import { installFakeBackend, lead } from "../test/fake-backend";
import { formatDue, formatMoney, isOverdue } from "../lib/money";
import { card, column, namesIn } from "../test/board-dom";

const iso = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;

describe("money and dates", () => {
  it("formats minor units in their currency and knows what is overdue", () => {
    expect(formatMoney(1_250_000, "USD")).toBe("$12,500");
    expect(formatMoney(1_250_050, "EUR")).toBe("€12,500.50");
    expect(formatMoney(21_000_000, "USD", true)).toBe("$210K");
    expect(formatMoney(1_750_000, "USD", true)).toBe("$17.5K");
    expect(formatMoney(950_000, "USD", true)).toBe("$9,500");
    expect(formatMoney(100, "XXQ")).toContain("1");
    const today = new Date(2026, 10, 24);
    expect(isOverdue("2026-11-23", today)).toBe(true);
    expect(isOverdue("2026-11-24", today)).toBe(false);
    expect(formatDue("2026-12-03", today)).toBe("Dec 3");
    expect(formatDue("2027-01-05", today)).toBe("Jan 5, 2027");
  });
});

describe("cards and columns", () => {
  it("show value, due date (overdue in red), tags and the column total", async () => {
    const yesterday = new Date(Date.now() - 86_400_000);
    installFakeBackend([
      lead({
        id: 1,
        fullName: "Ada Lovelace",
        dealValue: 1_250_000,
        nextStepDue: iso(yesterday),
        nextStep: "Send proposal",
        tags: ["EMEA", "Pilot", "SaaS", "Q3"],
      }),
      lead({ id: 2, fullName: "Grace Hopper", dealValue: 500_000, tags: ["EMEA"] }),
    ]);
    render(App);
    await screen.findByTestId("board");
    const ada = card("Ada Lovelace");
    expect(within(ada).getByTestId("deal-value").textContent).toBe("$12,500");
    const next = within(ada).getByTestId("next-step");
    expect(next.classList.contains("overdue")).toBe(true);
    expect(next.textContent).toContain("Overdue");
    expect(next.textContent).toContain("Send proposal");
    expect(within(ada).getByText("+1")).toBeTruthy();
    expect(within(column("New")).getByTestId("column-value").textContent).toContain("$17.5K");
  });

  it("show the research status of leads that have a run, and nothing for the rest", async () => {
    const backend = installFakeBackend([
      lead({ id: 1, fullName: "Ada" }),
      lead({ id: 2, fullName: "Bob" }),
      lead({ id: 3, fullName: "Cy" }),
    ]);
    const run = {
      id: 1,
      leadId: 1,
      status: "running" as const,
      trigger: "created" as const,
      step: "crawl" as const,
      error: null,
      createdAt: 0,
      finishedAt: null,
    };
    backend.runs = [run, { ...run, id: 2, leadId: 2, status: "failed", error: "The website did not answer." }];
    render(App);
    await screen.findByTestId("board");
    expect(within(card("Ada")).getByTestId("research-status").textContent?.trim()).toBe("Researching");
    const failed = within(card("Bob")).getByTestId("research-status");
    expect(failed.textContent?.trim()).toBe("Research failed");
    expect(failed.title).toBe("Research failed: The website did not answer.");
    expect(within(card("Cy")).queryByTestId("research-status")).toBeNull();
  });

  it("filter by text and by tag, with a count of what is shown", async () => {
    const user = userEvent.setup();
    installFakeBackend([
      lead({ id: 1, fullName: "Ada Lovelace", companyName: "Analytical", tags: ["EMEA"] }),
      lead({ id: 2, fullName: "Grace Hopper", companyName: "Navy Labs", tags: ["US"] }),
      lead({ id: 3, fullName: "Alan Turing", companyName: "Bletchley", tags: ["EMEA"], stageId: 2 }),
    ]);
    render(App);
    await screen.findByTestId("board");
    await user.type(screen.getByRole("searchbox", { name: "Filter leads" }), "navy");
    expect(namesIn("New")).toEqual(["Grace Hopper"]);
    expect(within(column("Contacted")).getByText("No matches")).toBeTruthy();
    expect(screen.getByTestId("board-summary").textContent).toContain("1 of 3 leads");
    await user.clear(screen.getByRole("searchbox", { name: "Filter leads" }));
    await user.click(screen.getAllByTestId("tag-filter").find((b) => b.textContent === "EMEA")!);
    expect(namesIn("New")).toEqual(["Ada Lovelace"]);
    expect(namesIn("Contacted")).toEqual(["Alan Turing"]);
  });
});

describe("moving cards", () => {
  it("moves with Alt+arrows across and within columns, keeping focus on the card", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend([
      lead({ id: 1, fullName: "Ada", position: 0 }),
      lead({ id: 2, fullName: "Bob", position: 1024 }),
      lead({ id: 3, fullName: "Cy", stageId: 2 }),
    ]);
    render(App);
    await screen.findByTestId("board");
    card("Ada").focus();
    await user.keyboard("{Alt>}{ArrowRight}{/Alt}");
    await waitFor(() => expect(namesIn("Contacted")).toEqual(["Ada", "Cy"]));
    expect(backend.calls.filter((c) => c.cmd === "move_lead").at(-1)?.args).toEqual({ id: 1, stageId: 2, beforeId: 3 });
    await waitFor(() => expect(document.activeElement).toBe(card("Ada")));
    await user.keyboard("{Alt>}{ArrowDown}{/Alt}");
    await waitFor(() => expect(namesIn("Contacted")).toEqual(["Cy", "Ada"]));
    expect(backend.calls.filter((c) => c.cmd === "move_lead").at(-1)?.args).toEqual({ id: 1, stageId: 2, beforeId: null });
    expect(screen.getByTestId("board-announcement").textContent).toBe("Moved Ada within Contacted");
    // Plain arrows move the focus.
    await user.keyboard("{ArrowUp}");
    expect(document.activeElement).toBe(card("Cy"));
    await user.keyboard("{ArrowLeft}");
    expect(document.activeElement).toBe(card("Bob"));
    expect(backend.leads.find((l) => l.id === 1)?.stageId).toBe(2);
  });

  it("drags with the pointer onto another column and rolls back when the move is refused", async () => {
    const backend = installFakeBackend([lead({ id: 1, fullName: "Ada" }), lead({ id: 2, fullName: "Bob", stageId: 3 })]);
    render(App);
    await screen.findByTestId("board");
    const target = column("Qualified");
    const bob = card("Bob");
    // jsdom has no layout: point the hit test at the target column and put Bob's middle low.
    document.elementFromPoint = vi.fn(() => target);
    bob.getBoundingClientRect = () => ({
      top: 500,
      height: 40,
      bottom: 540,
      left: 0,
      right: 100,
      width: 100,
      x: 0,
      y: 500,
      toJSON: () => ({}),
    });
    const drag = async (from: HTMLElement) => {
      await fireEvent.pointerDown(from, { button: 0, pointerId: 1, clientX: 10, clientY: 10 });
      await fireEvent.pointerMove(window, { pointerId: 1, clientX: 40, clientY: 40 });
      await fireEvent.pointerMove(window, { pointerId: 1, clientX: 300, clientY: 100 });
      await fireEvent.pointerUp(window, { pointerId: 1, clientX: 300, clientY: 100 });
    };
    await drag(card("Ada"));
    await waitFor(() => expect(namesIn("Qualified")).toEqual(["Ada", "Bob"]));
    expect(backend.calls.filter((c) => c.cmd === "move_lead").at(-1)?.args).toEqual({ id: 1, stageId: 3, beforeId: 2 });
    expect(screen.queryByTestId("lead-drawer")).toBeNull();

    backend.moveFailure = { code: "storage", message: "database is locked", field: null };
    document.elementFromPoint = vi.fn(() => column("Won"));
    await drag(card("Ada"));
    await waitFor(() => expect(namesIn("Qualified")).toEqual(["Ada", "Bob"]));
    expect((await screen.findByRole("status")).textContent).toContain("Could not move Ada: database is locked");
  });
});

describe("the lead drawer", () => {
  it("edits fields in place, explains refusals and keeps the typed text", async () => {
    const user = userEvent.setup();
    installFakeBackend([lead({ id: 1, fullName: "Ada Lovelace" })]);
    render(App);
    await screen.findByTestId("board");
    await user.click(card("Ada Lovelace"));
    const drawer = await screen.findByTestId("lead-drawer");

    await user.click(within(within(drawer).getByTestId("field-title")).getByRole("button"));
    await user.keyboard("Countess{Enter}");
    await waitFor(() => expect(within(drawer).getByTestId("field-title").textContent).toContain("Countess"));
    expect(card("Ada Lovelace").textContent).toContain("Countess");

    await user.click(within(within(drawer).getByTestId("field-phone")).getByRole("button"));
    await user.keyboard("call me{Enter}");
    expect((await within(drawer).findByTestId("field-error-phone")).textContent).toContain("digits");
    const phone = within(drawer).getByTestId("field-phone").querySelector("input")!;
    expect(phone.value).toBe("call me");
    expect(document.activeElement).toBe(phone);
    await user.keyboard("{Escape}");
    expect(within(drawer).getByTestId("field-phone").textContent).toContain("Add phone");
    expect(screen.getByTestId("lead-drawer")).toBeTruthy();

    await user.click(within(within(drawer).getByTestId("field-dealValue")).getByRole("button"));
    await user.keyboard("12.5k{Enter}");
    await waitFor(() => expect(within(drawer).getByTestId("field-dealValue").textContent).toContain("$12,500"));
    expect(within(card("Ada Lovelace")).getByTestId("deal-value").textContent).toBe("$12,500");

    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByTestId("lead-drawer")).toBeNull());
  });

  it("adds and removes tags, logs notes and shows the timeline newest first", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend(
      [lead({ id: 1, fullName: "Ada Lovelace" })],
      [
        {
          id: 1,
          leadId: 1,
          kind: "stageChange",
          body: "Moved from New to Contacted",
          occurredAt: Date.now() - 60_000,
          createdAt: Date.now() - 60_000,
        },
      ],
    );
    render(App);
    await screen.findByTestId("board");
    await user.click(card("Ada Lovelace"));
    const drawer = await screen.findByTestId("lead-drawer");
    const tags = within(drawer).getByTestId("field-tags");
    await user.type(within(tags).getByRole("textbox"), "EMEA{Enter}Pilot,");
    await waitFor(() => expect(backend.leads[0].tags).toEqual(["EMEA", "Pilot"]));
    await user.click(within(tags).getByRole("button", { name: "Remove tag EMEA" }));
    await waitFor(() => expect(backend.leads[0].tags).toEqual(["Pilot"]));
    expect(within(card("Ada Lovelace")).getByText("Pilot")).toBeTruthy();

    await user.click(within(drawer).getByTestId("add-note"));
    expect((await within(drawer).findByTestId("field-error-note")).textContent).toBe("Write something before saving.");
    await user.click(within(drawer).getByRole("radio", { name: "Call" }));
    await user.type(within(drawer).getByRole("textbox", { name: "Note" }), "Talked budget{Control>}{Enter}{/Control}");
    await waitFor(() => expect(within(drawer).getAllByTestId("activity")).toHaveLength(2));
    const entries = within(drawer).getAllByTestId("activity");
    expect(entries[0].dataset.kind).toBe("call");
    expect(entries[0].textContent).toContain("Talked budget");
    expect(entries[1].dataset.kind).toBe("stageChange");
    expect(within(entries[1]).queryByRole("button", { name: "Delete entry" })).toBeNull();
    await user.click(within(entries[0]).getByRole("button", { name: "Delete entry" }));
    await waitFor(() => expect(within(drawer).getAllByTestId("activity")).toHaveLength(1));
  });

  it("deletes a lead and brings it back with Undo", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend([
      lead({ id: 1, fullName: "Ada Lovelace" }),
      lead({ id: 2, fullName: "Grace Hopper", position: 2048 }),
    ]);
    render(App);
    await screen.findByTestId("board");
    await user.click(card("Ada Lovelace"));
    await user.click(await screen.findByTestId("delete-lead"));
    await waitFor(() => expect(namesIn("New")).toEqual(["Grace Hopper"]));
    expect(screen.queryByTestId("lead-drawer")).toBeNull();
    expect(screen.getByRole("status").textContent).toContain("Ada Lovelace deleted");
    expect(backend.deleted.has(1)).toBe(true);
    await user.click(screen.getByTestId("undo"));
    await waitFor(() => expect(namesIn("New")).toEqual(["Ada Lovelace", "Grace Hopper"]));
    expect(backend.deleted.has(1)).toBe(false);
  });
});

describe("search", () => {
  it("finds leads and notes as you type, highlights matches and opens the lead", async () => {
    const user = userEvent.setup();
    installFakeBackend(
      [lead({ id: 1, fullName: "Ada Lovelace", companyName: "Analytical" }), lead({ id: 2, fullName: "Grace Hopper" })],
      [{ id: 1, leadId: 2, kind: "note", body: "Wants a COBOL pilot", occurredAt: Date.now(), createdAt: Date.now() }],
    );
    render(App);
    await screen.findByTestId("board");
    await user.keyboard("/");
    const palette = await screen.findByTestId("search");
    expect(within(palette).getByText(/Type a name/)).toBeTruthy();
    await user.keyboard("cob");
    const results = await within(palette).findAllByTestId("search-result");
    expect(results).toHaveLength(1);
    expect(within(palette).queryAllByTestId("palette-action")).toHaveLength(0);
    expect(results[0].textContent).toContain("Grace Hopper");
    expect(results[0].querySelector("mark")?.textContent).toBe("COBOL");
    await user.keyboard("{Enter}");
    expect((await screen.findByTestId("drawer-name")).textContent).toBe("Grace Hopper");
    expect(screen.queryByTestId("search")).toBeNull();

    await user.keyboard("{Control>}k{/Control}");
    await user.keyboard("zzz");
    expect(await screen.findByText("No matches for “zzz”.")).toBeTruthy();
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("search")).toBeNull();
  });

  it("shows every shortcut on ?", async () => {
    const user = userEvent.setup();
    installFakeBackend([lead({ id: 1, fullName: "Ada" })]);
    render(App);
    await screen.findByTestId("board");
    await user.keyboard("?");
    const help = await screen.findByTestId("shortcut-help");
    expect(help.textContent).toContain("Move to the previous / next stage");
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("shortcut-help")).toBeNull();
  });
});

describe("editing the pipeline", () => {
  it("adds, renames, recolours, reorders and deletes stages, moving their leads", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend([lead({ id: 1, fullName: "Ada", stageId: 2 })]);
    render(App);
    await screen.findByTestId("board");

    await user.click(screen.getByTestId("add-stage"));
    await user.keyboard("new{Enter}");
    expect((await screen.findByRole("alert")).textContent).toContain("already a stage called new");
    await user.clear(screen.getByRole("textbox", { name: "New stage name" }));
    await user.keyboard("Demo booked{Enter}");
    await waitFor(() =>
      expect(
        screen
          .getAllByTestId("column")
          .map((c) => c.dataset.stageName)
          .at(-1),
      ).toBe("Demo booked"),
    );

    await user.click(within(column("Contacted")).getByTestId("stage-menu-button"));
    const menu = await screen.findByTestId("stage-menu");
    const name = within(menu).getByRole("textbox", { name: "Name" });
    await user.clear(name);
    await user.type(name, "Reached out{Enter}");
    await waitFor(() => expect(column("Reached out")).toBeTruthy());
    expect(backend.stages.find((s) => s.id === 2)?.name).toBe("Reached out");

    await user.click(within(column("Reached out")).getByTestId("stage-menu-button"));
    await user.click(within(await screen.findByTestId("stage-menu")).getByRole("button", { name: "Colour #ec4899" }));
    await waitFor(() => expect(backend.stages.find((s) => s.id === 2)?.color).toBe("#ec4899"));
    await user.click(within(screen.getByTestId("stage-menu")).getByRole("button", { name: "Move right →" }));
    await waitFor(() =>
      expect(
        screen
          .getAllByTestId("column")
          .map((c) => c.dataset.stageName)
          .slice(0, 3),
      ).toEqual(["New", "Qualified", "Reached out"]),
    );

    await user.click(within(screen.getByTestId("stage-menu")).getByTestId("delete-stage"));
    const moveTo = within(screen.getByTestId("stage-menu")).getByRole("combobox", { name: "Move its 1 lead to" });
    await user.selectOptions(moveTo, "Proposal");
    await user.click(within(screen.getByTestId("stage-menu")).getByTestId("confirm-delete-stage"));
    await waitFor(() => expect(document.querySelector('[data-stage-name="Reached out"]')).toBeNull());
    expect(namesIn("Proposal")).toEqual(["Ada"]);
  });
});

describe("the command palette", () => {
  it("lists actions, narrows them as you type and runs the chosen one", async () => {
    const user = userEvent.setup();
    installFakeBackend([lead({ id: 1, fullName: "Ada" })]);
    render(App);
    await screen.findByTestId("board");
    await user.keyboard("{Control>}k{/Control}");
    const palette = await screen.findByTestId("search");
    expect(
      within(palette)
        .getAllByTestId("palette-action")
        .map((a) => a.textContent),
    ).toContain("Action New leadN");
    await user.keyboard("new lead prop");
    await waitFor(() =>
      expect(
        within(palette)
          .getAllByTestId("palette-action")
          .map((a) => a.textContent),
      ).toEqual(["Action New lead in Proposal"]),
    );
    await user.keyboard("{Enter}");
    const dialog = await screen.findByTestId("new-lead-dialog");
    expect((within(dialog).getByRole("combobox", { name: "Stage" }) as HTMLSelectElement).value).toBe("4");
    expect(screen.queryByTestId("search")).toBeNull();
  });
});

describe("long columns", () => {
  it("render only the cards near the visible part and follow the scroll", async () => {
    const many = Array.from({ length: 500 }, (_, i) => lead({ id: i + 1, fullName: `Lead ${i + 1}`, position: i * 1024 }));
    installFakeBackend(many);
    render(App);
    await screen.findByTestId("board");
    const col = column("New");
    expect(within(col).getByTestId("column-count").textContent).toBe("500");
    const rendered = () =>
      within(col)
        .queryAllByTestId("lead-name")
        .map((n) => n.textContent);
    expect(rendered().length).toBeGreaterThan(5);
    expect(rendered().length).toBeLessThan(40);
    expect(rendered()[0]).toBe("Lead 1");

    const list = col.querySelector<HTMLElement>("[role=list]")!;
    list.scrollTop = 104 * 300;
    await fireEvent.scroll(list);
    await waitFor(() => expect(rendered()).toContain("Lead 301"));
    expect(rendered()).not.toContain("Lead 1");
    expect(rendered().length).toBeLessThan(40);
  });
});
