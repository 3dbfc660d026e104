import { describe, expect, it } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import App from "../App.svelte";
import { installFakeBackend, lead } from "../test/fake-backend";
import { card } from "../test/board-dom";
import type { Company, CompanyResearch, InsightsView, ModelCallView } from "../ipc/bindings";

const research: CompanyResearch = {
  profile: {
    domain: "acme.example",
    website: "https://acme.example/",
    name: "Acme",
    description: null,
    location: null,
    founded: null,
    size: null,
    language: "en",
    socials: [],
    emails: [],
    phones: [],
    tech: [],
    hiring: null,
    pricing: [],
    pages: 2,
    flaggedPages: 1,
  },
  researchedAt: Date.now() - 60_000,
  sources: [{ url: "https://acme.example/", kind: "home", title: "Acme", fetchedAt: Date.now(), flagged: false }],
  signals: [],
  facts: [
    {
      key: "F1",
      field: "what_they_do",
      value: "Drop-forged anvils",
      quote: "Acme makes drop-forged anvils",
      sourceUrl: "https://acme.example/",
      confidence: 0.9,
      verified: true,
      problem: null,
    },
    {
      key: "F2",
      field: "customers",
      value: "2,000 workshops",
      quote: "Trusted by 2,000 workshops",
      sourceUrl: "https://acme.example/customers",
      confidence: 0.8,
      verified: true,
      problem: null,
    },
    {
      key: "F3",
      field: "size_band",
      value: "500-1000 employees",
      quote: "We employ a thousand people",
      sourceUrl: "https://acme.example/",
      confidence: 0.4,
      verified: false,
      problem: "the quote is not in the cited page",
    },
  ],
};

const insights = (over: Partial<InsightsView> = {}): InsightsView => ({
  summary: "Acme sells anvils to 2,000 workshops; <b>a strong match</b>.",
  summaryVerified: true,
  fitScore: 78,
  fitVerified: true,
  fitReasons: [
    { text: "They make what your customers buy.", factIds: ["F1"], verified: true },
    { text: "A large base of workshops.", factIds: ["F2"], verified: true },
    { text: "Big enough to need it.", factIds: ["F3"], verified: false },
  ],
  talkingPoints: [{ text: "Ask how they track anvils.", factIds: ["F1"], verified: true }],
  risks: [],
  nextBestAction: { text: "Email the head of operations.", factIds: ["F1"], verified: true },
  model: "gpt-4o-mini",
  createdAt: Date.now() - 30_000,
  ...over,
});

const call = (over: Partial<ModelCallView>): ModelCallView => ({
  id: 1,
  run: 5,
  stage: "footprint",
  attempt: 1,
  turn: 1,
  promptId: "lead-research/footprint",
  promptVersion: 1,
  provider: "openai",
  model: "gpt-4o-mini",
  layers: {
    shared: "Today is 2026-11-30.\nThe lead: Ada",
    stage: "Task: extract facts about Acme",
    task: '<source id="S1" url="https://acme.example/">\n<img src=x onerror="window.pwned=1">Acme makes drop-forged anvils\n</source>',
    repair: null,
  },
  tokensShared: 12,
  tokensStage: 180,
  tokensTask: 950,
  tokensIn: 1190,
  tokensOut: 240,
  tokensCached: 0,
  costUsd: 0.00032,
  latencyMs: 2400,
  outcome: "valid",
  errors: [],
  grounding: [
    { claim: "F1 (what_they_do: Drop-forged anvils)", verified: true, problem: null },
    { claim: "F3 (size_band: 500-1000 employees)", verified: false, problem: "the quote is not in the cited page" },
  ],
  createdAt: Date.now() - 40_000,
  ...over,
});

async function openAda(user: ReturnType<typeof userEvent.setup>) {
  render(App);
  await screen.findByTestId("board");
  await user.click(within(card("Ada")).getByTestId("lead-name"));
  return within(await screen.findByTestId("lead-drawer"));
}

