import { describe, expect, it } from 'vitest';
import { REDACTED } from '../../redacted';
import { mayHoldSecrets, redactQuery, SENSITIVE_QUERY_PARAMETERS } from './redaction';

describe('query redaction', () => {
  it('replaces the values of sensitive parameters, whatever their case or encoding', () => {
    expect(redactQuery('api_key=s3cret&limit=2')).toBe(`api_key=${REDACTED}&limit=2`);
    expect(redactQuery('Token=a&PASSWORD=b&%6Bey=c&sig=d')).toBe(
      `Token=${REDACTED}&PASSWORD=${REDACTED}&%6Bey=${REDACTED}&sig=${REDACTED}`,
    );
    expect(redactQuery('AWSAccessKeyId=AKIA&Signature=xyz&X-Goog-Signature=q')).toBe(
      `AWSAccessKeyId=${REDACTED}&Signature=${REDACTED}&X-Goog-Signature=${REDACTED}`,
    );
  });

  it('keeps everything else as sent, including repeated and valueless parameters', () => {
    expect(redactQuery('limit=2&offset=0&tag=a&tag=b&flag')).toBe('limit=2&offset=0&tag=a&tag=b&flag');
    expect(redactQuery('secret')).toBe(`secret=${REDACTED}`);
    expect(redactQuery('monkey=1&keys=2')).toBe('monkey=1&keys=2');
  });

  it('survives malformed percent-encoding', () => {
    expect(redactQuery('%E0%A4%A=1&token=x')).toBe(`%E0%A4%A=1&token=${REDACTED}`);
  });

  it('X-Amz-* query authentication is redacted too', () => {
    expect(redactQuery('X-Amz-Credential=AKIA%2F1&X-Amz-Signature=ab&X-Amz-Security-Token=t&x=1')).toBe(
      `X-Amz-Credential=${REDACTED}&X-Amz-Signature=${REDACTED}&X-Amz-Security-Token=${REDACTED}&x=1`,
    );
  });

  it('the quick check says "no" only for queries redactQuery leaves as they are', () => {
    for (const name of SENSITIVE_QUERY_PARAMETERS) {
      for (const query of [`${name}=1`, `a=1&${name.toUpperCase()}=2`, `${name}`, `b=2&${name}&c=3`]) {
        expect(mayHoldSecrets(query), query).toBe(true);
        expect(redactQuery(query), query).not.toBe(query);
      }
    }
    for (const query of ['limit=10&offset=0', 'monkey=1&keys=2', 'tokens=1', 'a=token', 'x=1&mykey=2']) {
      expect(mayHoldSecrets(query), query).toBe(false);
      expect(redactQuery(query)).toBe(query);
    }
    // Encoded names always take the full path.
    expect(mayHoldSecrets('%6Bey=1')).toBe(true);
    expect(mayHoldSecrets('api+key=1')).toBe(true);
    // U+212A KELVIN SIGN lower-cases to "k": redactQuery redacts it, so the check must not say no.
    expect(mayHoldSecrets('\u212Aey=1')).toBe(true);
    expect(redactQuery('\u212Aey=1')).toBe(`\u212Aey=${REDACTED}`);
  });
});
