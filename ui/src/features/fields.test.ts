import { describe, expect, it } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import App from "../App.svelte";
import { installFakeBackend, lead } from "../test/fake-backend";
import { card } from "../test/board-dom";
import { splitChoices } from "./settings/CustomFields.svelte";

async function openSettings(user: ReturnType<typeof userEvent.setup>) {
  await screen.findByTestId("board");
  await user.keyboard("{Control>},{/Control}");
  const dialog = await screen.findByTestId("settings-dialog");
  return within(dialog).findByTestId("custom-fields");
}

describe("custom fields in Settings", () => {
  it("adds number and choice fields, refuses a name twice, renames and reorders", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend([lead({ id: 1, fullName: "Ada Lovelace" }), lead({ id: 2, fullName: "Grace Hopper" })]);
    render(App);
    const group = await openSettings(user);
    const add = within(group).getByTestId("add-custom-field");

    await user.type(within(add).getByRole("textbox", { name: "New field name" }), "Budget");
    await user.selectOptions(within(add).getByRole("combobox", { name: "Kind" }), "number");
    await user.click(within(add).getByRole("button", { name: "Add field" }));
    await within(group).findByTestId("custom-field-Budget");

    await user.type(within(add).getByRole("textbox", { name: "New field name" }), "Tier");
    await user.selectOptions(within(add).getByRole("combobox", { name: "Kind" }), "choice");
    await user.type(within(add).getByRole("textbox", { name: /Choices/u }), "Gold, Silver,, Bronze");
    await user.click(within(add).getByRole("button", { name: "Add field" }));
    await within(group).findByTestId("custom-field-Tier");
    expect(backend.fields.map((f) => [f.name, f.kind, f.choices])).toEqual([
      ["Budget", "number", []],
      ["Tier", "choice", ["Gold", "Silver", "Bronze"]],
    ]);

    // A second field of the same name (any case) is refused with the backend's words.
    await user.type(within(add).getByRole("textbox", { name: "New field name" }), "budget");
    await user.click(within(add).getByRole("button", { name: "Add field" }));
    expect((await within(group).findByRole("alert")).textContent).toContain("There is already a field called budget.");

    const name = within(group).getByRole("textbox", { name: "Name of Budget" });
    await user.clear(name);
    await user.type(name, "Annual budget");
    await user.tab();
    await waitFor(() => expect(backend.fields[0].name).toBe("Annual budget"));

    await user.click(within(group).getByRole("button", { name: "Move Tier up" }));
    await waitFor(() => expect(backend.fields.map((f) => f.name)).toEqual(["Tier", "Annual budget"]));
    // Many keystrokes: room for a loaded machine, not a measure of speed.
  }, 20_000);

  it("deletes a field only after saying how many leads lose their value", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend([lead({ id: 1, fullName: "Ada Lovelace" }), lead({ id: 2, fullName: "Grace Hopper" })]);
    backend.fields = [
      { id: 1, name: "Tier", kind: "choice", choices: ["Gold", "Silver"], position: 0, leadCount: 0 },
      { id: 2, name: "Budget", kind: "number", choices: [], position: 1, leadCount: 0 },
    ];
    backend.values[1] = [{ fieldId: 1, value: "Gold" }];
    backend.values[2] = [{ fieldId: 1, value: "Silver" }];
    render(App);
    const group = await openSettings(user);
    const tier = await within(group).findByTestId("custom-field-Tier");
    await user.click(within(tier).getByRole("button", { name: "Delete" }));
    const confirm = within(tier).getByRole("alertdialog");
    expect(confirm.textContent).toContain("2 leads hold a value; they are deleted with the field.");
    await user.click(within(confirm).getByRole("button", { name: "Keep it" }));
    expect(backend.fields).toHaveLength(2);
    await user.click(within(tier).getByRole("button", { name: "Delete" }));
    await user.click(within(tier).getByRole("button", { name: "Delete Tier" }));
    await waitFor(() => expect(within(group).queryByTestId("custom-field-Tier")).toBeNull());
    expect(backend.fields.map((f) => f.name)).toEqual(["Budget"]);
    expect(backend.values[1]).toEqual([]);
    const budget = within(group).getByTestId("custom-field-Budget");
    await user.click(within(budget).getByRole("button", { name: "Delete" }));
    expect(within(budget).getByRole("alertdialog").textContent).toContain("No lead holds a value yet.");
  });

  it("reads choices typed with commas", () => {
    expect(splitChoices(" Gold ,Silver,, ")).toEqual(["Gold", "Silver"]);
  });
});

