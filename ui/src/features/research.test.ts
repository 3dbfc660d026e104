import { describe, expect, it, vi } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { emit } from "@tauri-apps/api/event";
import App from "../App.svelte";
import { installFakeBackend, lead } from "../test/fake-backend";
import { card } from "../test/board-dom";
import type { CompanyResearch, RunEvent, RunResult } from "../ipc/bindings";

const progress = (event: RunEvent) => emit("research-progress", event);

/** The result a run's last event carries when it wrote nothing to the lead. */
const ended = (status: RunResult["status"], error: string | null = null): RunResult => ({
  status,
  error,
  finishedAt: Date.now(),
  fitScore: null,
  card: null,
  changed: [],
});

/** Every string the UI sent to a command that looks like a place on disk. */
function sentPaths(calls: { cmd: string; args: unknown }[]): string[] {
  const found: string[] = [];
  const walk = (value: unknown) => {
    if (typeof value === "string" && /^(\/|~|[A-Za-z]:\\)/u.test(value)) found.push(value);
    else if (value && typeof value === "object") Object.values(value).forEach(walk);
  };
  calls.forEach((c) => walk(c.args));
  return found;
}

const acme: CompanyResearch = {
  profile: {
    domain: "acme.example",
    website: "https://acme.example/",
    name: "Acme",
    description: "Anvils for builders.",
    location: "Austin, TX",
    founded: "2014",
    size: null,
    language: "en",
    socials: [{ network: "linkedin", url: "https://www.linkedin.com/company/acme" }],
    emails: ["sales@acme.example"],
    phones: [],
    tech: [
      { name: "Google Tag Manager", category: "tag_manager" },
      { name: "Stripe", category: "payments" },
    ],
    hiring: 3,
    pricing: ["free_trial"],
    pages: 3,
    flaggedPages: 1,
  },
  researchedAt: Date.now() - 60_000,
  sources: [
    { url: "https://acme.example/", kind: "home", title: "Acme", fetchedAt: Date.now(), flagged: false },
    { url: "https://acme.example/careers", kind: "careers", title: "Jobs", fetchedAt: Date.now(), flagged: true },
  ],
  signals: [{ kind: "tech", name: "Stripe", value: "payments", evidence: "https://js.stripe.com/v3", url: "https://acme.example/" }],
};

