import { FormField } from '@smart-regency/contracts';
import { checkForm } from './form';

const fields: FormField[] = [
  { code: 'businessName', label: 'Nama usaha', type: 'text', required: true },
  { code: 'floors', label: 'Jumlah lantai', type: 'number', required: true },
  { code: 'eventDate', label: 'Tanggal acara', type: 'date', required: false },
  { code: 'kind', label: 'Jenis', type: 'select', required: false, options: ['A', 'B'] },
  { code: 'roadside', label: 'Tepi jalan', type: 'boolean', required: false },
];

describe('checkForm', () => {
  it('accepts a complete, well-typed form', () => {
    expect(checkForm(fields, { businessName: 'Warung', floors: 2, eventDate: '2026-12-01', kind: 'A', roadside: false }, true)).toEqual([]);
  });

  it('lets a draft be incomplete but not wrong', () => {
    expect(checkForm(fields, { businessName: 'Warung' }, false)).toEqual([]);
    expect(checkForm(fields, { floors: 'two' }, false).map((e) => e.field)).toEqual(['formData.floors']);
  });

  it('names every problem: unknown fields, wrong types, missing required fields', () => {
    const errors = checkForm(fields, { floors: '2', eventDate: '01/12/2026', kind: 'C', roadside: 'yes', extra: 1 }, true);
    expect(errors.map((e) => `${e.field}:${e.rule}`).sort()).toEqual([
      'formData.businessName:required',
      'formData.eventDate:date',
      'formData.extra:unknownField',
      'formData.floors:number',
      'formData.kind:select',
      'formData.roadside:boolean',
    ]);
  });
});
