import { Transform } from 'class-transformer';

/** Query strings carry booleans as text: `true`/`false` become booleans, anything else stays for the validator to refuse. */
export const QueryBoolean = () => Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value));