describe("custom fields in the lead drawer", () => {
  it("shows each field with its input and saves, refusing a value that does not fit", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend([lead({ id: 1, fullName: "Ada Lovelace" })]);
    backend.fields = [
      { id: 1, name: "Budget", kind: "number", choices: [], position: 0, leadCount: 0 },
      { id: 2, name: "Renewal", kind: "date", choices: [], position: 1, leadCount: 0 },
      { id: 3, name: "Tier", kind: "choice", choices: ["Gold", "Silver"], position: 2, leadCount: 0 },
      { id: 4, name: "Contract", kind: "url", choices: [], position: 3, leadCount: 0 },
      { id: 5, name: "Referrer", kind: "text", choices: [], position: 4, leadCount: 0 },
    ];
    backend.values[1] = [{ fieldId: 4, value: "https://docs.example.com/contract" }];
    render(App);
    await screen.findByTestId("board");
    await user.click(card("Ada Lovelace"));
    const drawer = await screen.findByTestId("lead-drawer");
    const section = await within(drawer).findByTestId("custom-fields-section");

    // The URL is shown with a link that opens it in the browser.
    expect(within(section).getByTestId("field-custom-4").textContent).toContain("https://docs.example.com/contract");
    expect(within(within(section).getByTestId("link-custom-4")).getByRole("button", { name: "Open ↗" })).toBeTruthy();

    // A number: refused when it is not one, with the field named; saved when it is.
    await user.click(within(within(section).getByTestId("field-custom-1")).getByRole("button"));
    await user.keyboard("lots{Enter}");
    expect((await within(section).findByTestId("field-error-custom-1")).textContent).toContain("Budget must be a number");
    const input = within(section).getByTestId("field-custom-1").querySelector("input")!;
    await user.clear(input);
    await user.keyboard("12,500{Enter}");
    await waitFor(() => expect(within(section).getByTestId("field-custom-1").textContent).toContain("12,500"));

    // A date uses the date picker.
    await user.click(within(within(section).getByTestId("field-custom-2")).getByRole("button"));
    const date = within(section).getByTestId("field-custom-2").querySelector("input")!;
    expect(date.type).toBe("date");

    await user.keyboard("{Escape}");
    // A choice is a select of the field's choices.
    const select = within(section).getByRole("combobox", { name: "Tier" }) as HTMLSelectElement;
    expect([...select.options].map((o) => o.text)).toEqual(["—", "Gold", "Silver"]);
    await user.selectOptions(select, "Silver");
    await waitFor(() => expect(backend.values[1]).toContainEqual({ fieldId: 3, value: "Silver" }));

    await user.click(within(within(section).getByTestId("field-custom-5")).getByRole("button"));
    await user.keyboard("Met at the Lisbon fair{Enter}");
    await waitFor(() => expect(within(section).getByTestId("field-custom-5").textContent).toContain("Met at the Lisbon fair"));
    expect(backend.values[1].map((v) => v.fieldId).sort()).toEqual([1, 3, 4, 5]);
    expect(backend.values[1].find((v) => v.fieldId === 1)?.value).toBe("12500");
  });

  it("edits an imported value of several lines in a text area that keeps its lines", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend([lead({ id: 1, fullName: "Ada Lovelace" })]);
    backend.fields = [{ id: 1, name: "Home address", kind: "text", choices: [], position: 0, leadCount: 1 }];
    backend.values[1] = [{ fieldId: 1, value: "12 Rue Lepic\n75018 Paris" }];
    render(App);
    await screen.findByTestId("board");
    await user.click(card("Ada Lovelace"));
    const section = await within(await screen.findByTestId("lead-drawer")).findByTestId("custom-fields-section");
    await user.click(within(within(section).getByTestId("field-custom-1")).getByRole("button"));
    const area = within(section).getByTestId("field-custom-1").querySelector("textarea")!;
    expect(area.value).toBe("12 Rue Lepic\n75018 Paris");
    area.setSelectionRange(area.value.length, area.value.length);
    await user.keyboard("{Enter}France{Control>}{Enter}{/Control}");
    await waitFor(() => expect(backend.values[1]).toEqual([{ fieldId: 1, value: "12 Rue Lepic\n75018 Paris\nFrance" }]));
  });

  it("shows no custom section while no field is defined", async () => {
    const user = userEvent.setup();
    installFakeBackend([lead({ id: 1, fullName: "Ada Lovelace" })]);
    render(App);
    await screen.findByTestId("board");
    await user.click(card("Ada Lovelace"));
    const drawer = await screen.findByTestId("lead-drawer");
    await within(drawer).findByTestId("field-title");
    expect(within(drawer).queryByTestId("custom-fields-section")).toBeNull();
  });
});

