// The web dashboard (web/) deployed by the stack: a site bucket, CloudFront in front of it on AWS (the
// bucket's website endpoint on LocalStack, where CloudFront is a paid feature), and a custom resource of
// our own that copies the build into the bucket and writes config.js with the API's URL.
//
// Why not aws-s3-deployment's BucketDeployment: it runs the AWS CLI from a Lambda layer, and the SPEC
// forbids layers (LocalStack's free tier has none). Why a custom resource rather than an upload step in
// the deploy scripts: the stack stays complete by itself (`cdk deploy` and `cdklocal deploy` both leave
// a working site, the API URL goes in at deploy time by a CloudFormation reference, `cdk destroy`
// empties the bucket), with no second source of truth for what was deployed.
//
// The build: an asset whose bundling runs scripts/build-web.ts into CDK's staging folder on every
// synth (about a second), so the deployed site is never an older web/dist. The asset hash is of the
// output: esbuild's content-hashed names make an unchanged dashboard the same asset, so a deploy without
// dashboard changes leaves the custom resource alone. Tests that skip bundling stage web/ as it is and
// build nothing, as with the functions.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { AssetHashType, CustomResource, DockerImage, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { CONFIG_SCRIPT_NAME, dashboardConfigScript } from '../../web/src/config-script';
import { WEB_DEPLOY } from '../definitions';
import { BacefookFunction } from './bacefook-function';
import { keepFinding } from './nag';

/** LocalStack's S3 website endpoint: `http://<bucket>.<this>/`, from the host as from its containers. */
export const LOCALSTACK_WEBSITE_HOST = 's3-website.localhost.localstack.cloud:4566';

export const WEB_DEPLOYMENT_TYPE = 'Custom::WebDashboardDeployment';

export interface WebDashboardProps {
  /** Repository root: web/ and scripts/build-web.ts are found there. */
  projectRoot: string;
  target: 'aws' | 'localstack';
  /** The API's base URL, as the stack's ApiUrl output gives it; written into config.js. */
  apiUrl: string;
  /** The live updates' WebSocket URL (the LiveUrl output), or null without one (LocalStack). */
  liveUrl?: string | null;
  /**
   * The stack's data-retention choice for the bucket (and the copier's log group): destroyed with the
   * stack, emptied first, unless data is retained. The distribution holds nothing and always goes.
   */
  removalPolicy: RemovalPolicy;
  retainData: boolean;
  logLevel: string;
}

