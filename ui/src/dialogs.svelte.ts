import type { StageId } from "./ipc/bindings";

/**
 * Which of the window's own dialogs are open. The board's single-key shortcuts wait while any
 * is. (Dialogs that belong to a lead, the quick-log and the lost reason, live on the board's
 * state; the drawer's own ones live in the drawer.)
 */
export class Dialogs {
  /** The new-lead form and the stage it starts in (`null`: the first); `undefined` when closed. */
  newLead = $state<StageId | null | undefined>(undefined);
  search = $state(false);
  help = $state(false);
  settings = $state(false);
  /** Settings opened from the first-run welcome. */
  welcome = $state(false);
  import = $state(false);
  reports = $state(false);
  pipelines = $state(false);

  get newLeadOpen(): boolean {
    return this.newLead !== undefined;
  }

  get settingsOpen(): boolean {
    return this.settings || this.welcome;
  }

  get anyOpen(): boolean {
    return this.newLeadOpen || this.search || this.help || this.settingsOpen || this.import || this.reports || this.pipelines;
  }
}
