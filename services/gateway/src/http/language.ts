import { Lang } from '@smart-regency/contracts';

/** `id` unless the caller prefers English (Accept-Language: en, en-US;q=0.9, …). */
export function languageOf(header: string | string[] | undefined): Lang {
  const value = Array.isArray(header) ? header.join(',') : header ?? '';
  const ranked = value
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { tag: tag.split('-')[0], q: q ? Number(q.slice(2)) || 0 : 1 };
    })
    .filter((l) => l.tag === 'id' || l.tag === 'en')
    .sort((a, b) => b.q - a.q);
  return ranked[0]?.q > 0 && ranked[0].tag === 'en' ? 'en' : 'id';
}
