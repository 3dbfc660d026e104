import { afterEach, describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import LogsFolder from "./LogsFolder.svelte";

afterEach(() => clearMocks());

describe("Open logs folder", () => {
  it("asks the backend to open the folder and shows where it is", async () => {
    const asked: string[] = [];
    mockIPC((cmd) => {
      asked.push(cmd);
      if (cmd === "open_logs_folder") return "/home/ada/.local/share/app.leadscout.desktop/logs";
      throw new Error(`unexpected command ${cmd}`);
    });
    render(LogsFolder);
    await userEvent.click(screen.getByRole("button", { name: "Open logs folder" }));
    const status = await screen.findByTestId("logs-opened");
    expect(status.textContent).toContain("/home/ada/.local/share/app.leadscout.desktop/logs");
    expect(asked).toEqual(["open_logs_folder"]);
  });

  it("says why when the folder cannot be opened", async () => {
    mockIPC(() => {
      throw {
        code: "internal",
        message: "The logs folder /x/logs could not be opened (no file manager); open it yourself from a file manager",
        field: null,
      };
    });
    render(LogsFolder);
    await userEvent.click(screen.getByRole("button", { name: "Open logs folder" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("open it yourself from a file manager");
    expect(screen.queryByTestId("logs-opened")).toBeNull();
  });
});
