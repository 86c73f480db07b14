// One Lambda function of the pipeline with the project's shared defaults, built from a FunctionDef.
// Access to tables and the stream goes through bindTable/bindStream, which set the grant and the
// environment variable together: a function can only learn a resource's name if it may use it.
import path from 'node:path';
import { Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  cloudFunctionName,
  cloudLogGroupName,
  ENV,
  type FunctionDef,
  GRAPH_TABLE,
  HISTORY_TABLE,
  LOG_RETENTION_DAYS,
  META_TABLE,
  METRICS_NAMESPACE,
  PROJECT,
  type TableAccess,
  type TableDef,
} from '../definitions';
import { keepFinding } from './nag';

export type TableKind = keyof FunctionDef['tables'];

/** The table definition behind each kind a FunctionDef may name. */
export const TABLE_BY_KIND: Record<TableKind, TableDef> = {
  graph: GRAPH_TABLE,
  history: HISTORY_TABLE,
  meta: META_TABLE,
};

export interface BacefookFunctionProps {
  def: FunctionDef;
  /** Repository root: entries in FunctionDef are relative to it, and esbuild runs there. */
  projectRoot: string;
  /** Follows the stack's data-retention choice (log groups are data too). */
  removalPolicy: RemovalPolicy;
  /** POWERTOOLS_LOG_LEVEL. */
  logLevel: string;
}

// Emitted ESM has no `require`, `__filename` or `__dirname`; CommonJS dependencies bundled into it
// (parts of the AWS SDK, middy, powertools) call them. Aliased imports avoid clashing with bundle names.
const ESM_BANNER = [
  "import { createRequire as __bfCreateRequire } from 'node:module';",
  "import { fileURLToPath as __bfFileURLToPath } from 'node:url';",
  "import { dirname as __bfDirname } from 'node:path';",
  'const require = __bfCreateRequire(import.meta.url);',
  'const __filename = __bfFileURLToPath(import.meta.url);',
  'const __dirname = __bfDirname(__filename);',
].join(' ');

/** Maps the plain number of definitions.ts to CloudWatch's enum; CloudWatch accepts only its listed values. */
function retentionDays(days: number): RetentionDays {
  const allowed = Object.values(RetentionDays).filter((v): v is number => typeof v === 'number');
  if (!allowed.includes(days))
    throw new Error(`LOG_RETENTION_DAYS=${days} is not a CloudWatch retention value`);
  return days as RetentionDays;
}

/** `UserProfile` -> `user-profile`, for Powertools' service name. */
function kebab(id: string): string {
  return id.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

export class BacefookFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly def: FunctionDef;

  constructor(scope: Construct, id: string, props: BacefookFunctionProps) {
    super(scope, id);
    const { def, projectRoot } = props;
    this.def = def;
    const stackName = Stack.of(this).stackName;
    const functionName = cloudFunctionName(stackName, def.id);
    if (functionName.length > 64) {
      throw new Error(
        `function name '${functionName}' exceeds Lambda's 64 characters; use a shorter stackName`,
      );
    }

    // An explicit log group (instead of the one Lambda creates on first write) so retention and
    // removal are managed. Named like Lambda's default, so a runtime that ignores LoggingConfig
    // (LocalStack) writes to the same group.
    const logGroup = new LogGroup(this, 'Logs', {
      logGroupName: cloudLogGroupName(stackName, def.id),
      retention: retentionDays(LOG_RETENTION_DAYS),
      removalPolicy: props.removalPolicy,
    });

    // A role of its own with no managed policy: AWSLambdaBasicExecutionRole would let the function
    // create log groups and write to any of them; it writes only to its own group (granted below).
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${functionName}: its log group, and the grants its definition declares`,
    });

    this.fn = new NodejsFunction(this, 'Fn', {
      functionName,
      role,
      entry: path.join(projectRoot, def.entry),
      handler: 'handler',
      projectRoot,
      depsLockFilePath: path.join(projectRoot, 'package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: def.memoryMb,
      timeout: Duration.seconds(def.timeoutSeconds),
      logGroup,
      environment: {
        [ENV.serviceName]: `${PROJECT}-${kebab(def.id)}`,
        [ENV.metricsNamespace]: METRICS_NAMESPACE,
        [ENV.logLevel]: props.logLevel,
        // Stack traces point at the TypeScript sources through the bundled source map.
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        // The project's own esbuild, never Docker (no Docker on the build machines, none needed).
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        banner: ESM_BANNER,
        // Prefer ES module builds of dependencies: better tree shaking, smaller bundles.
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        // Positions are enough to map stack traces; embedding the sources would double the asset.
        sourcesContent: false,
        // Bundle the SDK instead of using the runtime's copy: the code runs exactly the SDK
        // versions it was tested with (package-lock.json), locally, on LocalStack and on AWS.
        bundleAwsSDK: true,
        externalModules: [],
      },
    });
    // Through the function, so the function waits for the policy (it may be invoked during the deploy).
    this.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    keepFinding(
      this.fn,
      'AwsSolutions-L1',
      'nodejs22.x on purpose: the newest Node line the project is tested on (README.md, Node versions); a newer runtime follows once the tests run on it',
    );
  }

  /** Grants `access` on the table and tells the function its name, in one step. */
  bindTable(kind: TableKind, table: ITable, access: TableAccess): void {
    if (access === 'write') table.grantReadWriteData(this.fn);
    else table.grantReadData(this.fn);
    this.fn.addEnvironment(TABLE_BY_KIND[kind].env, table.tableName);
  }

  /** Grants `access` on the stream (read: consume; write: PutRecord/PutRecords) and sets STREAM_NAME. */
  bindStream(stream: IStream, access: 'read' | 'write'): void {
    if (access === 'write') stream.grantWrite(this.fn);
    else stream.grantRead(this.fn);
    this.fn.addEnvironment(ENV.streamName, stream.streamName);
  }

  /** Applies every access the FunctionDef declares, and nothing else. */
  bindAll(tables: Record<TableKind, ITable>, stream: IStream): void {
    for (const [kind, access] of Object.entries(this.def.tables) as [TableKind, TableAccess][]) {
      this.bindTable(kind, tables[kind], access);
    }
    if (this.def.stream) this.bindStream(stream, this.def.stream);
  }
}
