import { describe, expect, it } from 'vitest';
import { REDACTED, redactQuery, redactUrlCredentials } from './redaction';

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

describe('URL credentials', () => {
  it('replaces the userinfo of every URL in a text, and leaves URLs without one alone', () => {
    expect(redactUrlCredentials('http://user:s3cret@moto:5000/x')).toBe(`http://${REDACTED}@moto:5000/x`);
    expect(redactUrlCredentials('export to HTTPS://tok@collector:4318 failed; see http://a/b@c')).toBe(
      `export to HTTPS://${REDACTED}@collector:4318 failed; see http://a/b@c`,
    );
    expect(redactUrlCredentials('http://collector:4318')).toBe('http://collector:4318');
  });
});
