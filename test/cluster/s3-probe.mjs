// Run inside a network namespace by harness.test.ts: proves the namespace reaches the S3 server with the standard AWS
// variables plus EARSHOT_S3_ENDPOINT: puts an object, reads it back, prints {"key","body"} as JSON.
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

const [bucket, key, body] = process.argv.slice(2);
const s3 = new S3Client({
  endpoint: process.env.EARSHOT_S3_ENDPOINT,
  region: process.env.AWS_REGION,
  forcePathStyle: true,
  maxAttempts: 1,
});
await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
console.log(JSON.stringify({ key, body: await got.Body.transformToString() }));
s3.destroy();
