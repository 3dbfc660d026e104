import { describe, expect, it } from "vitest";
import { Loading } from "./loading.svelte";

describe("Loading", () => {
  it("counts what is still on its way, whether it arrives or fails", async () => {
    const loading = new Loading();
    let arrive!: (v: number) => void;
    let fail!: (e: Error) => void;
    const first = loading.track(new Promise<number>((r) => (arrive = r)));
    const second = loading.track(new Promise<number>((_, r) => (fail = r)));
    expect(loading.pending).toBe(2);
    arrive(7);
    expect(await first).toBe(7);
    expect(loading.pending).toBe(1);
    fail(new Error("no keychain"));
    await expect(second).rejects.toThrow("no keychain");
    expect(loading.pending).toBe(0);
  });
});
