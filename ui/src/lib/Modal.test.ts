import { describe, expect, it } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import App from "../App.svelte";
import { installFakeBackend, lead } from "../test/fake-backend";

async function board() {
  render(App);
  await screen.findByTestId("board");
}

describe("the shared modal dialog", () => {
  it("is a native modal dialog named by its title and described by its text", async () => {
    const user = userEvent.setup();
    installFakeBackend();
    await board();
    await user.click(screen.getByTestId("new-lead"));

    const dialog = screen.getByRole("dialog", { name: "New lead" }) as HTMLDialogElement;
    expect(dialog.tagName).toBe("DIALOG");
    expect(dialog.open).toBe(true);
    const description = document.getElementById(dialog.getAttribute("aria-describedby") ?? "");
    expect(description?.textContent).toContain("Only the name is required");
    expect(within(dialog).getByTestId("new-lead-dialog")).toBeTruthy();
  });

  it("keeps Tab inside: from the last control to the first, and Shift+Tab from the first to the last", async () => {
    const user = userEvent.setup();
    installFakeBackend();
    await board();
    await user.click(screen.getByTestId("new-lead"));
    const dialog = screen.getByRole("dialog", { name: "New lead" });
    const name = within(dialog).getByRole("textbox", { name: "Full name" });
    const create = within(dialog).getByRole("button", { name: "Create lead" });
    expect(document.activeElement).toBe(name);

    await user.tab({ shift: true });
    expect(document.activeElement).toBe(create);
    await user.tab();
    expect(document.activeElement).toBe(name);
    // All the way round, never leaving the dialog.
    for (let i = 0; i < 8; i++) {
      await user.tab();
      expect(dialog.contains(document.activeElement)).toBe(true);
    }
  });

  it("closes on Escape and gives focus back to the button that opened it", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend();
    await board();
    const opener = screen.getByTestId("open-settings");
    await user.click(opener);
    const dialog = await screen.findByRole("dialog", { name: "Settings" });
    await waitFor(() => expect(dialog.contains(document.activeElement)).toBe(true));

    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("settings-dialog")).toBeNull();
    expect(document.activeElement).toBe(opener);
    expect(backend.calls.some((c) => c.cmd === "update_settings")).toBe(false);
  });

  it("closes on a click on the scrim but not on a click inside", async () => {
    const user = userEvent.setup();
    installFakeBackend();
    await board();
    await user.click(screen.getByTestId("new-lead"));
    const dialog = screen.getByRole("dialog", { name: "New lead" });

    await user.click(within(dialog).getByRole("heading", { name: "New lead" }));
    expect(screen.getByTestId("new-lead-dialog")).toBeTruthy();
    await user.click(dialog);
    expect(screen.queryByTestId("new-lead-dialog")).toBeNull();
  });

  it("takes Escape for itself when opened over the lead drawer: the dialog closes, the lead stays open", async () => {
    const user = userEvent.setup();
    installFakeBackend([lead({ id: 1, fullName: "Ada Lovelace" })]);
    await board();
    await user.click(screen.getByText("Ada Lovelace"));
    const drawer = await screen.findByTestId("lead-drawer");
    const opener = within(drawer).getByTestId("quick-log-open");
    await user.click(opener);
    expect(screen.getByRole("dialog", { name: "Log an activity" })).toBeTruthy();

    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("quick-log")).toBeNull();
    expect(screen.getByTestId("lead-drawer")).toBeTruthy();
    expect(document.activeElement).toBe(opener);
  });

  it("opens the shortcut help with ?, closes it with ? or Escape, and returns focus to the card", async () => {
    const user = userEvent.setup();
    installFakeBackend([lead({ id: 1, fullName: "Ada Lovelace" })]);
    await board();
    const card = screen.getByTestId("lead-card");
    card.focus();

    await user.keyboard("?");
    expect(screen.getByRole("dialog", { name: "Keyboard shortcuts" })).toBeTruthy();
    await user.keyboard("?");
    expect(screen.queryByTestId("shortcut-help")).toBeNull();
    expect(document.activeElement).toBe(card);

    await user.keyboard("?");
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("shortcut-help")).toBeNull();
    expect(document.activeElement).toBe(card);
  });
});