describe("research", () => {
  it("follows a run live on the card and in the open lead, then shows the profile", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend([lead({ id: 1, fullName: "Ada", website: "https://acme.example/" })]);
    render(App);
    await screen.findByTestId("board");
    await user.click(within(card("Ada")).getByTestId("lead-name"));
    const drawer = await screen.findByTestId("lead-drawer");
    const panel = await within(drawer).findByTestId("research-panel");
    expect(panel.textContent).toContain("No research yet");

    await user.click(within(panel).getByTestId("research-now"));
    expect(backend.calls.some((c) => c.cmd === "research_leads")).toBe(true);

    await progress({ type: "queued", run: 7, lead: 1 });
    await waitFor(() => expect(within(card("Ada")).getByTestId("research-status").textContent?.trim()).toBe("Queued"));
    expect(within(panel).getByTestId("research-progress").textContent).toContain("Waiting to start");
    expect(within(panel).getByTestId("cancel-research")).toBeTruthy();

    await progress({ type: "started", run: 7, lead: 1, claims: 1 });
    await progress({ type: "stepStarted", run: 7, lead: 1, step: "crawl", attempt: 1 });
    await waitFor(() => expect(within(panel).getByTestId("research-progress").textContent).toContain("Reading the website"));
    expect(within(card("Ada")).getByTestId("research-status").textContent?.trim()).toBe("Researching");

    // The run writes its results; the finished event makes the drawer read them, once.
    backend.research[1] = acme;
    const reads = () => backend.calls.filter((c) => c.cmd === "get_lead").length;
    const readsBefore = reads();
    await progress({ type: "finished", run: 7, lead: 1, duration_ms: 1200, result: ended("succeeded") });
    const profile = await within(drawer).findByTestId("research-profile");
    expect(within(profile).getByTestId("research-description").textContent).toBe("Anvils for builders.");
    expect(within(profile).getByTestId("research-hiring").textContent).toBe("3 open positions");
    const tech = within(profile).getByTestId("research-tech");
    expect(tech.textContent).toContain("Payments");
    expect(within(tech).getByText("Stripe").getAttribute("title")).toBe("https://js.stripe.com/v3");
    const sources = within(profile).getByTestId("research-sources");
    expect(within(sources).getAllByRole("listitem")).toHaveLength(2);
    expect(within(sources).getByText("flagged")).toBeTruthy();
    expect(within(card("Ada")).getByTestId("research-status").textContent?.trim()).toBe("Researched");
    expect(within(panel).getByTestId("rerun-research")).toBeTruthy();
    expect(reads() - readsBefore).toBe(1);
  });

  it("updates the card from the event that ends a run, without reading the lead again", async () => {
    const backend = installFakeBackend([lead({ id: 1, fullName: "Ada", website: "https://acme.example/" })]);
    render(App);
    await screen.findByTestId("board");
    const callsBefore = backend.calls.length;
    await progress({ type: "started", run: 9, lead: 1, claims: 1 });
    await progress({
      type: "finished",
      run: 9,
      lead: 1,
      duration_ms: 900,
      result: {
        ...ended("succeeded"),
        fitScore: 81,
        card: lead({ id: 1, fullName: "Ada", website: "https://acme.example/", companyName: "Acme", fitScore: 81 }),
        changed: ["companyName", "fitScore"],
      },
    });
    await waitFor(() => expect(within(card("Ada")).getByTestId("card-fit").textContent).toBe("Fit 81"));
    expect(card("Ada").getAttribute("aria-label")).toBe("Ada, Acme");
    expect(within(card("Ada")).getByTestId("research-status").textContent?.trim()).toBe("Researched");
    expect(backend.calls.slice(callsBefore).map((c) => c.cmd)).toEqual([]);

    // A cancelled run's event says so on the card, and changes nothing else.
    await progress({ type: "cancelled", run: 10, lead: 1, result: ended("cancelled") });
    await waitFor(() => expect(within(card("Ada")).getByTestId("research-status").textContent?.trim()).not.toBe("Researched"));
    expect(within(card("Ada")).getByTestId("card-fit").textContent).toBe("Fit 81");
    expect(backend.calls.slice(callsBefore).map((c) => c.cmd)).toEqual([]);
  });

  it("says why a run failed and why a lead cannot be researched", async () => {
    const user = userEvent.setup();
    installFakeBackend([lead({ id: 1, fullName: "Ada", website: "https://acme.example/" }), lead({ id: 2, fullName: "Bob" })]);
    render(App);
    await screen.findByTestId("board");
    await progress({
      type: "failed",
      run: 3,
      lead: 1,
      reason: "acme.example asks crawlers not to read its homepage (robots.txt), so Leadscout did not.",
      result: ended("failed", "acme.example asks crawlers not to read its homepage (robots.txt), so Leadscout did not."),
    });
    await waitFor(() => expect(within(card("Ada")).getByTestId("research-status").title).toContain("robots.txt"));
    await user.click(within(card("Ada")).getByTestId("lead-name"));
    const failure = await screen.findByTestId("research-failure");
    expect(failure.textContent).toContain("robots.txt");

    await user.click(within(card("Bob")).getByTestId("lead-name"));
    await waitFor(() => expect(screen.getByTestId("drawer-name").textContent).toBe("Bob"));
    const panel = screen.getByTestId("research-panel");
    expect(within(panel).queryByTestId("research-now")).toBeNull();
    expect(panel.textContent).toContain("Add the company's website or the lead's work email");
  });

  it("researches a whole stage from the command palette and counts what it skipped", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend([
      lead({ id: 1, fullName: "Ada", website: "https://acme.example/" }),
      lead({ id: 2, fullName: "Bob" }),
      lead({ id: 3, fullName: "Cy", email: "cy@initech.example" }),
    ]);
    render(App);
    await screen.findByTestId("board");
    await user.keyboard("{Control>}k{/Control}");
    await screen.findByTestId("search");
    await user.keyboard("research every lead in new");
    await waitFor(() =>
      expect(screen.getAllByTestId("palette-action").map((a) => a.textContent)).toEqual(["Action Research every lead in New"]),
    );
    await user.keyboard("{Enter}");
    await waitFor(() =>
      expect(screen.getByRole("status").textContent).toContain("Researching 2 leads; 1 without a website or work email skipped"),
    );
    const call = backend.calls.find((c) => c.cmd === "research_leads");
    expect(call?.args).toEqual({ ids: [1, 2, 3], force: false });
  });

  it("opens the lead a notification was clicked for", async () => {
    installFakeBackend([lead({ id: 1, fullName: "Ada" }), lead({ id: 2, fullName: "Grace" })]);
    render(App);
    await screen.findByTestId("board");
    const scrolled: string[] = [];
    const original = Element.prototype.scrollIntoView;
    Element.prototype.scrollIntoView = function (this: Element) {
      scrolled.push(this.id);
    };
    try {
      await emit("open-lead", 2);
      await waitFor(() => expect(screen.getByTestId("drawer-name").textContent).toBe("Grace"));
      // It opens on the research, which is what the notification was about.
      await waitFor(() => expect(scrolled).toContain("research-h"));
    } finally {
      Element.prototype.scrollIntoView = original;
    }
  });
});

