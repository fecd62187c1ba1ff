import { describe, expect, it } from 'vitest';
import { REDACTED } from '../../redacted';
import { redactQuery } from './redaction';

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
});
