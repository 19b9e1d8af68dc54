import { Expose } from 'class-transformer';
import { IsOptional, IsString } from 'class-validator';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { FatalStartupError } from '../bootstrap/retry';
import { loadConfig } from './config';
import { readSecret, SecretOrFile } from './secret';

class WithSecret {
  @Expose() @IsOptional() @IsString()
  MODE?: string;

  @Expose() @IsOptional() @IsString()
  TOKEN?: string;

  @Expose() @SecretOrFile('TOKEN', (c) => c.MODE === 'remote')
  TOKEN_FILE?: string;
}

describe('secrets inline or in a file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'secret-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('takes either form, the file without its final line break, and neither when not required', () => {
    const file = join(dir, 'token');
    writeFileSync(file, 'rahasia-dari-berkas\n');
    expect(readSecret(loadConfig(WithSecret, { TOKEN_FILE: file }), 'TOKEN')).toBe('rahasia-dari-berkas');
    expect(readSecret(loadConfig(WithSecret, { TOKEN: 'rahasia-langsung' }), 'TOKEN')).toBe('rahasia-langsung');
    expect(readSecret(loadConfig(WithSecret, {}), 'TOKEN')).toBeUndefined();
  });

  it('refuses both forms at once, and neither when required, without echoing the value', () => {
    expect(() => loadConfig(WithSecret, { TOKEN: 'nilai-rahasia', TOKEN_FILE: '/run/secrets/token' })).toThrow('set TOKEN or TOKEN_FILE, not both');
    expect(() => loadConfig(WithSecret, { TOKEN: 'nilai-rahasia', TOKEN_FILE: '/run/secrets/token' })).not.toThrow(/nilai-rahasia/);
    expect(() => loadConfig(WithSecret, { MODE: 'remote' })).toThrow('TOKEN or TOKEN_FILE (a file holding it) is required here');
  });

  it('stops the start when the file cannot be read', () => {
    const config = loadConfig(WithSecret, { TOKEN_FILE: join(dir, 'missing') });
    expect(() => readSecret(config, 'TOKEN')).toThrow(new FatalStartupError('TOKEN_FILE cannot be read (ENOENT)'));
  });
});
