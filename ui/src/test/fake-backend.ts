// An in-memory stand-in for the Rust commands, answering over Tauri's mocked IPC with the same
// shapes (and the same `IpcError` refusals) the real backend sends. Validation here covers the
// cases the UI tests exercise; the full rules are tested in Rust. Every fake is typed from the
// generated bindings (`FakeCommands`), so a command changed in Rust fails the type check here.
import { mockIPC } from "@tauri-apps/api/mocks";
import { commands } from "../ipc/bindings";
import type {
  Activity,
  Duplicates,
  ImportId,
  Mapping,
  ModelProvider,
  ModelTimeouts,
  BoardView,
  Card,
  IpcError,
  Lead,
  LeadEdit,
  LeadId,
  EmailDraft,
  MoneyTotal,
  Company,
  CompanyResearch,
  CostLedger,
  CustomField,
  CustomValue,
  InsightsView,
  Proposal,
  Reports,
  SavedView,
  ResearchEstimate,
  RunHistory,
  LocalModelServer,
  ModelCallView,
  ModelTest,
  PromptInfo,
  RunSummary,
  SearchHit,
  Settings,
  Pipeline,
  Stage,
  UnmappedColumn,
  StaleRule,
  TodayView,
} from "../ipc/bindings";

export const STAGES: Stage[] = [
  { id: 1, pipelineId: 1, name: "New", kind: "open", color: "#64748b", position: 0, probability: 10 },
  { id: 2, pipelineId: 1, name: "Contacted", kind: "open", color: "#0ea5e9", position: 1, probability: 20 },
  { id: 3, pipelineId: 1, name: "Qualified", kind: "open", color: "#8b5cf6", position: 2, probability: 40 },
  { id: 4, pipelineId: 1, name: "Proposal", kind: "open", color: "#f59e0b", position: 3, probability: 60 },
  { id: 5, pipelineId: 1, name: "Won", kind: "won", color: "#16a34a", position: 4, probability: 100 },
  { id: 6, pipelineId: 1, name: "Lost", kind: "lost", color: "#dc2626", position: 5, probability: 0 },
];

export const PIPELINES: Pipeline[] = [{ id: 1, name: "Sales", position: 0 }];

export interface FakeBackend {
  pipelines: Pipeline[];
  stages: Stage[];
  runs: RunSummary[];
  leads: Lead[];
  activities: Activity[];
  deleted: Set<LeadId>;
  calls: { cmd: string; args: unknown }[];
  /** When set, `get_board` fails with this error until cleared. */
  boardFailure: IpcError | null;
  /** Commands (by their camelCase name) that answer only once their promise settles. */
  held: Partial<Record<keyof FakeCommands, Promise<unknown>>>;
  /** When set, the next `move_lead` fails with this error. */
  moveFailure: IpcError | null;
  /** Research results by lead, as `get_lead` returns them. */
  research: Record<number, CompanyResearch>;
  settings: Settings;
  /** Saved API keys by provider (the fake keychain); the UI must never read them back. */
  keychain: Record<string, { key: string; setAt: number }>;
  /** When set, the keychain refuses with this message (no Secret Service, locked...). */
  keychainFailure: string | null;
  /** Model servers "running on this computer". */
  localServers: LocalModelServer[];
  /** What the Test button's check finds (merged over a valid answer). */
  modelTest: Partial<ModelTest>;
  /** Arguments of every `test_model`. */
  modelTests: { provider: ModelProvider; baseUrl: string | null; model: string; timeouts: ModelTimeouts | null }[];
  /** Arguments of every `run_import`. */
  imports: { id: ImportId; mapping: Mapping; duplicates: Duplicates; pipelineId: number | null }[];
  /** What the next open or save dialog, which the backend shows, "returns" (null: cancelled). */
  dialogPath: string | null;
  /** The columns of contacts.csv the suggested mapping leaves out, with the field each fits. */
  unmapped: UnmappedColumn[];
  /** The file last dropped on the window, which the backend holds (null: none). */
  droppedPath: string | null;
  /** Arguments of every export and backup. */
  exports: unknown[];
  /** What `app_info` tells at start. */
  notice: string | null;
  /** What `get_reports` answers (computed in Rust for real); null refuses with a storage error. */
  reports: Reports | null;
  /** The pipeline each getReports call asked for. */
  reportsAsked: (number | null)[];
  /** Saved views, as the database keeps them. */
  views: SavedView[];
  /** The model's insights by lead. */
  insights: Record<number, InsightsView>;
  /** What `today` answers; Done removes the lead's follow-up from it. */
  today: TodayView;
  staleRules: StaleRule[];
  /** What `stale_leads` answers. */
  staleIds: LeadId[];
  /** Why the AI step of a lead's last research did not finish. */
  aiProblem: Record<number, string>;
  /** The model calls behind each lead's latest research, for the context inspector. */
  modelCalls: Record<number, ModelCallView[]>;
  /** The prompts and whether the user's file overrides them. */
  prompts: PromptInfo[];
  /** Each lead's company, when it has one. */
  companies: Record<number, Company>;
  /** Research's proposed values by lead, waiting for approval. */
  proposals: Record<number, Proposal[]>;
  /** Run history by lead. */
  history: Record<number, RunHistory[]>;
  estimate: ResearchEstimate;
  ledger: CostLedger;
  /** Whether the system's login entry starts the app (Settings' switch). */
  startAtLogin: boolean;
  /** Custom field definitions, in order (`leadCount` is computed on read). */
  fields: CustomField[];
  /** Each lead's custom values, in the fields' order when read. */
  values: Record<number, CustomValue[]>;
}

/** What a generated command answers when it succeeds: the `data` of its `Result`. */
type Answer<R> =
  Awaited<R> extends infer A ? (A extends { status: "ok"; data: infer T } ? T : A extends { status: "error" } ? never : A) : never;

