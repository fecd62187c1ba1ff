// The synthesized template, checked with aws-cdk-lib/assertions: what runs where, who may do
// what, and who may reach what. Synthesized once, offline, into a temporary directory.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Aws, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from './lib/app.ts';
import { COLLECTOR_CONFIG_PARAMETER, XRAY_WRITE_ACTIONS } from './lib/collector-sidecar.ts';
import { CORE_DATASOURCE_TYPES, GRAFANA_PLUGINS, awsDatasources } from './lib/grafana-datasources.ts';
import { PLAIN_HTTP_WARNING_ID } from './lib/observability-stack.ts';
import { INVENTORY_DOCKERFILE, INVENTORY_POLICY_FILE, inventoryReadActions } from './lib/inventory.ts';
import { SERVICE_DOCKERFILE } from './lib/items-service.ts';
import { ACKNOWLEDGED } from './lib/nag-suppressions.ts';
import { PINNED_IMAGES } from './lib/pinned-images.ts';
import { PROJECT_TAG, STACK_NAME, readSettings } from './lib/settings.ts';
import { TEST_GITHUB_REPO, synthesize } from './synthesized.ts';
import { readText, readYaml } from '../tests/stack-files.ts';

const synthesized = synthesize();
const { template, json } = synthesized;
afterAll(() => rmSync(synthesized.outdir, { recursive: true, force: true }));

type Resource = { Type: string; Properties?: Record<string, unknown> };
const resourcesOf = (type: string): [string, Resource][] =>
  Object.entries(json.Resources).filter(([, r]) => r.Type === type);

