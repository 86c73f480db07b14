// WebDeploy Lambda: the custom resource that puts the dashboard into its bucket (deploy.ts). Wiring only.
import { S3Client } from '@aws-sdk/client-s3';
import { makeLogger } from '../shared/logger';
import { makeHandler, putResponse } from './deploy';

// On LocalStack the runtime sets AWS_ENDPOINT_URL to its edge, whose bucket sub-domains a Lambda
// container may not resolve: address buckets by path there. AWS keeps virtual-hosted addressing.
const endpointOverride = Boolean(process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL);

export const handler = makeHandler({
  s3: new S3Client({ forcePathStyle: endpointOverride }),
  respond: putResponse,
  log: makeLogger('bacefook-web-deploy'),
});
