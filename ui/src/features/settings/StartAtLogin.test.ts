import { afterEach, describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import StartAtLogin from "./StartAtLogin.svelte";

afterEach(() => clearMocks());

describe("Start at login", () => {
  it("shows what the system has and changes it", async () => {
    let entry = false;
    const asked: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      asked.push([cmd, args]);
      if (cmd === "start_at_login") return entry;
      if (cmd === "set_start_at_login") {
        entry = (args as { enabled: boolean }).enabled;
        return entry;
      }
      throw new Error(`unexpected command ${cmd}`);
    });
    render(StartAtLogin);
    const toggle = await screen.findByRole("checkbox", { name: /Start Leadscout when I log in/ });
    await expect.poll(() => (toggle as HTMLInputElement).disabled).toBe(false);
    expect((toggle as HTMLInputElement).checked).toBe(false);
    await userEvent.click(toggle);
    await expect.poll(() => entry).toBe(true);
    expect((toggle as HTMLInputElement).checked).toBe(true);
    await userEvent.click(toggle);
    await expect.poll(() => entry).toBe(false);
    expect(asked.map(([cmd, args]) => `${cmd} ${JSON.stringify(args)}`)).toEqual([
      "start_at_login {}",
      'set_start_at_login {"enabled":true}',
      'set_start_at_login {"enabled":false}',
    ]);
  });

  it("says why it could not and shows the system's state again", async () => {
    mockIPC((cmd) => {
      if (cmd === "start_at_login") return false;
      throw { code: "internal", message: "Leadscout could not add itself to the programs started at login: Not a directory", field: null };
    });
    render(StartAtLogin);
    const toggle = (await screen.findByRole("checkbox", { name: /Start Leadscout when I log in/ })) as HTMLInputElement;
    await expect.poll(() => toggle.disabled).toBe(false);
    await userEvent.click(toggle);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Not a directory");
    await expect.poll(() => toggle.disabled).toBe(false);
    expect(toggle.checked).toBe(false);
  });
});