interface ContainerDefinition {
  Name: string;
  Image: unknown;
  Environment?: { Name: string; Value: unknown }[];
  Secrets?: { Name: string; ValueFrom: unknown }[];
  DependsOn?: { ContainerName: string; Condition: string }[];
  LogConfiguration?: { LogDriver: string };
}
/** The containers of every task definition, or of those whose logical id starts with `taskPrefix`. */
function containers(taskPrefix = ''): ContainerDefinition[] {
  return resourcesOf('AWS::ECS::TaskDefinition')
    .filter(([id]) => id.startsWith(taskPrefix))
    .flatMap(([, r]) => r.Properties!.ContainerDefinitions as ContainerDefinition[]);
}
/** The one container of that name (in that task: both app tasks have a `collector`). */
function container(name: string, taskPrefix = ''): ContainerDefinition {
  const found = containers(taskPrefix).filter((c) => c.Name === name);
  if (found.length !== 1) throw new Error(`${found.length} containers ${name} in tasks ${taskPrefix || '(any)'}`);
  return found[0]!;
}
const environmentOf = (c: ContainerDefinition) => Object.fromEntries(c.Environment!.map((e) => [e.Name, e.Value]));

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}
/** Every statement of the policies attached to the role whose logical id starts with `rolePrefix`. */
function statementsOf(rolePrefix: string): Statement[] {
  return resourcesOf('AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties!.Roles as { Ref: string }[]).some((r) => r.Ref.startsWith(rolePrefix)))
    .flatMap(([, p]) => (p.Properties!.PolicyDocument as { Statement: Statement[] }).Statement);
}
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const workspaceArn = { 'Fn::GetAtt': ['Metrics', 'Arn'] };

describe('the items service task', () => {
  it('runs the ADOT collector at the tag compose pins, its config from SSM as AOT_CONFIG_CONTENT', () => {
    expect(PINNED_IMAGES.collector).toBe(
      readYaml<{ services: Record<string, { image: string }> }>('compose.yaml').services.collector!.image,
    );
    const collector = container('collector', 'ItemsTask');
    expect(collector.Image).toBe(PINNED_IMAGES.collector);
    const [parameterId, parameter] = resourcesOf('AWS::SSM::Parameter')[0]!;
    expect(collector.Secrets?.map((secret) => secret.Name)).toEqual(['AOT_CONFIG_CONTENT']);
    // The secret is that SSM parameter (ECS reads it by ARN at task start).
    expect(JSON.stringify(collector.Secrets![0]!.ValueFrom)).toContain(`:parameter",{"Ref":"${parameterId}"}`);
    // Named under the stack, where the bootstrap execution policy lets CloudFormation manage it.
    expect(parameter.Properties!.Name).toBe(COLLECTOR_CONFIG_PARAMETER);
    expect(COLLECTOR_CONFIG_PARAMETER.startsWith(`/${STACK_NAME}/`)).toBe(true);
    // The parameter holds collector/ecs.yaml (comments stripped), not some other config.
    expect(parse(parameter.Properties!.Value as string)).toEqual(readYaml('collector/ecs.yaml'));
    expect(parameter.Properties!.Tier).toBe('Standard');
  });

  it('points the sidecar at the workspace remote-write URL, Loki by its Cloud Map name, and listens on loopback only', () => {
    expect(environmentOf(container('collector', 'ItemsTask'))).toEqual({
      OTLP_LISTEN_HOST: '127.0.0.1',
      AWS_REGION: { Ref: 'AWS::Region' },
      AMP_REMOTE_WRITE_ENDPOINT: {
        'Fn::Join': ['', [{ 'Fn::GetAtt': ['Metrics', 'PrometheusEndpoint'] }, 'api/v1/remote_write']],
      },
      LOKI_OTLP_ENDPOINT: 'http://loki.otel-kit.local:3100/otlp',
    });
  });

  it('starts the service only once the collector is healthy, and sends every container log to a retained group', () => {
    expect(container('service', 'ItemsTask').DependsOn).toEqual([{ ContainerName: 'collector', Condition: 'HEALTHY' }]);
    for (const c of containers()) expect(c.LogConfiguration?.LogDriver, c.Name).toBe('awslogs');
    for (const [, group] of resourcesOf('AWS::Logs::LogGroup')) expect(group.Properties!.RetentionInDays).toBe(7);
  });

  it('may remote-write to this workspace only, and write X-Ray', () => {
    const statements = statementsOf('ItemsTaskTaskRole');
    const amp = statements.filter((s) => actions(s).some((a) => a.startsWith('aps:')));
    expect(amp).toEqual([{ Effect: 'Allow', Action: 'aps:RemoteWrite', Resource: workspaceArn }]);
    const xray = statements.find((s) => actions(s).includes('xray:PutTraceSegments'))!;
    expect(actions(xray).sort()).toEqual([
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    // Nothing beyond those two statements.
    expect(statements).toHaveLength(2);
  });
});

describe('the collector sidecars', () => {
  it('are the same container in both app tasks, reading the one SSM parameter of the stack', () => {
    const parameters = resourcesOf('AWS::SSM::Parameter');
    expect(parameters).toHaveLength(1);
    const [items, inventory] = [container('collector', 'ItemsTask'), container('collector', 'InventoryTask')];
    expect(inventory.Secrets?.map((secret) => secret.Name)).toEqual(['AOT_CONFIG_CONTENT']);
    expect(JSON.stringify(inventory.Secrets![0]!.ValueFrom)).toContain(`{"Ref":"${parameters[0]![0]}"}`);
    // Only the log group (each task has its own) may differ.
    const withoutLogs = ({ LogConfiguration: _logs, ...rest }: ContainerDefinition) => rest;
    expect(withoutLogs(inventory)).toEqual(withoutLogs(items));
  });
});

describe('the AWS inventory task', () => {
  const [, service] = resourcesOf('AWS::ECS::Service').find(([id]) => id.startsWith('InventoryService'))!;
  const inventory = () => container('inventory', 'InventoryTask');

  it('counts the deployed region of the real account: INVENTORY_REGIONS is the stack region, no endpoint override', () => {
    expect(environmentOf(inventory())).toEqual({
      HOST: '0.0.0.0',
      PORT: '8081',
      INVENTORY_REGIONS: { Ref: 'AWS::Region' },
    });
    expect(inventory().Secrets).toBeUndefined();
  });

  it('starts once its collector sidecar is healthy, and is health-checked on /health', () => {
    expect(inventory().DependsOn).toEqual([{ ContainerName: 'collector', Condition: 'HEALTHY' }]);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: Match.arrayWith([
        Match.objectLike({
          Name: 'inventory',
          HealthCheck: Match.objectLike({
            Command: Match.arrayWith([Match.stringLikeRegexp("127\\.0\\.0\\.1:8081/health'")]),
          }),
        }),
      ]),
    });
  });

  it('may make exactly the read-only calls of inventory/iam-policy.json, remote write to this workspace and X-Ray writes, and nothing else', () => {
    const policy = JSON.parse(readText('inventory/iam-policy.json')) as { Statement: { Action: string[] }[] };
    const readOnly = policy.Statement.flatMap((s) => s.Action);
    const statements = statementsOf('InventoryTaskTaskRole');
    for (const s of statements) expect(s.Effect).toBe('Allow');
    expect(statements.flatMap(actions).sort()).toEqual([...readOnly, 'aps:RemoteWrite', ...XRAY_WRITE_ACTIONS].sort());
    // The one write on an AWS service other than X-Ray is remote write, to this workspace only.
    const writes = statements
      .flatMap((s) => actions(s).map((action) => ({ action, resource: s.Resource })))
      .filter(({ action }) => !/^[a-z0-9-]+:(Describe|List|Get)/.test(action));
    expect(writes).toEqual([
      { action: 'aps:RemoteWrite', resource: workspaceArn },
      { action: 'xray:PutTraceSegments', resource: '*' },
      { action: 'xray:PutTelemetryRecords', resource: '*' },
    ]);
  });

  it('takes the policy file over only while it is plain Allow on "*" (a scoped or conditional statement stops synth)', () => {
    const repo = mkdtempSync(path.join(os.tmpdir(), 'otel-kit-policy-'));
    try {
      mkdirSync(path.join(repo, 'inventory'));
      const write = (statement: object) =>
        writeFileSync(
          path.join(repo, INVENTORY_POLICY_FILE),
          JSON.stringify({ Version: '2012-10-17', Statement: [statement] }),
        );
      write({ Sid: 'Read', Effect: 'Allow', Action: ['ec2:DescribeVpcs'], Resource: '*' });
      expect(inventoryReadActions(repo)).toEqual(['ec2:DescribeVpcs']);
      write({ Effect: 'Allow', Action: ['s3:GetBucketLocation'], Resource: 'arn:aws:s3:::one-bucket' });
      expect(() => inventoryReadActions(repo)).toThrow(/only Allow statements on Resource "\*"/);
      write({
        Effect: 'Allow',
        Action: ['ec2:DescribeVpcs'],
        Resource: '*',
        Condition: { Bool: { 'aws:SecureTransport': 'true' } },
      });
      expect(() => inventoryReadActions(repo)).toThrow(/only Allow statements/);
      write({ Effect: 'Allow', NotAction: ['iam:*'], Resource: '*' });
      expect(() => inventoryReadActions(repo)).toThrow(/only Allow statements/);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });

  it('runs one copy, one at a time, with no load balancer target, port mapping or inbound rule', () => {
    expect(service.Properties).toMatchObject({
      DesiredCount: 1,
      DeploymentConfiguration: { MinimumHealthyPercent: 0, MaximumPercent: 100 },
    });
    expect(service.Properties!.LoadBalancers).toBeUndefined();
    expect(service.Properties!.ServiceRegistries).toBeUndefined();
    expect((inventory() as { PortMappings?: unknown }).PortMappings).toBeUndefined();
    const groupId = JSON.stringify(service.Properties!.NetworkConfiguration).match(
      /"(InventoryServiceSecurityGroup\w+)"/,
    )![1]!;
    const [, group] = resourcesOf('AWS::EC2::SecurityGroup').find(([id]) => id === groupId)!;
    expect(group.Properties!.SecurityGroupIngress).toBeUndefined();
    const ingress = resourcesOf('AWS::EC2::SecurityGroupIngress').filter(([, r]) =>
      JSON.stringify(r.Properties!.GroupId).includes(groupId),
    );
    expect(ingress).toEqual([]);
  });
});

describe('the app images', () => {
  interface DockerAsset {
    source: { directory: string; dockerFile?: string; platform?: string };
  }
  const assets = JSON.parse(readFileSync(path.join(synthesized.outdir, 'OtelWorkshopKit.assets.json'), 'utf8')) as {
    dockerImages: Record<string, DockerAsset>;
  };
  const filesUnder = (dir: string): string[] =>
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)));
  /** The sources of the Dockerfile's `COPY` lines that read the build context (not `--from`). */
  const copiedSources = (dockerfile: string) =>
    readText(dockerfile)
      .split('\n')
      .filter((line) => /^COPY (?!--from)/.test(line))
      .flatMap((line) => line.split(/\s+/).slice(1, -1));

  it.each([
    ['items service', SERVICE_DOCKERFILE, 'ItemsTask', 'service'],
    ['inventory', INVENTORY_DOCKERFILE, 'InventoryTask', 'inventory'],
  ])(
    'the %s runs the image built from its Dockerfile for linux/amd64, staged with only what the Dockerfile copies (no tests)',
    (_name, dockerfile, task, name) => {
      const [hash, asset] = Object.entries(assets.dockerImages).find(([, a]) => a.source.dockerFile === dockerfile)!;
      expect(asset.source.platform).toBe('linux/amd64');
      expect(JSON.stringify(container(name, task).Image)).toContain(hash);
      const staged = filesUnder(path.join(synthesized.outdir, asset.source.directory));
      const sources = copiedSources(dockerfile);
      for (const source of sources)
        expect(
          staged.some((file) => file === source || file.startsWith(`${source}/`)),
          source,
        ).toBe(true);
      // CDK stages the Dockerfile and the root .dockerignore itself.
      const extra = staged.filter(
        (file) =>
          ![dockerfile, '.dockerignore'].includes(file) &&
          !sources.some((source) => file === source || file.startsWith(`${source}/`)),
      );
      expect(extra).toEqual([]);
      expect(staged.filter((file) => file.endsWith('.test.ts'))).toEqual([]);
    },
  );
});