describe("settings", () => {
  it("loads, refuses an out-of-range value with a message, and saves", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend([lead({ id: 1, fullName: "Ada" })]);
    render(App);
    await screen.findByTestId("board");
    // Nothing of it shows until every section has its data: each would push the next down
    // under the pointer.
    let release = () => {};
    backend.held.customFields = new Promise<void>((resolve) => (release = resolve));
    await user.keyboard("{Control>},{/Control}");
    const dialog = await screen.findByTestId("settings-dialog");
    expect((await within(dialog).findByRole("status")).textContent).toBe("Loading your settings…");
    expect(dialog.getAttribute("aria-busy")).toBe("true");
    expect(dialog.classList.contains("settling")).toBe(true);
    release();
    await waitFor(() => expect(dialog.getAttribute("aria-busy")).toBe("false"));
    expect(dialog.classList.contains("settling")).toBe(false);
    expect(within(dialog).queryByText("Loading your settings…")).toBeNull();
    await waitFor(() => expect(document.activeElement?.getAttribute("name")).toBe("company"));
    for (const part of ["my-profile", "api-key-openai", "your-data"]) expect(within(dialog).getByTestId(part)).toBeTruthy();
    const auto = await within(dialog).findByRole("checkbox", { name: /Research new leads automatically/u });
    expect((auto as HTMLInputElement).checked).toBe(true);
    await user.click(auto);
    const workers = within(dialog).getByRole("spinbutton");
    await user.clear(workers);
    await user.type(workers, "12");
    await user.click(within(dialog).getByTestId("save-settings"));
    expect((await within(dialog).findByTestId("field-error-workers")).textContent).toContain("between 1 and 8");
    await user.clear(workers);
    await user.type(workers, "2");
    await user.click(within(dialog).getByTestId("save-settings"));
    await waitFor(() => expect(screen.queryByTestId("settings-dialog")).toBeNull());
    expect(backend.settings).toMatchObject({ researchOnCreate: false, notifications: true, workers: 2, onboarded: true });
    expect(screen.getByRole("status").textContent).toContain("applies after a restart");
  });
});

describe("API keys", () => {
  it("saves a key to the keychain without ever showing it again, and explains a missing keychain", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend([lead({ id: 1, fullName: "Ada" })]);
    render(App);
    await screen.findByTestId("board");
    await user.click(screen.getByTestId("open-settings"));
    const openai = await screen.findByTestId("api-key-openai");
    expect(within(openai).getByTestId("api-key-state").textContent).toBe("Not set");
    await user.click(within(openai).getByRole("button", { name: "Add key" }));
    await user.type(within(openai).getByLabelText("OpenAI API key"), "sk-test-123{Enter}");
    await waitFor(() => expect(within(openai).getByTestId("api-key-state").textContent).toMatch(/^Set /u));
    expect(backend.keychain.openai.key).toBe("sk-test-123");
    expect(document.body.innerHTML).not.toContain("sk-test-123");

    backend.keychainFailure =
      "No system keychain is available (no Secret Service). Leadscout keeps API keys only in the system keychain, so nothing was saved.";
    const anthropic = screen.getByTestId("api-key-anthropic");
    await user.click(within(anthropic).getByRole("button", { name: "Add key" }));
    await user.type(within(anthropic).getByLabelText("Anthropic API key"), "sk-ant-456{Enter}");
    expect((await within(anthropic).findByTestId("api-key-error")).textContent).toContain("No system keychain");
    expect(backend.keychain.anthropic).toBeUndefined();
    expect(document.body.innerHTML).not.toContain("sk-ant-456");

    await user.click(within(openai).getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(within(openai).getByTestId("api-key-state").textContent).toBe("Not set"));
    expect(backend.keychain.openai).toBeUndefined();
  });
});

