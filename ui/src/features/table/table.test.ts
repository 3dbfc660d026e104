import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import App from "../../App.svelte";
import { installFakeBackend, lead } from "../../test/fake-backend";

function names(): string[] {
  return screen.getAllByTestId("table-row").map((r) => r.querySelector("[data-column=fullName]")?.textContent?.trim() ?? "");
}

function row(name: string): HTMLElement {
  const found = screen.getAllByTestId("table-row").find((r) => r.querySelector("[data-column=fullName]")?.textContent?.trim() === name);
  if (!found) throw new Error(`no row ${name}`);
  return found;
}

const LEADS = () => [
  lead({ id: 1, fullName: "Ada Lovelace", dealValue: 500_000, companyName: "Analytical", tags: ["EMEA"] }),
  lead({ id: 2, fullName: "Grace Hopper", dealValue: 1_500_000, stageId: 3 }),
  lead({ id: 3, fullName: "Alan Turing", dealValue: null, stageId: 2 }),
];

async function openTable() {
  render(App);
  await screen.findByTestId("board");
  await fireEvent.keyDown(document.body, { key: "v" });
  return screen.findByTestId("lead-table");
}

describe("the table view", () => {
  it("lists the board's leads, sorts by a column either way and keeps the chosen columns", async () => {
    installFakeBackend(LEADS());
    localStorage.removeItem("leadscout.table.columns");
    await openTable();
    expect(names()).toEqual(["Ada Lovelace", "Alan Turing", "Grace Hopper"]);
    await userEvent.click(screen.getByTestId("sort-dealValue"));
    // Leads without a value come last in either direction.
    expect(names()).toEqual(["Ada Lovelace", "Grace Hopper", "Alan Turing"]);
    await userEvent.click(screen.getByTestId("sort-dealValue"));
    expect(names()).toEqual(["Grace Hopper", "Ada Lovelace", "Alan Turing"]);
    expect(row("Grace Hopper").querySelector("[data-column=dealValue]")?.textContent?.trim()).toBe("$15,000");
    await userEvent.click(screen.getByTestId("sort-stage"));
    expect(names()).toEqual(["Ada Lovelace", "Alan Turing", "Grace Hopper"]);

    expect(row("Ada Lovelace").querySelector("[data-column=email]")).toBeNull();
    await userEvent.click(screen.getByTestId("choose-columns"));
    await userEvent.click(screen.getByLabelText("Email"));
    await userEvent.click(screen.getByLabelText("Company"));
    expect(row("Ada Lovelace").querySelector("[data-column=email]")).not.toBeNull();
    expect(row("Ada Lovelace").querySelector("[data-column=companyName]")).toBeNull();
    expect(JSON.parse(localStorage.getItem("leadscout.table.columns") ?? "[]")).toContain("email");
  }, 20_000);

  it("renders only the rows in view of a long list", async () => {
    installFakeBackend(Array.from({ length: 2000 }, (_, i) => lead({ id: i + 1, fullName: `Lead ${String(i).padStart(4, "0")}` })));
    await openTable();
    const rendered = screen.getAllByTestId("table-row").length;
    expect(rendered).toBeGreaterThan(10);
    expect(rendered).toBeLessThan(100);
    expect(screen.getByRole("grid").getAttribute("aria-rowcount")).toBe("2001");
  }, 20_000);

  it("moves, tags and deletes the selected leads, each with an undo", async () => {
    const backend = installFakeBackend(LEADS());
    await openTable();
    await userEvent.click(within(row("Ada Lovelace")).getByRole("checkbox"));
    await userEvent.click(within(row("Alan Turing")).getByRole("checkbox"));
    expect(screen.getByTestId("selected-count").textContent).toBe("2 selected");

    await userEvent.selectOptions(screen.getByTestId("bulk-move"), "Won");
    await waitFor(() =>
      expect(
        backend.leads
          .filter((l) => l.stageId === 5)
          .map((l) => l.fullName)
          .sort(),
      ).toEqual(["Ada Lovelace", "Alan Turing"]),
    );
    await screen.findByText("Moved 2 leads to Won");
    await userEvent.click(screen.getByTestId("undo"));
    await waitFor(() => expect(backend.leads.find((l) => l.id === 3)?.stageId).toBe(2));
    expect(backend.leads.find((l) => l.id === 1)?.stageId).toBe(1);

    await userEvent.type(screen.getByTestId("bulk-tag"), "Priority{Enter}");
    await waitFor(() => expect(backend.leads.find((l) => l.id === 3)?.tags).toEqual(["Priority"]));
    expect(backend.leads.find((l) => l.id === 1)?.tags).toEqual(["EMEA", "Priority"]);
    await userEvent.click(screen.getByTestId("undo"));
    await waitFor(() => expect(backend.leads.find((l) => l.id === 1)?.tags).toEqual(["EMEA"]));

    await userEvent.click(screen.getByTestId("bulk-delete"));
    await waitFor(() => expect(names()).toEqual(["Grace Hopper"]));
    expect([...backend.deleted].sort()).toEqual([1, 3]);
    await userEvent.click(screen.getByTestId("undo"));
    await waitFor(() => expect(names()).toEqual(["Ada Lovelace", "Alan Turing", "Grace Hopper"]));
  }, 20_000);

  it("asks research for the selected leads", async () => {
    const backend = installFakeBackend(LEADS());
    await openTable();
    await userEvent.click(screen.getByTestId("select-all"));
    await userEvent.click(screen.getByTestId("bulk-research"));
    await waitFor(() => expect(backend.calls.some((c) => c.cmd === "research_leads")).toBe(true));
    const call = backend.calls.find((c) => c.cmd === "research_leads");
    expect((call?.args as { ids: number[] }).ids.sort()).toEqual([1, 2, 3]);
  }, 20_000);
});
