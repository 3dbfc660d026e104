// Finding things on the rendered board, for the UI tests.
import { screen, within } from "@testing-library/svelte";

export function column(name: string): HTMLElement {
  const el = document.querySelector<HTMLElement>(`[data-testid="column"][data-stage-name="${name}"]`);
  if (!el) throw new Error(`no column ${name}`);
  return el;
}

/** The lead names shown in a column, top to bottom. */
export function namesIn(name: string): string[] {
  return within(column(name))
    .queryAllByTestId("lead-name")
    .map((el) => el.textContent ?? "");
}

export function card(name: string): HTMLElement {
  const el = screen.getAllByTestId("lead-card").find((c) => c.querySelector("[data-testid=lead-name]")?.textContent === name);
  if (!el) throw new Error(`no card ${name}`);
  return el;
}
