import { describe, expect, it } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import App from "./App.svelte";
import { installFakeBackend, lead } from "./test/fake-backend";
import { column, namesIn } from "./test/board-dom";

describe("the pipeline board", () => {
  it("shows every stage as a column with its leads in order", async () => {
    installFakeBackend([
      lead({ id: 1, fullName: "Grace Hopper", companyName: "Navy Labs", website: "https://www.navy.example/", stageId: 2, position: 1 }),
      lead({ id: 2, fullName: "Ada Lovelace", email: "ada@analytical.example", stageId: 2, position: 0 }),
      lead({ id: 3, fullName: "Alan Turing", stageId: 5 }),
    ]);
    render(App);

    await screen.findByTestId("board");
    const names = screen.getAllByTestId("column").map((c) => c.dataset.stageName);
    expect(names).toEqual(["New", "Contacted", "Qualified", "Proposal", "Won", "Lost"]);
    expect(namesIn("Contacted")).toEqual(["Ada Lovelace", "Grace Hopper"]);
    expect(within(column("Contacted")).getByTestId("column-count").textContent).toBe("2");
    expect(within(column("New")).getByText("No leads")).toBeTruthy();
    expect(screen.queryByTestId("empty-board")).toBeNull();
    expect(within(column("Contacted")).getByText("Navy Labs")).toBeTruthy();
    expect(screen.getByTestId("board-summary").textContent).toContain("3 leads · 2 open");
  });

  it("creates a lead from the form and puts it at the top of the chosen stage", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend([lead({ id: 1, fullName: "Grace Hopper", stageId: 3 })]);
    render(App);
    await screen.findByTestId("board");

    await user.click(screen.getByTestId("new-lead"));
    const dialog = await screen.findByTestId("new-lead-dialog");
    expect(document.activeElement).toBe(within(dialog).getByRole("textbox", { name: "Full name" }));

    await user.type(within(dialog).getByRole("textbox", { name: "Full name" }), "Ada Lovelace");
    await user.type(within(dialog).getByRole("textbox", { name: "Email" }), "ada@analytical.example");
    await user.type(within(dialog).getByRole("textbox", { name: "Company" }), "Analytical Engines");
    await user.type(within(dialog).getByRole("textbox", { name: "Website" }), "analytical.example");
    await user.selectOptions(within(dialog).getByRole("combobox", { name: "Stage" }), "Qualified");
    await user.click(screen.getByTestId("create-lead-submit"));

    await waitFor(() => expect(namesIn("Qualified")).toEqual(["Ada Lovelace", "Grace Hopper"]));
    expect(screen.queryByTestId("new-lead-dialog")).toBeNull();
    // The new card is put in place; the whole board is not read again.
    expect(backend.calls.filter((c) => c.cmd === "get_board")).toHaveLength(1);
    expect(screen.getByRole("status").textContent?.trim()).toBe("Ada Lovelace added to Qualified");
    expect(backend.calls.find((c) => c.cmd === "create_lead")?.args).toEqual({
      input: {
        fullName: "Ada Lovelace",
        email: "ada@analytical.example",
        companyName: "Analytical Engines",
        website: "analytical.example",
        stageId: 3,
      },
    });
  });

  it("keeps the form and what was typed when the backend refuses a field", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend();
    render(App);
    await screen.findByTestId("board");
    expect(screen.getByTestId("empty-board").textContent).toContain("Your pipeline is empty");

    await user.keyboard("n");
    const dialog = await screen.findByTestId("new-lead-dialog");
    await user.type(within(dialog).getByRole("textbox", { name: "Full name" }), "Ada Lovelace");
    const email = within(dialog).getByRole("textbox", { name: "Email" });
    await user.type(email, "ada-at-example");
    await user.click(screen.getByTestId("create-lead-submit"));

    const error = await screen.findByTestId("field-error-email");
    expect(error.textContent).toContain("Enter an email address");
    expect(email.getAttribute("aria-invalid")).toBe("true");
    expect(document.activeElement).toBe(email);
    expect((within(dialog).getByRole("textbox", { name: "Full name" }) as HTMLInputElement).value).toBe("Ada Lovelace");
    expect(backend.leads).toHaveLength(0);

    await user.clear(email);
    await user.type(email, "ada@example.com{Enter}");
    await waitFor(() => expect(namesIn("New")).toEqual(["Ada Lovelace"]));
    expect(screen.queryByTestId("field-error-email")).toBeNull();
    expect(screen.queryByTestId("empty-board")).toBeNull();
  });

  it("sends blank optional fields as null and requires a name", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend();
    render(App);
    await screen.findByTestId("board");

    await user.click(within(column("Proposal")).getByRole("button", { name: "Add a lead to Proposal" }));
    await user.click(await screen.findByTestId("create-lead-submit"));
    expect((await screen.findByTestId("field-error-fullName")).textContent).toBe("Name is required.");

    await user.type(screen.getByRole("textbox", { name: "Full name" }), "Cher");
    await user.type(screen.getByRole("textbox", { name: "Email" }), "   ");
    await user.click(screen.getByTestId("create-lead-submit"));
    await waitFor(() => expect(namesIn("Proposal")).toEqual(["Cher"]));
    const created = backend.calls.filter((c) => c.cmd === "create_lead").at(-1)?.args;
    expect(created).toEqual({ input: { fullName: "Cher", email: null, companyName: null, website: null, stageId: 4 } });
  });

  it("closes the form on Escape and on Cancel without creating anything", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend();
    render(App);
    await screen.findByTestId("board");

    await user.click(screen.getByTestId("new-lead"));
    await user.type(await screen.findByRole("textbox", { name: "Full name" }), "Someone");
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("new-lead-dialog")).toBeNull();

    await user.click(screen.getByTestId("new-lead"));
    await user.click(await screen.findByRole("button", { name: "Cancel" }));
    expect(screen.queryByTestId("new-lead-dialog")).toBeNull();
    expect(backend.calls.some((c) => c.cmd === "create_lead")).toBe(false);
  });

  it("does not open the form when N is typed into a field", async () => {
    const user = userEvent.setup();
    installFakeBackend();
    render(App);
    await screen.findByTestId("board");
    await user.click(screen.getByTestId("new-lead"));
    await user.type(await screen.findByRole("textbox", { name: "Full name" }), "Nn");
    expect(screen.getAllByTestId("new-lead-dialog")).toHaveLength(1);
    expect((screen.getByRole("textbox", { name: "Full name" }) as HTMLInputElement).value).toBe("Nn");
  });

  it("explains a database that cannot be read and recovers on Retry", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend([lead({ id: 1, fullName: "Grace Hopper" })]);
    backend.boardFailure = { code: "storage", message: "The database file is damaged: file is not a database", field: null };
    render(App);

    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("file is not a database");
    await waitFor(() => expect(alert.textContent).toContain("leadscout.sqlite3"));
    expect((screen.getByTestId("new-lead") as HTMLButtonElement).disabled).toBe(true);

    await user.keyboard("n");
    expect(screen.queryByTestId("new-lead-dialog")).toBeNull();

    backend.boardFailure = null;
    await user.click(within(alert).getByRole("button", { name: "Retry" }));
    await waitFor(() => expect(namesIn("New")).toEqual(["Grace Hopper"]));
    expect(screen.queryByRole("alert")).toBeNull();
  });
});