export class WebDashboard extends Construct {
  readonly bucket: Bucket;
  /** CloudFront on AWS; none on LocalStack. */
  readonly distribution?: Distribution;
  readonly copier: BacefookFunction;
  readonly deployment: CustomResource;
  readonly asset: Asset;
  /** Where a browser opens the dashboard. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: WebDashboardProps) {
    super(scope, id);
    const localstack = props.target === 'localstack';

    this.asset = new Asset(this, 'Build', {
      path: path.join(props.projectRoot, 'web'),
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        // Never pulled: local bundling below either builds or throws (as NodejsFunction's own esbuild).
        image: DockerImage.fromRegistry('dummy'),
        local: {
          tryBundle(outputDir: string): boolean {
            const script = path.join(props.projectRoot, 'scripts', 'build-web.ts');
            const run = spawnSync(process.execPath, ['--import', 'tsx', script, '--out', outputDir], {
              cwd: props.projectRoot,
              encoding: 'utf8',
              stdio: ['ignore', 'pipe', 'pipe'],
            });
            if (run.status !== 0) {
              throw new Error(`the dashboard build failed (exit ${run.status ?? run.signal}): ${run.stderr}`);
            }
            return true;
          },
        },
      },
    });

    this.bucket = new Bucket(this, 'Bucket', {
      removalPolicy: props.removalPolicy,
      // Emptied by the deployment's Delete instead of autoDeleteObjects, whose provider is a function
      // CDK builds with a runtime of its choosing, outside BacefookFunction's defaults.
      autoDeleteObjects: false,
      encryption: BucketEncryption.S3_MANAGED,
      ...(localstack
        ? {
            // The website endpoint serves only what the bucket policy lets anyone read, over HTTP.
            websiteIndexDocument: 'index.html',
            publicReadAccess: true,
            blockPublicAccess: BlockPublicAccess.BLOCK_ACLS_ONLY,
          }
        : {
            // Private: only CloudFront reads it (origin access control), over TLS.
            blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
            enforceSSL: true,
          }),
    });
    keepFinding(
      this.bucket,
      'AwsSolutions-S1',
      "The dashboard's static files, rewritten by each deploy: server access logs would need a bucket of their own to say who fetched them",
    );
    if (localstack) {
      const website =
        "LocalStack only: the dashboard is the bucket's website endpoint there (CloudFront is paid on LocalStack), which serves anonymous reads over HTTP only; the bucket holds nothing but the dashboard's public files. On AWS it is private behind CloudFront, TLS only";
      keepFinding(this.bucket, 'AwsSolutions-S2', website);
      keepFinding(this.bucket, 'AwsSolutions-S5', website);
      keepFinding(this.bucket, 'AwsSolutions-S10', website);
    }

    if (!localstack) {
      this.distribution = new Distribution(this, 'Cdn', {
        comment: 'Bacefook Analytics dashboard',
        defaultRootObject: 'index.html',
        defaultBehavior: {
          origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
          viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
          // Follows each object's Cache-Control (minimum TTL 1 s): hashed assets stay a year, index.html
          // and config.js (no-cache) are re-read, so a deploy needs no invalidation.
          cachePolicy: CachePolicy.CACHING_OPTIMIZED,
          responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
          compress: true,
        },
        // The routes are in the hash (#/users/...), so no error-page rewrite to index.html is needed.
        httpVersion: HttpVersion.HTTP2_AND_3,
        // A demo: North America and Europe edges are enough, and the cheapest.
        priceClass: PriceClass.PRICE_CLASS_100,
      });
      keepFinding(
        this.distribution,
        'AwsSolutions-CFR1',
        'A dashboard of public analytics figures: no country is to be kept out',
      );
      keepFinding(
        this.distribution,
        'AwsSolutions-CFR2',
        'No web ACL: static files of a demo dashboard, cached at the edge; a WAF web ACL is a monthly charge per ACL and rule',
      );
      keepFinding(
        this.distribution,
        'AwsSolutions-CFR3',
        "No standard logs: they need a log bucket with ACLs enabled; the distribution's CloudWatch metrics show its traffic and errors",
      );
      keepFinding(
        this.distribution,
        'AwsSolutions-CFR4',
        "The distribution uses CloudFront's default *.cloudfront.net certificate, whose TLS policy CloudFront sets (the viewer minimum can only be chosen with a custom domain and certificate); viewers are redirected to HTTPS",
      );
    }

    // The project's function defaults (nodejs22.x, our esbuild, no layers, its own log group); its only
    // grants are the ones below.
    this.copier = new BacefookFunction(this, 'Copier', {
      def: WEB_DEPLOY,
      projectRoot: props.projectRoot,
      removalPolicy: props.removalPolicy,
      logLevel: props.logLevel,
    });
    // Read this build's archive, nothing else of the staging bucket.
    this.copier.fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['s3:GetObject'],
        resources: [this.asset.bucket.arnForObjects(this.asset.s3ObjectKey)],
      }),
    );
    // Write and prune the site bucket: list it, put and delete its objects. No bucket-level changes.
    this.copier.fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
      }),
    );
    this.copier.fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['s3:PutObject', 's3:DeleteObject'],
        resources: [this.bucket.arnForObjects('*')],
      }),
    );
    const bucketId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnBucket);
    keepFinding(
      this.copier,
      `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`,
      "Every object of the site bucket, and only of it: the copier writes the build's files and deletes those a new build no longer has, whose names it learns at deploy time",
    );

    // CloudFormation invokes the copier directly (no provider framework, so no function outside our
    // defaults); it runs when the build's archive, the bucket or the API URL changes.
    this.deployment = new CustomResource(this, 'Deployment', {
      serviceToken: this.copier.fn.functionArn,
      resourceType: WEB_DEPLOYMENT_TYPE,
      properties: {
        SourceBucket: this.asset.s3BucketName,
        SourceKey: this.asset.s3ObjectKey,
        DestinationBucket: this.bucket.bucketName,
        Files: { [CONFIG_SCRIPT_NAME]: dashboardConfigScript(props.apiUrl, props.liveUrl ?? null) },
        EmptyOnDelete: String(!props.retainData),
      },
    });

    this.url = this.distribution
      ? `https://${this.distribution.distributionDomainName}/`
      : `http://${this.bucket.bucketName}.${LOCALSTACK_WEBSITE_HOST}/`;
  }
}
