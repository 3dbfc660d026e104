import { describe, expect, it } from "vitest";
import { mockIPC } from "@tauri-apps/api/mocks";
import { commands } from "./bindings";
import { IpcFailure, call } from "./client";

describe("call", () => {
  it("returns the data of a successful command", async () => {
    mockIPC(() => ({ version: "1.2.3", dataDir: "/d", databasePath: "/d/db" }));
    await expect(call(commands.appInfo())).resolves.toEqual({ version: "1.2.3", dataDir: "/d", databasePath: "/d/db" });
  });

  it("turns a refusal into an IpcFailure that keeps code and field", async () => {
    mockIPC(() => {
      throw { code: "validation", message: "Enter the person's name.", field: "fullName" };
    });
    const failure = await call(commands.createLead({ fullName: "", email: null, companyName: null, website: null, stageId: null })).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(IpcFailure);
    expect(failure).toMatchObject({ code: "validation", field: "fullName", message: "Enter the person's name." });
  });

  it("reports a backend that never answered as an internal failure", async () => {
    mockIPC(() => {
      throw new Error("command get_board not found");
    });
    const failure = await call(commands.getBoard()).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(IpcFailure);
    expect(failure).toMatchObject({ code: "internal" });
    expect((failure as IpcFailure).message).toContain("command get_board not found");
  });
});