describe('Loki', () => {
  it('keeps chunks and index in an encrypted, private, versioned, expiring, TLS-only bucket', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Status: 'Enabled',
            ExpirationInDays: 14,
            NoncurrentVersionExpiration: { NoncurrentDays: 1 },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('goes with the stack: the bucket is deleted and emptied on destroy', () => {
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 1);
  });

  it('may touch only its bucket', () => {
    const statements = statementsOf('LokiTaskTaskRole');
    const resources = JSON.stringify(statements.map((s) => s.Resource));
    expect(statements.every((s) => actions(s).every((a) => a.startsWith('s3:')))).toBe(true);
    expect(resources).not.toContain('"*"');
    expect(resources).toContain('LokiChunks');
  });

  it('runs the image compose pins (as a build arg), has no load balancer, and is found through Cloud Map', () => {
    const [, loki] = resourcesOf('AWS::ECS::Service').find(([id]) => id.startsWith('Loki'))!;
    expect(loki.Properties!.LoadBalancers).toBeUndefined();
    expect(loki.Properties!.ServiceRegistries).toHaveLength(1);
    template.hasResourceProperties('AWS::ServiceDiscovery::PrivateDnsNamespace', { Name: 'otel-kit.local' });
    template.hasResourceProperties('AWS::ServiceDiscovery::Service', { Name: 'loki' });
  });

  it('admits only the two collector sidecars (service and inventory tasks) and Grafana, on 3100', () => {
    const ingress = resourcesOf('AWS::EC2::SecurityGroupIngress')
      .map(([, r]) => r.Properties!)
      .filter((p) => JSON.stringify(p.GroupId).includes('LokiService'));
    expect(ingress).toHaveLength(3);
    for (const rule of ingress) {
      expect(rule).toMatchObject({ IpProtocol: 'tcp', FromPort: 3100, ToPort: 3100 });
      expect(rule.CidrIp).toBeUndefined();
    }
    expect(ingress.map((r) => JSON.stringify(r.SourceSecurityGroupId)).sort()).toEqual([
      expect.stringContaining('GrafanaService'),
      expect.stringContaining('InventoryService'),
      expect.stringContaining('ItemsService'),
    ]);
  });
});

