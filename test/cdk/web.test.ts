// Template assertions for the web dashboard's deployment (lib/constructs/web-dashboard.ts): a private
// bucket behind CloudFront with origin access control on AWS, the bucket's website endpoint on
// LocalStack, a copier of our own with only the grants it uses, no layers anywhere, and config.js
// carrying the same API URL as the ApiUrl output.
// Same speed settings as stack.test.ts (no bundling, no WASM validation); each variant synthesized once.
// One test bundles for real, on a stack holding only the dashboard, to check the build lands in the asset.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  LOCALSTACK_WEBSITE_HOST,
  WEB_DEPLOYMENT_TYPE,
  WebDashboard,
} from '../../lib/constructs/web-dashboard';
import { AWS_ONLY_FUNCTIONS, cloudFunctionName, FUNCTIONS, WEB_DEPLOY } from '../../lib/definitions';
import { CONFIG_SCRIPT_NAME, dashboardConfigScript } from '../../web/src/config-script';
import { type Resources, STACK, type Synth, synth } from '../support/synth';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const aws = () => synth();
const ls = () => synth({ target: 'localstack' });
const retained = () => synth({ retainData: 'true' });

const ofType = (r: Resources, type: string): [string, any][] =>
  Object.entries(r).filter(([, v]) => v.Type === type);

function only(r: Resources, type: string): [string, any] {
  const found = ofType(r, type);
  assert.equal(found.length, 1, `one ${type}`);
  return found[0];
}

/** A token as text with nothing JSON would escape, so it can stand inside a rendered string. */
const tok = (value: unknown) => `<${JSON.stringify(value).replace(/"/g, "'")}>`;

/** A CloudFormation value as text: the strings of an Fn::Join as they are, every other token as tok(). */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map(render).join(join[0]);
  return tok(value);
}

const deployment = (s: Synth) => only(s.resources, WEB_DEPLOYMENT_TYPE);
const bucketId = (s: Synth) => deployment(s)[1].Properties.DestinationBucket.Ref as string;

function copierId(s: Synth): string {
  const name = cloudFunctionName(STACK, WEB_DEPLOY.id);
  const found = ofType(s.resources, 'AWS::Lambda::Function').filter(
    ([, v]) => v.Properties.FunctionName === name,
  );
  assert.equal(found.length, 1, name);
  return found[0][0];
}

