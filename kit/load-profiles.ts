/**
 * The load profiles `npm run load` offers (loadgen/options.ts gives each its k6 options). Pure:
 * no k6 and no Node imports, so k6, the load runner and the tests share the one list.
 */
export const PROFILE_NAMES = ['smoke', 'burst', 'soak', 'counted'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];
export const DEFAULT_PROFILE: ProfileName = 'burst';

export function isProfileName(value: string): value is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(value);
}

/** An unknown name is an error, not a silent fallback: a typo must not start a 3-minute burst. */
export function parseProfileName(value: string | undefined): ProfileName {
  const name = (value ?? '').trim().toLowerCase();
  if (name === '') return DEFAULT_PROFILE;
  if (!isProfileName(name)) {
    throw new Error(`unknown load profile ${JSON.stringify(value)}; choose one of: ${PROFILE_NAMES.join(', ')}`);
  }
  return name;
}