/**
 * One fake per generated command, with the command's own parameters and answer: a command added,
 * removed or changed in Rust (and so in the bindings) fails the type check here.
 */
export type FakeCommands = {
  [K in keyof typeof commands]: (...args: Parameters<(typeof commands)[K]>) => Answer<ReturnType<(typeof commands)[K]>>;
};

const DATA_DIR = "/home/ada/.local/share/app.leadscout.desktop";

function refuse(error: IpcError): never {
  // The real IPC layer rejects the invoke promise with the serialised error object.
  throw error;
}

const invalid = (field: string, message: string): never => refuse({ code: "validation", message, field });

/** A lead as the board gets it: the card's fields only, as the real `get_board` sends them. */
function card(lead: Lead): Card {
  return {
    id: lead.id,
    fullName: lead.fullName,
    title: lead.title,
    email: lead.email,
    companyName: lead.companyName,
    website: lead.website,
    stageId: lead.stageId,
    dealValue: lead.dealValue,
    currency: lead.currency,
    nextStep: lead.nextStep,
    nextStepDue: lead.nextStepDue,
    tags: [...lead.tags],
    fitScore: lead.fitScore,
    lastContactedAt: lead.lastContactedAt ?? null,
  };
}

function totals(leads: Lead[]): MoneyTotal[] {
  const sums = new Map<string, number>();
  for (const l of leads) if (l.dealValue !== null) sums.set(l.currency, (sums.get(l.currency) ?? 0) + l.dealValue);
  return [...sums.entries()].map(([currency, amount]) => ({ currency, amount })).sort((a, b) => b.amount - a.amount);
}

function applyEdit(lead: Lead, edit: LeadEdit): void {
  const raw = (edit.value ?? "").trim();
  const value = raw === "" ? null : raw;
  switch (edit.field) {
    case "fullName":
      if (!value) invalid("fullName", "Name is required.");
      lead.fullName = value as string;
      break;
    case "email":
      if (value && !/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/iu.test(value)) invalid("email", "Enter an email address like name@company.com.");
      lead.email = value;
      break;
    case "phone": {
      if (value === null) {
        lead.phone = null;
        break;
      }
      const digits = value.replace(/\D/gu, "");
      if (!/^[+\d\s().-]+$/u.test(value) || digits.length < 5) {
        invalid("phone", "A phone number may hold digits, spaces, + - ( ) and an extension; remove the rest.");
      }
      lead.phone = value.startsWith("+") ? `+${digits}` : value;
      break;
    }
    case "dealValue": {
      if (value === null) {
        lead.dealValue = null;
        break;
      }
      const m = /^\$?([\d,]+(?:\.\d+)?)(k?)$/iu.exec(value);
      if (!m) invalid("dealValue", "Enter an amount like 12500, 12,500.50 or 12.5k.");
      const n = Number(m![1].replace(/,/gu, "")) * (m![2] ? 1000 : 1);
      lead.dealValue = Math.round(n * 100);
      break;
    }
    case "currency":
      if (!value || !/^[a-z]{3}$/iu.test(value)) invalid("currency", "Use a three-letter currency code such as USD, EUR or GBP.");
      lead.currency = (value as string).toUpperCase();
      break;
    case "nextStepDue":
      if (value && !/^\d{4}-\d{2}-\d{2}$/u.test(value)) invalid("nextStepDue", "Enter a date as YYYY-MM-DD, like 2026-12-01.");
      lead.nextStepDue = value;
      break;
    case "title":
    case "linkedinUrl":
    case "companyName":
    case "website":
    case "source":
    case "nextStep":
      lead[edit.field] = value;
      break;
    default:
      invalid(edit.field, "That field cannot be edited here.");
  }
  lead.researchedFields = lead.researchedFields.filter((f) => f !== edit.field);
}