describe('Grafana', () => {
  it('gets its admin password from a generated Secrets Manager secret, never from the template', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ PasswordLength: 32 }),
    });
    const grafana = container('grafana');
    expect(grafana.Secrets?.map((s) => s.Name)).toEqual(['GF_SECURITY_ADMIN_PASSWORD']);
    expect(grafana.Environment!.map((e) => e.Name)).not.toContain('GF_SECURITY_ADMIN_PASSWORD');
  });

  it('may query this workspace and read X-Ray, and nothing else', () => {
    const statements = statementsOf('GrafanaTaskTaskRole');
    const amp = statements.find((s) => actions(s).some((a) => a.startsWith('aps:')))!;
    expect(amp.Resource).toEqual(workspaceArn);
    expect(actions(amp).every((a) => a.startsWith('aps:Get') || a.startsWith('aps:Query'))).toBe(true);
    const rest = statements.filter((s) => s !== amp);
    // The X-Ray plugin's documented minimum policy (x-ray-datasource docs/sources/configure.md,
    // v2.17.1), written out here rather than imported so a change to the code must match the docs.
    expect(rest.flatMap(actions).sort()).toEqual(
      [
        'xray:BatchGetTraces',
        'xray:GetTraceSummaries',
        'xray:GetTraceGraph',
        'xray:GetGroups',
        'xray:GetTimeSeriesServiceStatistics',
        'xray:GetInsightSummaries',
        'xray:GetInsight',
        'xray:GetServiceGraph',
        'application-signals:ListServices',
        'application-signals:ListServiceOperations',
        'application-signals:ListServiceDependencies',
        'application-signals:ListServiceLevelObjectives',
        'ec2:DescribeRegions',
        'oam:ListSinks',
        'oam:ListAttachedLinks',
      ].sort(),
    );
    // All of them reads.
    expect(rest.flatMap(actions).every((a) => /^[a-z0-9-]+:(Get|BatchGet|List|Describe)/.test(a))).toBe(true);
  });

  it('expands the datasource variables from its environment: workspace URL, region, Loki', () => {
    const env = Object.fromEntries(container('grafana').Environment!.map((e) => [e.Name, e.Value]));
    expect(env.AMP_QUERY_URL).toEqual({ 'Fn::GetAtt': ['Metrics', 'PrometheusEndpoint'] });
    expect(env.AWS_REGION).toEqual({ Ref: 'AWS::Region' });
    expect(env.LOKI_URL).toBe('http://loki.otel-kit.local:3100');
  });

  it('downloads no plugin at start: every plugin its datasources need is baked into the image at an exact version', () => {
    const env = environmentOf(container('grafana'));
    // No start-time install of any kind (GF_PLUGINS_PREINSTALL_SYNC, _PREINSTALL, the old GF_INSTALL_PLUGINS).
    expect(Object.keys(env).filter((name) => /PLUGINS?_(PREINSTALL|INSTALL)|INSTALL_PLUGINS/.test(name))).toEqual([]);
    const assets = JSON.parse(readFileSync(path.join(synthesized.outdir, 'OtelWorkshopKit.assets.json'), 'utf8')) as {
      dockerImages: Record<string, { source: { dockerBuildArgs?: Record<string, string> } }>;
    };
    const [hash, grafana] = Object.entries(assets.dockerImages).find(
      ([, a]) => a.source.dockerBuildArgs?.GRAFANA_IMAGE === PINNED_IMAGES.grafana,
    )!;
    expect(JSON.stringify(container('grafana').Image)).toContain(hash);
    const plugins = grafana.source.dockerBuildArgs!.GRAFANA_PLUGINS!.split(' ');
    for (const plugin of plugins) expect(plugin).toMatch(/^[a-z0-9-]+@\d+\.\d+\.\d+$/);
    const pinned = new Map(plugins.map((p) => p.split('@') as [string, string]));
    expect(Object.fromEntries(pinned)).toEqual({
      'grafana-amazonprometheus-datasource': GRAFANA_PLUGINS.amp.version,
      'grafana-x-ray-datasource': GRAFANA_PLUGINS.xray.version,
    });
    // Every datasource type Grafana does not ship is one of them.
    for (const ds of awsDatasources())
      if (!CORE_DATASOURCE_TYPES.includes(ds.type)) expect(pinned.has(ds.type), ds.type).toBe(true);
    // The Dockerfile installs exactly that argument, each at its version.
    const dockerfile = readText('deploy/images/grafana/Dockerfile');
    expect(dockerfile).toMatch(/^ARG GRAFANA_PLUGINS$/m);
    expect(dockerfile).toMatch(/plugins install "\$\{plugin%@\*\}" "\$\{plugin#\*@\}"/);
  });
});