describe("first run", () => {
  it("welcomes a new user, finds the local model server, and does not come back once saved", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend([]);
    backend.settings.onboarded = false;
    backend.localServers = [{ provider: "ollama", baseUrl: "http://127.0.0.1:11434/", models: ["llama3.2:3b", "qwen2.5:7b"] }];
    render(App);
    await screen.findByTestId("welcome");
    await user.click(screen.getByTestId("welcome-setup"));
    const dialog = await screen.findByTestId("settings-dialog");
    expect(within(dialog).getByRole("heading").textContent).toBe("Welcome to Leadscout");
    await user.type(within(dialog).getByLabelText("What you sell"), "Anvil insurance");
    await user.click(await within(dialog).findByRole("button", { name: "Use Ollama (2 models)" }));
    expect((within(dialog).getByLabelText("Model") as HTMLInputElement).value).toBe("llama3.2:3b");
    await user.click(within(dialog).getByTestId("test-model"));
    expect((await within(dialog).findByTestId("model-test-result")).textContent).toContain("can do research");
    expect(within(dialog).getByTestId("model-test-figures").textContent).toContain("llama3.2:3b: 4.1 s, 612 + 148 tokens");
    expect(within(dialog).queryByTestId("model-template-warning")).toBeNull();
    await user.click(within(dialog).getByTestId("save-settings"));
    await waitFor(() => expect(screen.queryByTestId("settings-dialog")).toBeNull());
    expect(screen.queryByTestId("welcome")).toBeNull();
    expect(backend.settings).toMatchObject({
      onboarded: true,
      model: { provider: "ollama", baseUrl: "http://127.0.0.1:11434/", model: "llama3.2:3b" },
      profile: { offering: "Anvil insurance" },
    });
  });

  it("tests a model with the deadlines as typed, says why it cannot do research, and warns of a missing chat template", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend([]);
    backend.modelTest = {
      verdict: "cut_off",
      summary: "Not usable for research: the answer ran to the output limit twice, even when asked for fewer items.",
      templateWarning: "gemma-3-270m has no chat template on this server, so it reads the conversation in a format it was not trained on.",
    };
    render(App);
    await user.click(await screen.findByTestId("open-settings"));
    const dialog = await screen.findByTestId("settings-dialog");
    await user.selectOptions(within(dialog).getByLabelText("Provider"), "openai_compatible");
    await user.type(within(dialog).getByLabelText("Server address"), "http://127.0.0.1:8080/v1");
    await user.type(within(dialog).getByLabelText("Model"), "gemma-3-270m");
    const silence = within(dialog).getByLabelText("Local server: give up after this many seconds without a word");
    expect((silence as HTMLInputElement).value).toBe("120");
    await user.clear(silence);
    await user.type(silence, "300");
    await user.click(within(dialog).getByTestId("test-model"));
    const result = await within(dialog).findByTestId("model-test-result");
    expect(result.dataset.verdict).toBe("cut_off");
    expect(result.textContent).toContain("Not usable for research");
    expect(within(dialog).getByTestId("model-template-warning").textContent).toContain("no chat template");
    expect(backend.modelTests.at(-1)).toMatchObject({
      provider: "openai_compatible",
      model: "gemma-3-270m",
      timeouts: { totalSeconds: 180, silenceSeconds: 300 },
    });

    await user.click(within(dialog).getByTestId("save-settings"));
    await waitFor(() => expect(backend.settings.timeouts).toEqual({ totalSeconds: 180, silenceSeconds: 300 }));
  });

  it("can be dismissed for good, and an unfit spending cap is explained", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend([]);
    backend.settings.onboarded = false;
    render(App);
    await user.click(await screen.findByTestId("welcome-dismiss"));
    expect(screen.queryByTestId("welcome")).toBeNull();
    await waitFor(() => expect(backend.settings.onboarded).toBe(true));

    await user.click(screen.getByTestId("open-settings"));
    const dialog = await screen.findByTestId("settings-dialog");
    await user.type(within(dialog).getByLabelText("Model spend per day ($)"), "lots");
    await user.click(within(dialog).getByTestId("save-settings"));
    expect((await within(dialog).findByTestId("field-error-perDayCents")).textContent).toContain("amount in dollars");
    await user.clear(within(dialog).getByLabelText("Model spend per day ($)"));
    await user.type(within(dialog).getByLabelText("Model spend per day ($)"), "5");
    await user.click(within(dialog).getByTestId("save-settings"));
    await waitFor(() => expect(backend.settings.budget?.perDayCents).toBe(500));
  });
});