export function installFakeBackend(leads: Lead[] = [], activities: Activity[] = []): FakeBackend {
  const backend: FakeBackend = {
    pipelines: PIPELINES.map((p) => ({ ...p })),
    stages: STAGES.map((s) => ({ ...s })),
    runs: [],
    leads: leads.map((l) => ({ ...l, tags: [...l.tags] })),
    activities: [...activities],
    deleted: new Set(),
    calls: [],
    boardFailure: null,
    held: {},
    moveFailure: null,
    reports: null,
    reportsAsked: [],
    views: [],
    fields: [],
    values: {},
    research: {},
    // Past the first-run welcome, unless a test says otherwise.
    settings: {
      researchOnCreate: true,
      notifications: true,
      workers: 4,
      model: { provider: null, baseUrl: null, model: null },
      timeouts: { totalSeconds: 180, silenceSeconds: 120 },
      profile: { company: "", offering: "", idealCustomer: "" },
      budget: { perLeadCents: null, perDayCents: null },
      onboarded: true,
    },
    keychain: {},
    keychainFailure: null,
    localServers: [],
    modelTest: {
      verdict: "valid",
      summary: "This model can do research: a valid answer in 4.1 s, 4 of 5 facts quoted from the page.",
      templateWarning: null,
    },
    modelTests: [],
    imports: [],
    dialogPath: null,
    unmapped: [{ column: 3, header: "Fax", rows: 2, suggested: { kind: "text", choices: [] } }],
    droppedPath: null,
    exports: [],
    notice: null,
    insights: {},
    aiProblem: {},
    today: { overdue: [], dueToday: [], upcoming: [], stale: [], researched: [] },
    staleRules: [],
    staleIds: [],
    modelCalls: {},
    companies: {},
    proposals: {},
    history: {},
    estimate: {
      model: null,
      usd: null,
      tokensIn: 8000,
      tokensOut: 1500,
      measured: false,
      todayUsd: 0,
      perDayCents: null,
      perLeadCents: null,
    },
    ledger: { todayUsd: 0, monthUsd: 0, byDay: [], topLeads: [], callsThisMonth: 0, unpricedCalls: 0 },
    startAtLogin: false,
    prompts: [
      {
        id: "lead-research/footprint",
        version: 1,
        description: "Company facts from the pages research read, each grounded in a quote.",
        overridden: false,
        path: "/home/ada/.local/share/app.leadscout.desktop/prompts/lead-research/footprint.md",
        problem: null,
      },
      {
        id: "lead-research/insights",
        version: 2,
        description: "Summary, fit score with reasons, talking points, risks and next action.",
        overridden: true,
        path: "/home/ada/.local/share/app.leadscout.desktop/prompts/lead-research/insights.md",
        problem: null,
      },
    ],
  };
  /** The files previewed, by handle (index + 1), as the backend keeps them. */
  const chosen: string[] = [];
  let nextId = leads.reduce((max, l) => Math.max(max, l.id), 0) + 1;
  let nextActivity = activities.reduce((max, a) => Math.max(max, a.id), 0) + 1;
  const live = () => backend.leads.filter((l) => !backend.deleted.has(l.id));
  const get = (id: LeadId): Lead => {
    const lead = live().find((l) => l.id === id);
    if (!lead)
      refuse({ code: "not_found", message: "That lead no longer exists; it may have been deleted in another window.", field: null });
    return lead as Lead;
  };
  const column = (stageId: number) =>
    live()
      .filter((l) => l.stageId === stageId)
      .sort((a, b) => a.position - b.position || a.id - b.id);

  const valuesOf = (lead: LeadId): CustomValue[] => {
    const held = backend.values[lead] ?? [];
    return backend.fields.flatMap((f) => held.filter((v) => v.fieldId === f.id).map((v) => ({ ...v })));
  };
  const fieldsNow = (): CustomField[] =>
    backend.fields.map((f, i) => ({
      ...f,
      choices: [...f.choices],
      position: i,
      leadCount: backend.leads.filter((l) => !backend.deleted.has(l.id) && (backend.values[l.id] ?? []).some((v) => v.fieldId === f.id))
        .length,
    }));
  const handlers: FakeCommands = {
    appInfo: () => ({
      version: "0.1.0",
      dataDir: "/home/ada/.local/share/app.leadscout.desktop",
      databasePath: "/home/ada/.local/share/app.leadscout.desktop/leadscout.sqlite3",
      notice: backend.notice,
    }),
    getBoard: () => {
      if (backend.boardFailure) refuse(backend.boardFailure);
      // As the store orders them: pipeline by pipeline in menu order, each in board order.
      const menu = (id: number) => backend.pipelines.find((p) => p.id === id)?.position ?? 0;
      const board: BoardView = {
        // Copies, as the JSON between the processes makes them: the window never holds ours.
        pipelines: backend.pipelines.map((p) => ({ ...p })).sort((a, b) => a.position - b.position),
        columns: [...backend.stages]
          .sort((a, b) => menu(a.pipelineId) - menu(b.pipelineId) || a.position - b.position)
          .map((stage) => {
            const leads = column(stage.id);
            return { stage: { ...stage }, leads: leads.map(card), valueTotals: totals(leads) };
          }),
      };
      return board;
    },
    createLead: (input) => {
      const fullName = input.fullName.trim();
      if (fullName === "") invalid("fullName", "Name is required.");
      if (input.email !== null && input.email.trim() !== "" && !/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/iu.test(input.email.trim())) {
        invalid("email", "Enter an email address like name@company.com.");
      }
      const stageId = input.stageId ?? backend.stages[0].id;
      const top = column(stageId)[0];
      const now = Date.now();
      const lead: Lead = {
        ...blank(nextId++, fullName),
        email: input.email?.trim() || null,
        companyName: input.companyName?.trim() || null,
        website: input.website ? `https://${input.website.trim().replace(/^https?:\/\//u, "")}/` : null,
        stageId,
        position: top ? top.position - 1024 : 0,
        createdAt: now,
        updatedAt: now,
      };
      backend.leads.push(lead);
      return lead;
    },
    getLead: (id) => {
      const lead = get(id);
      return {
        lead,
        company: backend.companies[lead.id] ?? null,
        proposals: backend.proposals[lead.id] ?? [],
        research: backend.research[lead.id] ?? null,
        insights: backend.insights[lead.id] ?? null,
        aiProblem: backend.aiProblem[lead.id] ?? null,
        researchable: !!(lead.website || lead.email),
        activities: backend.activities.filter((a) => a.leadId === lead.id).sort((a, b) => b.occurredAt - a.occurredAt || b.id - a.id),
        customValues: valuesOf(lead.id),
      };
    },
    updateLead: (id, edit) => {
      const lead = get(id);
      const copy = { ...lead };
      applyEdit(copy, edit);
      Object.assign(lead, copy, { updatedAt: Date.now() });
      return { ...lead };
    },
    setLeadTags: (id, asked) => {
      const lead = get(id);
      const tags: string[] = [];
      for (const raw of asked) {
        const tag = raw.trim().replace(/^#/u, "");
        if (tag.includes(",")) invalid("tags", "A tag cannot contain a comma.");
        if (tag && !tags.some((t) => t.toLowerCase() === tag.toLowerCase())) tags.push(tag);
      }
      lead.tags = tags;
      return { ...lead, tags: [...tags] };
    },
    moveLead: (id, stageId, beforeId) => {
      if (backend.moveFailure) {
        const failure = backend.moveFailure;
        backend.moveFailure = null;
        refuse(failure);
      }
      const lead = get(id);
      const others = column(stageId).filter((l) => l.id !== lead.id);
      const at = beforeId === null ? others.length : others.findIndex((l) => l.id === beforeId);
      if (at < 0) refuse({ code: "validation", message: `lead ${beforeId} is not in the column the card was dropped into`, field: null });
      others.splice(at, 0, lead);
      others.forEach((l, i) => (l.position = i * 1024));
      if (lead.stageId !== stageId) {
        const from = backend.stages.find((s) => s.id === lead.stageId)?.name;
        const to = backend.stages.find((s) => s.id === stageId)?.name;
        backend.activities.push({
          id: nextActivity++,
          leadId: lead.id,
          kind: "stageChange",
          body: `Moved from ${from} to ${to}`,
          occurredAt: Date.now(),
          createdAt: Date.now(),
        });
      }
      if (lead.stageId !== stageId) {
        const kind = backend.stages.find((s) => s.id === stageId)?.kind;
        lead.closedAt = kind === "open" ? null : Date.now();
        if (kind !== "lost") lead.lostReason = lead.lostNote = null;
      }
      lead.stageId = stageId;
      return { ...lead };
    },
    deleteLead: (id) => {
      get(id);
      backend.deleted.add(id);
      return null;
    },
    restoreLead: (id) => {
      if (!backend.deleted.has(id)) refuse({ code: "not_found", message: "That lead no longer exists.", field: null });
      backend.deleted.delete(id);
      return get(id);
    },
    addActivity: (input) => {
      get(input.leadId);
      if (input.body.trim() === "") invalid("note", "Write something before saving.");
      const now = Date.now();
      const activity: Activity = {
        id: nextActivity++,
        leadId: input.leadId,
        kind: input.kind,
        body: input.body.trim(),
        occurredAt: input.occurredAt ?? now,
        createdAt: now,
      };
      backend.activities.push(activity);
      return activity;
    },
    logActivity: ({ activity: input, followUp }) => {
      // As the store does: the entry, the follow-up in the same write, the last contact.
      const lead = get(input.leadId);
      if (input.kind === "note" && input.body.trim() === "") invalid("note", "Write something before saving.");
      if (input.outcome && input.kind !== "call") invalid("note", "Only a call has an outcome.");
      if (followUp?.date && !/^\d{4}-\d{2}-\d{2}$/u.test(followUp.date))
        invalid("nextStepDue", "Enter a date as YYYY-MM-DD, like 2026-12-01.");
      const now = Date.now();
      const activity: Activity = {
        id: nextActivity++,
        leadId: input.leadId,
        kind: input.kind,
        body: input.body.trim(),
        outcome: input.outcome ?? null,
        occurredAt: input.occurredAt ?? now,
        createdAt: now,
      };
      backend.activities.push(activity);
      if (followUp) {
        lead.nextStep = followUp.nextStep?.trim() || null;
        lead.nextStepDue = followUp.date || null;
        lead.nextStepTime = followUp.date ? followUp.time || null : null;
      }
      const touches = backend.activities.filter((a) => a.leadId === lead.id && ["call", "email", "meeting"].includes(a.kind));
      lead.lastContactedAt = touches.length > 0 ? Math.max(...touches.map((a) => a.occurredAt)) : null;
      return { activity, lead: { ...lead } };
    },
    draftEmail: (input) => {
      // The template, and with the model one sentence that stands on its fact and one that
      // does not (the real checks are tested in crates/research).
      const lead = get(input.leadId);
      const kept = "I saw Acme makes anvils for builders.";
      const opening = input.withModel ? kept : (input.talkingPoint ?? "");
      const draft: EmailDraft = {
        leadId: lead.id,
        to: lead.email,
        subject: `${lead.companyName ?? "your company"} and Forge & Co`,
        body: `Hi ${lead.fullName.split(" ")[0]},\n\n${opening ? `${opening}\n\n` : ""}I work at Forge & Co.\n\nBest regards`,
        sentences: input.withModel
          ? [
              {
                text: kept,
                facts: [{ key: "F1", value: "Anvils for builders", quote: "Anvils for builders", sourceUrl: "https://acme.example/" }],
                verified: true,
                problem: null,
              },
              { text: "Acme has 5,000 staff.", facts: [], verified: false, problem: "states 5000, which none of its facts does" },
            ]
          : [],
        modelNote: null,
      };
      return draft;
    },
    sendEmailDraft: (input) => {
      const lead = get(input.leadId);
      if (input.via === "mailClient")
        refuse({ code: "internal", message: "Your mail client could not be opened. Copy the email instead.", field: null });
      const now = Date.now();
      const activity: Activity = {
        id: nextActivity++,
        leadId: lead.id,
        kind: "email",
        body: `${input.subject}\n\n${input.body}`,
        outcome: null,
        occurredAt: now,
        createdAt: now,
      };
      backend.activities.push(activity);
      lead.lastContactedAt = now;
      return { activity, lead: { ...lead } };
    },
    setLostReason: (input) => {
      const lead = get(input.leadId);
      if (backend.stages.find((s) => s.id === lead.stageId)?.kind !== "lost") {
        refuse({ code: "validation", message: "Only a lead in a lost stage has a lost reason; move it to Lost first.", field: null });
      }
      if (input.reason === "other" && !input.note?.trim()) invalid("note", "Say in a few words why the deal was lost.");
      lead.lostReason = input.reason;
      lead.lostNote = input.note?.trim() || null;
      return { ...lead };
    },
    deleteActivity: (id) => {
      backend.activities = backend.activities.filter((a) => a.id !== id);
      return null;
    },
    search: (query) => {
      const words = String(query).toLowerCase().split(/\W+/u).filter(Boolean);
      if (words.length === 0) return [];
      const mark = (text: string) => text.replace(new RegExp(`\\b(${words.join("|")})\\w*`, "giu"), "\u{e000}$&\u{e001}");
      const has = (text: string | null) => !!text && words.every((w) => text.toLowerCase().includes(w));
      const hits: SearchHit[] = [];
      for (const lead of live()) {
        const hay = [lead.fullName, lead.companyName, lead.email, ...lead.tags].filter(Boolean).join(" ");
        if (has(hay)) hits.push({ kind: "lead", leadId: lead.id, companyId: lead.companyId, title: lead.fullName, snippet: mark(hay) });
      }
      for (const a of backend.activities) {
        if (!backend.deleted.has(a.leadId) && has(a.body)) {
          hits.push({ kind: "note", leadId: a.leadId, companyId: null, title: get(a.leadId).fullName, snippet: mark(a.body) });
        }
      }
      return hits.slice(0, 20);
    },
    researchStatuses: () => backend.runs,
    researchLeads: (ids) => {
      const queued: LeadId[] = [];
      const skipped: { lead: LeadId; reason: string }[] = [];
      for (const id of ids) {
        const l = get(id);
        if (!l.website && !l.email) skipped.push({ lead: id, reason: `${l.fullName} has no company website or work email to research.` });
        else queued.push(id);
      }
      return { queued, skipped };
    },
    cancelResearch: () => null,
    setOnline: () => null,
    researchEstimate: () => backend.estimate,
    costLedger: () => backend.ledger,
    runHistory: (lead) => backend.history[lead] ?? [],
    decideProposals: (leadId, ids, approve) => {
      const company = backend.companies[leadId];
      for (const p of (backend.proposals[leadId] ?? []).filter((p) => ids.includes(p.id))) {
        if (approve && company) {
          const key = ({ size_band: "sizeBand" } as Record<string, string>)[p.field] ?? p.field;
          (company as unknown as Record<string, unknown>)[key] = p.proposed;
          company.provenance = { ...company.provenance, [p.field]: { url: p.url, quote: p.quote, by: p.by, at: Date.now() } };
        }
      }
      backend.proposals[leadId] = (backend.proposals[leadId] ?? []).filter((p) => !ids.includes(p.id));
      const lead = get(leadId);
      return {
        lead,
        company: company ?? null,
        research: backend.research[leadId] ?? null,
        insights: backend.insights[leadId] ?? null,
        aiProblem: backend.aiProblem[leadId] ?? null,
        proposals: backend.proposals[leadId],
        researchable: true,
        activities: [],
      };
    },
    contextInspector: (lead) => backend.modelCalls[lead] ?? [],
    prompts: () => backend.prompts,
    resetPrompt: (id) => {
      const found = backend.prompts.find((p) => p.id === id);
      if (!found) invalid("id", `${String(id)} is not a prompt Leadscout uses.`);
      backend.prompts = backend.prompts.map((p) => (p.id === id ? { ...p, overridden: false, version: 1 } : p));
      return backend.prompts;
    },
    apiKeys: () =>
      (["openai", "anthropic", "gemini"] as const).map((provider) => ({ provider, setAt: backend.keychain[provider]?.setAt ?? null })),
    setApiKey: (provider, pasted) => {
      const key = pasted.trim();
      if (!key) invalid("key", "Paste the API key.");
      if (/\s/u.test(key)) invalid("key", "An API key is one word without spaces or line breaks; paste it again.");
      if (backend.keychainFailure) refuse({ code: "keychain", message: backend.keychainFailure, field: null });
      backend.keychain[provider] = { key, setAt: Date.now() };
      return { provider, setAt: backend.keychain[provider].setAt };
    },
    deleteApiKey: (provider) => {
      delete backend.keychain[provider];
      return { provider, setAt: null };
    },
    previewImport: (source) => {
      // Like the backend: the dialog (or the drop) decides the file, never the window.
      let path: string | null;
      if (source === "dialog") {
        path = backend.dialogPath;
        if (path === null) return null;
      } else {
        path = backend.droppedPath;
        backend.droppedPath = null;
        if (path === null)
          refuse({ code: "validation", message: "No file was dropped on the window; drop it again or choose it.", field: "file" });
      }
      if (path !== "/home/ada/contacts.csv")
        refuse({ code: "validation", message: `Cannot open ${path}: No such file or directory (os error 2)`, field: "file" });
      chosen.push(path);
      return {
        id: chosen.length,
        fileName: "contacts.csv",
        format: "csv",
        encoding: "windows-1252",
        delimiter: ";",
        headers: ["First Name", "Last Name", "Email", "Fax"],
        mapping: { columns: ["firstName", "lastName", "email", null], preset: "HubSpot", custom: [] },
        rows: 3,
        refused: 1,
        warnings: 1,
        unmapped: backend.unmapped,
        sample: [
          { line: 2, fullName: "Renée Dubois", problem: null, warnings: [] },
          { line: 3, fullName: "Grace Hopper", problem: null, warnings: ['line 3: phone "n/a" left out: A phone number may hold digits'] },
          { line: 4, fullName: null, problem: "No name or email in this row.", warnings: [] },
        ],
      };
    },
    runImport: (id, mapping, duplicates, pipelineId) => {
      if (chosen[id - 1] === undefined)
        refuse({ code: "not_found", message: "That file is no longer open for import; choose it again.", field: null });
      backend.imports.push({ id, mapping, duplicates, pipelineId });
      for (const name of ["Renée Dubois", "Grace Hopper"]) backend.leads.push({ ...blank(nextId++, name), position: -5000 + nextId });
      return {
        created: 2,
        merged: 0,
        skipped: 0,
        refused: 1,
        problems: [{ line: 4, message: "No name or email in this row." }],
        warnings: ['line 3: phone "n/a" left out'],
        createdIds: [nextId - 2, nextId - 1],
        cancelled: false,
      };
    },
    exportLeads: (format) => {
      if (backend.dialogPath === null) return null;
      backend.exports.push({ path: backend.dialogPath, format });
      return { path: backend.dialogPath, leads: live().length, bytes: 1234 };
    },
    mergeLeads: (keepId, otherId, take) => {
      const keep = get(keepId);
      const other = get(otherId);
      for (const field of take) (keep as unknown as Record<string, unknown>)[field] = (other as unknown as Record<string, unknown>)[field];
      // Like the store: the other lead's custom values fill the kept lead's empty fields.
      const held = backend.values[keep.id] ?? [];
      const missing = (backend.values[other.id] ?? []).filter((v) => !held.some((h) => h.fieldId === v.fieldId));
      backend.values[keep.id] = [...held, ...missing.map((v) => ({ ...v }))];
      backend.deleted.add(other.id);
      return { ...keep };
    },
    cancelImport: () => null,
    saveImportReport: (id) => {
      if (chosen[id - 1] === undefined)
        refuse({ code: "not_found", message: "That import is no longer open; import the file again to get its report.", field: null });
      if (backend.dialogPath === null) return null;
      backend.exports.push({ report: backend.dialogPath, id: id });
      return { path: backend.dialogPath, leads: 0, bytes: 120 };
    },
    restoreDatabase: () => {
      if (backend.dialogPath === null) return null;
      backend.exports.push({ restore: backend.dialogPath });
      return { leads: 42 };
    },
    backupDatabase: () => {
      if (backend.dialogPath === null) return null;
      backend.exports.push({ backup: backend.dialogPath });
      return { path: backend.dialogPath, leads: 0, bytes: 2_400_000 };
    },
    getSettings: () => structuredClone(backend.settings),
    detectLocalModels: () => backend.localServers,
    discoverModels: (provider) => backend.localServers.find((s) => s.provider === provider)?.models ?? [],
    testModel: (provider, baseUrl, model, timeouts) => {
      backend.modelTests.push({ provider, baseUrl, model, timeouts });
      return {
        verdict: "valid",
        summary: "",
        templateWarning: null,
        model,
        latencyMs: 4120,
        tokensIn: 612,
        tokensOut: 148,
        costUsd: null,
        facts: 5,
        verified: 4,
        ...backend.modelTest,
      };
    },
    updateSettings: (settings) => {
      if (settings.workers === undefined || settings.workers < 1 || settings.workers > 8)
        invalid("workers", "Choose between 1 and 8 research runs at once.");
      const provider = settings.model?.provider;
      if (provider && !["openai", "anthropic", "gemini", "ollama", "openai_compatible"].includes(provider))
        invalid("provider", `${provider} is not a provider Leadscout knows.`);
      // Like the backend: a key goes only over https.
      if (
        provider &&
        ["openai", "anthropic", "gemini"].includes(provider) &&
        settings.model?.baseUrl &&
        !settings.model.baseUrl.startsWith("https://")
      )
        invalid("baseUrl", `Leadscout sends your ${provider} key only over https.`);
      backend.settings = { ...settings };
      return { ...settings };
    },
    getStages: () => {
      const menu = (id: number) => backend.pipelines.find((p) => p.id === id)?.position ?? 0;
      return {
        pipelines: backend.pipelines.map((p) => ({ ...p })).sort((a, b) => a.position - b.position),
        stages: backend.stages.map((s) => ({ ...s })).sort((a, b) => menu(a.pipelineId) - menu(b.pipelineId) || a.position - b.position),
      };
    },
    createStage: (input) => {
      const name = input.name.trim();
      if (!name) invalid("name", "Give the stage a name.");
      const pipelineId = input.pipelineId ?? backend.pipelines[0].id;
      const siblings = backend.stages.filter((st) => st.pipelineId === pipelineId);
      if (siblings.some((st) => st.name.toLowerCase() === name.toLowerCase())) {
        refuse({ code: "validation", message: `There is already a stage called ${name}.`, field: null });
      }
      const stage: Stage = {
        id: Math.max(...backend.stages.map((st) => st.id)) + 1,
        pipelineId,
        name,
        kind: input.kind,
        color: input.color ?? "#ec4899",
        position: siblings.length,
        probability: input.kind === "won" ? 100 : input.kind === "lost" ? 0 : 50,
      };
      backend.stages.push(stage);
      return stage;
    },
    updateStage: (id, edit) => {
      const stage = backend.stages.find((st) => st.id === id);
      if (!stage) refuse({ code: "validation", message: "That pipeline stage no longer exists; pick another one.", field: "stageId" });
      if (edit.name !== null) {
        if (!edit.name.trim()) invalid("name", "Give the stage a name.");
        stage!.name = edit.name.trim();
      }
      if (edit.kind !== null) stage!.kind = edit.kind;
      if (edit.color !== null) stage!.color = edit.color;
      if (edit.probability !== undefined && edit.probability !== null) stage!.probability = edit.probability;
      return { ...stage! };
    },
    reorderStages: (order) => {
      order.forEach((id, i) => {
        const stage = backend.stages.find((st) => st.id === id);
        if (stage) stage.position = i;
      });
      return [...backend.stages].sort((a, b) => a.position - b.position);
    },
    customFields: () => fieldsNow(),
    createCustomField: (input) => {
      const name = input.name.trim();
      if (!name) invalid("name", "Give the field a name.");
      if (backend.fields.some((f) => f.name.toLowerCase() === name.toLowerCase()))
        refuse({ code: "validation", message: `There is already a field called ${name}.`, field: null });
      const choices = input.kind === "choice" ? (input.choices ?? []).map((c) => c.trim()).filter(Boolean) : [];
      if (input.kind === "choice" && choices.length === 0) invalid("choices", "A choice field needs at least one choice to pick from.");
      const field: CustomField = {
        id: Math.max(0, ...backend.fields.map((f) => f.id)) + 1,
        name,
        kind: input.kind,
        choices,
        position: backend.fields.length,
        leadCount: 0,
      };
      backend.fields.push(field);
      return { ...field };
    },
    updateCustomField: (id, edit) => {
      const field = backend.fields.find((f) => f.id === id);
      if (!field)
        refuse({ code: "not_found", message: "That custom field no longer exists; it may have been deleted in Settings.", field: null });
      if (edit.name !== null) {
        if (!edit.name.trim()) invalid("name", "Give the field a name.");
        field!.name = edit.name.trim();
      }
      if (edit.choices !== null && field!.kind === "choice") field!.choices = edit.choices.map((c) => c.trim()).filter(Boolean);
      return fieldsNow().find((f) => f.id === id)!;
    },
    reorderCustomFields: (order) => {
      backend.fields = order.map((id, i) => ({ ...backend.fields.find((f) => f.id === id)!, position: i }));
      return fieldsNow();
    },
    deleteCustomField: (id) => {
      let deleted = 0;
      for (const key of Object.keys(backend.values)) {
        const before = backend.values[+key].length;
        backend.values[+key] = backend.values[+key].filter((v) => v.fieldId !== id);
        deleted += before - backend.values[+key].length;
      }
      backend.fields = backend.fields.filter((f) => f.id !== id);
      return deleted;
    },
    setCustomValue: (input) => {
      get(input.leadId);
      const field = backend.fields.find((f) => f.id === input.fieldId);
      if (!field)
        refuse({ code: "not_found", message: "That custom field no longer exists; it may have been deleted in Settings.", field: null });
      const value = input.value.trim();
      // The rules the drawer's tests exercise; the rest are tested in Rust.
      if (value && field!.kind === "number" && !/^-?[\d,]+(\.\d+)?$/.test(value))
        invalid("value", `${field!.name} must be a number, like 1200 or 99.5 (you entered "${value}").`);
      if (value && field!.kind === "url" && !/^https?:\/\/[^/]/.test(value))
        invalid("value", `${field!.name} must be a web address starting with http:// or https://.`);
      const others = (backend.values[input.leadId] ?? []).filter((v) => v.fieldId !== input.fieldId);
      const stored = field!.kind === "number" ? String(Number(value.replaceAll(",", ""))) : value;
      backend.values[input.leadId] = value ? [...others, { fieldId: input.fieldId, value: stored }] : others;
      return valuesOf(input.leadId);
    },
    deleteStage: (id, moveTo) => {
      for (const l of backend.leads) if (l.stageId === id) l.stageId = moveTo;
      backend.stages = backend.stages.filter((st) => st.id !== id);
      return null;
    },
    createPipeline: (input) => {
      const name = input.name.trim();
      if (!name) invalid("name", "Give the pipeline a name.");
      if (backend.pipelines.some((p) => p.name.toLowerCase() === name.toLowerCase())) {
        refuse({ code: "validation", message: `There is already a pipeline called ${name}.`, field: null });
      }
      const pipeline: Pipeline = {
        id: Math.max(...backend.pipelines.map((p) => p.id)) + 1,
        name,
        position: Math.max(...backend.pipelines.map((p) => p.position)) + 1,
      };
      backend.pipelines.push(pipeline);
      const source =
        input.copyStagesFrom === null
          ? [
              { name: "Open", kind: "open" as const, color: "#3b82f6", probability: 50 },
              { name: "Won", kind: "won" as const, color: "#10b981", probability: 100 },
              { name: "Lost", kind: "lost" as const, color: "#ef4444", probability: 0 },
            ]
          : backend.stages.filter((st) => st.pipelineId === input.copyStagesFrom).sort((a, b) => a.position - b.position);
      let next = Math.max(...backend.stages.map((st) => st.id)) + 1;
      source.forEach((st, position) =>
        backend.stages.push({
          id: next++,
          pipelineId: pipeline.id,
          name: st.name,
          kind: st.kind,
          color: st.color,
          position,
          probability: st.probability,
        }),
      );
      return { ...pipeline };
    },
    renamePipeline: (id, name) => {
      const pipeline = backend.pipelines.find((p) => p.id === id);
      if (!pipeline)
        refuse({ code: "not_found", message: "That pipeline no longer exists; it may have been deleted in another window.", field: null });
      if (!name.trim()) invalid("name", "Give the pipeline a name.");
      if (backend.pipelines.some((p) => p.id !== id && p.name.toLowerCase() === name.trim().toLowerCase())) {
        refuse({ code: "validation", message: `There is already a pipeline called ${name.trim()}.`, field: null });
      }
      pipeline!.name = name.trim();
      return { ...pipeline! };
    },
    deletePipeline: (id, moveTo) => {
      const target = backend.stages.find((st) => st.id === moveTo);
      if (!target) refuse({ code: "validation", message: "That pipeline stage no longer exists; pick another one.", field: "stageId" });
      if (target!.pipelineId === id) {
        refuse({ code: "validation", message: "Pick a stage in another pipeline to move this pipeline's leads to.", field: null });
      }
      const doomed = new Set(backend.stages.filter((st) => st.pipelineId === id).map((st) => st.id));
      for (const l of backend.leads) if (doomed.has(l.stageId)) l.stageId = moveTo;
      backend.stages = backend.stages.filter((st) => !doomed.has(st.id));
      backend.pipelines = backend.pipelines.filter((p) => p.id !== id);
      return null;
    },
    today: () => structuredClone(backend.today),
    markTodaySeen: () => null,
    staleLeads: () => [...backend.staleIds],
    staleRules: () => [...backend.staleRules],
    saveStaleRules: (rules) => {
      backend.staleRules = rules.map((r) => ({ ...r }));
      return null;
    },
    completeFollowUp: (id) => {
      const t = backend.today;
      t.overdue = t.overdue.filter((f) => f.leadId !== id);
      t.dueToday = t.dueToday.filter((f) => f.leadId !== id);
      t.upcoming = t.upcoming.filter((f) => f.leadId !== id);
      const l = backend.leads.find((x) => x.id === id);
      if (!l) return null;
      l.nextStep = null;
      l.nextStepDue = null;
      return { ...l };
    },
    snoozeFollowUp: (id, snooze) => {
      const t = backend.today;
      const item = [...t.overdue, ...t.dueToday, ...t.upcoming].find((f) => f.leadId === id);
      if (!item) return null;
      t.overdue = t.overdue.filter((f) => f.leadId !== id);
      t.dueToday = t.dueToday.filter((f) => f.leadId !== id);
      const moved = { ...item, dueAt: item.dueAt + (snooze === "oneHour" ? 3_600_000 : 86_400_000) };
      t.upcoming = [moved, ...t.upcoming.filter((f) => f.leadId !== id)];
      return moved;
    },
    savedViews: () => backend.views.map((v) => structuredClone(v)),
    customMatches: (conditions) => {
      // The Rust rules (crates/domain view.rs), for the values the UI tests hold.
      const fold = (t: string) => t.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
      const num = (t: string) => Number(t.replace(/[,\s_]/gu, ""));
      const inRange = (kind: string, lo: string, hi: string) => (kind === "number" ? num(lo) <= num(hi) : lo <= hi);
      const gone: number[] = [];
      let kept = null as Set<LeadId> | null;
      for (const c of conditions) {
        const field = backend.fields.find((f) => f.id === c.fieldId);
        if (!field) {
          gone.push(c.fieldId);
          continue;
        }
        const meets = (value: string) => {
          if (field.kind === "choice") return value.toLowerCase() === (c.value ?? "").toLowerCase();
          if (field.kind === "text" || field.kind === "url") return fold(value).includes(fold((c.value ?? "").trim()));
          return (!c.min || inRange(field.kind, c.min, value)) && (!c.max || inRange(field.kind, value, c.max));
        };
        const ids = new Set(
          live()
            .filter((l) => (backend.values[l.id] ?? []).some((v) => v.fieldId === field.id && meets(v.value)))
            .map((l) => l.id),
        );
        kept = kept === null ? ids : new Set([...kept].filter((id) => ids.has(id)));
      }
      return { leadIds: kept === null ? null : [...kept].sort((a, b) => a - b), gone };
    },
    saveView: (view) => {
      const input = view;
      if (!input.name.trim()) invalid("name", "Give the view a name.");
      for (const c of input.filter.custom ?? []) {
        if (!backend.fields.some((f) => f.id === c.fieldId))
          invalid("custom", "A custom field this filter uses was deleted; remove its condition.");
      }
      const existing = backend.views.find((v) => v.name.toLowerCase() === input.name.trim().toLowerCase());
      const saved: SavedView = {
        id: existing?.id ?? backend.views.length + 1,
        name: input.name.trim(),
        filter: structuredClone(input.filter),
        pinned: input.pinned,
      };
      backend.views = [...backend.views.filter((v) => v.id !== saved.id), saved].sort((a, b) => a.id - b.id);
      return structuredClone(saved);
    },
    deleteView: (id) => {
      backend.views = backend.views.filter((v) => v.id !== id);
      return null;
    },
    startAtLogin: () => backend.startAtLogin,
    setStartAtLogin: (enabled) => {
      backend.startAtLogin = enabled;
      return backend.startAtLogin;
    },
    getReports: (_offset, pipelineId) => {
      backend.reportsAsked.push(pipelineId);
      if (!backend.reports) refuse({ code: "storage", message: "The database could not be read.", field: null });
      return backend.reports;
    },
    setFollowUp: (id, input) => {
      // As the store does: a blank date clears the follow-up, a time needs a date.
      const lead = get(id);
      if (input.date && !/^\d{4}-\d{2}-\d{2}$/u.test(input.date)) invalid("nextStepDue", "Enter a date as YYYY-MM-DD, like 2026-12-01.");
      if (input.time && !/^\d{2}:\d{2}$/u.test(input.time)) invalid("nextStepTime", "Enter a time as HH:MM, like 14:30.");
      lead.nextStep = input.nextStep?.trim() || null;
      lead.nextStepDue = input.date || null;
      lead.nextStepTime = input.date ? input.time || null : null;
      lead.updatedAt = Date.now();
      return { ...lead };
    },
    openLogsFolder: () => `${DATA_DIR}/logs`,
  };

  mockIPC(
    (cmd, payload) => {
      backend.calls.push({ cmd, args: payload });
      // The opener plugin's command, which the app calls through the plugin's own wrapper.
      if (cmd === "plugin:opener|open_url") return null;
      const name = cmd.replace(/_([a-z])/gu, (_, c: string) => c.toUpperCase());
      if (!Object.hasOwn(handlers, name)) throw new Error(`unexpected command ${cmd}`);
      // The generated wrappers pass their parameters as an object literal in declaration order,
      // so its values are the handler's arguments in order.
      const args = payload === undefined ? [] : Object.values(payload as Record<string, unknown>);
      const handle = () => (handlers[name as keyof FakeCommands] as (...a: unknown[]) => unknown)(...args);
      const held = backend.held[name as keyof FakeCommands];
      return held ? held.then(handle) : handle();
    },
    { shouldMockEvents: true },
  );
  return backend;
}

function blank(id: number, fullName: string): Lead {
  return {
    id,
    fullName,
    title: null,
    email: null,
    phone: null,
    linkedinUrl: null,
    companyId: null,
    companyName: null,
    website: null,
    source: null,
    stageId: 1,
    position: 0,
    dealValue: null,
    currency: "USD",
    nextStep: null,
    nextStepDue: null,
    tags: [],
    researchedFields: [],
    createdAt: Date.now() - 3_600_000,
    updatedAt: Date.now() - 3_600_000,
  };
}

export function lead(overrides: Partial<Lead> & Pick<Lead, "id" | "fullName">): Lead {
  return { ...blank(overrides.id, overrides.fullName), ...overrides };
}
