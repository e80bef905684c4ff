import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { prometheusTools, promtool } from "../support/prometheus-tools";

// deploy/prometheus/alerts.yml, checked by promtool and run against its unit tests
// (alerts.test.yml). Each alert's tests are shown to bite: an alert made mute fails its
// firing test, an alert made to fire always fails its quiet one.

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleTest {
  alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[];
}

const root = join(__dirname, "..", "..");
const rulesDir = join(root, "deploy", "prometheus");
const rules = (parse(readFileSync(join(rulesDir, "alerts.yml"), "utf8")) as { groups: { rules: Rule[] }[] }).groups.flatMap((group) => group.rules);
const unitTests = (parse(readFileSync(join(rulesDir, "alerts.test.yml"), "utf8")) as { tests: RuleTest[] }).tests;
const operations = readFileSync(join(root, "docs", "operations.md"), "utf8");

/** GitHub's anchor of a Markdown heading. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
const anchors = new Set([...operations.matchAll(/^#{1,6} (.+)$/gm)].map(([, heading]) => slug(heading)));

const scratch = mkdtempSync(join(tmpdir(), "crm-alert-rules-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("the alert rules an on-call needs (issue 16)", () => {
  it.each([
    ["CrmOutboxEventsStuck", /crm_outbox_oldest_event_age_seconds[^>]*\) > 60$/],
    ["CrmGraphqlErrorRatioHigh", /crm_graphql_errors_total[\s\S]*\/[\s\S]*crm_graphql_request_duration_seconds_count[\s\S]*> 0\.01$/],
    ["CrmGraphqlLatencyP99High", /histogram_quantile\(0\.99,[\s\S]*crm_graphql_request_duration_seconds_bucket[\s\S]*> 0\.5$/],
    ["CrmSubgraphDown", /^up\{job="crm-subgraph"\} == 0$/],
    ["CrmSubgraphNotReady", /^crm_ready\{job="crm-subgraph"\} == 0$/],
    ["CrmEnrichmentDeadLetterGrowing", /increase\(crm_enrichment_dead_lettered_total[\s\S]*> 0$/],
  ])("%s exists and watches what it says", (name, expression) => {
    const rule = rules.find((candidate) => candidate.alert === name);
    expect(rule?.expr.trim()).toMatch(expression);
  });

  it("the durations of the issue: error ratio for 5 min, p99 for 10 min", () => {
    expect(rules.find((rule) => rule.alert === "CrmGraphqlErrorRatioHigh")?.for).toBe("5m");
    expect(rules.find((rule) => rule.alert === "CrmGraphqlLatencyP99High")?.for).toBe("10m");
  });

  it.each(rules.map((rule) => [rule.alert, rule] as const))("%s has a severity, a summary, a description and a runbook section that exists", (_name, rule) => {
    expect(["critical", "warning"]).toContain(rule.labels?.severity);
    expect(rule.annotations?.summary).toBeTruthy();
    expect(rule.annotations?.description).toBeTruthy();
    const runbook = /^docs\/operations\.md#(.+)$/.exec(rule.annotations?.runbook_url ?? "");
    expect(runbook, `${rule.alert}: runbook_url must be docs/operations.md#<section>`).not.toBeNull();
    expect(anchors.has(runbook![1]), `docs/operations.md has no heading for #${runbook![1]}`).toBe(true);
  });

  it.each(rules.map((rule) => [rule.alert]))("%s is unit-tested both firing and quiet", (name) => {
    const cases = unitTests.flatMap((test) => test.alert_rule_test ?? []).filter((test) => test.alertname === name);
    expect(cases.some((test) => (test.exp_alerts ?? []).length > 0), "a case where it fires").toBe(true);
    expect(cases.some((test) => (test.exp_alerts ?? []).length === 0), "a case where it stays quiet").toBe(true);
  });
});

describe.skipIf(!prometheusTools)("promtool", () => {
  const tools = prometheusTools!;

  it("check rules: valid, every rule counted", () => {
    const { status, output } = promtool(tools, ["check", "rules", join(rulesDir, "alerts.yml")]);
    expect(status, output).toBe(0);
    expect(output).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it("test rules: alerts.test.yml passes", () => {
    const { status, output } = promtool(tools, ["test", "rules", join(rulesDir, "alerts.test.yml")]);
    expect(status, output).toBe(0);
    expect(output).toContain("SUCCESS");
  });

  /** The unit tests run against alerts.yml with one alert's expression replaced. */
  const withExpression = (name: string, expression: string) => {
    const dir = mkdtempSync(join(scratch, "mutant-"));
    const document = parse(readFileSync(join(rulesDir, "alerts.yml"), "utf8")) as { groups: { rules: Rule[] }[] };
    for (const rule of document.groups.flatMap((group) => group.rules)) if (rule.alert === name) rule.expr = expression;
    writeFileSync(join(dir, "alerts.yml"), stringify(document));
    copyFileSync(join(rulesDir, "alerts.test.yml"), join(dir, "alerts.test.yml"));
    return promtool(tools, ["test", "rules", "alerts.test.yml"], dir);
  };

  it.each(rules.map((rule) => [rule.alert]))("%s: the unit tests fail when it never fires, and when it always fires", (name) => {
    const mute = withExpression(name, "vector(1) > 2");
    expect(mute.status, "a mute alert must fail its firing test").not.toBe(0);
    expect(mute.output).toContain(`alertname: ${name}`);
    const always = withExpression(name, 'label_replace(vector(1), "job", "crm-subgraph", "", "")');
    expect(always.status, "an alert that always fires must fail its quiet test").not.toBe(0);
    expect(always.output).toContain(`alertname: ${name}`);
  });
});
