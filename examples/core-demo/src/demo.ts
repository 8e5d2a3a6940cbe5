import {
  createManualClock,
  createMemoryProvider,
  createNodeSelector,
  matchTemplates,
  parseDistroQuery,
  parseLabelExpression,
  parseQueueWhy,
  planCapacity,
  resolveDistroVersion,
  type NodeSnapshot,
} from "@quipu/core";

/**
 * A tour of @quipu/core with no daemon running: what a test framework or build pipeline can do by
 * importing the library alone. Returns the lines it would print so the smoke test can check them.
 */
export async function runDemo(): Promise<string[]> {
  const out: string[] = [];
  const say = (line: string) => out.push(line);

  say("== distros: codenames and numbers are the same release");
  for (const [distro, version] of [["ubuntu", "24.04"], ["debian", "trixie"], ["centos", "9"]] as const) {
    const release = resolveDistroVersion(distro, version);
    say(`${distro}/${version} -> ${release.distro} ${release.version} (${release.codename ?? "no codename"}, ${release.packageType})`);
  }
  const query = parseDistroQuery("ubuntu/jammy/x86_64,centos/9");
  say(`search query parts: ${query.map((p) => `${p.distro}/${p.version}${p.arch ? `/${p.arch}` : ""}`).join(", ")}`);

  say("== Jenkins labels: the queue says what is missing, templates say what we can make");
  const templates = [
    { name: "centos9-small", labels: ["centos9", "x86_64", "small"] },
    { name: "centos9-huge", labels: ["centos9", "x86_64", "huge"] },
    { name: "jammy-arm", labels: ["jammy", "aarch64", "huge"] },
  ];
  const expression = parseLabelExpression("  centos9 &&  (huge || x-large) ");
  say(`canonical: ${expression.toString()}`);
  const queue = [
    { id: 1, why: "There are no nodes with the label ‘centos9&&(huge||x-large)’" },
    { id: 2, why: "All nodes of label ‘jammy&&aarch64’ are offline" },
    { id: 3, why: "Waiting for next available executor on ‘centos9-small__4f2a’" },
    { id: 4, why: "In the quiet period. Expires in 4.9 sec" },
    { id: 5, why: "There are no nodes with the label ‘s390x’" },
  ];
  for (const item of queue) {
    const demand = parseQueueWhy(item.why);
    if (!demand) {
      say(`#${item.id}: not about capacity`);
      continue;
    }
    const match = matchTemplates(demand, templates);
    say(`#${item.id}: ${match.template ? `-> ${match.template.name}` : "no template"} (${match.reason})`);
  }
  const plan = planCapacity(queue, templates);
  say(`capacity plan: ${[...plan.countByTemplate].filter(([, n]) => n > 0).map(([name, n]) => `${name}×${n}`).join(", ")}; unmatched ${plan.unmatched.length}`);

  say("== node selection: least recently used, healthy only");
  const clock = createManualClock(Date.UTC(2026, 0, 1));
  const down = new Set(["chacra-2.example"]);
  const selector = createNodeSelector({
    clock,
    retries: 1,
    prober: async (node: NodeSnapshot) => !down.has(node.host),
  });
  for (const host of ["chacra-1.example", "chacra-2.example", "chacra-3.example"]) selector.register(host);
  const handedOut: string[] = [];
  for (let i = 0; i < 4; i++) {
    handedOut.push((await selector.next()).host);
    await clock.advance(1000);
  }
  say(`handed out: ${handedOut.join(", ")}`);
  down.delete("chacra-2.example");
  const reprobe = await selector.reprobeDown();
  say(`re-probe: ${reprobe.recovered.length} recovered; next -> ${(await selector.next()).host}`);

  say("== provisioning through the port (in-memory provider)");
  const provider = createMemoryProvider({ clock });
  const machine = await provider.create({
    name: "centos9-huge-0001",
    image: "centos-stream-9",
    size: "m1.huge",
    metadata: { "quipu-template": "centos9-huge" },
  });
  const tagged = await provider.list({ tags: { "quipu-template": "centos9-huge" } });
  say(`created ${machine.name} (${machine.status}); tagged machines: ${tagged.length}`);
  say(`destroy: ${await provider.destroy(machine.id)}, again: ${await provider.destroy(machine.id)}`);
  return out;
}