function copierStatements(s: Synth): any[] {
  const roleId = s.resources[copierId(s)].Properties.Role['Fn::GetAtt'][0];
  return ofType(s.resources, 'AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}

const bucketArn = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
const objectsArn = (id: string) => ({ 'Fn::Join': ['', [bucketArn(id), '/*']] });

describe('site bucket and CloudFront (AWS)', () => {
  test('one bucket, private: every public access blocked, encrypted, TLS only', () => {
    const s = aws();
    const [id, bucket] = only(s.resources, 'AWS::S3::Bucket');
    assert.equal(id, bucketId(s));
    assert.deepEqual(bucket.Properties.PublicAccessBlockConfiguration, {
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    assert.equal(bucket.Properties.WebsiteConfiguration, undefined, 'no website endpoint on AWS');
    assert.ok(bucket.Properties.BucketEncryption);
    const [, policy] = only(s.resources, 'AWS::S3::BucketPolicy');
    const statements: any[] = policy.Properties.PolicyDocument.Statement;
    assert.ok(
      statements.some(
        (st) => st.Effect === 'Deny' && st.Condition?.Bool?.['aws:SecureTransport'] === 'false',
      ),
      'denies plain HTTP',
    );
    // The only reader: CloudFront, for this distribution.
    const allows = statements.filter((st) => st.Effect === 'Allow');
    assert.equal(allows.length, 1);
    const [distId] = only(s.resources, 'AWS::CloudFront::Distribution');
    assert.deepEqual(allows[0].Principal, { Service: 'cloudfront.amazonaws.com' });
    assert.equal(allows[0].Action, 's3:GetObject');
    assert.deepEqual(allows[0].Resource, objectsArn(id));
    assert.ok(JSON.stringify(allows[0].Condition).includes(`"Ref":"${distId}"`), 'for this distribution');
  });

  test('a distribution reads the bucket through an origin access control, HTTPS, index.html at /', () => {
    const s = aws();
    const [oacId, oac] = only(s.resources, 'AWS::CloudFront::OriginAccessControl');
    assert.equal(oac.Properties.OriginAccessControlConfig.OriginAccessControlOriginType, 's3');
    assert.equal(oac.Properties.OriginAccessControlConfig.SigningBehavior, 'always');
    s.template.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);
    const [, dist] = only(s.resources, 'AWS::CloudFront::Distribution');
    const config = dist.Properties.DistributionConfig;
    assert.equal(config.DefaultRootObject, 'index.html');
    assert.equal(config.DefaultCacheBehavior.ViewerProtocolPolicy, 'redirect-to-https');
    assert.deepEqual(config.DefaultCacheBehavior.AllowedMethods, ['GET', 'HEAD']);
    assert.equal(config.Origins.length, 1);
    const origin = config.Origins[0];
    assert.deepEqual(origin.DomainName, { 'Fn::GetAtt': [bucketId(s), 'RegionalDomainName'] });
    assert.deepEqual(origin.OriginAccessControlId, { 'Fn::GetAtt': [oacId, 'Id'] });
  });

  test('WebDashboardUrl is the distribution; DashboardUrl stays the CloudWatch dashboard', () => {
    const s = aws();
    const [distId] = only(s.resources, 'AWS::CloudFront::Distribution');
    assert.equal(
      render(s.outputs.WebDashboardUrl.Value),
      `https://${tok({ 'Fn::GetAtt': [distId, 'DomainName'] })}/`,
    );
    assert.ok(render(s.outputs.DashboardUrl.Value).includes('console.aws.amazon.com/cloudwatch'));
    assert.deepEqual(s.outputs.WebBucketName.Value, { Ref: bucketId(s) });
  });
});

describe('site bucket (LocalStack: CloudFront is a paid feature there)', () => {
  test('no CloudFront; the website endpoint serves index.html; the policy only lets anyone read objects', () => {
    const s = ls();
    assert.equal(ofType(s.resources, 'AWS::CloudFront::Distribution').length, 0);
    assert.equal(ofType(s.resources, 'AWS::CloudFront::OriginAccessControl').length, 0);
    const [id, bucket] = only(s.resources, 'AWS::S3::Bucket');
    assert.deepEqual(bucket.Properties.WebsiteConfiguration, { IndexDocument: 'index.html' });
    // ACLs stay blocked: the bucket policy alone makes objects readable.
    assert.equal(bucket.Properties.PublicAccessBlockConfiguration.BlockPublicAcls, true);
    assert.equal(bucket.Properties.PublicAccessBlockConfiguration.IgnorePublicAcls, true);
    const [, policy] = only(s.resources, 'AWS::S3::BucketPolicy');
    const statements: any[] = policy.Properties.PolicyDocument.Statement;
    assert.deepEqual(statements, [
      { Action: 's3:GetObject', Effect: 'Allow', Principal: { AWS: '*' }, Resource: objectsArn(id) },
    ]);
    assert.equal(
      render(s.outputs.WebDashboardUrl.Value),
      `http://${tok({ Ref: id })}.${LOCALSTACK_WEBSITE_HOST}/`,
    );
  });
});

describe('copier (custom resource)', () => {
  test('CloudFormation invokes our own function directly: no provider framework, no CDK helper function', () => {
    for (const s of [aws(), ls()]) {
      const [, cr] = deployment(s);
      assert.deepEqual(cr.Properties.ServiceToken, { 'Fn::GetAtt': [copierId(s), 'Arn'] });
      // Every function is a FunctionDef's: nothing from aws-s3-deployment, autoDeleteObjects or Provider.
      // (The live updates' functions are on AWS only.)
      s.template.resourceCountIs(
        'AWS::Lambda::Function',
        FUNCTIONS.length - (s === aws() ? 0 : AWS_ONLY_FUNCTIONS.length),
      );
      for (const [, r] of Object.entries(s.resources)) {
        assert.ok(!/BucketDeployment|AutoDeleteObjects/.test(r.Type), r.Type);
      }
    }
  });

  test('no function has a layer, in either variant', () => {
    for (const s of [aws(), ls()]) {
      s.template.resourceCountIs('AWS::Lambda::LayerVersion', 0);
      for (const [id, fn] of ofType(s.resources, 'AWS::Lambda::Function')) {
        assert.equal(fn.Properties.Layers, undefined, `${id} has no layers`);
        assert.equal(fn.Properties.Runtime, 'nodejs22.x', id);
      }
    }
  });

  test('grants: its own log group; read this build from the asset bucket; list, put and delete in the site bucket; nothing else', () => {
    for (const s of [aws(), ls()]) {
      const [, cr] = deployment(s);
      const site = bucketId(s);
      const normalize = (st: any) => ({
        actions: [st.Action].flat().sort(),
        resource: JSON.stringify(st.Resource),
        effect: st.Effect,
        condition: st.Condition,
      });
      const got = copierStatements(s).map(normalize);
      const asset = {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':s3:::',
            cr.Properties.SourceBucket,
            `/${cr.Properties.SourceKey}`,
          ],
        ],
      };
      const logGroup = s.resources[copierId(s)].Properties.LoggingConfig.LogGroup.Ref;
      const want = [
        {
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: { 'Fn::GetAtt': [logGroup, 'Arn'] },
        },
        { Action: 's3:GetObject', Resource: asset },
        { Action: 's3:ListBucket', Resource: bucketArn(site) },
        { Action: ['s3:PutObject', 's3:DeleteObject'], Resource: objectsArn(site) },
      ].map((st) => normalize({ ...st, Effect: 'Allow' }));
      assert.deepEqual(got, want);
      // No managed policy: its logs go to its own group (the first statement), nowhere else.
      const roleId = s.resources[copierId(s)].Properties.Role['Fn::GetAtt'][0];
      assert.equal(s.resources[roleId].Properties.ManagedPolicyArns, undefined);
    }
  });

  test('the copier knows no table or stream (its S3 locations come with each request)', () => {
    const s = aws();
    const env = s.resources[copierId(s)].Properties.Environment.Variables;
    assert.deepEqual(Object.keys(env).sort(), [
      'NODE_OPTIONS',
      'POWERTOOLS_LOG_LEVEL',
      'POWERTOOLS_METRICS_NAMESPACE',
      'POWERTOOLS_SERVICE_NAME',
    ]);
  });

  test('config.js carries the same API URL as the ApiUrl output (and LiveUrl), in both variants', () => {
    for (const s of [aws(), ls()]) {
      const files = deployment(s)[1].Properties.Files;
      assert.deepEqual(Object.keys(files), [CONFIG_SCRIPT_NAME]);
      const apiUrl = render(s.outputs.ApiUrl.Value);
      // And the live updates' URL on AWS; none on LocalStack (the dashboard polls there).
      const liveUrl = s.outputs.LiveUrl ? render(s.outputs.LiveUrl.Value) : null;
      assert.equal(s === aws(), liveUrl !== null);
      assert.equal(render(files[CONFIG_SCRIPT_NAME]), dashboardConfigScript(apiUrl, liveUrl));
      // A reference to this stack's API, resolved by CloudFormation at deploy time.
      const [apiId] = only(s.resources, 'AWS::ApiGateway::RestApi');
      assert.ok(apiUrl.includes(tok({ Ref: apiId })), apiUrl);
    }
  });

  test('the bucket is emptied and destroyed with the stack by default, kept with retainData=true', () => {
    const s = aws();
    assert.equal(deployment(s)[1].Properties.EmptyOnDelete, 'true');
    assert.equal(s.resources[bucketId(s)].DeletionPolicy, 'Delete');
    const r = retained();
    assert.equal(deployment(r)[1].Properties.EmptyOnDelete, 'false');
    assert.equal(r.resources[bucketId(r)].DeletionPolicy, 'Retain');
  });
});

test('bundling builds the dashboard into the asset (web/dist is not used), without config.js', () => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'bacefook-web-'));
  try {
    const app = new App({ builtinCloudFormationValidation: false, outdir });
    const web = new WebDashboard(new Stack(app, 'WebOnly'), 'Web', {
      projectRoot: ROOT,
      target: 'aws',
      apiUrl: 'https://example.invalid/prod/',
      removalPolicy: RemovalPolicy.DESTROY,
      retainData: false,
      logLevel: 'INFO',
    });
    const staged = path.resolve(outdir, web.asset.assetPath);
    assert.ok(staged.startsWith(outdir), `bundled into the assembly, not the source folder: ${staged}`);
    assert.ok(existsSync(path.join(staged, 'index.html')), 'index.html');
    const assets = readdirSync(path.join(staged, 'assets'));
    assert.ok(
      assets.some((f) => /^app-[A-Z0-9]+\.js$/.test(f)),
      assets.join(),
    );
    assert.ok(!existsSync(path.join(staged, CONFIG_SCRIPT_NAME)), 'config.js is written at deploy time');
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});
