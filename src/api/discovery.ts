// GET /$discovery/rest?version=…: the Google API discovery document the legacy `google-generativeai`
// Python client reads before its first upload; it describes the upload method with this server as root.

import type { FastifyInstance } from 'fastify';
import { baseUrlOf, type ApiContext } from './context.js';
import { EarshotError } from '../domain/errors.js';

const VERSIONS = ['v1beta', 'v1', 'v1alpha'];

/**
 * The part of generativelanguage's discovery document a client needs to upload: `media.upload`
 * (googleapiclient builds `{rootUrl}upload/{servicePath}{path}` from it) and the File schemas. The
 * other methods are left out: the legacy client calls them over its own REST transport, not through
 * this document.
 */
export function discoveryDocument(rootUrl: string, version: string): Record<string, unknown> {
  return {
    kind: 'discovery#restDescription',
    discoveryVersion: 'v1',
    id: `generativelanguage:${version}`,
    name: 'generativelanguage',
    version,
    title: 'Generative Language API (Earshot)',
    protocol: 'rest',
    rootUrl: `${rootUrl}/`,
    servicePath: '',
    baseUrl: `${rootUrl}/`,
    batchPath: 'batch',
    parameters: {
      key: { type: 'string', location: 'query', description: 'API key.' },
      alt: { type: 'string', location: 'query', default: 'json', enum: ['json', 'media', 'proto'] },
    },
    resources: {
      media: {
        methods: {
          upload: {
            id: 'generativelanguage.media.upload',
            path: `${version}/files`,
            flatPath: `${version}/files`,
            httpMethod: 'POST',
            parameters: {},
            parameterOrder: [],
            request: { $ref: 'CreateFileRequest' },
            response: { $ref: 'CreateFileResponse' },
            supportsMediaUpload: true,
            mediaUpload: {
              accept: ['*/*'],
              maxSize: '2147483648',
              protocols: {
                simple: { multipart: true, path: `/upload/${version}/files` },
                resumable: { multipart: true, path: `/resumable/upload/${version}/files` },
              },
            },
          },
        },
      },
    },
    schemas: {
      CreateFileRequest: { id: 'CreateFileRequest', type: 'object', properties: { file: { $ref: 'File' } } },
      CreateFileResponse: { id: 'CreateFileResponse', type: 'object', properties: { file: { $ref: 'File' } } },
      File: {
        id: 'File',
        type: 'object',
        properties: {
          name: { type: 'string' },
          displayName: { type: 'string' },
          mimeType: { type: 'string' },
          sizeBytes: { type: 'string', format: 'int64' },
          createTime: { type: 'string', format: 'google-datetime' },
          updateTime: { type: 'string', format: 'google-datetime' },
          expirationTime: { type: 'string', format: 'google-datetime' },
          sha256Hash: { type: 'string', format: 'byte' },
          uri: { type: 'string' },
          state: { type: 'string', enum: ['STATE_UNSPECIFIED', 'PROCESSING', 'ACTIVE', 'FAILED'] },
        },
      },
    },
  };
}

export async function discoveryRoutes(app: FastifyInstance, opts: { ctx: ApiContext }): Promise<void> {
  app.get<{ Querystring: { version?: string } }>('/$discovery/rest', async (req) => {
    const version = req.query.version ?? 'v1beta';
    if (!VERSIONS.includes(version))
      throw new EarshotError('API_DISCOVERY_UNKNOWN_VERSION', { version: version.slice(0, 40), known: VERSIONS.join(', ') });
    return discoveryDocument(baseUrlOf(req, opts.ctx.config), version);
  });
}
