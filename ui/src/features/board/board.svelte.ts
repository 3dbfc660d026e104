// The board as the UI holds it: loaded from the database, reloaded after every change so what the
// screen shows is always what SQLite holds.
import { commands, type Board, type Lead, type LeadId, type NewLead } from "../../ipc/bindings";
import { call, describe } from "../../ipc/client";

export class BoardState {
  board = $state<Board | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);
  /** The lead created last, so its card can draw the eye for a moment. */
  highlighted = $state<LeadId | null>(null);

  leadCount = $derived(this.board?.columns.reduce((n, c) => n + c.leads.length, 0) ?? 0);
  openCount = $derived(
    this.board?.columns.filter((c) => c.stage.kind === "open").reduce((n, c) => n + c.leads.length, 0) ?? 0,
  );
  stages = $derived(this.board?.columns.map((c) => c.stage) ?? []);

  async load(): Promise<void> {
    this.loading = true;
    try {
      this.board = await call(commands.getBoard());
      this.error = null;
    } catch (e) {
      this.error = describe(e);
    } finally {
      this.loading = false;
    }
  }

  /** Creates the lead (throws `IpcFailure` on refusal) and shows the board with it. */
  async create(input: NewLead): Promise<Lead> {
    const lead = await call(commands.createLead(input));
    this.highlighted = lead.id;
    await this.load();
    return lead;
  }

  stageName(id: number): string {
    return this.stages.find((s) => s.id === id)?.name ?? "the board";
  }
}
