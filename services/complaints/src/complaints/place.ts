import { ComplaintResponse } from '@smart-regency/contracts';

type Place = { lat?: number; lng?: number; district?: string };
type Visibility = ComplaintResponse['visibility'];

/** ~110 m: enough to keep the place of a broken road on the map, not enough to point at a house. */
export const coarseDegrees = (degrees: number) => Math.round(degrees * 1000) / 1000;

/** The point rounded to ~110 m; nothing when the complaint was placed by an address alone. */
export function coarsePoint(place: Place): { lat?: number; lng?: number } {
  return place.lat !== undefined && place.lng !== undefined ? { lat: coarseDegrees(place.lat), lng: coarseDegrees(place.lng) } : {};
}

/**
 * The point anyone outside the handling staff sees: exact for public complaints, ~110 m for
 * anonymous ones (an exact point could lead to the reporter's house). The one rule for the public
 * routes, Open311 (built on them) and the `received` event.
 */
export function publicPoint(place: Place, visibility: Visibility): { lat?: number; lng?: number } {
  if (visibility === 'anonymous') return coarsePoint(place);
  return place.lat !== undefined && place.lng !== undefined ? { lat: place.lat, lng: place.lng } : {};
}

/** The place in `complaints.complaint.received.v1`: confidential complaints reveal the district only. */
export function eventPlace(place: Place, visibility: Visibility): Place {
  const district = place.district ? { district: place.district } : {};
  return visibility === 'confidential' ? district : { ...publicPoint(place, visibility), ...district };
}

/**
 * The place as the public list shows it, for the national channel (SP4N-LAPOR!): a public complaint
 * with its point and address, an anonymous one at ~110 m without the address, a confidential one
 * (never listed) by its district alone.
 */
export function publishedPlace(place: Place & { address?: string; village?: string }, visibility: Visibility): Place & { address?: string; village?: string } {
  const district = place.district ? { district: place.district } : {};
  if (visibility === 'confidential') return district;
  return {
    ...publicPoint(place, visibility),
    ...district,
    ...(place.village ? { village: place.village } : {}),
    ...(visibility === 'public' && place.address ? { address: place.address } : {}),
  };
}
