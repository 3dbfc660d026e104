// An in-memory stand-in for the Rust commands, answering over Tauri's mocked IPC with the same
// shapes (and the same `IpcError` refusals) the real backend sends.
import { mockIPC } from "@tauri-apps/api/mocks";
import type { Board, IpcError, Lead, NewLead, Stage } from "../ipc/bindings";

const STAGES: Stage[] = [
  { id: 1, name: "New", kind: "open", color: "#64748b", position: 0 },
  { id: 2, name: "Contacted", kind: "open", color: "#0ea5e9", position: 1 },
  { id: 3, name: "Qualified", kind: "open", color: "#8b5cf6", position: 2 },
  { id: 4, name: "Proposal", kind: "open", color: "#f59e0b", position: 3 },
  { id: 5, name: "Won", kind: "won", color: "#16a34a", position: 4 },
  { id: 6, name: "Lost", kind: "lost", color: "#dc2626", position: 5 },
];

export interface FakeBackend {
  leads: Lead[];
  calls: { cmd: string; args: unknown }[];
  /** When set, `get_board` fails with this error until cleared. */
  boardFailure: IpcError | null;
}

function refuse(error: IpcError): never {
  // The real IPC layer rejects the invoke promise with the serialised error object.
  throw error;
}

export function installFakeBackend(leads: Lead[] = []): FakeBackend {
  const backend: FakeBackend = { leads: [...leads], calls: [], boardFailure: null };
  let nextId = leads.reduce((max, l) => Math.max(max, l.id), 0) + 1;

  mockIPC((cmd, args) => {
    backend.calls.push({ cmd, args });
    switch (cmd) {
      case "app_info":
        return { version: "0.1.0", dataDir: "/home/ada/.local/share/app.leadscout.desktop", databasePath: "/home/ada/.local/share/app.leadscout.desktop/leadscout.sqlite3" };
      case "get_board": {
        if (backend.boardFailure) refuse(backend.boardFailure);
        const board: Board = {
          columns: STAGES.map((stage) => ({
            stage,
            leads: backend.leads.filter((l) => l.stageId === stage.id).sort((a, b) => a.position - b.position),
          })),
        };
        return board;
      }
      case "create_lead": {
        const input = (args as { input: NewLead }).input;
        const fullName = input.fullName.trim();
        if (fullName === "") refuse({ code: "validation", message: "Enter the person's name.", field: "fullName" });
        if (input.email !== null && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/u.test(input.email.trim())) {
          refuse({ code: "validation", message: "That is not an email address, e.g. ada@example.com.", field: "email" });
        }
        const stageId = input.stageId ?? STAGES[0].id;
        for (const l of backend.leads) if (l.stageId === stageId) l.position += 1;
        const now = Date.now();
        const lead: Lead = {
          id: nextId++,
          fullName,
          email: input.email?.trim() ?? null,
          companyName: input.companyName?.trim() ?? null,
          website: input.website ? `https://${input.website.trim().replace(/^https?:\/\//u, "")}/` : null,
          stageId,
          position: 0,
          createdAt: now,
          updatedAt: now,
        };
        backend.leads.push(lead);
        return lead;
      }
      default:
        throw new Error(`unexpected command ${cmd}`);
    }
  });
  return backend;
}

export function lead(overrides: Partial<Lead> & Pick<Lead, "id" | "fullName">): Lead {
  return {
    email: null,
    companyName: null,
    website: null,
    stageId: 1,
    position: 0,
    createdAt: Date.now() - 3_600_000,
    updatedAt: Date.now() - 3_600_000,
    ...overrides,
  };
}
