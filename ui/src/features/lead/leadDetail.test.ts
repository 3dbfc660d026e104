import { describe, expect, it } from "vitest";
import type { Lead } from "../../ipc/bindings";
import { IpcFailure } from "../../ipc/client";
import { installFakeBackend, lead } from "../../test/fake-backend";
import { LeadDetailState } from "./leadDetail.svelte";

describe("a lead's page state", () => {
  it("loads the lead, changes it through the typed client and tells the board each time", async () => {
    const backend = installFakeBackend([lead({ id: 1, fullName: "Ada Lovelace" })]);
    const told: Lead[] = [];
    const page = new LeadDetailState(1, (l) => told.push(l));
    await page.load();
    expect(page.lead?.fullName).toBe("Ada Lovelace");

    await page.save("title", "Countess");
    await page.setTags(["vip", "VIP", "#warm"]);
    expect(page.lead).toMatchObject({ title: "Countess", tags: ["vip", "warm"] });
    expect(told.map((l) => l.title)).toEqual(["Countess", "Countess"]);

    await page.addActivity({ kind: "call", body: "Left a message", outcome: null, occurredAt: null });
    expect(page.detail?.activities.map((a) => a.body)).toEqual(["Left a message"]);
    // A call is a contact: the page and the board get the lead as it is now.
    expect(backend.calls.filter((c) => c.cmd === "get_lead")).toHaveLength(2);
    expect(told).toHaveLength(3);

    await page.removeActivity(page.detail!.activities[0]);
    expect(page.detail?.activities).toEqual([]);
  });

  it("throws a refusal for the field to show and keeps the lead as it was", async () => {
    installFakeBackend([lead({ id: 1, fullName: "Ada Lovelace", email: "ada@analytical.example" })]);
    const page = new LeadDetailState(1, () => {});
    await page.load();
    const refused = await page.save("email", "not an email").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(IpcFailure);
    expect(refused).toMatchObject({ field: "email" });
    expect(page.lead?.email).toBe("ada@analytical.example");
  });

  it("says why research skipped the lead and why a lead could not load", async () => {
    installFakeBackend([lead({ id: 1, fullName: "Ada Lovelace" })]);
    const page = new LeadDetailState(1, () => {});
    await page.load();
    await page.requestResearch(false);
    expect(page.researchBusy).toBe(false);
    expect(page.researchError).toContain("no company website or work email");

    const gone = new LeadDetailState(99, () => {});
    await gone.load();
    expect(gone.detail).toBeNull();
    expect(gone.loadError).toContain("no longer exists");
  });
});
