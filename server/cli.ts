// Account administration: `tsx server/cli.ts [--db PATH] <command>`. Secrets are printed once and
// only their scrypt hashes are stored.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Language } from '../common/config';
import { VisioError } from '../common/result';
import { Role } from '../common/roles';
import { createAgent, createKiosk, listAccounts, registerKioskKey, resetAccountPassword, setAccountDisabled, setAccountRole } from './accounts';
import { loadHubConfig } from './config';
import { backupHubDb, HubStore } from './db/store';
import { runUpdatesCommand, UPDATES_USAGE } from './updates/cli';
import { CONFIG_USAGE, runConfigCommand } from './config-store/cli';

const USAGE = `usage: tsx server/cli.ts [--db PATH] <command>
  create-agent <username> <displayName> [--password P] [--services a,b] [--languages fr,en] [--role R]
  account create <username> <displayName> --role agent|technician|supervisor|administrator [--password P]
  account list | disable <username> | enable <username> | set-role <username> <role>
  account reset-password <username> [--password P]      (a generated password is printed once)
  kiosk add <kioskId> --public-key <file> [--name N] [--office O]
                           register (or replace) a booth's Ed25519 public key (its <dataDir>/kiosk-key.pub.pem);
                           the production credential: the private key never leaves the booth
  create-kiosk <kioskId> <name> <office>
                           development only: a shared secret, printed once (kioskSecret in the booth's config)
  list
  backup <dest.sqlite>     online, consistent copy of the running hub's database (SQLite backup API)
${UPDATES_USAGE}
${CONFIG_USAGE}
The database defaults to VG_HUB_DB, then the config file's dbPath (VG_HUB_CONFIG), then .data/hub.sqlite.`;

/** Misuse of the command line. */
export class CliUsageError extends VisioError {
  constructor(message: string) {
    super('cli_usage', `${message}\n${USAGE}`);
  }
}

/** Runs one CLI command; returns the exit code. Output goes to `out` (stdout by default). */
export async function runCli(argv: string[], env: Record<string, string | undefined> = process.env, out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  const { positional, flags } = parseArgs(argv);
  const [command, ...args] = positional;
  if (!command || flags.help !== undefined) {
    out(USAGE);
    return flags.help !== undefined ? 0 : 2;
  }
  const config = loadHubConfig(env);
  const dbPath = flags.db ?? config.dbPath;
  if (dbPath !== ':memory:') mkdirSync(dirname(dbPath), { recursive: true });
  const store = HubStore.open(dbPath);
  try {
    switch (command) {
      case 'create-agent': {
        const [username, displayName] = args;
        if (!username || !displayName || args.length !== 2) throw new CliUsageError('create-agent needs <username> <displayName>');
        const languages = flags.languages?.split(',').filter(Boolean).map((l) => Language.parse(l));
        const services = flags.services?.split(',').filter(Boolean);
        const { agent, password } = await createAgent(store, {
          username, displayName,
          ...(flags.password !== undefined ? { password: flags.password } : {}),
          ...(languages ? { languages } : {}),
          ...(services ? { services } : {}),
          ...(flags.role !== undefined ? { role: parseRole(flags.role) } : {}),
        });
        out(`agent created: ${agent.username} (${agent.displayName}) id=${agent.id}`);
        if (flags.password === undefined) out(`password: ${password}`);
        return 0;
      }
      case 'account':
        return await runAccountCommand(store, args, flags, out);
      case 'create-kiosk': {
        const [kioskId, name, office] = args;
        if (!kioskId || !name || !office || args.length !== 3) throw new CliUsageError('create-kiosk needs <kioskId> <name> <office>');
        const { kiosk, secret } = await createKiosk(store, { kioskId, name, office });
        out(`kiosk created: ${kiosk.kioskId} (${kiosk.name}, ${kiosk.office})`);
        out(`secret: ${secret}`);
        return 0;
      }
      case 'kiosk': {
        const [sub, kioskId, ...rest] = args;
        if (sub !== 'add' || !kioskId || rest.length !== 0 || !flags['public-key']) throw new CliUsageError('kiosk add needs <kioskId> --public-key <file>');
        let publicKey: string;
        try {
          publicKey = readFileSync(flags['public-key'], 'utf8');
        } catch (err) {
          throw new CliUsageError(`kiosk add: cannot read ${flags['public-key']}: ${(err as Error).message}`);
        }
        const r = registerKioskKey(store, { kioskId, publicKey, ...(flags.name !== undefined ? { name: flags.name } : {}), ...(flags.office !== undefined ? { office: flags.office } : {}) });
        out(`kiosk ${r.created ? 'created' : 'key replaced'}: ${r.kioskId} (key fingerprint ${r.fingerprint}; compare with the booth's log line "booth key pair created" or its kiosk-key.pub.pem)`);
        return 0;
      }
      case 'list': {
        out('agents:');
        for (const a of store.listAgents()) out(`  ${a.username}\t${a.displayName}\t${a.disabled ? 'disabled' : 'active'}\tservices=${a.services?.join(',') ?? '*'}\tlanguages=${a.languages?.join(',') ?? '*'}`);
        out('kiosks:');
        for (const k of store.listKiosks()) out(`  ${k.kioskId}\t${k.name}\t${k.office}\t${k.disabled ? 'disabled' : 'active'}`);
        return 0;
      }
      case 'backup': {
        const [dest] = args;
        if (!dest || args.length !== 1) throw new CliUsageError('backup needs <dest.sqlite>');
        // Never overwrite: the file there may be the last good backup.
        if (existsSync(dest)) throw new CliUsageError(`backup: ${dest} already exists; choose a new file name`);
        const { pages } = await backupHubDb(store.db, dest);
        out(`backup written: ${dest} (${pages} pages, quick_check ok)`);
        return 0;
      }
      case 'config':
        return runConfigCommand(args, {
          db: store.db, flags, out,
          usage: (message) => {
            throw new CliUsageError(message);
          },
        });
      case 'release':
      case 'rollout':
      case 'set-admin':
        return await runUpdatesCommand(command, args, {
          db: store.db, flags, out,
          keys: flags.keys !== undefined ? flags.keys.split(',').filter(Boolean) : config.updateKeys,
          releasesDir: flags['releases-dir'] ?? config.releasesDir,
          usage: (message) => {
            throw new CliUsageError(message);
          },
        });
      default:
        throw new CliUsageError(`unknown command ${command}`);
    }
  } finally {
    store.close();
  }
}

