import { describe, expect, it } from "vitest";
import { invoke } from "@tauri-apps/api/core";
import { commands } from "../ipc/bindings";
import { call, IpcFailure } from "../ipc/client";
import { installFakeBackend, lead, type FakeCommands } from "./fake-backend";

describe("the fake backend", () => {
  it("hands each generated command's arguments to its fake in the order the command declares them", async () => {
    installFakeBackend([
      lead({ id: 1, fullName: "Ada" }),
      lead({ id: 2, fullName: "Grace" }),
      lead({ id: 3, fullName: "Linus", stageId: 2 }),
    ]);
    const moved = await call(commands.moveLead(1, 2, 3));
    expect(moved).toMatchObject({ id: 1, stageId: 2 });
    const board = await call(commands.getBoard());
    expect(board.columns.find((c) => c.stage.id === 2)?.leads.map((l) => l.fullName)).toEqual(["Ada", "Linus"]);
  });

  it("refuses like the real command, as a typed IpcFailure", async () => {
    installFakeBackend([lead({ id: 1, fullName: "Ada" })]);
    const failure = await call(commands.setFollowUp(1, { nextStep: "Call", date: "tomorrow", time: null })).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(IpcFailure);
    expect(failure).toMatchObject({ code: "validation", field: "nextStepDue" });
    const set = await call(commands.setFollowUp(1, { nextStep: " Call ", date: "2026-12-04", time: "14:30" }));
    expect(set).toMatchObject({ nextStep: "Call", nextStepDue: "2026-12-04", nextStepTime: "14:30" });
  });

  it("fails loudly on a command the bindings do not have", async () => {
    installFakeBackend();
    await expect(invoke("no_such_command")).rejects.toThrow("unexpected command no_such_command");
  });

  it("is typed against the generated bindings", () => {
    // Compile-time checks: svelte-check fails when a fake's parameters or answer drift from the
    // Rust signature, and when a directive below stops being an error.
    const fakes: Pick<FakeCommands, "moveLead" | "deleteLead"> = {
      // @ts-expect-error the answer must be a Lead
      moveLead: () => null,
      deleteLead: () => null,
    };
    // @ts-expect-error moveLead's stage is a StageId, not a name
    const wrong: Parameters<FakeCommands["moveLead"]> = [1, "Won", null];
    expect([fakes.deleteLead(1), wrong.length]).toEqual([null, 3]);
  });
});
