// The board as the UI holds it: loaded from the database, patched optimistically for moves and
// edits (rolled back by reloading when the backend refuses), so the screen always converges on
// what SQLite holds. The board is raw state, never mutated: every change builds new columns
// (unchanged columns and leads keep their identity, so only what changed re-renders). A deep
// proxy over 10,000 leads cost about a second at startup.
import {
  commands,
  type BoardView,
  type Card,
  type CardColumn,
  type CustomCondition,
  type DueFilter,
  type Lead,
  type LeadId,
  type NewLead,
  type Pipeline,
  type PipelineId,
  type RunEvent,
  type RunSummary,
  type StageEdit,
  type StageId,
} from "../../ipc/bindings";
import { call, describe } from "../../ipc/client";
import { staleLeads } from "../today/stale.svelte";
import { customMatches } from "../views/customMatches.svelte";

export interface Filter {
  text: string;
  tags: string[];
  /** Only leads with no call, email or meeting in this many days (never contacted included). */
  notContactedDays?: number | null;
  /** The rest is what a saved view can add (the Rust `ViewFilter`); absent means any. */
  stages?: StageId[];
  fitMin?: number | null;
  fitMax?: number | null;
  due?: DueFilter | null;
  /** Only open deals gone quiet (Today's list, marked on their cards). */
  stale?: boolean;
  /** Conditions on custom fields; the store says which leads meet them (`customMatches`). */
  custom?: CustomCondition[];
}

/** Today as `YYYY-MM-DD` in local time, and the same a week on. */
function localDay(offsetDays = 0, now: Date = new Date()): string {
  const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() + offsetDays);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

/** Whether the filter holds anything beyond the empty one. */
export function isFiltering(filter: Filter): boolean {
  return (
    filter.text.trim() !== "" ||
    filter.tags.length > 0 ||
    (filter.stages?.length ?? 0) > 0 ||
    (filter.fitMin ?? null) !== null ||
    (filter.fitMax ?? null) !== null ||
    (filter.due ?? null) !== null ||
    (filter.notContactedDays ?? null) !== null ||
    filter.stale === true ||
    (filter.custom?.length ?? 0) > 0
  );
}

const DAY_MS = 86_400_000;

export function matchesFilter(lead: Card, filter: Filter, now: number = Date.now()): boolean {
  if (filter.stale && !staleLeads.has(lead.id)) return false;
  if ((filter.custom?.length ?? 0) > 0 && !customMatches.allows(lead.id)) return false;
  const days = filter.notContactedDays ?? null;
  if (days !== null) {
    const last = lead.lastContactedAt ?? null;
    if (last !== null && last > now - days * DAY_MS) return false;
  }
  const text = filter.text.trim().toLocaleLowerCase();
  if (text) {
    const hay = [lead.fullName, lead.companyName, lead.email, lead.title]
      .filter((v): v is string => !!v)
      .join(" ")
      .toLocaleLowerCase();
    if (!text.split(/\s+/u).every((word) => hay.includes(word))) return false;
  }
  if (filter.tags.length > 0) {
    const own = lead.tags.map((t) => t.toLocaleLowerCase());
    if (!filter.tags.every((t) => own.includes(t.toLocaleLowerCase()))) return false;
  }
  if (filter.stages && filter.stages.length > 0 && !filter.stages.includes(lead.stageId)) return false;
  const fit = lead.fitScore ?? null;
  if ((filter.fitMin ?? null) !== null && (fit === null || fit < filter.fitMin!)) return false;
  if ((filter.fitMax ?? null) !== null && (fit === null || fit > filter.fitMax!)) return false;
  switch (filter.due ?? null) {
    case "overdue":
      if (!lead.nextStepDue || lead.nextStepDue >= localDay()) return false;
      break;
    case "thisWeek":
      if (!lead.nextStepDue || lead.nextStepDue < localDay() || lead.nextStepDue > localDay(7)) return false;
      break;
    case "undated":
      if (lead.nextStepDue) return false;
      break;
  }
  return true;
}

