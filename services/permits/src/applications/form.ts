import { FieldError, FormField } from '@smart-regency/contracts';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function problem(field: FormField, value: unknown): string | null {
  switch (field.type) {
    case 'text':
      return typeof value === 'string' && value.trim().length > 0 && value.length <= 300 ? null : 'must be text of at most 300 characters';
    case 'textarea':
      return typeof value === 'string' && value.trim().length > 0 && value.length <= 5000 ? null : 'must be text of at most 5000 characters';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : 'must be a number';
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be true or false';
    case 'date':
      return typeof value === 'string' && ISO_DATE.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) ? null : 'must be a date YYYY-MM-DD';
    case 'select':
      return typeof value === 'string' && (field.options ?? []).includes(value) ? null : `must be one of ${(field.options ?? []).join(', ')}`;
    default:
      return 'has an unknown field type';
  }
}

/**
 * Checks form data against a permit type's fields: no unknown fields, each value of its type, and
 * (when `complete`, i.e. at submission) every required field present.
 */
export function checkForm(fields: FormField[], data: Record<string, unknown>, complete: boolean): FieldError[] {
  const known = new Map(fields.map((f) => [f.code, f]));
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(data)) {
    const field = known.get(key);
    if (!field) errors.push({ field: `formData.${key}`, message: 'is not a field of this permit type', rule: 'unknownField' });
    else if (value !== null && value !== undefined) {
      const wrong = problem(field, value);
      if (wrong) errors.push({ field: `formData.${key}`, message: `${field.label} ${wrong}`, rule: field.type });
    }
  }
  if (complete) {
    for (const field of fields) {
      const value = data[field.code];
      if (field.required && (value === undefined || value === null || value === '')) {
        errors.push({ field: `formData.${field.code}`, message: `${field.label} is required`, rule: 'required' });
      }
    }
  }
  return errors;
}