function parseRole(raw: string): Role {
  const r = Role.safeParse(raw);
  if (!r.success) throw new CliUsageError(`unknown role ${raw} (${Role.options.join(', ')})`);
  return r.data;
}

/** `account …`: the same actions as the console's accounts page. A running hub notices within a second (closes a disabled account's sockets). */
async function runAccountCommand(store: HubStore, args: string[], flags: Record<string, string | undefined>, out: (line: string) => void): Promise<number> {
  const [sub, username, third, ...rest] = args;
  const need = (ok: boolean, what: string) => {
    if (!ok) throw new CliUsageError(`account ${what}`);
  };
  switch (sub) {
    case 'create': {
      need(!!username && !!third && rest.length === 0 && flags.role !== undefined, 'create needs <username> <displayName> --role R');
      const { agent, password } = await createAgent(store, { username: username!, displayName: third!, role: parseRole(flags.role!), ...(flags.password !== undefined ? { password: flags.password } : {}) });
      out(`account created: ${agent.username} (${agent.displayName}) role=${flags.role}`);
      if (flags.password === undefined) out(`password: ${password}`);
      return 0;
    }
    case 'list':
      for (const a of listAccounts(store)) out(`${a.username}\t${a.displayName}\t${a.role}\t${a.disabled ? 'disabled' : 'active'}`);
      return 0;
    case 'disable':
    case 'enable': {
      need(!!username && third === undefined, `${sub} needs <username>`);
      const a = setAccountDisabled(store, username!, sub === 'disable');
      out(`${a.username}: ${a.disabled ? 'disabled' : 'enabled'}`);
      return 0;
    }
    case 'set-role': {
      need(!!username && !!third && rest.length === 0, 'set-role needs <username> <role>');
      const a = setAccountRole(store, username!, parseRole(third!));
      out(`${a.username}: role ${a.role}`);
      return 0;
    }
    case 'reset-password': {
      need(!!username && third === undefined, 'reset-password needs <username>');
      const r = await resetAccountPassword(store, username!, flags.password);
      out(`${r.account.username}: password reset`);
      if (flags.password === undefined) out(`password: ${r.password}`);
      return 0;
    }
    default:
      throw new CliUsageError(`unknown account command ${sub ?? ''}`);
  }
}

function parseArgs(argv: string[]): { positional: string[]; flags: Record<string, string | undefined> } {
  const positional: string[] = [];
  const flags: Record<string, string | undefined> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--help' || a === '-h') flags.help = '';
    else if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) flags[a.slice(2, eq)] = a.slice(eq + 1);
      else {
        const v = argv[++i];
        if (v === undefined) throw new CliUsageError(`${a} needs a value`);
        flags[a.slice(2)] = v;
      }
    } else positional.push(a);
  }
  return { positional, flags };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(err instanceof VisioError ? 2 : 1);
    },
  );
}