export class BoardState {
  board = $state.raw<BoardView | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);
  /** The lead created or moved last, so its card can draw the eye for a moment. */
  highlighted = $state<LeadId | null>(null);
  filter = $state<Filter>({ text: "", tags: [] });
  /** The latest research run per lead; a lead without one has no entry. */
  research = $state<Record<number, RunSummary>>({});

  /** The pipeline the user chose to look at (kept between runs); the first one when unset. */
  pipelineId = $state<PipelineId | null>(storedPipeline());
  pipelines = $derived(this.board?.pipelines ?? []);
  /** The pipeline on screen: the board, the table and the reports show its stages only. */
  current = $derived<Pipeline | null>(this.pipelines.find((p) => p.id === this.pipelineId) ?? this.pipelines[0] ?? null);
  /** The current pipeline's columns, in board order. */
  columns = $derived(this.board?.columns.filter((c) => this.current === null || c.stage.pipelineId === this.current.id) ?? []);
  leadCount = $derived(this.columns.reduce((n, c) => n + c.leads.length, 0));
  openCount = $derived(this.columns.filter((c) => c.stage.kind === "open").reduce((n, c) => n + c.leads.length, 0));
  /** The current pipeline's stages, in board order. */
  stages = $derived(this.columns.map((c) => c.stage));
  /** Every stage of every pipeline, pipeline by pipeline. */
  allStages = $derived(this.board?.columns.map((c) => c.stage) ?? []);
  /** Every tag on the board, most used first. */
  allTags = $derived.by(() => {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local tally, built and dropped in this derivation
    const counts = new Map<string, number>();
    for (const column of this.columns) {
      for (const lead of column.leads) {
        for (const tag of lead.tags) counts.set(tag, (counts.get(tag) ?? 0) + 1);
      }
    }
    return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([t]) => t);
  });
  filtering = $derived(isFiltering(this.filter));
  /** The lead just moved into a lost stage, whose reason is being asked. */
  lostReasonFor = $state<Card | null>(null);
  /** The lead whose activity is being logged from the board. */
  quickLogFor = $state<Card | null>(null);
  visibleCount = $derived(this.columns.reduce((n, c) => n + c.leads.filter((l) => matchesFilter(l, this.filter)).length, 0));

  /**
   * Shows another pipeline. A stage filter names stages of the pipeline it was made on, so it
   * goes; the other filters (tags, text, due) mean the same anywhere and stay.
   */
  showPipeline(id: PipelineId): void {
    if (id === this.current?.id) return;
    this.pipelineId = id;
    if (this.filter.stages?.length) this.filter = { ...this.filter, stages: [] };
    try {
      localStorage.setItem(PIPELINE_KEY, String(id));
    } catch {
      // Storage full or disabled: the choice lasts until the window closes.
    }
  }

  /** The pipeline a stage belongs to. */
  pipelineOf(stage: StageId): Pipeline | undefined {
    const pipelineId = this.allStages.find((s) => s.id === stage)?.pipelineId;
    return this.pipelines.find((p) => p.id === pipelineId);
  }

  async load(): Promise<void> {
    this.loading = true;
    performance.mark("board-requested");
    try {
      const [board, runs] = await Promise.all([
        call(commands.getBoard()),
        // Research status decorates the cards; the board works without it.
        call(commands.researchStatuses()).catch(() => [] as RunSummary[]),
      ]);
      performance.mark("board-received");
      this.board = board;
      this.research = Object.fromEntries(runs.map((r) => [r.leadId, r]));
      this.error = null;
    } catch (e) {
      this.error = describe(e);
    } finally {
      this.loading = false;
    }
  }

  /**
   * Follows a research run as its events arrive, so cards show live status without reloading.
   * The event that ends a run carries its result: the card as the run left it replaces the one
   * shown, so nothing is read again.
   */
  applyRunEvent(event: RunEvent): void {
    const current = this.research[event.lead];
    const base: RunSummary =
      current && current.id === event.run
        ? current
        : {
            id: event.run,
            leadId: event.lead,
            status: "queued",
            trigger: "manual",
            step: null,
            error: null,
            createdAt: Date.now(),
            finishedAt: null,
          };
    let next: RunSummary;
    switch (event.type) {
      case "queued":
        next = { ...base, status: "queued", error: null, finishedAt: null };
        break;
      case "started":
        next = { ...base, status: "running" };
        break;
      case "stepStarted":
        next = { ...base, status: "running", step: event.step };
        break;
      case "stepFinished":
        return;
      case "stepFailed":
        // A failure that will be retried keeps the run going; the final one arrives as "failed".
        return;
      case "finished":
      case "failed":
      case "cancelled": {
        const { result } = event;
        next = { ...base, status: result.status, error: result.error, finishedAt: result.finishedAt };
        if (result.card) this.replace(result.card);
        break;
      }
    }
    this.research[event.lead] = next;
  }

  /** Re-reads one lead (research may have filled its company) and puts it in place. */
  async refreshLead(id: LeadId): Promise<void> {
    try {
      const detail = await call(commands.getLead(id));
      this.replace(detail.lead);
    } catch {
      // Deleted meanwhile: the next load drops it.
    }
  }

  /**
   * Creates the lead (throws `IpcFailure` on refusal) and puts it at the top of its stage, where
   * the store places new leads: no reload of the whole board (4 MB at 10,000 leads).
   */
  async create(input: NewLead): Promise<Lead> {
    const lead = await call(commands.createLead(input));
    this.highlighted = lead.id;
    if (this.board?.columns.some((c) => c.stage.id === lead.stageId)) {
      this.update((column) =>
        column.stage.id === lead.stageId ? { ...column, leads: [lead, ...column.leads.filter((l) => l.id !== lead.id)] } : column,
      );
    } else {
      await this.load();
    }
    return lead;
  }

  /** The current pipeline's leads the filter lets through, board order. */
  visibleLeads(): Card[] {
    return this.columns.flatMap((c) => c.leads.filter((l) => matchesFilter(l, this.filter)));
  }

  find(id: LeadId): Card | undefined {
    for (const column of this.board?.columns ?? []) {
      const lead = column.leads.find((l) => l.id === id);
      if (lead) return lead;
    }
    return undefined;
  }

  /** The board with each column passed through `change` (which returns it as is when untouched). */
  private update(change: (column: CardColumn) => CardColumn): void {
    if (!this.board) return;
    this.board = { ...this.board, columns: this.board.columns.map(change) };
  }

  /** Puts a changed lead in place (same column and position, or moved if its stage changed). */
  /** Takes a whole lead (the drawer's) as well as a card: a lead has every field a card has. */
  replace(lead: Card): void {
    if (!this.board) return;
    const current = this.find(lead.id);
    if (current && current.stageId !== lead.stageId) {
      void this.load();
      return;
    }
    this.update((column) => {
      const i = column.leads.findIndex((l) => l.id === lead.id);
      if (i < 0) return column;
      const leads = column.leads.slice();
      leads[i] = lead;
      return { ...column, leads };
    });
  }

  remove(id: LeadId): void {
    this.update((column) =>
      column.leads.some((l) => l.id === id) ? { ...column, leads: column.leads.filter((l) => l.id !== id) } : column,
    );
  }

  /**
   * Moves a card above `beforeId` in `stageId` (to the bottom when null): on screen at once, then
   * in the database. A refusal reloads the board and is rethrown for the caller to show.
   */
  async move(id: LeadId, stageId: StageId, beforeId: LeadId | null): Promise<void> {
    if (!this.board || id === beforeId) return;
    const found = this.find(id);
    if (!found || !this.board.columns.some((c) => c.stage.id === stageId)) {
      await this.load();
      return;
    }
    const moving: Card = { ...found, stageId };
    this.update((column) => {
      let leads = column.leads.some((l) => l.id === id) ? column.leads.filter((l) => l.id !== id) : column.leads;
      if (column.stage.id === stageId) {
        const at = beforeId === null ? -1 : leads.findIndex((l) => l.id === beforeId);
        leads = at < 0 ? [...leads, moving] : [...leads.slice(0, at), moving, ...leads.slice(at)];
      }
      return leads === column.leads ? column : { ...column, leads };
    });
    try {
      const saved = await call(commands.moveLead(id, stageId, beforeId));
      this.replace(saved);
      // Every way of moving a card (drag, keys, the drawer) comes here: a deal that has just
      // been lost is asked why.
      const kindOf = (stage: StageId) => this.allStages.find((s) => s.id === stage)?.kind;
      if (kindOf(stageId) === "lost" && kindOf(found.stageId) !== "lost") this.lostReasonFor = saved;
    } catch (e) {
      await this.load();
      throw e;
    }
  }

  /** A stage's name; with its pipeline's in front when it is not the one on screen. */
  stageName(id: number): string {
    const stage = this.allStages.find((s) => s.id === id);
    if (!stage) return "the board";
    if (stage.pipelineId === this.current?.id) return stage.name;
    const other = this.pipelines.find((p) => p.id === stage.pipelineId);
    return other ? `${other.name} · ${stage.name}` : stage.name;
  }
}

