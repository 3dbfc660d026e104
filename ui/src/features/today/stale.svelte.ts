// The leads whose deals have gone quiet (no activity and no edit for their stage's days), for
// the mark on their board cards. Loaded with the board and after Settings change the days.
import { commands, type LeadId } from "../../ipc/bindings";
import { call } from "../../ipc/client";

class StaleLeads {
  ids = $state<ReadonlySet<LeadId>>(new Set());

  has(id: LeadId): boolean {
    return this.ids.has(id);
  }

  async load(): Promise<void> {
    try {
      this.ids = new Set(await call(commands.staleLeads()));
    } catch {
      // Outside the app, or the database is unavailable: no marks, the board says why.
      this.ids = new Set();
    }
  }
}

export const staleLeads = new StaleLeads();