describe("insights", () => {
  it("shows the verified score, reasons with their facts, and keeps unverified claims apart", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend([lead({ id: 1, fullName: "Ada", website: "https://acme.example/", fitScore: 78 })]);
    backend.research[1] = research;
    backend.insights[1] = insights();
    const drawer = await openAda(user);
    const panel = within(await drawer.findByTestId("research-insights"));
    expect(panel.getByTestId("fit-score").textContent).toContain("78");
    // Model text is text: markup in it is shown, never run.
    expect(panel.getByTestId("insights-summary").textContent).toBe("Acme sells anvils to 2,000 workshops; <b>a strong match</b>.");
    expect(panel.getByTestId("insights-summary").querySelector("b")).toBeNull();
    const reasons = panel.getByTestId("fit-reasons");
    expect(within(reasons).getAllByRole("listitem")).toHaveLength(3);
    expect(within(reasons).getAllByText("unverified")).toHaveLength(1);
    expect(within(reasons).getAllByRole("listitem")[0].getAttribute("title")).toBe('F1: "Acme makes drop-forged anvils"');
    const facts = panel.getByTestId("research-facts");
    expect(within(facts).getAllByRole("listitem")).toHaveLength(2);
    expect(facts.textContent).toContain("Trusted by 2,000 workshops");
    const unverified = panel.getByTestId("unverified-facts");
    expect(unverified.textContent).toContain("1 claim could not be verified and was not used");
    expect(unverified.textContent).toContain("the quote is not in the cited page");
    // A fact's page opens in the system browser, not in the app's window.
    await user.click(within(facts).getAllByTestId("source-link")[1]);
    expect(backend.calls.find((c) => c.cmd === "plugin:opener|open_url")?.args).toMatchObject({ url: "https://acme.example/customers" });
    // The card carries the lead's verified score.
    expect(within(card("Ada")).getByTestId("card-fit").textContent).toBe("Fit 78");
  });

  it("says plainly when the model's score rests on nothing verified", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend([lead({ id: 1, fullName: "Ada", website: "https://acme.example/" })]);
    backend.research[1] = research;
    backend.insights[1] = insights({ fitScore: 100, fitVerified: false });
    const drawer = await openAda(user);
    const panel = await drawer.findByTestId("research-insights");
    expect(panel.textContent).toContain("The model's score of 100 is not used");
    expect(within(panel).getByTestId("fit-score").className).toContain("unchecked");
    expect(within(card("Ada")).queryByTestId("card-fit")).toBeNull();
  });

  it("marks an unverified summary and never makes it the drawer's headline", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend([lead({ id: 1, fullName: "Ada", website: "https://acme.example/", fitScore: 78 })]);
    backend.research[1] = research;
    backend.insights[1] = insights({ summary: "Raised $2B last week; the best lead there is.", summaryVerified: false });
    const drawer = await openAda(user);
    const panel = within(await drawer.findByTestId("research-insights"));
    expect(panel.getByTestId("insights-summary").textContent).toBe("Raised $2B last week; the best lead there is.");
    expect(panel.getByTestId("summary-unverified").textContent).toBe("unverified");
    const verdict = drawer.getByTestId("drawer-verdict").textContent ?? "";
    expect(verdict).toContain("Fit 78");
    expect(verdict).not.toContain("Raised $2B");
    expect(verdict).toContain("unverified");
  });

  it("shows why the AI step did not finish beside the website research, and retries it alone", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend([lead({ id: 1, fullName: "Ada", website: "https://acme.example/" })]);
    backend.research[1] = { ...research, facts: [] };
    backend.aiProblem[1] = "The model repeated itself until it ran out of room; a larger model usually fixes this.";
    const drawer = await openAda(user);
    const problem = within(await drawer.findByTestId("ai-problem"));
    expect(problem.getByText(/The AI step did not finish\./u)).toBeTruthy();
    expect(drawer.getByTestId("ai-problem").textContent).toContain("a larger model usually fixes this");
    // The website research is still shown.
    expect(drawer.getByTestId("research-profile")).toBeTruthy();
    await user.click(problem.getByTestId("retry-ai"));
    // A research request that reuses what was read: not a forced re-run.
    await waitFor(() => expect(backend.calls.find((c) => c.cmd === "research_leads")?.args).toEqual({ ids: [1], force: false }));
  });

  it("opens the context inspector with each layer as sent, the figures and the checks", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend([lead({ id: 1, fullName: "Ada", website: "https://acme.example/" })]);
    backend.research[1] = research;
    backend.insights[1] = insights();
    backend.modelCalls[1] = [
      call({ id: 1, outcome: "invalid", errors: ["the answer is not valid JSON: EOF while parsing"], grounding: [] }),
      call({
        id: 2,
        turn: 2,
        layers: { ...call({}).layers, repair: "Your answer did not pass validation:\n- the answer is not valid JSON" },
      }),
      call({
        id: 3,
        stage: "insights",
        promptId: "lead-research/insights",
        grounding: [{ claim: "fit score", verified: true, problem: null }],
      }),
    ];
    const drawer = await openAda(user);
    await user.click(await drawer.findByTestId("open-inspector"));
    const inspector = within(await screen.findByTestId("context-inspector"));
    expect(backend.calls.find((c) => c.cmd === "context_inspector")?.args).toEqual({ lead: 1 });
    const tabs = inspector.getAllByTestId("inspector-call");
    expect(tabs.map((t) => t.textContent?.replace(/\s+/gu, " ").trim())).toEqual([
      "Company facts invalid",
      "Company facts · repair valid",
      "Fit and insights valid",
    ]);
    expect(inspector.getByTestId("inspector-errors").textContent).toContain("not valid JSON");

    await user.click(tabs[1]);
    const layers = inspector.getAllByTestId("inspector-layer");
    expect(layers.map((l) => l.textContent?.split("\n")[0])).toEqual([
      "Today is 2026-11-30.",
      "Task: extract facts about Acme",
      '<source id="S1" url="https://acme.example/">',
    ]);
    // Web text in the task layer is shown as text, never as markup.
    expect(layers[2].querySelector("img")).toBeNull();
    expect((window as unknown as { pwned?: number }).pwned).toBeUndefined();
    expect(inspector.getByText(/Your answer did not pass validation/u)).toBeTruthy();
    const figures = inspector.getByTestId("inspector-figures").textContent ?? "";
    expect(figures).toContain("gpt-4o-mini");
    expect(figures).toContain("1,190 / 240");
    expect(figures).toContain("$0.0003");
    expect(figures).toContain("2.4 s");
    const grounding = inspector.getByTestId("inspector-grounding");
    expect(grounding.textContent).toContain("the quote is not in the cited page");

    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByTestId("context-inspector")).toBeNull());
    expect(screen.getByTestId("lead-drawer")).toBeTruthy();
  });

  it("tells how to get insights when no model was asked", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend([lead({ id: 1, fullName: "Ada", website: "https://acme.example/" })]);
    backend.research[1] = { ...research, facts: [research.facts![0]] };
    const drawer = await openAda(user);
    await user.click(await drawer.findByTestId("open-inspector"));
    expect((await screen.findByTestId("inspector-empty")).textContent).toContain("Choose a model in Settings");
  });
});