const PIPELINE_KEY = "leadscout.pipeline";

function storedPipeline(): PipelineId | null {
  try {
    const stored = Number(localStorage.getItem(PIPELINE_KEY));
    return Number.isInteger(stored) && stored > 0 ? stored : null;
  } catch {
    return null;
  }
}

/** Colours offered for stages (the backend's default palette). */
export const STAGE_COLORS = ["#64748b", "#3b82f6", "#8b5cf6", "#f59e0b", "#10b981", "#ef4444", "#ec4899", "#14b8a6"];

/** Pipeline editing: every change reloads the board, the source of truth for stage order. */
export async function addStage(state: BoardState, name: string): Promise<void> {
  await call(commands.createStage({ name, kind: "open", color: null, pipelineId: state.current?.id ?? null }));
  await state.load();
}

/** Adds a pipeline (with the stages of `copyFrom`, or Open, Won and Lost) and shows it. */
export async function addPipeline(state: BoardState, name: string, copyFrom: PipelineId | null): Promise<void> {
  const created = await call(commands.createPipeline({ name, copyStagesFrom: copyFrom }));
  await state.load();
  state.showPipeline(created.id);
}

export async function renamePipeline(state: BoardState, id: PipelineId, name: string): Promise<void> {
  await call(commands.renamePipeline(id, name));
  await state.load();
}

/** Deletes a pipeline, its leads going to `moveTo` (a stage of another pipeline), which is shown. */
export async function removePipeline(state: BoardState, id: PipelineId, moveTo: StageId): Promise<void> {
  await call(commands.deletePipeline(id, moveTo));
  const target = state.pipelineOf(moveTo);
  await state.load();
  if (target) state.showPipeline(target.id);
}

export async function editStage(state: BoardState, id: StageId, edit: StageEdit): Promise<void> {
  await call(commands.updateStage(id, edit));
  await state.load();
}

export async function shiftStage(state: BoardState, id: StageId, step: -1 | 1): Promise<void> {
  const order = state.stages.map((s) => s.id);
  const i = order.indexOf(id);
  const j = i + step;
  if (i < 0 || j < 0 || j >= order.length) return;
  [order[i], order[j]] = [order[j], order[i]];
  await call(commands.reorderStages(order));
  await state.load();
}

export async function removeStage(state: BoardState, id: StageId, moveTo: StageId): Promise<void> {
  await call(commands.deleteStage(id, moveTo));
  await state.load();
}