describe('the load balancer', () => {
  it('admits only the AllowedCidr parameter, on the service and Grafana ports, and refuses 0.0.0.0/0 at deploy', () => {
    const [, albGroup] = resourcesOf('AWS::EC2::SecurityGroup').find(([id]) => id.startsWith('AlbSecurityGroup'))!;
    const ingress = albGroup.Properties!.SecurityGroupIngress as { CidrIp: unknown; FromPort: number }[];
    expect(ingress.map((r) => r.FromPort).sort((a, b) => a - b)).toEqual([80, 3000]);
    for (const rule of ingress) expect(rule.CidrIp).toEqual({ Ref: 'AllowedCidr' });
    const allowedCidr = json.Parameters!.AllowedCidr as { Type: string; AllowedPattern?: unknown };
    expect(allowedCidr.Type).toBe('String');
    expect(typeof allowedCidr.AllowedPattern).toBe('string');
    expect((json.Parameters!.AllowedCidr as { Default?: string }).Default).toBeUndefined();
    expect(JSON.stringify(json.Rules)).toContain('0.0.0.0/0');
  });

  it('serves Grafana over HTTPS on 443 when a certificate is given', () => {
    const arn = 'arn:aws:acm:us-east-1:123456789012:certificate/abcd-1234';
    const https = synthesize({ githubRepo: TEST_GITHUB_REPO, certificateArn: arn });
    try {
      https.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: 443,
        Protocol: 'HTTPS',
        Certificates: [{ CertificateArn: arn }],
      });
      const [, albGroup] = Object.entries(https.json.Resources).find(
        ([id, r]) => r.Type === 'AWS::EC2::SecurityGroup' && id.startsWith('AlbSecurityGroup'),
      )!;
      const ports = (albGroup.Properties!.SecurityGroupIngress as { FromPort: number; CidrIp: unknown }[]).map((r) => [
        r.FromPort,
        r.CidrIp,
      ]);
      expect(ports).toEqual(expect.arrayContaining([[443, { Ref: 'AllowedCidr' }]]));
      // https://<alb>, no :443.
      https.template.hasOutput('GrafanaUrl', {
        Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [Match.anyValue(), 'DNSName'] }]] },
      });
      expect(warnings(https.app)).toEqual([]);
    } finally {
      rmSync(https.outdir, { recursive: true, force: true });
    }
  });
});