describe("prompts in settings", () => {
  it("lists the prompts and resets an override", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend([lead({ id: 1, fullName: "Ada" })]);
    render(App);
    await screen.findByTestId("board");
    await user.keyboard("{Control>},{/Control}");
    const section = within(await screen.findByTestId("prompts"));
    const rows = await section.findAllByTestId("prompt-row");
    expect(rows).toHaveLength(2);
    expect(rows[1].textContent).toContain("Your version");
    expect(section.getByText(/\/home\/ada\/\.local\/share\/app\.leadscout\.desktop\/prompts$/u)).toBeTruthy();
    await user.click(section.getByTestId("reset-prompt"));
    await waitFor(() => expect(section.queryByTestId("reset-prompt")).toBeNull());
    expect(backend.calls.find((c) => c.cmd === "reset_prompt")?.args).toEqual({ id: "lead-research/insights" });
    expect(section.getAllByTestId("prompt-row")[1].textContent).toContain("Built in");
  });
});

describe("research review", () => {
  const company = (): Company => ({
    id: 9,
    domain: "acme.example",
    name: "Acme",
    website: "https://acme.example/",
    description: null,
    industry: "Anvils for builders",
    sizeBand: null,
    location: null,
    socials: [],
    researchedFields: ["industry"],
    provenance: { industry: { url: "https://acme.example/", quote: "Anvils for builders", by: "model", at: Date.now() - 86_400_000 } },
    createdAt: 0,
    updatedAt: 0,
  });

  it("shows a proposed change as a diff with its evidence and applies it only when approved", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend([lead({ id: 1, fullName: "Ada", website: "https://acme.example/" })]);
    backend.research[1] = research;
    backend.companies[1] = company();
    backend.proposals[1] = [
      {
        id: 4,
        field: "industry",
        current: "Anvils for builders",
        proposed: "Metal forging",
        url: "https://acme.example/",
        quote: "Drop-forged steel, tracked from forge to workshop",
        by: "model",
        createdAt: Date.now(),
      },
    ];
    const drawer = await openAda(user);
    // The value research wrote carries its provenance.
    const marker = await drawer.findByTestId("provenance-industry");
    expect(marker.textContent).toBe("AI");
    expect(marker.title).toContain("a verified model fact (https://acme.example/): “Anvils for builders”");
    const proposal = within(await drawer.findByTestId("proposal"));
    expect(proposal.getByTitle("Now").textContent).toBe("Anvils for builders");
    expect(proposal.getByTitle("Proposed").textContent).toBe("Metal forging");
    expect(proposal.getByText(/Drop-forged steel/u)).toBeTruthy();

    await user.click(proposal.getByTestId("approve-proposal"));
    await waitFor(() => expect(drawer.queryByTestId("proposals")).toBeNull());
    expect(backend.calls.find((c) => c.cmd === "decide_proposals")?.args).toEqual({ lead: 1, ids: [4], approve: true });
    expect(drawer.getByText("Metal forging")).toBeTruthy();
    expect(drawer.getByTestId("provenance-industry").title).toContain("Drop-forged steel");
  });

  it("shows the cost before research and each run's stages with tokens and cost", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend([lead({ id: 1, fullName: "Ada", website: "https://acme.example/" })]);
    backend.research[1] = research;
    backend.estimate = {
      model: "gpt-4o-mini",
      usd: 0.0021,
      tokensIn: 9000,
      tokensOut: 1200,
      measured: true,
      todayUsd: 0.12,
      perDayCents: 100,
      perLeadCents: null,
    };
    backend.history[1] = [
      {
        id: 8,
        status: "succeeded",
        trigger: "manual",
        error: null,
        createdAt: Date.now() - 5000,
        finishedAt: Date.now() - 1000,
        costUsd: 0.0019,
        steps: [
          {
            step: "crawl",
            attempt: 1,
            status: "succeeded",
            reused: true,
            durationMs: 0,
            model: null,
            tokensIn: null,
            tokensOut: null,
            costUsd: null,
            error: null,
          },
          {
            step: "footprint",
            attempt: 1,
            status: "failed",
            reused: false,
            durationMs: 1200,
            model: "gpt-4o-mini",
            tokensIn: null,
            tokensOut: null,
            costUsd: null,
            error: "OpenAI rate-limited the call (retry after 2 s): slow down",
          },
          {
            step: "footprint",
            attempt: 2,
            status: "succeeded",
            reused: false,
            durationMs: 2400,
            model: "gpt-4o-mini",
            tokensIn: 6100,
            tokensOut: 800,
            costUsd: 0.0014,
            error: null,
          },
        ],
      },
    ];
    const drawer = await openAda(user);
    expect((await drawer.findByTestId("research-estimate")).textContent).toBe(
      "Research with gpt-4o-mini: about $0.0021 · $0.12 of $1.00 spent today",
    );
    const history = await drawer.findByTestId("run-history");
    await user.click(within(history).getByText("Run history"));
    const run = await within(history).findByTestId("history-run");
    expect(run.textContent).toContain("Done");
    expect(run.textContent).toContain("research now");
    expect(run.textContent).toContain("reused");
    expect(run.textContent).toContain("6,100 → 800 tokens");
    expect(run.textContent).toContain("$0.0014");
    expect(run.textContent).toContain("rate-limited");
  });

  it("says a run is waiting for tomorrow's budget, and settings show the spending", async () => {
    const user = userEvent.setup();
    const backend = installFakeBackend([lead({ id: 1, fullName: "Ada", website: "https://acme.example/" })]);
    backend.runs = [
      {
        id: 3,
        leadId: 1,
        status: "queued",
        trigger: "created",
        step: "footprint",
        error:
          "Waiting: today's model budget is spent ($1.02 of $1.00). Research continues tomorrow, or raise the cap in Settings → Research.",
        createdAt: Date.now(),
        finishedAt: null,
      },
    ];
    backend.ledger = {
      todayUsd: 1.02,
      monthUsd: 7.5,
      byDay: [["2026-11-30", 1.02]],
      topLeads: [[1, "Ada", 0.4]],
      callsThisMonth: 212,
      unpricedCalls: 3,
    };
    const drawer = await openAda(user);
    expect((await drawer.findByTestId("research-waiting")).textContent).toContain("Research continues tomorrow");
    await user.keyboard("{Escape}");
    await user.keyboard("{Control>},{/Control}");
    const ledger = await screen.findByTestId("cost-ledger");
    expect(ledger.textContent).toContain("$1.02 today · $7.50 this month (212 calls, 3 on local models at no charge)");
    expect(ledger.textContent).toContain("Most this month: Ada $0.40.");
  });
});

describe("offline", () => {
  it("shows that it is offline, holds research, and lets it go when the network is back", async () => {
    const backend = installFakeBackend([lead({ id: 1, fullName: "Ada", website: "https://acme.example/" })]);
    render(App);
    await screen.findByTestId("board");
    await waitFor(() => expect(backend.calls.filter((c) => c.cmd === "set_online").map((c) => c.args)).toEqual([{ online: true }]));
    window.dispatchEvent(new Event("offline"));
    expect((await screen.findByTestId("offline")).textContent).toContain("Offline · research waits");
    await waitFor(() => expect(backend.calls.filter((c) => c.cmd === "set_online").at(-1)?.args).toEqual({ online: false }));
    // Everything stored is still there to read.
    expect(card("Ada")).toBeTruthy();
    window.dispatchEvent(new Event("online"));
    await waitFor(() => expect(screen.queryByTestId("offline")).toBeNull());
    await waitFor(() => expect(backend.calls.filter((c) => c.cmd === "set_online").at(-1)?.args).toEqual({ online: true }));
  });
});
