import { describe, expect, it } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import App from "../../App.svelte";
import { installFakeBackend, lead } from "../../test/fake-backend";
import { SHORTCUTS, helpRows, shortcutFor, type Command } from "./shortcuts";

const press = (key: string, mods: Partial<KeyboardEventInit> = {}) => new KeyboardEvent("keydown", { key, ...mods });

describe("the shortcut table", () => {
  it("reads a key press the way the handler always did", () => {
    expect(shortcutFor(press("n"))?.command).toBe("newLead");
    expect(shortcutFor(press("N", { shiftKey: true }))?.command).toBe("newLead");
    expect(shortcutFor(press("?", { shiftKey: true }))?.command).toBe("help");
    expect(shortcutFor(press("K", { ctrlKey: true, shiftKey: true }))?.command).toBe("search");
    expect(shortcutFor(press(",", { metaKey: true }))?.command).toBe("settings");
    expect(shortcutFor(press("n", { ctrlKey: true }))).toBeUndefined();
    expect(shortcutFor(press("n", { altKey: true }))).toBeUndefined();
    expect(shortcutFor(press("F", { shiftKey: true }))).toBeUndefined();
    expect(shortcutFor(press(",", {}))).toBeUndefined();
  });

  it("shows every shortcut of the table in the help, each way to type it", async () => {
    const user = userEvent.setup();
    installFakeBackend([lead({ id: 1, fullName: "Ada" })]);
    render(App);
    await screen.findByTestId("board");
    await user.keyboard("?");
    const help = await screen.findByTestId("shortcut-help");
    const shown = [...help.querySelectorAll("dt")].map((dt) => `${dt.textContent} ${dt.nextElementSibling?.textContent}`);
    for (const row of helpRows()) expect(shown).toContain(`${row.keys} ${row.what}`);
    expect(shown).toContain("/  or  Ctrl K Search leads, companies and notes");
    expect(shown).toContain("Ctrl , Settings");
    expect(new Set(helpRows().map((r) => r.what)).size).toBe(new Set(SHORTCUTS.map((s) => s.command)).size);
  });

  // What each command visibly does on the board, so the test fails if a key stops doing it.
  const effects: Record<Command, { keys: string; shows: () => unknown }> = {
    newLead: { keys: "n", shows: () => screen.getByTestId("new-lead-dialog") },
    search: { keys: "/", shows: () => screen.getByTestId("search") },
    filter: { keys: "f", shows: () => expect(document.activeElement).toBe(screen.getByRole("searchbox", { name: "Filter leads" })) },
    today: { keys: "t", shows: () => screen.getByTestId("today") },
    reports: { keys: "r", shows: () => screen.getByTestId("reports") },
    toggleView: { keys: "v", shows: () => screen.getByTestId("lead-table") },
    help: { keys: "?", shows: () => screen.getByTestId("shortcut-help") },
    settings: { keys: "{Control>},{/Control}", shows: () => screen.getByTestId("settings-dialog") },
    closeLead: { keys: "{Escape}", shows: () => expect(screen.queryByTestId("lead-drawer")).toBeNull() },
  };

  for (const [command, { keys, shows }] of Object.entries(effects)) {
    it(`${keys} does what the help says: ${command}`, async () => {
      const user = userEvent.setup();
      installFakeBackend([lead({ id: 1, fullName: "Ada Lovelace" })]);
      render(App);
      await screen.findByTestId("board");
      if (command === "closeLead") {
        await user.click(screen.getByText("Ada Lovelace"));
        await screen.findByTestId("lead-drawer");
        within(screen.getByTestId("lead-drawer")).getAllByRole("button")[0].focus();
      }
      await user.keyboard(keys);
      await waitFor(() => shows());
    });
  }

  it("Ctrl K searches even from inside a field", async () => {
    const user = userEvent.setup();
    installFakeBackend([lead({ id: 1, fullName: "Ada Lovelace" })]);
    render(App);
    await screen.findByTestId("board");
    await user.click(screen.getByRole("searchbox", { name: "Filter leads" }));
    await user.keyboard("n");
    expect(screen.queryByTestId("new-lead-dialog")).toBeNull();
    await user.keyboard("{Control>}k{/Control}");
    expect(await screen.findByTestId("search")).toBeTruthy();
  });

  it("waits while any of the window's dialogs is open, the welcome's settings included", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend([lead({ id: 1, fullName: "Ada Lovelace" })]);
    backend.settings.onboarded = false;
    render(App);
    await user.click(await screen.findByTestId("welcome-setup"));
    const settings = await screen.findByTestId("settings-dialog");
    within(settings).getAllByRole("button")[0].focus();
    await user.keyboard("n");
    await user.keyboard("?");
    expect(screen.queryByTestId("new-lead-dialog")).toBeNull();
    expect(screen.queryByTestId("shortcut-help")).toBeNull();
  });
});