describe("model settings", () => {
  it("sends a key only to its provider: a new provider drops the old address, and where the key goes is shown", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend([]);
    backend.localServers = [{ provider: "ollama", baseUrl: "http://127.0.0.1:11434/", models: ["llama3.2:3b"] }];
    render(App);
    await screen.findByTestId("board");
    await user.click(screen.getByTestId("open-settings"));
    const dialog = await screen.findByTestId("settings-dialog");
    await user.click(within(dialog).getByTestId("detect-local"));
    await user.click(await within(dialog).findByRole("button", { name: "Use Ollama (1 model)" }));
    expect(within(dialog).queryByTestId("key-destination")).toBeNull();

    await user.selectOptions(within(dialog).getByLabelText("Provider"), "openai");
    const endpoint = within(dialog).getByLabelText("Custom https endpoint (optional)") as HTMLInputElement;
    expect(endpoint.value).toBe("");
    expect(within(dialog).getByTestId("key-destination").textContent?.trim()).toBe("Your key is sent to https://api.openai.com/v1.");

    await user.type(endpoint, "http://127.0.0.1:11434/v1");
    await user.click(within(dialog).getByTestId("save-settings"));
    expect((await within(dialog).findByTestId("field-error-baseUrl")).textContent).toContain("only over https");
    expect(backend.settings.model?.provider ?? null).toBeNull();

    await user.clear(endpoint);
    await user.type(endpoint, "https://llm-gateway.example.com/v1");
    expect(within(dialog).getByTestId("key-destination").textContent).toContain(
      "Your key is sent to https://llm-gateway.example.com/v1, not to OpenAI's own address.",
    );
    await user.clear(endpoint);
    await user.clear(within(dialog).getByLabelText("Model"));
    await user.type(within(dialog).getByLabelText("Model"), "gpt-4o-mini");
    await user.click(within(dialog).getByTestId("save-settings"));
    await waitFor(() => expect(screen.queryByTestId("settings-dialog")).toBeNull());
    expect(backend.settings.model).toEqual({ provider: "openai", baseUrl: null, model: "gpt-4o-mini" });
  });
});

