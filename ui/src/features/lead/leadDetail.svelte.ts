import {
  commands,
  type Activity,
  type CustomFieldId,
  type Lead,
  type LeadDetail,
  type LeadField,
  type LeadId,
  type LoggedActivity,
  type NewActivity,
} from "../../ipc/bindings";
import { call, describe } from "../../ipc/client";

/**
 * One open lead's page: the lead, its company, timeline, research and insights as `get_lead`
 * returns them, and every change the drawer makes to them through the typed client. The parts of
 * the drawer read and change the lead through this object only; `onChanged` tells the board.
 */
export class LeadDetailState {
  detail = $state<LeadDetail | null>(null);
  loadError = $state<string | null>(null);
  /** A research request, cancel or proposal decision is on its way. */
  researchBusy = $state(false);
  researchError = $state<string | null>(null);

  readonly id: LeadId;
  readonly #onChanged: (lead: Lead) => void;

  constructor(id: LeadId, onChanged: (lead: Lead) => void) {
    this.id = id;
    this.#onChanged = onChanged;
  }

  get lead(): Lead | null {
    return this.detail?.lead ?? null;
  }

  /** Reads the whole page again. */
  async load(): Promise<void> {
    try {
      this.detail = await call(commands.getLead(this.id));
      this.loadError = null;
    } catch (e) {
      this.loadError = describe(e);
    }
  }

  /** The lead as the backend answered a change; the board shows it too. */
  setLead(lead: Lead): void {
    if (this.detail) this.detail.lead = lead;
    this.#onChanged(lead);
  }

  /** Sets one field to what the user typed; a refusal is thrown for the field to show. */
  async save(field: LeadField, value: string | null): Promise<void> {
    this.setLead(await call(commands.updateLead(this.id, { field, value })));
    // The company and whether research can run follow these.
    if (field === "website" || field === "email" || field === "companyName") await this.load();
  }

  /** Sets (an empty value clears) one of the lead's custom fields; a refusal is thrown. */
  async setCustomValue(fieldId: CustomFieldId, value: string | null): Promise<void> {
    const values = await call(commands.setCustomValue({ leadId: this.id, fieldId, value: value ?? "" }));
    if (this.detail) this.detail.customValues = values;
  }

  /** Replaces the tags; a refusal is thrown. */
  async setTags(tags: string[]): Promise<void> {
    this.setLead(await call(commands.setLeadTags(this.id, tags)));
  }

  /** Adds a timeline entry; a refusal is thrown. */
  async addActivity(input: Omit<NewActivity, "leadId">): Promise<void> {
    const activity = await call(commands.addActivity({ ...input, leadId: this.id }));
    if (this.detail) this.detail.activities = [activity, ...this.detail.activities];
    // A call, email or meeting changes the lead's last contact: show the lead as it is now.
    if (input.kind !== "note") {
      await this.load();
      if (this.detail) this.#onChanged(this.detail.lead);
    }
  }

  /** A logged entry (quick-log, drafted email) joins the timeline; the lead is current. */
  logged(logged: LoggedActivity): void {
    if (!this.detail) return;
    this.detail.activities = [logged.activity, ...this.detail.activities].sort((a, b) => b.occurredAt - a.occurredAt || b.id - a.id);
    this.setLead(logged.lead);
  }

  /** Removes a logged entry; a refusal is thrown. */
  async removeActivity(activity: Activity): Promise<void> {
    await call(commands.deleteActivity(activity.id));
    if (this.detail) this.detail.activities = this.detail.activities.filter((a) => a.id !== activity.id);
  }

  /** Research now (`force`: re-run); a lead research skips says why in `researchError`. */
  async requestResearch(force: boolean): Promise<void> {
    await this.#research(async () => {
      const result = await call(commands.researchLeads([this.id], force));
      this.researchError = result.skipped[0]?.reason ?? null;
    });
  }

  async cancelResearch(): Promise<void> {
    await this.#research(async () => {
      await call(commands.cancelResearch(this.id));
      this.researchError = null;
    });
  }

  /** Approves or rejects research's proposed values; the page shows the result. */
  async decide(ids: number[], approve: boolean): Promise<void> {
    await this.#research(async () => {
      this.researchError = null;
      this.detail = await call(commands.decideProposals(this.id, ids, approve));
    });
  }

  async #research(step: () => Promise<void>): Promise<void> {
    this.researchBusy = true;
    try {
      await step();
    } catch (e) {
      this.researchError = describe(e);
    } finally {
      this.researchBusy = false;
    }
  }
}