/** The acknowledgeable warnings `cdk synth`/`cdk deploy` print for the app. */
function warnings(app: ReturnType<typeof synthesize>['app']): string[] {
  return app.node
    .findAll()
    .flatMap((c) => c.node.metadata)
    .filter((m) => m.type === 'aws:cdk:warning')
    .map((m) => String(m.data));
}

describe('Grafana over plain HTTP', () => {
  it('is what you get without a certificate, and synth/deploy say so, naming the fix', () => {
    const printed = warnings(synthesized.app).filter((w) => w.includes(PLAIN_HTTP_WARNING_ID));
    expect(printed).toHaveLength(1);
    expect(printed[0]).toMatch(/plain HTTP.*admin password.*certificateArn/);
    template.hasOutput('GrafanaUrl', {
      Value: { 'Fn::Join': ['', ['http://', { 'Fn::GetAtt': [Match.anyValue(), 'DNSName'] }, ':3000']] },
    });
  });
});

describe('the GitHub deploy role', () => {
  it('trusts only the main branch of the given repository, through the GitHub OIDC provider, for sts.amazonaws.com', () => {
    template.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRoleWithWebIdentity',
            Principal: { Federated: Match.anyValue() },
            Condition: {
              StringEquals: {
                'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
                'token.actions.githubusercontent.com:sub': `repo:${TEST_GITHUB_REPO}:ref:refs/heads/main`,
              },
            },
          },
        ],
      },
    });
  });

  it('may only assume the CDK bootstrap roles', () => {
    const statements = statementsOf('GithubDeployRole');
    expect(statements.flatMap(actions)).toEqual(['sts:AssumeRole']);
    expect(JSON.stringify(statements[0]!.Resource)).toMatch(/cdk-hnb659fds-deploy-role-/);
    expect(JSON.stringify(statements)).not.toContain('"*"');
  });

  it("imports the account's existing GitHub OIDC provider when its ARN is given, instead of creating a second", () => {
    const arn = 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com';
    const imported = synthesize({ githubRepo: TEST_GITHUB_REPO, githubOidcProviderArn: arn });
    try {
      imported.template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
      imported.template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: {
          Statement: [Match.objectLike({ Principal: { Federated: arn }, Action: 'sts:AssumeRoleWithWebIdentity' })],
        },
      });
    } finally {
      rmSync(imported.outdir, { recursive: true, force: true });
    }
    // Only GitHub's provider, and only for the role it is for.
    const read = (context: Record<string, unknown>) => () => readSettings((key) => context[key]);
    expect(
      read({ githubRepo: TEST_GITHUB_REPO, githubOidcProviderArn: arn.replace('token.actions', 'example') }),
    ).toThrow(/githubOidcProviderArn/);
    expect(read({ githubOidcProviderArn: arn })).toThrow(/only meaningful with githubRepo/);
    // An empty value (an unset workflow variable) means "create it", as before.
    expect(read({ githubRepo: TEST_GITHUB_REPO, githubOidcProviderArn: '' })().githubOidcProviderArn).toBeUndefined();
  });

  it('is left out without githubRepo', () => {
    const bare = synthesize({});
    try {
      bare.template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    } finally {
      rmSync(bare.outdir, { recursive: true, force: true });
    }
  });
});

