// Which leads the filter's custom-field conditions let through. The cards carry no custom
// values, so the store answers with the matching lead ids and the board and the table intersect
// them with the rest of the filter (docs/design.md, "Custom fields"). Asked again when the
// conditions change, when the board reloads, and after a value or a field changes.
import { commands, type CustomCondition, type CustomFieldId, type LeadId } from "../../ipc/bindings";
import { call, describe } from "../../ipc/client";

class CustomMatches {
  #asked = 0;
  #key = "[]";
  #conditions: CustomCondition[] = [];
  /** The leads that pass; `null` when no condition applies (none, or all on deleted fields). */
  ids = $state.raw<ReadonlySet<LeadId> | null>(null);
  /** New conditions asked about and not answered yet: no lead passes meanwhile. */
  waiting = $state(false);
  /** Fields the conditions name that were deleted: their conditions are ignored. */
  gone = $state.raw<CustomFieldId[]>([]);
  error = $state<string | null>(null);

  allows(id: LeadId): boolean {
    return !this.waiting && (this.ids === null || this.ids.has(id));
  }

  /** Forgets the conditions and the answer (a new window, or a test's new backend). */
  reset(): void {
    this.#asked++;
    this.#key = "[]";
    this.#conditions = [];
    this.ids = null;
    this.gone = [];
    this.error = null;
    this.waiting = false;
  }

  /** Asks about these conditions, unless they are the ones already answered. */
  async load(conditions: CustomCondition[]): Promise<void> {
    const key = JSON.stringify(conditions);
    if (key === this.#key) return;
    this.#key = key;
    this.#conditions = conditions;
    this.waiting = conditions.length > 0;
    await this.#ask();
  }

  /** Asks again about the same conditions (a value or a field changed); the old answer stays until then. */
  async refresh(): Promise<void> {
    if (this.#conditions.length > 0) await this.#ask();
  }

  async #ask(): Promise<void> {
    const ask = ++this.#asked;
    const conditions = this.#conditions;
    if (conditions.length === 0) {
      this.ids = null;
      this.gone = [];
      this.error = null;
      this.waiting = false;
      return;
    }
    try {
      const answer = await call(commands.customMatches(conditions));
      if (ask !== this.#asked) return;
      this.ids = answer.leadIds === null ? null : new Set(answer.leadIds);
      this.gone = answer.gone;
      this.error = null;
    } catch (e) {
      if (ask !== this.#asked) return;
      this.ids = new Set();
      this.error = `The custom-field filter could not be applied: ${describe(e)}`;
    }
    this.waiting = false;
  }
}

export const customMatches = new CustomMatches();