describe("custom fields in the import preview", () => {
  it("maps a column to a new text field named after it, or to an existing field", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend([lead({ id: 1, fullName: "Ada Lovelace" })]);
    backend.fields = [{ id: 7, name: "Budget", kind: "number", choices: [], position: 0, leadCount: 0 }];
    render(App);
    await screen.findByTestId("board");
    await user.click(screen.getByTestId("open-import"));
    const dialog = await screen.findByTestId("import-dialog");
    backend.dialogPath = "/home/ada/contacts.csv";
    await user.click(within(dialog).getByTestId("choose-file"));
    await within(dialog).findByTestId("import-facts");
    const fax = within(dialog).getByLabelText("Import Fax as") as HTMLSelectElement;
    expect([...fax.options].map((o) => o.text)).toContain("Budget");
    await user.selectOptions(fax, "New text field “Fax”");
    await waitFor(() =>
      expect(backend.fields.map((f) => [f.name, f.kind])).toEqual([
        ["Budget", "number"],
        ["Fax", "text"],
      ]),
    );
    const created = backend.fields[1].id;
    await waitFor(() => expect(fax.value).toBe(`field:${created}`));
    await user.selectOptions(within(dialog).getByLabelText("Import Email as"), "Budget");
    await user.selectOptions(within(dialog).getByLabelText("Import Email as"), "Email");
    await user.click(within(dialog).getByTestId("run-import"));
    await within(dialog).findByTestId("import-summary");
    expect(backend.imports[0].mapping).toEqual({
      columns: ["firstName", "lastName", "email", null],
      preset: "HubSpot",
      custom: [{ column: 3, fieldId: created }],
    });
  }, 20_000);

  it("makes the new field of the kind the column's values suggest", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend([lead({ id: 1, fullName: "Ada Lovelace" })]);
    // Whatever the header says, the values decide: this column only ever held Yes or No.
    backend.unmapped = [{ column: 3, header: "Fax", rows: 2, suggested: { kind: "choice", choices: ["Yes", "No"] } }];
    render(App);
    await screen.findByTestId("board");
    await user.click(screen.getByTestId("open-import"));
    const dialog = await screen.findByTestId("import-dialog");
    backend.dialogPath = "/home/ada/contacts.csv";
    await user.click(within(dialog).getByTestId("choose-file"));
    await within(dialog).findByTestId("import-facts");
    const fax = within(dialog).getByLabelText("Import Fax as") as HTMLSelectElement;
    // A column the mapping reads has no suggestion: a new field for it is text.
    const email = within(dialog).getByLabelText("Import Email as") as HTMLSelectElement;
    expect([...email.options].map((o) => o.text)).toContain("New text field “Email”");
    expect(within(dialog).getByTestId("import-left-out").textContent).toMatch(/Not imported:\s+Fax \(2 rows, 2 different values\)\./u);
    await user.selectOptions(fax, "New choice field “Fax” (2 choices)");
    // Once it goes into a field, the column is no longer said to be left out.
    await waitFor(() => expect(within(dialog).getByTestId("import-left-out").textContent).not.toContain("Not imported"));
    await waitFor(() => expect(backend.fields.map((f) => [f.name, f.kind, f.choices])).toEqual([["Fax", "choice", ["Yes", "No"]]]));
    await waitFor(() => expect(fax.value).toBe(`field:${backend.fields[0].id}`));
  }, 20_000);
});
