import { describe, expect, it } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import App from "../App.svelte";
import { installFakeBackend, lead } from "../test/fake-backend";
import { card, namesIn } from "../test/board-dom";
import { lastContact, occurredAt, localDate } from "./activity/labels";

const DAY = 86_400_000;

describe("activity words", () => {
  it("say when a lead was last contacted and date a logged entry", () => {
    const now = new Date(2026, 11, 2, 15).getTime();
    expect(lastContact(null, now)).toBeNull();
    expect(lastContact(now - 60_000, now)).toBe("Contacted today");
    expect(lastContact(now - DAY, now)).toBe("Contacted yesterday");
    expect(lastContact(now - 9 * DAY, now)).toBe("Contacted 9 days ago");
    // Today's entry happened now; an earlier day's at its midday.
    expect(occurredAt(localDate(now), now)).toBeNull();
    expect(occurredAt("2026-11-30", now)).toBe(new Date(2026, 10, 30, 12).getTime());
  });
});

describe("the quick-log", () => {
  it("logs a call with its outcome from the board (L on a card) and sets the next follow-up", async () => {
    const backend = installFakeBackend([lead({ id: 1, fullName: "Ada Lovelace", nextStep: "Intro call" })]);
    const user = userEvent.setup();
    render(App);
    await screen.findByTestId("board");
    card("Ada Lovelace").focus();
    await user.keyboard("l");
    const dialog = await screen.findByTestId("quick-log");
    await user.click(within(dialog).getByTestId("log-outcome-noAnswer"));
    await user.click(within(dialog).getByTestId("log-follow-up"));
    const step = within(dialog).getByTestId("log-next-step") as HTMLInputElement;
    // The lead's current next step is offered to edit.
    expect(step.value).toBe("Intro call");
    await user.clear(step);
    await user.type(step, "Try again on Friday");
    await user.click(within(dialog).getByTestId("log-submit"));
    await waitFor(() => expect(screen.queryByTestId("quick-log")).toBeNull());
    const logged = backend.activities.find((a) => a.leadId === 1);
    expect(logged?.kind).toBe("call");
    expect(logged?.outcome).toBe("noAnswer");
    expect(within(card("Ada Lovelace")).getByTestId("last-contacted").textContent).toBe("Contacted today");
    expect(within(card("Ada Lovelace")).getByTestId("next-step").textContent).toContain("Try again on Friday");
  });

  it("filters the board to leads not contacted lately, never contacted included", async () => {
    installFakeBackend([
      lead({ id: 1, fullName: "Recent", lastContactedAt: Date.now() - 2 * DAY }),
      lead({ id: 2, fullName: "Stale", lastContactedAt: Date.now() - 20 * DAY }),
      lead({ id: 3, fullName: "Never" }),
    ]);
    const user = userEvent.setup();
    render(App);
    await screen.findByTestId("board");
    expect(namesIn("New").sort()).toEqual(["Never", "Recent", "Stale"]);
    await user.selectOptions(screen.getByTestId("contact-filter"), "7");
    await waitFor(() => expect(namesIn("New").sort()).toEqual(["Never", "Stale"]));
    expect(screen.getByTestId("board-summary").textContent).toContain("2 of 3 leads");
  });
});

describe("a lost deal", () => {
  it("asks why when a card moves to Lost, and keeps the reason", async () => {
    const backend = installFakeBackend([lead({ id: 1, fullName: "Ada Lovelace", stageId: 5 })]);
    const user = userEvent.setup();
    render(App);
    await screen.findByTestId("board");
    card("Ada Lovelace").focus();
    await user.keyboard("{Alt>}{ArrowRight}{/Alt}");
    const dialog = await screen.findByTestId("lost-reason");
    await user.click(within(dialog).getByTestId("lost-other"));
    await user.click(within(dialog).getByTestId("lost-save"));
    // "Other" needs the user's words.
    expect((await within(dialog).findByRole("alert")).textContent).toBe("Say in a few words why the deal was lost.");
    await user.type(within(dialog).getByTestId("lost-note"), "Merged with a customer");
    await user.click(within(dialog).getByTestId("lost-save"));
    await waitFor(() => expect(screen.queryByTestId("lost-reason")).toBeNull());
    expect(backend.leads[0].lostReason).toBe("other");
    expect(backend.leads[0].lostNote).toBe("Merged with a customer");
  });

  it("is not asked when a card moves between open stages", async () => {
    installFakeBackend([lead({ id: 1, fullName: "Ada Lovelace" })]);
    const user = userEvent.setup();
    render(App);
    await screen.findByTestId("board");
    card("Ada Lovelace").focus();
    await user.keyboard("{Alt>}{ArrowRight}{/Alt}");
    await waitFor(() => expect(namesIn("Contacted")).toEqual(["Ada Lovelace"]));
    expect(screen.queryByTestId("lost-reason")).toBeNull();
  });
});

describe("a drafted email", () => {
  it("shows which sentences stand on verified facts, leaves the rest out, and is logged when copied", async () => {
    const backend = installFakeBackend([lead({ id: 1, fullName: "Ada Lovelace", companyName: "Acme", email: "ada@acme.example" })]);
    const user = userEvent.setup();
    render(App);
    await screen.findByTestId("board");
    await user.click(card("Ada Lovelace"));
    const drawer = await screen.findByTestId("lead-drawer");
    await user.click(within(drawer).getByTestId("draft-email-open"));
    const dialog = await screen.findByTestId("draft-email");
    const body = within(dialog).getByTestId("draft-body") as HTMLTextAreaElement;
    await waitFor(() => expect(body.value).toContain("Hi Ada,"));
    await user.click(within(dialog).getByTestId("draft-with-model"));
    const sentences = await within(dialog).findByTestId("draft-sentences");
    expect(sentences.textContent).toContain("F1: Anvils for builders");
    expect(sentences.textContent).toContain("Left out: states 5000, which none of its facts does");
    await waitFor(() => expect(body.value).toContain("I saw Acme makes anvils for builders."));
    expect(body.value).not.toContain("5,000");
    await user.type(body, " PS: see you soon");
    await user.click(within(dialog).getByTestId("draft-copy"));
    await waitFor(() => expect(screen.queryByTestId("draft-email")).toBeNull());
    const email = backend.activities.find((a) => a.kind === "email");
    expect(email?.body.startsWith("Acme and Forge & Co\n\nHi Ada,")).toBe(true);
    expect(email?.body.endsWith("PS: see you soon")).toBe(true);
    expect(await navigator.clipboard.readText()).toContain("Subject: Acme and Forge & Co");
  });
});
