import { afterEach, describe, expect, it } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import App from "../App.svelte";
import { installFakeBackend, lead } from "../test/fake-backend";
import { card, namesIn } from "../test/board-dom";

const columnNames = () => screen.getAllByTestId("column").map((c) => c.dataset.stageName);

afterEach(() => localStorage.clear());

describe("more than one pipeline", () => {
  it("adds a pipeline, switches boards, moves a lead across, renames and deletes it", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend([lead({ id: 1, fullName: "Ada", stageId: 1 })]);
    render(App);
    await screen.findByTestId("board");
    // One pipeline: its name is the heading and there is nothing to choose.
    expect(screen.getByTestId("pipeline-heading").textContent).toBe("Sales");
    expect(screen.queryByTestId("pipeline-select")).toBeNull();

    await user.click(screen.getByTestId("open-pipelines"));
    const dialog = await screen.findByTestId("pipelines-dialog");
    await waitFor(() => expect(document.activeElement).toBe(within(dialog).getByTestId("pipeline-name")));
    await user.type(within(dialog).getByTestId("pipeline-name"), "sales");
    await user.click(within(dialog).getByTestId("pipeline-add"));
    expect((await within(dialog).findByTestId("pipelines-error")).textContent).toContain("already a pipeline called sales");
    await user.clear(within(dialog).getByTestId("pipeline-name"));
    await user.type(within(dialog).getByTestId("pipeline-name"), "Renewals");
    await user.click(within(dialog).getByTestId("pipeline-add"));
    // The new pipeline is shown at once, with Open, Won and Lost.
    await waitFor(() => expect(columnNames()).toEqual(["Open", "Won", "Lost"]));
    expect(within(dialog).getAllByTestId("pipeline-row")).toHaveLength(2);
    await user.click(within(dialog).getByTestId("pipelines-close"));
    await waitFor(() => expect(screen.queryByTestId("pipelines-dialog")).toBeNull());
    const select = screen.getByTestId<HTMLSelectElement>("pipeline-select");
    expect(select.selectedOptions[0].textContent).toBe("Renewals");
    expect(screen.getByTestId("board-summary").textContent).toContain("0 leads");

    // A stage added here belongs to Renewals alone.
    await user.click(screen.getByTestId("add-stage"));
    await user.keyboard("Upsell{Enter}");
    await waitFor(() => expect(columnNames()).toEqual(["Open", "Won", "Lost", "Upsell"]));
    expect(backend.stages.find((s) => s.name === "Upsell")?.pipelineId).toBe(2);

    // Back to Sales, and Ada goes to Renewals from her drawer.
    await user.selectOptions(select, "Sales");
    await waitFor(() => expect(namesIn("New")).toEqual(["Ada"]));
    await user.click(card("Ada"));
    const drawer = await screen.findByTestId("lead-drawer");
    const stage = within(drawer).getByTestId<HTMLSelectElement>("stage-select");
    const groups = [...stage.querySelectorAll("optgroup")].map((g) => g.label);
    expect(groups).toEqual(["Sales", "Renewals"]);
    const renewalsOpen = backend.stages.find((s) => s.pipelineId === 2 && s.name === "Open")!;
    await user.selectOptions(stage, String(renewalsOpen.id));
    expect((await screen.findByText("Moved Ada to Renewals · Open")).textContent).toBeTruthy();
    await waitFor(() => expect(namesIn("New")).toEqual([]));
    expect(backend.leads.find((l) => l.id === 1)?.stageId).toBe(renewalsOpen.id);
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByTestId("lead-drawer")).toBeNull());
    await user.selectOptions(select, "Renewals");
    await waitFor(() => expect(namesIn("Open")).toEqual(["Ada"]));

    // The reports are the shown pipeline's.
    await user.click(screen.getByTestId("open-reports"));
    await waitFor(() => expect(backend.reportsAsked).toEqual([2]));
    await user.click(await screen.findByTestId("close-reports"));

    // Rename, then delete Renewals, its leads going to Sales' first open stage.
    await user.click(screen.getByTestId("open-pipelines"));
    const again = await screen.findByTestId("pipelines-dialog");
    const row = within(again)
      .getAllByTestId("pipeline-row")
      .find((r) => r.dataset.pipelineId === "2")!;
    await user.click(within(row).getByTestId("pipeline-rename"));
    const rename = within(row).getByTestId("pipeline-rename-input");
    await user.clear(rename);
    await user.type(rename, "Account growth");
    expect(rename).toHaveProperty("value", "Account growth");
    await user.click(within(row).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(backend.pipelines[1].name).toBe("Account growth"));
    await waitFor(() =>
      expect(screen.getByTestId<HTMLSelectElement>("pipeline-select").selectedOptions[0].textContent).toBe("Account growth"),
    );
    await user.click(within(row).getByTestId("pipeline-delete"));
    const moveTo = within(row).getByRole<HTMLSelectElement>("combobox", { name: "Move its 1 lead to" });
    expect(moveTo.selectedOptions[0].textContent).toBe("New");
    await user.click(within(row).getByTestId("pipeline-confirm-delete"));
    await waitFor(() => expect(within(again).getAllByTestId("pipeline-row")).toHaveLength(1));
    // Sales is shown, with Ada back; with one pipeline left, Delete is off.
    expect(screen.getByTestId("pipeline-heading").textContent).toBe("Sales");
    expect(namesIn("New")).toEqual(["Ada"]);
    expect(within(again).getByTestId<HTMLButtonElement>("pipeline-delete").disabled).toBe(true);
    expect(backend.stages.every((s) => s.pipelineId === 1)).toBe(true);
  });

  it("remembers the pipeline on screen across restarts and imports into the chosen one", async () => {
    const backend = installFakeBackend([lead({ id: 1, fullName: "Ada", stageId: 1 })]);
    backend.pipelines.push({ id: 2, name: "Renewals", position: 1 });
    backend.stages.push({ id: 20, pipelineId: 2, name: "Open", kind: "open", color: "#3b82f6", position: 0, probability: 50 });
    localStorage.setItem("leadscout.pipeline", "2");
    render(App);
    await screen.findByTestId("board");
    expect(columnNames()).toEqual(["Open"]);
    expect(screen.getByTestId<HTMLSelectElement>("pipeline-select").value).toBe("2");

    // An import offers the pipeline on screen, and goes where the user says.
    const user = userEvent.setup();
    await user.click(screen.getByTestId("open-import"));
    const dialog = await screen.findByTestId("import-dialog");
    backend.dialogPath = "/home/ada/contacts.csv";
    await user.click(within(dialog).getByTestId("choose-file"));
    await within(dialog).findByTestId("import-facts");
    const into = within(dialog).getByTestId<HTMLSelectElement>("import-pipeline");
    expect(into.selectedOptions[0].textContent).toBe("Renewals");
    await user.selectOptions(into, "Sales");
    await user.click(within(dialog).getByTestId("run-import"));
    await within(dialog).findByTestId("import-summary");
    expect(backend.imports[0].pipelineId).toBe(1);
  }, 20_000);

  it("falls back to the first pipeline when the remembered one is gone", async () => {
    installFakeBackend([lead({ id: 1, fullName: "Ada", stageId: 1 })]);
    localStorage.setItem("leadscout.pipeline", "9");
    render(App);
    await screen.findByTestId("board");
    expect(screen.getByTestId("pipeline-heading").textContent).toBe("Sales");
    expect(namesIn("New")).toEqual(["Ada"]);
  });

  it("opens a saved view of stages on their own pipeline", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend([lead({ id: 1, fullName: "Ada", stageId: 1 }), lead({ id: 2, fullName: "Bo", stageId: 20 })]);
    backend.pipelines.push({ id: 2, name: "Renewals", position: 1 });
    backend.stages.push({ id: 20, pipelineId: 2, name: "Open", kind: "open", color: "#3b82f6", position: 0, probability: 50 });
    backend.views = [
      {
        id: 1,
        name: "Renewals open",
        pinned: true,
        filter: {
          text: "",
          tags: [],
          stages: [20],
          fitMin: null,
          fitMax: null,
          due: null,
          notContactedDays: null,
          stale: false,
          custom: [],
        },
      },
    ];
    render(App);
    await screen.findByTestId("board");
    expect(namesIn("New")).toEqual(["Ada"]);
    await user.click(await screen.findByRole("button", { name: "Renewals open" }));
    await waitFor(() => expect(columnNames()).toEqual(["Open"]));
    expect(namesIn("Open")).toEqual(["Bo"]);
    expect(screen.getByTestId<HTMLSelectElement>("pipeline-select").value).toBe("2");
  });
});
