// Regenerates the booth's Chromium managed policy from the kiosk's configuration, for a site whose
// hub or loopback port differs from the shipped defaults (run as root after editing kiosk.json):
//   npx tsx scripts/write-policy.ts [--config /etc/visioguichet/kiosk.json] [--out /etc/chromium/policies/managed/visioguichet.json]
//   --stdout prints the policy instead of writing it. Chromium reads policies at start: restart the kiosk.
import { mkdirSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { boothPolicyJson, DEFAULT_RUNTIME_PORT, kioskOrigin } from '../main/runtime/policy';
import { loadKioskConfig } from '../main/services/config';

export const DEFAULT_CONFIG = '/etc/visioguichet/kiosk.json';
export const DEFAULT_POLICY_PATH = '/etc/chromium/policies/managed/visioguichet.json';

export interface WritePolicyArgs {
  config: string;
  out: string;
  stdout: boolean;
}

export function parseWritePolicyArgs(argv: string[]): WritePolicyArgs {
  const args: WritePolicyArgs = { config: DEFAULT_CONFIG, out: DEFAULT_POLICY_PATH, stdout: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (!v) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--config') args.config = value();
    else if (a === '--out') args.out = value();
    else if (a === '--stdout') args.stdout = true;
    else throw new Error(`unknown option ${a} (usage: write-policy [--config FILE] [--out FILE] [--stdout])`);
  }
  return args;
}

/** The policy text for a kiosk configuration file (its hubUrl and runtimePort). */
export function policyForConfig(configPath: string): string {
  // Only the file counts: the policy describes the installed booth, not this shell's environment.
  const config = loadKioskConfig({ file: configPath, env: {} });
  const port = config.runtimePort || DEFAULT_RUNTIME_PORT;
  return boothPolicyJson({ kioskOrigin: kioskOrigin(port), hubUrl: config.hubUrl });
}

function main(): void {
  const args = parseWritePolicyArgs(process.argv.slice(2));
  const text = policyForConfig(args.config);
  if (args.stdout) {
    process.stdout.write(text);
    return;
  }
  mkdirSync(dirname(args.out), { recursive: true, mode: 0o755 });
  // Atomic replace: Chromium never reads a half-written policy.
  const tmp = `${args.out}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o644 });
  renameSync(tmp, args.out);
  process.stdout.write(`wrote ${args.out}\n`);
}

// realpath: on a booth this runs as /opt/visioguichet/current/dist/tools/write-policy.mjs, and Node
// names the main module by its resolved path (releases/<v>/…), so a plain compare never matched.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  try {
    main();
  } catch (err) {
    process.stderr.write(`write-policy: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(78);
  }
}