describe("CSV import", () => {
  it("previews a file, lets the mapping be changed, imports and shows what happened", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend([lead({ id: 1, fullName: "Ada" })]);
    render(App);
    await screen.findByTestId("board");
    await user.click(screen.getByTestId("open-import"));
    const dialog = await screen.findByTestId("import-dialog");
    expect(within(dialog).queryByRole("textbox")).toBeNull();
    backend.dialogPath = "/home/ada/missing.csv";
    await user.click(within(dialog).getByTestId("choose-file"));
    expect((await within(dialog).findByTestId("import-error")).textContent).toContain("Cannot open /home/ada/missing.csv");

    backend.dialogPath = "/home/ada/contacts.csv";
    await user.click(within(dialog).getByTestId("choose-file"));
    const facts = await within(dialog).findByTestId("import-facts");
    expect(facts.textContent).toContain("3 rows (1 cannot be imported)");
    expect(facts.textContent).toContain("looks like a HubSpot export");
    expect(within(dialog).getByTestId("import-sample").textContent).toContain("No name or email in this row.");
    // What the mapping leaves out is counted before anything is imported.
    const leftOut = within(dialog).getByTestId("import-left-out").textContent ?? "";
    expect(leftOut).toContain("1 value left out or changed; each row says why.");
    expect(leftOut).toContain("Fax (2 rows)");

    // Unmapping every name and email column is refused before anything is sent.
    for (const label of ["Import First Name as", "Import Last Name as", "Import Email as"]) {
      await user.selectOptions(within(dialog).getByLabelText(label), "Not imported");
    }
    expect(within(dialog).getByText(/every lead needs one of them/u)).toBeTruthy();
    expect((within(dialog).getByTestId("run-import") as HTMLButtonElement).disabled).toBe(true);
    await user.selectOptions(within(dialog).getByLabelText("Import First Name as"), "First name");
    await user.selectOptions(within(dialog).getByLabelText("Import Last Name as"), "Last name");
    await user.selectOptions(within(dialog).getByLabelText("Import Fax as"), "Phone");
    await user.click(within(dialog).getByLabelText("Fill their empty fields"));
    await user.click(within(dialog).getByTestId("import-research"));
    await user.click(within(dialog).getByTestId("run-import"));

    const summary = await within(dialog).findByTestId("import-summary");
    expect(summary.textContent).toContain("2 created");
    expect(summary.textContent).toContain("Line 4: No name or email in this row.");
    expect(backend.imports[0]).toEqual({
      id: 1,
      mapping: { columns: ["firstName", "lastName", null, "phone"], preset: "HubSpot", custom: [] },
      duplicates: "merge",
      // The pipeline on screen, the only one.
      pipelineId: 1,
    });
    await waitFor(() => expect(screen.getAllByTestId("lead-name").map((n) => n.textContent)).toContain("Renée Dubois"));
    // Research was asked for: the new leads are queued (the fake backend skips those without a website).
    expect((await within(dialog).findByTestId("import-researching")).textContent).toContain("Researching");
    expect(backend.calls.find((c) => c.cmd === "research_leads")).toBeTruthy();

    // A cancelled save dialog leaves the summary as it was.
    backend.dialogPath = null;
    await user.click(within(dialog).getByTestId("save-report"));
    await waitFor(() => expect(backend.calls.filter((c) => c.cmd === "save_import_report")).toHaveLength(1));
    expect(within(dialog).queryByText(/Saved to/u)).toBeNull();
    expect(within(dialog).queryByTestId("import-error")).toBeNull();

    backend.dialogPath = "/home/ada/problems.csv";
    await user.click(within(dialog).getByTestId("save-report"));
    await waitFor(() => expect(backend.exports).toContainEqual({ report: "/home/ada/problems.csv", id: 1 }));
    expect((await within(dialog).findByText(/Saved to/u)).textContent).toContain("/home/ada/problems.csv");
    // The report is asked for by the import's handle: no path and no report text went out.
    expect(backend.calls.find((c) => c.cmd === "save_import_report")?.args).toEqual({ id: 1 });
    expect(sentPaths(backend.calls)).toEqual([]);
  });

  it("previews a file dropped on the window, which the backend holds", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend([lead({ id: 1, fullName: "Ada" })]);
    render(App);
    await screen.findByTestId("board");
    await user.click(screen.getByTestId("open-import"));
    const dialog = await screen.findByTestId("import-dialog");
    backend.droppedPath = "/home/ada/contacts.csv";
    await emit("file-dropped", "contacts.csv");
    expect((await within(dialog).findByTestId("import-facts")).textContent).toContain("contacts.csv");
    expect(backend.calls.find((c) => c.cmd === "preview_import")?.args).toEqual({ source: "dropped" });
    expect(sentPaths(backend.calls)).toEqual([]);
  });
});