describe('the stack as a whole', () => {
  it('is env-agnostic: two AZs from Fn::GetAZs, region and account as pseudo parameters', () => {
    const azs = resourcesOf('AWS::EC2::Subnet').map(([, s]) => JSON.stringify(s.Properties!.AvailabilityZone));
    expect(new Set(azs).size).toBe(2);
    for (const az of azs) expect(az).toContain('Fn::GetAZs');
    expect(Stack.of(buildApp().stack).region).toBe(Aws.REGION);
  });

  it('has one NAT gateway by default and none with natGateways=0 (tasks then get public IPs)', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    const none = synthesize({ natGateways: 0 });
    try {
      none.template.resourceCountIs('AWS::EC2::NatGateway', 0);
      for (const [, service] of Object.entries(none.json.Resources).filter(([, r]) => r.Type === 'AWS::ECS::Service')) {
        expect(JSON.stringify(service.Properties!.NetworkConfiguration)).toContain('"AssignPublicIp":"ENABLED"');
      }
    } finally {
      rmSync(none.outdir, { recursive: true, force: true });
    }
  });

  it('reads natGateways as the CLI passes it, and refuses an empty value instead of reading it as 0', () => {
    const nat = (value: unknown) => () =>
      readSettings((key) => (key === 'natGateways' ? value : undefined)).natGateways;
    expect(nat('0')()).toBe(0);
    expect(nat('1')()).toBe(1);
    expect(nat(0)()).toBe(0);
    expect(nat(undefined)()).toBe(1);
    expect(nat('')).toThrow(/natGateways: "" must be 0 or 1/);
    expect(nat('2')).toThrow(/must be 0 or 1/);
  });

  it('sends S3 traffic (Loki, image layers) through a gateway endpoint on every route table, not the NAT gateway', () => {
    const routeTables = resourcesOf('AWS::EC2::RouteTable').map(([id]) => ({ Ref: id }));
    expect(routeTables).toHaveLength(4);
    const endpoints = resourcesOf('AWS::EC2::VPCEndpoint');
    expect(endpoints).toHaveLength(1);
    const [, endpoint] = endpoints[0]!;
    expect(endpoint.Properties).toMatchObject({ VpcEndpointType: 'Gateway' });
    expect(JSON.stringify(endpoint.Properties!.ServiceName)).toContain('.s3');
    expect(endpoint.Properties!.RouteTableIds).toEqual(expect.arrayContaining(routeTables));
    expect(endpoint.Properties!.PolicyDocument).toBeUndefined();
  });

  it('turns Container Insights on, into a performance log group of its own, created before the cluster', () => {
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterName: { Ref: 'AWS::StackName' },
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
    const [clusterId, cluster] = resourcesOf('AWS::ECS::Cluster')[0]!;
    const [groupId] = resourcesOf('AWS::Logs::LogGroup').find(
      ([, g]) =>
        JSON.stringify(g.Properties!.LogGroupName) ===
        JSON.stringify({
          'Fn::Join': ['', ['/aws/ecs/containerinsights/', { Ref: 'AWS::StackName' }, '/performance']],
        }),
    ) ?? [undefined];
    expect(groupId, 'no /aws/ecs/containerinsights/<cluster>/performance group').toBeDefined();
    expect((cluster as { DependsOn?: string[] }).DependsOn, clusterId).toContain(groupId);
  });

  it("sends the bucket-emptying Lambda function's logs to a log group of its own (retained, deleted after the function)", () => {
    const functions = resourcesOf('AWS::Lambda::Function');
    expect(functions).toHaveLength(1);
    const [, handler] = functions[0]!;
    const logGroup = (handler.Properties!.LoggingConfig as { LogGroup?: { Ref: string } } | undefined)?.LogGroup;
    expect(logGroup?.Ref, 'the function logs to /aws/lambda/<name>, a group Lambda creates and nobody deletes').toMatch(
      /^LokiAutoDeleteLogs/,
    );
    expect(json.Resources[logGroup!.Ref]!.Type).toBe('AWS::Logs::LogGroup');
  });

  it('tags every taggable resource with the project', () => {
    const taggable = Object.entries(json.Resources).filter(([, r]) => r.Properties && 'Tags' in r.Properties);
    expect(taggable.length).toBeGreaterThan(20);
    for (const [id, r] of taggable) expect(JSON.stringify(r.Properties!.Tags), id).toContain(PROJECT_TAG.value);
  });

  it('states a removal policy everywhere `cdk destroy` would otherwise leave something behind', () => {
    for (const type of [
      'AWS::S3::Bucket',
      'AWS::Logs::LogGroup',
      'AWS::SecretsManager::Secret',
      'AWS::IAM::OIDCProvider',
    ]) {
      for (const [id] of resourcesOf(type))
        expect((json.Resources[id] as { DeletionPolicy?: string }).DeletionPolicy, id).toBe('Delete');
    }
  });

  it('keeps no secret in any container environment', () => {
    for (const c of containers())
      for (const e of c.Environment ?? []) expect(e.Name, c.Name).not.toMatch(/PASSWORD|SECRET|TOKEN|ACCESS_KEY/);
  });
});

