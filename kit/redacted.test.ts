import { describe, expect, it } from 'vitest';
import { REDACTED, redactUrlCredentials } from './redacted';

describe('URL credentials', () => {
  it('replaces the userinfo of every URL in a text, and leaves URLs without one alone', () => {
    expect(redactUrlCredentials('http://user:s3cret@moto:5000/x')).toBe(`http://${REDACTED}@moto:5000/x`);
    expect(redactUrlCredentials('export to HTTPS://tok@collector:4318 failed; see http://a/b@c')).toBe(
      `export to HTTPS://${REDACTED}@collector:4318 failed; see http://a/b@c`,
    );
    expect(redactUrlCredentials('http://collector:4318')).toBe('http://collector:4318');
  });
});