describe("your data", () => {
  it("exports through the save dialog and backs up, and a cancelled dialog does nothing", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend([lead({ id: 1, fullName: "Ada" }), lead({ id: 2, fullName: "Bob" })]);
    render(App);
    await screen.findByTestId("board");
    await user.click(screen.getByTestId("open-settings"));
    const data = await screen.findByTestId("your-data");
    await user.click(within(data).getByRole("button", { name: "Export CSV for Excel" }));
    await waitFor(() => expect(backend.calls.filter((c) => c.cmd === "export_leads")).toHaveLength(1));
    expect(backend.exports).toEqual([]);
    expect(within(data).queryByRole("alert")).toBeNull();

    backend.dialogPath = "/home/ada/leads.csv";
    await user.click(within(data).getByRole("button", { name: "Export CSV for Excel" }));
    await waitFor(() => expect(screen.getByRole("status").textContent).toContain("Exported 2 leads to /home/ada/leads.csv"));
    expect(backend.exports[0]).toEqual({ path: "/home/ada/leads.csv", format: "csvExcel" });

    backend.dialogPath = "/home/ada/backup.sqlite3";
    await user.click(within(data).getByTestId("backup"));
    await waitFor(() => expect(screen.getByRole("status").textContent).toContain("Backed up to /home/ada/backup.sqlite3 (2.4 MB)"));
    expect(sentPaths(backend.calls)).toEqual([]);
  });

  it("stages a restore and says what the next start will do; the start then says what happened", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend([lead({ id: 1, fullName: "Ada" })]);
    backend.dialogPath = "/home/ada/backup.sqlite3";
    render(App);
    await screen.findByTestId("board");
    await user.click(screen.getByTestId("open-settings"));
    await user.click(await screen.findByTestId("restore"));
    expect((await screen.findByTestId("restore-staged")).textContent).toContain("restart Leadscout to finish. The backup (42 leads)");
    expect(backend.exports).toEqual([{ restore: "/home/ada/backup.sqlite3" }]);
    expect(backend.calls.find((c) => c.cmd === "restore_database")?.args).toEqual({});
  });

  it("tells at start that a backup was restored", async () => {
    const backend = installFakeBackend([lead({ id: 1, fullName: "Ada" })]);
    backend.notice = "Restored from the backup. The data it replaced is kept at /data/leadscout.sqlite3.before-restore-1.";
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
      render(App);
      await waitFor(() => expect(screen.getByRole("status").textContent).toContain("Restored from the backup."));
      // Where the replaced data is kept is not lost to a timer: it stays until dismissed.
      await vi.advanceTimersByTimeAsync(60_000);
      expect(screen.getByRole("status").textContent).toContain("before-restore-1");
      await user.click(screen.getByTestId("dismiss-toast"));
      expect(screen.queryByRole("status")).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  it("imports a file chosen in the open dialog", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend([lead({ id: 1, fullName: "Ada" })]);
    backend.dialogPath = "/home/ada/contacts.csv";
    render(App);
    await screen.findByTestId("board");
    await user.click(screen.getByTestId("open-import"));
    const dialog = await screen.findByTestId("import-dialog");
    await user.click(within(dialog).getByRole("button", { name: "Choose file…" }));
    expect((await within(dialog).findByTestId("import-facts")).textContent).toContain("contacts.csv");

    // Cancelling the next dialog keeps the file already previewed.
    backend.dialogPath = null;
    await user.click(within(dialog).getByRole("button", { name: "Choose another file…" }));
    await waitFor(() => expect(backend.calls.filter((c) => c.cmd === "preview_import")).toHaveLength(2));
    expect(within(dialog).getByTestId("import-facts").textContent).toContain("contacts.csv");
    expect(within(dialog).queryByTestId("import-error")).toBeNull();
  });
});

describe("merging duplicates", () => {
  it("finds the duplicate, lets each differing field be chosen, and merges it away", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend([
      lead({ id: 1, fullName: "Ada Lovelace", email: null, title: "Countess" }),
      lead({ id: 2, fullName: "Ada L.", email: "ada@analytical.example", title: "Mathematician" }),
    ]);
    render(App);
    await screen.findByTestId("board");
    await user.click(within(card("Ada Lovelace")).getByTestId("lead-name"));
    const drawer = await screen.findByTestId("lead-drawer");
    await user.click(within(drawer).getByTestId("merge-lead"));
    const dialog = await screen.findByTestId("merge-dialog");
    await user.type(within(dialog).getByLabelText("Find the duplicate"), "ada");
    const hits = await within(dialog).findByTestId("merge-hits");
    await user.click(await within(hits).findByRole("button", { name: /Ada L\./u }));
    const fields = await within(dialog).findByTestId("merge-fields");
    // Empty here, set there: taken by default. Set in both: kept unless chosen.
    expect((within(fields).getByLabelText("Take Email from Ada L.") as HTMLInputElement).checked).toBe(true);
    expect((within(fields).getByLabelText("Take Title from Ada L.") as HTMLInputElement).checked).toBe(false);
    await user.click(within(dialog).getByTestId("merge-submit"));
    await waitFor(() => expect(screen.queryByTestId("merge-dialog")).toBeNull());
    expect(backend.calls.find((c) => c.cmd === "merge_leads")?.args).toEqual({ keep: 1, other: 2, take: ["email"] });
    await waitFor(() => expect(screen.getAllByTestId("lead-name").map((n) => n.textContent)).toEqual(["Ada Lovelace"]));
  });
});
