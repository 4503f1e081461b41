import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OpenApiDocument } from '../scripts/spec.ts';
import { compareSpecs } from '../scripts/spec-diff.ts';
import { ROOT } from './helpers/workspace.ts';

const vendored: OpenApiDocument = JSON.parse(await readFile(join(ROOT, 'openapi/krosai-cockpit.json'), 'utf8'));

/** The classified changes of one edit to the vendored spec, as `BREAKING|ok what @ where`. */
function changesAfter(edit: (spec: OpenApiDocument) => void): string[] {
  const after = structuredClone(vendored);
  edit(after);
  return compareSpecs(vendored, after).map(
    (change) => `${change.breaking ? 'BREAKING' : 'ok'} ${change.what} @ ${change.where.join('; ')}`,
  );
}

describe('classifying spec changes for SDK users', () => {
  it('finds no change between a spec and itself', () => {
    expect(changesAfter(() => {})).toEqual([]);
  });

  it('reports prose as non-breaking: descriptions, examples, summaries, the version', () => {
    expect(
      changesAfter((spec) => {
        spec.info.version = '1.3.1';
        spec.paths['/webhooks'].get.summary = 'List all webhooks';
        spec.components.schemas.Webhook.properties.secret.description = 'The signing secret';
        spec.components.schemas.Webhook.properties.secret.example = 'whsec_example';
      }),
    ).toEqual([
      'ok changed info.version @ document',
      'ok changed paths./webhooks.get.summary @ GET /webhooks',
      'ok changed description of secret @ GET /webhooks response 200; POST /webhooks response 201; GET /webhooks/{id} response 200; PATCH /webhooks/{id} response 200',
      'ok added example of secret @ GET /webhooks response 200; POST /webhooks response 201; GET /webhooks/{id} response 200; PATCH /webhooks/{id} response 200',
    ]);
  });

  it('calls a new optional query parameter non-breaking and a new required one breaking', () => {
    expect(
      changesAfter((spec) => spec.paths['/webhooks'].get.parameters.push({ name: 'limit', in: 'query', schema: { type: 'integer' } })),
    ).toEqual(['ok new optional query parameter limit @ GET /webhooks']);
    expect(
      changesAfter((spec) =>
        spec.paths['/webhooks'].get.parameters.push({ name: 'limit', in: 'query', required: true, schema: { type: 'integer' } }),
      ),
    ).toEqual(['BREAKING new required query parameter limit @ GET /webhooks']);
  });

  it('calls a field that becomes required in a request breaking', () => {
    expect(changesAfter((spec) => spec.components.schemas.WebhookCreate.required.push('active'))).toEqual([
      'BREAKING active now required at the body @ POST /webhooks request body',
    ]);
  });

  it('calls a new required request field breaking', () => {
    expect(
      changesAfter((spec) => {
        spec.components.schemas.WebhookCreate.properties.name = { type: 'string' };
        spec.components.schemas.WebhookCreate.required.push('name');
      }),
    ).toContain('BREAKING new required field name @ POST /webhooks request body');
  });

  it('calls a response field that becomes required non-breaking, and one that becomes optional breaking', () => {
    expect(changesAfter((spec) => (spec.components.schemas.Webhook.required = ['id']))).toEqual([
      'ok id now required at the body @ GET /webhooks response 200; POST /webhooks response 201; GET /webhooks/{id} response 200; PATCH /webhooks/{id} response 200',
    ]);
    const withRequiredError = structuredClone(vendored);
    const after = structuredClone(vendored);
    after.components.schemas.Error.required = [];
    const changes = compareSpecs(withRequiredError, after).map((change) => `${change.breaking ? 'BREAKING' : 'ok'} ${change.what}`);
    expect(changes).toEqual(['BREAKING error now optional at the body']);
  });

  it('calls a new response code non-breaking and a removed one breaking', () => {
    expect(
      changesAfter((spec) => (spec.paths['/webhooks/{id}/test'].post.responses['404'] = { $ref: '#/components/responses/NotFound' })),
    ).toEqual(['ok response 404 added @ POST /webhooks/{id}/test']);
    expect(changesAfter((spec) => delete spec.paths['/webhooks'].post.responses['400'])).toEqual([
      'BREAKING response 400 removed @ POST /webhooks',
    ]);
  });

  it('calls a removed operation breaking', () => {
    expect(changesAfter((spec) => delete spec.paths['/webhooks/{id}/test'])).toEqual([
      'BREAKING operation removed @ POST /webhooks/{id}/test',
    ]);
  });

  it('calls any change of authentication breaking', () => {
    const changes = changesAfter((spec) => {
      spec.components.securitySchemes.ApiKeyAuth = { type: 'apiKey', in: 'header', name: 'x-api-key' };
      spec.security = [{ ApiKeyAuth: [] }];
    });
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.every((change) => change.startsWith('BREAKING authentication changed'))).toBe(true);
  });

  it('calls a changed field type breaking', () => {
    expect(changesAfter((spec) => (spec.components.schemas.WebhookTestResult.properties.status_code.type = 'string'))).toEqual([
      'BREAKING type of status_code changed @ POST /webhooks/{id}/test response 200',
    ]);
  });
});
