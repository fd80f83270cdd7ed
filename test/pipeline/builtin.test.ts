import { strict as assert } from 'assert';
import { applyPipelines, builtinPipelineNames, loadPipeline, type Logsource } from '../../src/pipeline';

const sysmonEcs = (ls: Logsource) => applyPipelines([loadPipeline('sysmon'), loadPipeline('ecs_windows')], ls);
const processCreation = { category: 'process_creation', product: 'windows' };

describe('builtin pipelines', () => {
  it('lists the builtins with their pySigma priorities', () => {
    assert.deepEqual(builtinPipelineNames(), ['sysmon', 'ecs_windows', 'defender_xdr']);
    assert.equal(loadPipeline('sysmon').priority, 10);
    assert.equal(loadPipeline('ecs_windows').priority, 20);
    assert.equal(loadPipeline('defender_xdr').priority, 20);
  });

  describe('sysmon + ecs_windows (reference §2.3, §3.4)', () => {
    it('process_creation: EventID 1 mapped to event.code, Sysmon channel, service changed to sysmon', () => {
      const a = sysmonEcs(processCreation);
      assert.deepEqual(a.names, ['sysmon', 'ecs_windows']);
      assert.deepEqual(a.logsource, { category: 'process_creation', product: 'windows', service: 'sysmon' });
      // pySigma renders `winlog.channel:… AND (event.code:1 AND (…))`: the last added condition first.
      assert.deepEqual(a.conditions, [
        { field: 'winlog.channel', values: ['Microsoft-Windows-Sysmon/Operational'] },
        { field: 'event.code', values: [1] },
      ]);
    });

    it('keeps numbers as numbers in conditions (values_to_str is not ported)', () => {
      const a = sysmonEcs({ category: 'registry_event', product: 'windows' });
      assert.deepEqual(a.conditions[1], { field: 'event.code', values: [12, 13, 14] });
    });

    it('maps the process_creation table', () => {
      const a = sysmonEcs(processCreation);
      const expected: Record<string, string> = {
        CommandLine: 'process.command_line',
        OriginalFileName: 'process.pe.original_file_name',
        ParentCommandLine: 'process.parent.command_line',
        Description: 'process.pe.description',
        Product: 'process.pe.product',
        Company: 'process.pe.company',
        FileVersion: 'process.pe.file_version',
        CurrentDirectory: 'process.working_directory',
        User: 'user.name',
        ProcessId: 'process.pid',
        ProcessGuid: 'process.entity_id',
        ParentProcessId: 'process.parent.pid',
        ParentProcessGuid: 'process.parent.entity_id',
        EventID: 'event.code',
        Channel: 'winlog.channel',
        ComputerName: 'winlog.computer_name',
        Provider_Name: 'winlog.provider_name',
        Imphash: 'file.pe.imphash',
        NewProcessId: 'process.pid',
        // Pinned to pySigma-backend-elasticsearch 2.1.0 (the reference): 2.1.1 maps paths to the
        // Elastic integrations' `.caseless` multi-fields, which sigma-es does not need because it
        // sets case_insensitive on the query instead (docs/pipelines.md).
        Image: 'process.executable',
        ParentImage: 'process.parent.executable',
        ParentProcessName: 'process.parent.name',
        // Unmapped fields get the winlog.event_data. prefix.
        Hashes: 'winlog.event_data.Hashes',
        IntegrityLevel: 'winlog.event_data.IntegrityLevel',
        LogonId: 'winlog.event_data.LogonId',
        ParentUser: 'winlog.event_data.ParentUser',
        GrandParentImage: 'winlog.event_data.GrandParentImage',
      };
      for (const [sigma, ecs] of Object.entries(expected)) assert.deepEqual(a.mapField(sigma), [ecs], sigma);
    });

    it('does not prefix a field that already contains a dot', () => {
      const a = sysmonEcs(processCreation);
      assert.deepEqual(a.mapField('process.name'), ['process.name']);
      assert.deepEqual(a.mapField('winlog.event_data.Foo'), ['winlog.event_data.Foo']);
    });

    it('category-dependent mappings follow the log source', () => {
      assert.deepEqual(sysmonEcs({ category: 'image_load', product: 'windows' }).mapField('Description'), ['file.pe.description']);
      assert.deepEqual(sysmonEcs({ category: 'file_event', product: 'windows' }).mapField('Description'), [
        'winlog.event_data.Description',
      ]);
      assert.deepEqual(sysmonEcs({ category: 'file_event', product: 'windows' }).mapField('TargetFilename'), ['file.path']);
      assert.deepEqual(sysmonEcs({ category: 'registry_set', product: 'windows' }).mapField('TargetObject'), ['registry.path']);
      assert.deepEqual(sysmonEcs({ category: 'dns_query', product: 'windows' }).mapField('QueryName'), ['dns.question.name']);
    });

    it('a security-service rule gets the Security channel and the security mappings', () => {
      const a = applyPipelines([loadPipeline('ecs_windows')], { product: 'windows', service: 'security' });
      assert.deepEqual(a.conditions, [{ field: 'winlog.channel', values: ['Security'] }]);
      assert.deepEqual(a.mapField('CommandLine'), ['process.command_line']);
      assert.deepEqual(a.mapField('SubjectUserName'), ['user.name']);
      assert.deepEqual(a.mapField('EventID'), ['event.code']);
      assert.deepEqual(a.mapField('TestField'), ['winlog.event_data.TestField']);
    });

    it('powershell maps to two channels OR-ed', () => {
      const a = applyPipelines([loadPipeline('ecs_windows')], { product: 'windows', service: 'powershell' });
      assert.deepEqual(a.conditions, [
        { field: 'winlog.channel', values: ['Microsoft-Windows-PowerShell/Operational', 'PowerShellCore/Operational'] },
      ]);
      assert.deepEqual(a.mapField('ScriptBlockText'), ['powershell.file.script_block_text']);
    });

    it('Initiated: booleans become network.direction egress/ingress, strings stay (as in pySigma)', () => {
      const a = sysmonEcs({ category: 'network_connection', product: 'windows' });
      assert.deepEqual(a.mapField('Initiated'), ['network.direction']);
      assert.equal(a.mapValue('Initiated', true), 'egress');
      assert.equal(a.mapValue('Initiated', false), 'ingress');
      assert.equal(a.mapValue('Initiated', 'true'), 'true');
      assert.equal(a.mapValue('DestinationPort', 443), 443);
    });

    it('does nothing to rules of other products', () => {
      const a = sysmonEcs({ category: 'process_creation', product: 'linux' });
      assert.deepEqual(a.conditions, []);
      assert.deepEqual(a.mapField('CommandLine'), ['CommandLine']);
      assert.deepEqual(a.logsource, { category: 'process_creation', product: 'linux' });
    });

    it('priority decides the order, not the order given', () => {
      const a = applyPipelines([loadPipeline('ecs_windows'), loadPipeline('sysmon')], processCreation);
      assert.deepEqual(a.names, ['sysmon', 'ecs_windows']);
      assert.deepEqual(a.conditions.map((c) => c.field), ['winlog.channel', 'event.code']);
    });

    it('without sysmon, ecs_windows alone maps fields but adds no Sysmon conditions', () => {
      const a = applyPipelines([loadPipeline('ecs_windows')], processCreation);
      assert.deepEqual(a.conditions, []);
      assert.deepEqual(a.mapField('CommandLine'), ['process.command_line']);
    });
  });

  describe('defender_xdr (pySigma-backend-kusto microsoft_xdr_pipeline)', () => {
    const pc = () => applyPipelines([loadPipeline('defender_xdr')], processCreation);

    it('maps process_creation to DeviceProcessEvents columns and adds no conditions', () => {
      const a = pc();
      assert.deepEqual(a.conditions, []);
      const expected: Record<string, string> = {
        Image: 'FolderPath',
        CommandLine: 'ProcessCommandLine',
        OriginalFileName: 'ProcessVersionInfoOriginalFileName',
        Company: 'ProcessVersionInfoCompanyName',
        Product: 'ProcessVersionInfoProductName',
        Description: 'ProcessVersionInfoFileDescription',
        FileVersion: 'ProcessVersionInfoProductVersion',
        User: 'AccountName',
        IntegrityLevel: 'ProcessIntegrityLevel',
        ParentImage: 'InitiatingProcessFolderPath',
        ParentCommandLine: 'InitiatingProcessCommandLine',
        ParentProcessId: 'InitiatingProcessId',
        ParentUser: 'InitiatingProcessAccountName',
        GrandParentImage: 'InitiatingProcessParentFileName',
        ProcessId: 'ProcessId',
        sha256: 'SHA256',
        sha1: 'SHA1',
        md5: 'MD5',
        // Native column names pass through unchanged.
        FileName: 'FileName',
        DeviceName: 'DeviceName',
        InitiatingProcessFileName: 'InitiatingProcessFileName',
      };
      for (const [sigma, col] of Object.entries(expected)) {
        assert.deepEqual(a.mapField(sigma), [col], sigma);
        assert.equal(a.fieldError(sigma), undefined, sigma);
      }
    });

    it('uses the generic mappings for fields the table does not map', () => {
      const a = applyPipelines([loadPipeline('defender_xdr')], { category: 'file_event', product: 'windows' });
      assert.deepEqual(a.mapField('Image'), ['InitiatingProcessFolderPath']);
      assert.deepEqual(a.mapField('TargetFilename'), ['FolderPath']);
      assert.deepEqual(a.mapField('CommandLine'), ['InitiatingProcessCommandLine']);
    });

    it('refuses what pySigma would drop or rewrite instead of translating it wrongly', () => {
      const a = pc();
      assert.match(a.fieldError('EventID') ?? '', /pySigma drops this detection item/);
      assert.match(a.fieldError('Hashes') ?? '', /md5\/sha1\/sha256/);
      assert.match(a.fieldError('NoSuchColumn') ?? '', /not a column of DeviceProcessEvents/);
      assert.match(a.fieldError('User', 'NT AUTHORITY\\SYSTEM') ?? '', /DOMAIN\\user/);
      assert.equal(a.fieldError('User', 'SYSTEM'), undefined);
      const img = applyPipelines([loadPipeline('defender_xdr')], { category: 'image_load', product: 'windows' });
      assert.deepEqual(img.mapField('ParentImage'), ['InitiatingProcessParentFileName']);
      assert.equal(img.fieldError('ParentImage', 'cmd.exe'), undefined);
      assert.match(img.fieldError('ParentImage', 'C:\\Windows\\cmd.exe') ?? '', /basename/);
    });

    it('rejects rules whose category has no Defender table', () => {
      assert.throws(
        () => applyPipelines([loadPipeline('defender_xdr')], { product: 'windows', service: 'security' }),
        (e: any) => e.code === 'PIPELINE_UNSUPPORTED' && /not yet supported/.test(e.message),
      );
    });
  });
});