describe('cdk-nag AwsSolutions', () => {
  const [nag] = synthesized.report.pluginReports.filter((r) => r.pluginName === 'AwsSolutions');

  it('ran, and reports no unacknowledged finding of any severity', () => {
    expect(nag).toBeDefined();
    expect(nag!.violations).toEqual([]);
    expect(nag!.conclusion).toBe('success');
  });

  it('every acknowledged finding has its own reason, and every acknowledgment is used', () => {
    expect(nag!.suppressedViolations.length).toBeGreaterThan(0);
    for (const v of nag!.suppressedViolations) expect(v.reason.length, v.ruleName).toBeGreaterThan(60);
    const used = new Set(nag!.suppressedViolations.map((v) => v.acknowledgedId));
    for (const ack of ACKNOWLEDGED) expect(used.has(ack.id), `${ack.path} ${ack.id}`).toBe(true);
  });

  it('fails synth on a finding nobody acknowledged (the check can fail)', () => {
    const { app, stack } = buildApp({ context: {}, outdir: synthesized.outdir + '-bad' });
    new s3.Bucket(stack, 'Unreviewed');
    try {
      expect(() => app.synth()).toThrow(/Validation failed|AwsSolutions/);
    } finally {
      rmSync(synthesized.outdir + '-bad', { recursive: true, force: true });
    }
  });
});
