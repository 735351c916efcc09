/** User text as the destinations present it: the person's name, and length limits by code point. */
import type { Profile } from '../lifecycle';

/** Pure: the name people know the user by, falling back to what the profile has. */
export function personName(profile: Profile): string {
  const fullName = [profile.givenName, profile.familyName].filter(Boolean).join(' ');
  return profile.displayName ?? (fullName || profile.email || profile.userId);
}

/** Cuts to `max` code points (not UTF-16 units), for fields with a hard length limit. */
export const clip = (value: string, max: number): string => Array.from(value).slice(0, max).join('');

/** Truncates to `max` code points (not UTF-16 units), ending in an ellipsis when cut. */
export function truncate(value: string, max: number): string {
  const chars = Array.from(value);
  return chars.length <= max ? value : `${chars.slice(0, max - 1).join('')}…`;
}
